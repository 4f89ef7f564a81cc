"""Print runs: printing a mailing's recipients as labels, postcards, letters or fax sheets.

A request creates the run and its job (``print_run_create``); the job (``print_render``, on
the ``render`` queue) checks every recipient's characters against the fonts, freezes the
print order, renders the run in chunks — letters split over every render worker, which
claim chunks from the database — and combines the parts into one file in Django's storage.
A done run is each printed recipient's history of the print; printing the mailing again
makes a reprint run, recorded once more, never a new mailing.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import asdict
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from api.core.errors import Conflict, FieldErrors, ServiceError
from api.jobs.services import job_create
from mailing.models import Mailing, MailingRecipient
from mailing.printing.models import (
    PrintChunk,
    PrintRun,
    PrintRunRecipient,
)
from mailing.printing.selectors import print_run_get
from mailing.printing.services.chunks import (
    chunk_claim,
    chunk_documents_done,
    chunk_helpers_publish,
    chunk_run,
    chunks_create,
)
from mailing.printing.services.render import (
    DEFAULT_FACE,
    RECIPIENT_FIELDS,
    RenderContext,
    artifact_name,
    combine,
    glyph_problems,
    render_context,
    run_engine,
)
from mailing.renderers.fonts import font_set
from mailing.renderers.merge import Sender
from workers.progress import JobCancelled, Progress

log = logging.getLogger(__name__)

KIND_BY_CHANNEL = {
    Mailing.Channel.LABEL: PrintRun.Kind.LABEL,
    Mailing.Channel.POSTCARD: PrintRun.Kind.POSTCARD,
    Mailing.Channel.LETTER: PrintRun.Kind.LETTER,
    Mailing.Channel.FAX: PrintRun.Kind.FAX,
}
# What the history says after the mailing's name: "2026年 年賀状" + " 宛名印刷".
TITLE_SUFFIX = {
    PrintRun.Kind.LABEL: "宛名ラベル印刷",
    PrintRun.Kind.POSTCARD: "宛名印刷",
    PrintRun.Kind.LETTER: "送り状印刷",
    PrintRun.Kind.FAX: "FAX送付状印刷",
}
PRINTABLE_STATES = (
    Mailing.State.READY,
    Mailing.State.RUNNING,
    Mailing.State.PAUSED,
    Mailing.State.DONE,
)
DOCUMENT_KINDS = (PrintRun.Kind.LETTER, PrintRun.Kind.FAX)
BUSY_STATES = (PrintRun.State.QUEUED, PrintRun.State.CHECKING, PrintRun.State.RENDERING)
MAX_HELPERS = 16


def print_run_create(*, mailing: Mailing, user: Any, data: dict[str, Any]) -> PrintRun:
    """Ask for a mailing to be printed; returns the queued run with its job.

    1. The mailing must be on a printed channel and prepared.
    2. Labels need a sheet format and a start position on it; letters and fax sheets take
       a template of their kind (the built-in layout when none). A subset of recipients
       must belong to the mailing.
    3. The sender (the caller, then the template's, then the request's) and the date are
       fixed now, so a retried job prints the same letter.
    4. Under the mailing's row lock: refused while another print of it is under way (a
       double click); a mailing printed before is printed again as a reprint.
    5. The run and its ``print_render`` job are created together.
    """
    kind = KIND_BY_CHANNEL.get(mailing.channel)
    if kind is None:
        raise FieldErrors(
            {
                "mailing": [
                    f"チャネル「{mailing.get_channel_display()}」の発送は印刷できません"
                    " (宛名ラベル・はがき・送り状・FAX送付状のみ)"
                ]
            }
        )
    if mailing.state not in PRINTABLE_STATES:
        raise Conflict(f"発送は「{mailing.get_state_display()}」の状態のため印刷できません")
    errors: dict[str, list[str]] = {}
    options = dict(data.get("options") or {})
    label_format = template = None
    start_position = data.get("start_position") or 1
    if kind == PrintRun.Kind.LABEL:
        label_format = data.get("label_format")
        if label_format is None:
            errors["label_format"] = ["ラベル用紙を指定してください"]
        elif not 1 <= start_position <= label_format.per_sheet:
            errors["start_position"] = [f"開始位置は1〜{label_format.per_sheet}で指定してください"]
    elif start_position != 1:
        errors["start_position"] = ["開始位置はラベル印刷でだけ指定できます"]
    if kind in (PrintRun.Kind.LETTER, PrintRun.Kind.FAX):
        template = data.get("template")
        if template is not None and template.kind != kind:
            errors["template"] = [f"{template.get_kind_display()}のテンプレートは使えません"]
    elif data.get("template") is not None:
        errors["template"] = ["テンプレートは送り状・FAX送付状でだけ指定できます"]
    output = data.get("output") or PrintRun.Output.COMBINED
    if output == PrintRun.Output.SEPARATE and kind not in DOCUMENT_KINDS:
        errors["output"] = ["宛先ごとのファイルは送り状・FAX送付状でだけ作れます"]
    recipient_ids = data.get("recipients")
    if recipient_ids is not None:
        recipient_ids = sorted(set(recipient_ids))
        found = set(
            MailingRecipient.objects.filter(mailing=mailing, pk__in=recipient_ids).values_list(
                "pk", flat=True
            )
        )
        strangers = [pk for pk in recipient_ids if pk not in found]
        if strangers:
            errors["recipients"] = [
                "この発送の宛先ではありません: " + ", ".join(map(str, strangers[:20]))
            ]
    # The caller's own name and department, unless the template or the request say else.
    sender = Sender.from_dict(
        {
            **_employee_sender(user),
            **{k: v for k, v in (template.sender if template else {}).items() if v},
            **{k: v for k, v in (options.get("sender") or {}).items() if v},
        }
    )
    options["sender"] = asdict(sender)
    options.setdefault("date", timezone.localdate().isoformat())
    options.setdefault("font", DEFAULT_FACE[kind])
    engine = template.engine if template else "pdf"
    if engine == "pdf":
        missing = font_set(options["font"]).missing(
            sender.printed_text()
            + "".join(str(options.get(k, "")) for k in ("subject", "message"))
            + "".join(options.get("items") or [])
        )
        if missing:
            errors["options"] = ["フォントにない文字があります: " + "".join(missing)]
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic(durable=True):
        # One print of a mailing at a time: a double click must not record the print twice.
        Mailing.objects.select_for_update().filter(pk=mailing.pk).first()
        busy = PrintRun.objects.filter(mailing=mailing, state__in=BUSY_STATES).first()
        if busy is not None:
            raise Conflict(f"この発送は印刷中です (印刷 #{busy.pk})。終わってから印刷してください")
        reprint = PrintRun.objects.filter(mailing=mailing, state=PrintRun.State.DONE).exists()
        title = f"{mailing.name} {TITLE_SUFFIX[kind]}"
        run = PrintRun.objects.create(
            mailing=mailing,
            kind=kind,
            title=title,
            reprint=reprint,
            label_format=label_format,
            template=template,
            start_position=start_position,
            sort=data.get("sort") or PrintRun.Sort.POSTAL_CODE,
            output=output,
            options=options,
            recipient_ids=recipient_ids,
            created_by=user if getattr(user, "pk", None) else None,
        )
        run.job = job_create(kind="print_render", params={"print_run_id": run.pk}, created_by=user)
        run.save(update_fields=["job"])
    return run


def _employee_sender(user: Any) -> dict[str, str]:
    employee = getattr(user, "employee", None) if getattr(user, "pk", None) else None
    if employee is None:
        return {}
    return {
        "name": employee.name,
        "department": employee.department.name if employee.department_id else "",
        "email": employee.email,
    }


def print_render(*, print_run_id: int, progress: Progress) -> dict[str, Any]:
    """The job of a run; safe to run again after a worker died (every step is idempotent).

    1. A done run answers its result again; a failed or cancelled one (the job retried)
       starts over from the check.
    2. Check: recipients whose characters no font can draw are reported by recipient;
       the run fails (default) or leaves them out (``on_missing_glyph: skip``).
    3. Freeze the print order (one INSERT … SELECT), then the chunks.
    4. Render: other render workers are asked to help; this worker claims chunks too, and
       waits for the last ones.
    5. Combine the parts into the artifact, record the print, mark recipients sent.
    """
    run = print_run_get(print_run_id)
    if run is None:
        log.info("print run #%s no longer exists", print_run_id)
        return {}
    if run.state == PrintRun.State.DONE:
        return _result(run)
    try:
        return _render(run, progress)
    except JobCancelled:
        PrintRun.objects.filter(pk=run.pk).update(
            state=PrintRun.State.CANCELLED, finished_at=timezone.now()
        )
        raise
    except ServiceError as exc:
        PrintRun.objects.filter(pk=run.pk).update(
            state=PrintRun.State.FAILED, error=exc.message, finished_at=timezone.now()
        )
        raise


def _render(run: PrintRun, progress: Progress) -> dict[str, Any]:
    PrintRun.objects.filter(pk=run.pk).update(state=PrintRun.State.CHECKING, error="")
    ctx = render_context(run)
    skip: list[int] = []
    if run_engine(run) == "pdf":
        problems = glyph_problems(
            _recipient_rows(run), fonts=ctx.fonts, vertical=run.kind == PrintRun.Kind.POSTCARD
        )
        skip = [problem["recipient"] for problem in problems]
        # The first thousand are listed (enough to act on); all of them are counted.
        PrintRun.objects.filter(pk=run.pk).update(problems=problems[:1000], skipped=len(skip))
        if problems and run.options.get("on_missing_glyph", "fail") != "skip":
            raise ServiceError(_problems_message(problems))
    total = _order_freeze(run, skip=skip)
    if not total:
        raise ServiceError("印刷する宛先がありません")
    progress.set_total(total)
    chunks_create(run=run, total=total)
    PrintRun.objects.filter(pk=run.pk).update(state=PrintRun.State.RENDERING)
    helpers = min(run.chunks.exclude(state=PrintChunk.State.DONE).count() - 1, MAX_HELPERS)
    if helpers > 0:
        transaction.on_commit(lambda: chunk_helpers_publish(print_run_id=run.pk, count=helpers))
    while True:
        chunk = chunk_claim(print_run_id=run.pk)
        if chunk is not None:
            chunk_run(ctx=ctx, chunk=chunk)
        elif not run.chunks.exclude(state=PrintChunk.State.DONE).exists():
            break
        else:
            # The last chunks are with other workers; progress also notices a cancel.
            time.sleep(0.3)
        progress.update(chunk_documents_done(run=run))
    return _finish(ctx)


def _recipient_rows(run: PrintRun):
    rows = _recipients(run).values("id", "person_id", *RECIPIENT_FIELDS).order_by("id")
    return rows.iterator(chunk_size=5000)


def _recipients(run: PrintRun):
    rows = MailingRecipient.objects.filter(mailing_id=run.mailing_id).exclude(
        state=MailingRecipient.State.CANCELLED
    )
    if run.recipient_ids is not None:
        rows = rows.filter(pk__in=run.recipient_ids)
    return rows


def _problems_message(problems: list[dict[str, Any]]) -> str:
    shown = ", ".join(
        f"{p['name'] or '#' + str(p['recipient'])} "
        f"({''.join(sorted({c for chars in p['fields'].values() for c in chars}))})"
        for p in problems[:5]
    )
    more = f" ほか{len(problems) - 5}件" if len(problems) > 5 else ""
    return (
        f"フォントにない文字を含む宛先が{len(problems)}件あります: {shown}{more}。"
        "宛先を直すか、外字を含むフォントを設定するか、除外して印刷してください"
    )


ORDER_SQL = {
    PrintRun.Sort.POSTAL_CODE: "regexp_replace(r.postal_code, '[^0-9]', '', 'g'), "
    "r.full_name_kana, r.id",
    PrintRun.Sort.READING: "NULLIF(r.full_name_kana, '') NULLS LAST, r.full_name, r.id",
    PrintRun.Sort.COMPANY: "COALESCE(NULLIF(c.name_kana, ''), NULLIF(r.company_name, '')) "
    "NULLS LAST, r.company_name, r.department_name, r.full_name_kana, r.id",
    PrintRun.Sort.MAILING: "r.id",
}


def _order_freeze(run: PrintRun, *, skip: list[int]) -> int:
    """Number the run's recipients in print order, in one statement; a second call (a
    redelivered job) inserts nothing. Returns how many the run prints."""
    sql = f"""
        INSERT INTO printing_printrunrecipient (print_run_id, recipient_id, person_id, position)
        SELECT %(run)s, r.id, r.person_id, row_number() OVER (ORDER BY {ORDER_SQL[run.sort]}) - 1
        FROM mailing_mailingrecipient r
        LEFT JOIN people_person p ON p.id = r.person_id
        LEFT JOIN people_company c ON c.id = p.company_id
        WHERE r.mailing_id = %(mailing)s AND r.state <> %(cancelled)s
          AND (%(subset)s::bigint[] IS NULL OR r.id = ANY(%(subset)s::bigint[]))
          AND NOT (r.id = ANY(%(skip)s::bigint[]))
        ON CONFLICT DO NOTHING
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if not PrintRunRecipient.objects.filter(print_run=run).exists():
            cursor.execute(
                sql,
                {
                    "run": run.pk,
                    "mailing": run.mailing_id,
                    "cancelled": MailingRecipient.State.CANCELLED,
                    "subset": run.recipient_ids,
                    "skip": skip,
                },
            )
    return PrintRunRecipient.objects.filter(print_run=run).count()


