"""A counting aiosmtpd sink in its own process, for the e-mail benchmark.

    python -m tests.benchmarks.email_sink PORT STATS_FILE

Prints "ready" once it listens; on SIGTERM writes {"messages", "recipients", "duplicates"}
as JSON to STATS_FILE and exits. Keeping it out of the test process keeps it off the test's
GIL and lets its CPU time be measured on its own.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)


class Counting:
    def __init__(self) -> None:
        self.messages = 0
        self.seen: set[str] = set()
        self.duplicates = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        for address in envelope.rcpt_tos:
            if address in self.seen:
                self.duplicates += 1
            self.seen.add(address)
        return "250 2.0.0 Ok"


def main() -> None:
    port, stats = int(sys.argv[1]), sys.argv[2]
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print("ready", flush=True)
    done.wait()
    controller.stop()
    with open(stats, "w") as out:
        json.dump(
            {
                "messages": handler.messages,
                "recipients": len(handler.seen),
                "duplicates": handler.duplicates,
            },
            out,
        )


if __name__ == "__main__":
    main()
