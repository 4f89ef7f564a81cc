"""Imports (取込): the uploaded file, how it maps, its preview and its commit; saved formats.

The rows of an import live in two UNLOGGED tables per import, made by
``importers.staging``: ``importers_stage_<id>`` (each file row normalised, with its errors)
and ``importers_plan_<id>`` (what the commit will do with it, and whether it has). Millions
of rows go in by COPY and out by SQL, which a model per row would not allow.
"""

from django.conf import settings
from django.db import models

from api.core.models import TimeStamped


class Target(models.TextChoices):
    PEOPLE = "people", "個人"
    COMPANIES = "companies", "企業"
    DEPARTMENTS = "departments", "部署"
    PRODUCTS = "products", "商品"
    SALES = "sales", "販売履歴"


class Mode(models.TextChoices):
    INSERT = "insert", "追加"
    UPSERT = "upsert", "追加・上書き"


class ImportFormat(TimeStamped):
    """A saved import format (取込フォーマット): which column goes to which field, and the
    options a regular file needs, picked by name on later uploads."""

    name = models.CharField("名称", max_length=100, unique=True)
    target = models.CharField("対象", max_length=20, choices=Target.choices)
    # Column header → field name ("" ignores the column).
    mapping = models.JSONField("対応付け", default=dict, blank=True)
    # The headers of the file the format was made from, in their order.
    columns = models.JSONField("列順", default=list, blank=True)
    encoding = models.CharField("文字コード", max_length=20, blank=True, default="")
    mode = models.CharField("取込方法", max_length=10, choices=Mode.choices, blank=True, default="")
    match_key = models.CharField("照合キー", max_length=30, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "取込フォーマット"
        ordering = ["target", "name"]

    def __str__(self) -> str:
        return self.name


class ImportJob(TimeStamped):
    class State(models.TextChoices):
        PREVIEWING = "previewing", "プレビュー作成中"
        PREVIEWED = "previewed", "プレビュー済み"
        COMMITTING = "committing", "取込中"
        COMMITTED = "committed", "取込済み"
        FAILED = "failed", "失敗"

    class Policy(models.TextChoices):
        VALID_ONLY = "valid_only", "正しい行のみ"
        ALL_OR_NOTHING = "all_or_nothing", "全行正しい場合のみ"

    target = models.CharField("対象", max_length=20, choices=Target.choices)
    mode = models.CharField("取込方法", max_length=10, choices=Mode.choices, default=Mode.INSERT)
    match_key = models.CharField("照合キー", max_length=30, blank=True, default="")
    duplicate_keys = models.JSONField("重複チェックキー", default=list, blank=True)
    create_missing = models.BooleanField("未登録の企業・部署を作成", default=False)
    policy = models.CharField(
        "取込条件", max_length=20, choices=Policy.choices, default=Policy.VALID_ONLY
    )
    # The upload is kept: the preview can be redone with another encoding or mapping, and
    # the errors file quotes its original rows.
    file = models.FileField("ファイル", upload_to="imports/%Y/%m/", max_length=300)
    filename = models.CharField("ファイル名", max_length=255)
    size = models.BigIntegerField("サイズ", default=0)
    requested_encoding = models.CharField("指定文字コード", max_length=20, blank=True, default="")
    encoding = models.CharField("文字コード", max_length=20, blank=True, default="")
    detected_encoding = models.CharField("検出文字コード", max_length=20, blank=True, default="")
    delimiter = models.CharField("区切り文字", max_length=4, blank=True, default="")
    file_kind = models.CharField("形式", max_length=10, blank=True, default="")
    header = models.JSONField("見出し", default=list, blank=True)
    requested_mapping = models.JSONField("指定対応付け", default=dict, blank=True)
    mapping = models.JSONField("対応付け", default=dict, blank=True)
    format = models.ForeignKey(
        ImportFormat,
        verbose_name="フォーマット",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    state = models.CharField(
        "状態", max_length=20, choices=State.choices, default=State.PREVIEWING, db_index=True
    )
    error = models.TextField("エラー", blank=True, default="")
    counts = models.JSONField("件数", default=dict, blank=True)
    # The snapshot (pg_current_snapshot) the preview's plan was built from: the commit reuses
    # the plan when nothing it read has been written since (importers.services.plan).
    planned_snapshot = models.TextField("計画時のスナップショット", blank=True, default="")
    preview_job = models.ForeignKey(
        "jobs.Job",
        verbose_name="プレビュー処理",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    commit_job = models.ForeignKey(
        "jobs.Job",
        verbose_name="取込処理",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="依頼者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    previewed_at = models.DateTimeField("プレビュー日時", null=True, blank=True)
    committed_at = models.DateTimeField("取込日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "取込"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename} ({self.get_state_display()})"