def _finish(ctx: RenderContext) -> dict[str, Any]:
    run = ctx.run
    chunks = list(run.chunks.order_by("index"))
    parts = [chunk.part for chunk in chunks]
    with tempfile.TemporaryFile() as scratch:
        combine(ctx, parts, scratch)
        scratch.seek(0)
        if run.artifact:
            run.artifact.delete(save=False)
        run.artifact.save(artifact_name(run, ctx.artifact_extension), File(scratch), save=False)
    now = timezone.now()
    with transaction.atomic(durable=True):
        PrintRun.objects.filter(pk=run.pk).update(
            state=PrintRun.State.DONE,
            artifact=run.artifact.name,
            finished_at=now,
            documents=sum(chunk.documents for chunk in chunks),
            pages=sum(chunk.pages for chunk in chunks),
        )
        # Printed is sent, for a printed channel; a reprint changes no recipient's state.
        MailingRecipient.objects.filter(
            pk__in=PrintRunRecipient.objects.filter(print_run=run).values("recipient_id"),
            state__in=[MailingRecipient.State.QUEUED, MailingRecipient.State.SENDING],
        ).update(state=MailingRecipient.State.SENT, sent_at=now)
        Mailing.objects.filter(pk=run.mailing_id).update(artifact=run.artifact.name)
        Mailing.objects.filter(
            pk=run.mailing_id, state__in=[Mailing.State.READY, Mailing.State.RUNNING]
        ).update(state=Mailing.State.DONE, finished_at=now)
    for part in parts:
        default_storage.delete(part)
    run.refresh_from_db()
    return _result(run)


def _result(run: PrintRun) -> dict[str, Any]:
    return {
        "print_run": run.pk,
        "documents": run.documents,
        "pages": run.pages,
        "skipped": run.skipped,
        "artifact": run.artifact.name if run.artifact else None,
        "reprint": run.reprint,
    }
