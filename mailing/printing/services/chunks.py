"""Chunks of a print run: its recipients in slices that every render worker may claim.

The run's own job creates the chunks and asks other render workers to help
(``meibo.printing.render_chunks``); each worker claims the next free chunk with a row lock
that skips chunks others are claiming, renders it into a part file of its own and marks it
done. A chunk claimed longer ago than MEIBO_PRINT_CHUNK_LEASE by a worker that died is
claimed again; rendering twice is harmless (the later part is dropped).
"""

from __future__ import annotations

import itertools
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from mailing.printing.models import PrintChunk, PrintRun
from mailing.printing.selectors import print_run_get
from mailing.printing.services.render import RenderContext, chunk_render, render_context


def chunks_create(*, run: PrintRun, total: int) -> None:
    """Slices of MEIBO_PRINT_CHUNK_SIZE documents; label chunks end at the end of a sheet
    (the first one counting the start position), so that their pages simply follow."""
    size = settings.MEIBO_PRINT_CHUNK_SIZE
    offset = 0
    if run.kind == PrintRun.Kind.LABEL:
        per_sheet = run.label_format.per_sheet
        size = -(-size // per_sheet) * per_sheet
        offset = run.start_position - 1
    bounds = [0, *range(size - offset, total, size), total]
    PrintChunk.objects.bulk_create(
        [
            PrintChunk(print_run=run, index=index, first=first, count=end - first)
            for index, (first, end) in enumerate(itertools.pairwise(bounds))
            if end > first
        ],
        ignore_conflicts=True,
    )


def chunk_helpers_publish(*, print_run_id: int, count: int) -> None:
    # Imported here: the Celery app imports the task modules, which import this one.
    from workers.celery import app

    for _ in range(count):
        app.send_task("meibo.printing.render_chunks", args=[print_run_id], queue="render")


def chunk_claim(*, print_run_id: int) -> PrintChunk | None:
    """The next chunk nobody renders: pending, or claimed by a worker longer ago than the
    lease (that worker died). Row locks skip chunks another worker is claiming."""
    now = timezone.now()
    lease = now - timedelta(seconds=settings.MEIBO_PRINT_CHUNK_LEASE)
    with transaction.atomic():
        chunk = (
            PrintChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(print_run_id=print_run_id, print_run__state=PrintRun.State.RENDERING)
            .filter(
                Q(state=PrintChunk.State.PENDING)
                | Q(state=PrintChunk.State.RENDERING, claimed_at__lt=lease)
            )
            .order_by("index")
            .first()
        )
        if chunk is None:
            return None
        chunk.state = PrintChunk.State.RENDERING
        chunk.claimed_at = now
        chunk.save(update_fields=["state", "claimed_at"])
    return chunk


def chunk_run(*, ctx: RenderContext, chunk: PrintChunk) -> None:
    part, result = chunk_render(ctx, chunk)
    done = PrintChunk.objects.filter(
        pk=chunk.pk, state=PrintChunk.State.RENDERING, claimed_at=chunk.claimed_at
    ).update(
        state=PrintChunk.State.DONE,
        part=part,
        documents=result.documents,
        pages=result.pages,
        rendered_by=f"{socket.gethostname()}:{os.getpid()}",
    )
    if not done:
        # Another worker took the chunk over after the lease ran out and finished first.
        default_storage.delete(part)


def print_chunks_render(*, print_run_id: int) -> int:
    """A helper on another render worker: render chunks of the run until none is left.
    Returns how many it rendered; a run already finished or cancelled gets none."""
    run = print_run_get(print_run_id)
    if run is None or run.state != PrintRun.State.RENDERING:
        return 0
    ctx = render_context(run)
    rendered = 0
    while (chunk := chunk_claim(print_run_id=print_run_id)) is not None:
        chunk_run(ctx=ctx, chunk=chunk)
        rendered += 1
    return rendered


def chunk_documents_done(*, run: PrintRun) -> int:
    return run.chunks.filter(state=PrintChunk.State.DONE).aggregate(n=Sum("documents"))["n"] or 0
