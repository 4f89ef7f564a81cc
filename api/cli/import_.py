"""``meibo import FILE``: the importer's pipeline from a terminal or a cron job.

The same preview and commit as the API (``importers.services.imports``), recorded as jobs
the dashboard shows, run in this process with a progress bar. Prints the preview summary
and the first errors; ``--commit`` writes the valid rows (or, with ``--all-or-nothing``,
nothing when any row has an error); ``--errors PATH`` saves the failing rows to fix.
Exit status: 0 done, 1 the file could not be imported, 2 rows with errors were left out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from api.cli.base import django_setup, stop_servers

NAME = "import"
HELP = "import a CSV/TSV/.xlsx file (preview, and with --commit write it)"
SHOWN_ERRORS = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the CSV, TSV or .xlsx file")
    parser.add_argument(
        "--target",
        required=True,
        choices=["people", "companies", "departments", "products", "sales"],
    )
    parser.add_argument("--mode", choices=["insert", "upsert"], default="insert")
    parser.add_argument("--match-key", default="", help="upsert key (default: external code)")
    parser.add_argument("--encoding", default="", help="force an encoding (default: detect)")
    parser.add_argument(
        "--mapping",
        default=None,
        help='column → field as JSON, or a JSON file: {"お客様": "full_name"}',
    )
    parser.add_argument("--format", default="", help="a saved import format's name")
    parser.add_argument(
        "--duplicate-keys", default=None, help="comma-separated duplicate keys to check"
    )
    parser.add_argument(
        "--create-missing",
        action="store_true",
        help="create the companies and departments the file names that are not registered",
    )
    parser.add_argument("--commit", action="store_true", help="write the rows after the preview")
    parser.add_argument(
        "--all-or-nothing",
        action="store_true",
        help="with --commit: write nothing if any row has an error",
    )
    parser.add_argument("--errors", type=Path, default=None, help="write the failing rows here")
    parser.add_argument("--user", default="", help="the username the import is recorded for")


def _mapping(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    path = Path(value)
    text = path.read_text(encoding="utf-8") if path.is_file() else value
    mapping = json.loads(text)
    if not isinstance(mapping, dict):
        raise SystemExit("--mapping: expected a JSON object of column → field")
    return mapping


def run(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise SystemExit(f"meibo import: no such file: {args.file}")
    django_setup()
    try:
        return import_file(args)
    finally:
        stop_servers()


def _run_job(job_id: int, work: Any, label: str) -> None:
    from tqdm import tqdm

    from api.cli.seed import BarProgress
    from workers.progress import run_job

    with tqdm(desc=label, unit="rows", unit_scale=True, dynamic_ncols=True) as bar:
        run_job(job_id, lambda job, progress: work(job, BarProgress(progress, bar)))


def import_file(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from api.core.errors import ServiceError
    from api.people.services.search import person_search_index, person_search_index_waiting
    from importers.models import ImportJob
    from importers.selectors import import_errors_first
    from importers.services.commit import import_commit, import_commit_start
    from importers.services.failures import import_errors_iter
    from importers.services.imports import import_create
    from importers.services.preview import import_preview

    user = get_user_model().objects.filter(username=args.user).first() if args.user else None
    if args.user and user is None:
        raise SystemExit(f"meibo import: no user named {args.user!r}")
    duplicate_keys = args.duplicate_keys.split(",") if args.duplicate_keys else None
    try:
        with open(args.file, "rb") as handle:
            record = import_create(
                user=user,
                upload=File(handle, name=args.file.name),
                target=args.target,
                mode=args.mode,
                match_key=args.match_key,
                duplicate_keys=duplicate_keys,
                encoding=args.encoding,
                mapping=_mapping(args.mapping),
                format_name=args.format,
                create_missing=args.create_missing,
                here=True,
            )
    except ServiceError as exc:
        print(f"meibo import: {exc.message}")
        return 1
    _run_job(
        record.preview_job_id,
        lambda job, progress: import_preview(import_id=record.pk, progress=progress),
        "preview",
    )
    record = ImportJob.objects.get(pk=record.pk)
    print(_summary(record))
    if record.state == ImportJob.State.FAILED:
        return 1
    for item in import_errors_first(record=record, limit=SHOWN_ERRORS):
        for error in item["errors"]:
            where = f"{error['column']}: " if error.get("column") else ""
            hint = f" (→ {error['suggestion']})" if error.get("suggestion") else ""
            print(f"  row {item['row']}: {where}{error['message']}{hint}")
    if args.errors and record.counts.get("error"):
        with open(args.errors, "wb") as out:
            for block in import_errors_iter(record=record):
                out.write(block)
        print(f"failing rows written to {args.errors}")
    if not args.commit:
        print(f"import #{record.pk} previewed; nothing written (add --commit to write it)")
        return 2 if record.counts.get("error") else 0
    policy = ImportJob.Policy.ALL_OR_NOTHING if args.all_or_nothing else None
    try:
        job = import_commit_start(record=record, user=user, policy=policy, here=True)
    except ServiceError as exc:
        print(f"meibo import: {exc.message}")
        return 1
    _run_job(
        job.pk,
        lambda job, progress: import_commit(import_id=record.pk, job_id=job.pk, progress=progress),
        "commit",
    )
    record = ImportJob.objects.get(pk=record.pk)
    print(_summary(record))
    if record.state != ImportJob.State.COMMITTED:
        return 1
    waiting = person_search_index_waiting()
    if waiting is not None:
        # Here too, like the commit: a cron run on a machine without a worker would leave the
        # imported people to the slower search of pending rows until a worker ran the job.
        _run_job(
            waiting.pk,
            lambda job, progress: person_search_index(progress=progress),
            "search index",
        )
    return 2 if record.counts.get("failed") else 0


def _summary(record: Any) -> str:
    if record.error:
        return f"import #{record.pk} {record.state}: {record.error}"
    counts = record.counts
    parts = [f"{counts.get('rows', 0):,} rows"]
    if record.state == "committed":
        names = ("inserted", "updated", "unchanged", "skipped", "failed")
    else:
        names = ("insert", "update", "unchanged", "skip", "error")
    parts += [f"{name} {counts.get(name, 0):,}" for name in names]
    created = counts.get("created") or {}
    if any(created.values()):
        parts.append("created " + ", ".join(f"{v} {k}" for k, v in created.items() if v))
    encoding = f", {record.encoding}" if record.encoding else ""
    return f"import #{record.pk} {record.state} ({record.filename}{encoding}): " + ", ".join(parts)
