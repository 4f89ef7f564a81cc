"""Writes of mass e-mail: templates (``templates``), a mailing's settings and its start,
pause, resume and cancel (``mailings``), sending — the jobs (``dispatch``), the sending loop
and its exactly-once argument (``lane``), the claimed batches (``batches``), the SMTP relay
(``relay``) — previews and test sends (``preview``), and what comes back: unsubscribes,
bounces, opens, clicks (``feedback``)."""
