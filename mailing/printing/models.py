"""Printed mailings: label sheet formats, letter and fax templates, and print runs.

A print run renders one mailing (label, postcard, letter or fax channel) into one file that
staff print. Its recipients are frozen in the run's order (PrintRunRecipient) — that row is
also the recipient's history of the print ("2026年 年賀状 宛名印刷"). Printing the same
mailing again is a reprint: a new run flagged as such, recorded once more in each printed
recipient's history, never a new mailing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from api.core.models import TimeStamped
from api.jobs.models import Job
from api.people.models import Person
from mailing.models import Mailing, MailingRecipient


class LabelFormat(TimeStamped):
    """A label sheet: paper size, the top-left label's position, columns × rows, label size
    and pitch (label size + gap), all in millimetres."""

    code = models.SlugField("コード", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    manufacturer = models.CharField("メーカー", max_length=60, blank=True, default="")
    product_number = models.CharField("品番", max_length=60, blank=True, default="")
    page_width = models.DecimalField("用紙幅(mm)", max_digits=6, decimal_places=2, default=210)
    page_height = models.DecimalField("用紙高さ(mm)", max_digits=6, decimal_places=2, default=297)
    margin_top = models.DecimalField("上余白(mm)", max_digits=6, decimal_places=2)
    margin_left = models.DecimalField("左余白(mm)", max_digits=6, decimal_places=2)
    columns = models.PositiveSmallIntegerField("列数")
    rows = models.PositiveSmallIntegerField("行数")
    label_width = models.DecimalField("ラベル幅(mm)", max_digits=6, decimal_places=2)
    label_height = models.DecimalField("ラベル高さ(mm)", max_digits=6, decimal_places=2)
    pitch_x = models.DecimalField("横ピッチ(mm)", max_digits=6, decimal_places=2)
    pitch_y = models.DecimalField("縦ピッチ(mm)", max_digits=6, decimal_places=2)
    padding = models.DecimalField("内側余白(mm)", max_digits=5, decimal_places=2, default=2.5)
    # Shipped with Meibo: read-only, so that a print made last year can be made again.
    builtin = models.BooleanField("標準", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "ラベル用紙"
        ordering = ["-builtin", "columns", "rows", "name"]
        constraints = [
            models.CheckConstraint(
                name="label_format_positive",
                condition=models.Q(
                    columns__gte=1,
                    rows__gte=1,
                    label_width__gt=0,
                    label_height__gt=0,
                    page_width__gt=0,
                    page_height__gt=0,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


class DocumentTemplate(TimeStamped):
    """A cover letter (送り状・添え状) or fax cover sheet (FAX送付状): an uploaded DOCX
    with merge fields, or the built-in PDF layout with its texts in ``layout``."""

    class Kind(models.TextChoices):
        LETTER = "letter", "送り状・添え状"
        FAX = "fax", "FAX送付状"

    class Engine(models.TextChoices):
        DOCX = "docx", "Word (DOCX)"
        PDF = "pdf", "PDF (標準レイアウト)"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    engine = models.CharField("形式", max_length=10, choices=Engine.choices)
    file = models.FileField(
        "テンプレートファイル", upload_to="printing/templates/", null=True, blank=True
    )
    # The built-in layout's texts: {"title", "body", "closing", "items": [...]}.
    layout = models.JSONField("レイアウト", default=dict, blank=True)
    # The merge fields the DOCX uses, found at upload.
    fields = models.JSONField("差し込み項目", default=list, blank=True)
    # Sender defaults (company, department, name, postal_code, address, phone, fax, email).
    sender = models.JSONField("差出人", default=dict, blank=True)
    date_style = models.CharField(
        "日付形式",
        max_length=10,
        choices=[("wareki", "和暦"), ("seireki", "西暦")],
        default="wareki",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "文書テンプレート"
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(
                name="template_docx_has_file",
                condition=~models.Q(engine="docx") | ~models.Q(file=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PrintRun(models.Model):
    class Kind(models.TextChoices):
        LABEL = "label", "宛名ラベル"
        POSTCARD = "postcard", "はがき宛名"
        LETTER = "letter", "送り状"
        FAX = "fax", "FAX送付状"

    class State(models.TextChoices):
        QUEUED = "queued", "待機中"
        CHECKING = "checking", "文字確認中"
        RENDERING = "rendering", "作成中"
        DONE = "done", "完了"
        FAILED = "failed", "失敗"
        CANCELLED = "cancelled", "取消"

    class Sort(models.TextChoices):
        POSTAL_CODE = "postal_code", "郵便番号順"
        READING = "reading", "50音順"
        COMPANY = "company", "会社順"
        MAILING = "mailing", "登録順"

    class Output(models.TextChoices):
        COMBINED = "combined", "1つのファイル"
        SEPARATE = "separate", "宛先ごとのファイル (zip)"

    mailing = models.ForeignKey(
        Mailing, verbose_name="発送", on_delete=models.CASCADE, related_name="print_runs"
    )
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    # What each printed recipient's history says: "2026年 年賀状 宛名印刷".
    title = models.CharField("履歴の表示", max_length=250)
    reprint = models.BooleanField("再印刷", default=False)
    label_format = models.ForeignKey(
        LabelFormat,
        verbose_name="ラベル用紙",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="print_runs",
    )
    template = models.ForeignKey(
        DocumentTemplate,
        verbose_name="テンプレート",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="print_runs",
    )
    start_position = models.PositiveSmallIntegerField("開始位置", default=1)
    sort = models.CharField("並び順", max_length=20, choices=Sort.choices, default=Sort.POSTAL_CODE)
    output = models.CharField(
        "出力", max_length=10, choices=Output.choices, default=Output.COMBINED
    )
    options = models.JSONField("オプション", default=dict, blank=True)
    # A subset of the mailing's recipients (MailingRecipient ids), e.g. labels to reprint.
    recipient_ids = models.JSONField("対象宛先", null=True, blank=True)
    state = models.CharField(
        "状態", max_length=20, choices=State.choices, default=State.QUEUED, db_index=True
    )
    job = models.ForeignKey(
        Job, verbose_name="処理", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    artifact = models.FileField(
        "出力ファイル", upload_to="printing/%Y/%m/", max_length=300, null=True, blank=True
    )
    documents = models.PositiveIntegerField("枚数(宛先)", default=0)
    pages = models.PositiveIntegerField("ページ数", default=0)
    # Recipients with characters no font can draw: [{"recipient", "person", "name",
    # "fields": {field: [chars]}}]; reported before anything is rendered.
    problems = models.JSONField("文字の問題", default=list, blank=True)
    skipped = models.PositiveIntegerField("除外した宛先", default=0)
    error = models.TextField("エラー", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("依頼日時", auto_now_add=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "印刷"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="print_run_start_position", condition=models.Q(start_position__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PrintRunRecipient(models.Model):
    """One recipient of a run, in print order; once the run is done, the recipient's
    record of having been printed (people/{id}/history/)."""

    # No single-column indexes on print_run and person: the constraints' and print_person's
    # indexes lead with them, and every recipient of a run is written to each index.
    print_run = models.ForeignKey(
        PrintRun,
        verbose_name="印刷",
        on_delete=models.CASCADE,
        related_name="recipients",
        db_index=False,
    )
    recipient = models.ForeignKey(
        MailingRecipient, verbose_name="発送先", on_delete=models.CASCADE, related_name="+"
    )
    # Denormalised from the recipient so that a person's history is one indexed read.
    person = models.ForeignKey(
        Person,
        verbose_name="個人",
        on_delete=models.CASCADE,
        related_name="print_records",
        db_index=False,
    )
    position = models.PositiveIntegerField("印刷順")

    class Meta:
        verbose_name = verbose_name_plural = "印刷宛先"
        ordering = ["print_run_id", "position"]
        constraints = [
            # A redelivered job freezes the order again: nothing is recorded twice.
            models.UniqueConstraint(fields=["print_run", "recipient"], name="print_once"),
            models.UniqueConstraint(fields=["print_run", "position"], name="print_position"),
        ]
        indexes = [models.Index(fields=["person", "print_run"], name="print_person")]

    def __str__(self) -> str:
        return f"{self.print_run} #{self.position + 1}"


class PrintChunk(models.Model):
    """A slice of a run's recipients (positions ``first`` to ``first + count - 1``),
    rendered by whichever render worker claims it; the parts are combined at the end."""

    class State(models.TextChoices):
        PENDING = "pending", "待機"
        RENDERING = "rendering", "作成中"
        DONE = "done", "完了"

    # Indexed by print_chunk_once, which leads with it.
    print_run = models.ForeignKey(
        PrintRun,
        verbose_name="印刷",
        on_delete=models.CASCADE,
        related_name="chunks",
        db_index=False,
    )
    index = models.PositiveIntegerField("番号")
    first = models.PositiveIntegerField("最初の印刷順")
    count = models.PositiveIntegerField("件数")
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField("着手日時", null=True, blank=True)
    # host:pid of the worker that rendered it, to see the work spread over the workers.
    rendered_by = models.CharField("作成した処理", max_length=200, blank=True, default="")
    part = models.CharField("部分ファイル", max_length=300, blank=True, default="")
    documents = models.PositiveIntegerField("件数(作成済み)", default=0)
    pages = models.PositiveIntegerField("ページ数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "印刷の分割"
        ordering = ["print_run_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["print_run", "index"], name="print_chunk_once"),
        ]

    def __str__(self) -> str:
        return f"{self.print_run} [{self.first + 1}–{self.first + self.count}]"
