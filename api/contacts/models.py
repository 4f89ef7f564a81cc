"""Contact records (顧客接点記録): every visit, call and mail with a customer.

Visibility (公開範囲) is stored twice on purpose: ``visibility`` + ``scope_ids`` are what a
person chose, and ``audience`` is what PostgreSQL derives from them (a generated column, so
every write path — API, admin, COPY — keeps it right). ``audience`` is a list of principal
tokens ('*' everyone, 'e12' employee 12, 'b3' branch 3, 'd5' own-company section 5, 'g4'
auth group 4); a user may read a record when the record's audience overlaps the user's own
tokens. That is one ``&&`` predicate which a GIN index answers (see ``visibility.py``).
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Lower

from api.masters.models import Branch, CodeMaster, Employee, Section
from api.people.models import Company, Department, Person
from api.sales.models import Sale


class ContactMethod(CodeMaster):
    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "対応形態"


class ContactResult(CodeMaster):
    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "結果"


class ContactSummary(CodeMaster):
    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "内容概略"


class Visibility(models.TextChoices):
    EVERYONE = "everyone", "全員"
    BRANCH = "branch", "支店"
    DEPARTMENT = "department", "部署"
    EMPLOYEES = "employees", "指定社員"
    GROUPS = "groups", "グループ"


# What ``scope_ids`` holds for each scope.
SCOPE_TARGETS: dict[str, type[models.Model]] = {
    Visibility.BRANCH: Branch,
    Visibility.DEPARTMENT: Section,
    Visibility.EMPLOYEES: Employee,
    Visibility.GROUPS: Group,
}


# The audience of a final record open to everyone (公開範囲「全員」): every user holds '*'.
OPEN_AUDIENCE = ["*"]


class ContactRecord(models.Model):
    class State(models.TextChoices):
        # A draft (作業中保存) is its author's work in progress: only the author sees it, and it
        # is not a contact yet (no last_contact_at, no follow-up, no report, not in stats).
        DRAFT = "draft", "作業中"
        FINAL = "final", "確定"

    # Not indexed alone: contact_author_time and contact_company_time lead with these.
    author = models.ForeignKey(
        Employee,
        verbose_name="記録者",
        on_delete=models.PROTECT,
        related_name="contact_records",
        db_index=False,
    )
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.FINAL)
    started_at = models.DateTimeField("開始日時")
    ended_at = models.DateTimeField("終了日時", null=True, blank=True)
    company = models.ForeignKey(
        Company,
        verbose_name="企業",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_records",
        db_index=False,
    )
    department = models.ForeignKey(
        Department,
        verbose_name="部署",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_records",
    )
    people = models.ManyToManyField(
        Person, verbose_name="相手先担当者", blank=True, related_name="contact_records"
    )
    customer_participants = models.CharField(
        "先方出席者(その他)", max_length=500, null=True, blank=True
    )
    participants = models.ManyToManyField(
        Employee, verbose_name="同行社員", blank=True, related_name="contact_participations"
    )
    method = models.ForeignKey(
        ContactMethod, verbose_name="対応形態", on_delete=models.PROTECT, related_name="+"
    )
    result = models.ForeignKey(
        ContactResult,
        verbose_name="結果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.ForeignKey(
        ContactSummary,
        verbose_name="内容概略",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary_text = models.CharField("内容概略(自由記述)", max_length=200, null=True, blank=True)
    content = models.TextField("内容", blank=True, default="")
    deal_name = models.CharField("案件", max_length=200, null=True, blank=True)
    sale = models.ForeignKey(
        Sale,
        verbose_name="案件(販売)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_records",
    )
    next_appointment_at = models.DateTimeField("次回予定日時", null=True, blank=True)
    next_appointment_note = models.CharField("次回予定内容", max_length=200, null=True, blank=True)
    report_to = models.ManyToManyField(
        Employee, verbose_name="報告先", blank=True, related_name="contact_reports"
    )
    visibility = models.CharField(
        "公開範囲", max_length=12, choices=Visibility.choices, default=Visibility.EVERYONE
    )
    scope_ids = ArrayField(
        models.BigIntegerField(), verbose_name="公開先", default=list, blank=True
    )
    audience = models.GeneratedField(
        expression=Func(
            F("state"),
            F("visibility"),
            F("scope_ids"),
            F("author_id"),
            function="meibo_contact_audience",
        ),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "顧客接点記録"
        ordering = ["-started_at", "-id"]
        indexes = [
            GinIndex(name="contact_audience", fields=["audience"]),
            # The company timeline page: one company's records newest first. ``audience`` is
            # carried in the index so that its count (and the visibility filter) never reads
            # the table: an index-only scan, 49 ms → 2 ms for a customer with 7,000 records.
            models.Index(
                F("company"),
                F("started_at").desc(),
                F("id").desc(),
                name="contact_company_time",
                include=["audience"],
            ),
            # Newest first for the list, and a period's records for stats/ with everything
            # stats/ groups and filters by, so a year of records is counted from the index.
            models.Index(
                F("started_at").desc(),
                F("id").desc(),
                name="contact_time",
                include=["state", "author", "method", "result", "audience"],
            ),
            # stats/ reads the records open to everyone from ContactMonthMethod/-Result; the
            # rest of a period's final records it reads here, checking each one's audience.
            models.Index(
                F("started_at").desc(),
                name="contact_scoped_time",
                include=["author", "method", "result", "audience"],
                condition=Q(state="final") & ~Q(audience=OPEN_AUDIENCE),
            ),
            models.Index(fields=["author", "started_at"], name="contact_author_time"),
            # ?q= is a case-insensitive substring of the content or the free summary; the query
            # is lower-cased too, so these expression indexes answer it (pg_trgm; the database
            # ctype is C.UTF-8, so Japanese forms trigrams).
            GinIndex(OpClass(Lower("content"), name="gin_trgm_ops"), name="contact_content_trgm"),
            GinIndex(
                OpClass(Lower("summary_text"), name="gin_trgm_ops"), name="contact_summary_trgm"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="contact_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="contact_visibility_known"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "final"]), name="contact_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d} {self.company or ''}"


class ContactMonthCount(models.Model):
    """How many final records open to everyone (audience ``['*']``) an employee wrote in a
    month, by method or by result: what stats/ sums instead of reading a year of records.

    Kept by statement triggers on contacts_contactrecord (migration 0004), so every write path
    (API, admin, bulk SQL) keeps it right, in the writer's own transaction: an upsert adds
    each statement's change, and concurrent writers of one row queue on its row lock instead
    of overwriting each other. ``month`` is the local month (``meibo_contact_month``)."""

    month = models.DateField("月")
    author = models.ForeignKey(
        Employee, verbose_name="記録者", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    records = models.IntegerField("件数")

    class Meta:
        abstract = True


class ContactMonthMethod(ContactMonthCount):
    method = models.ForeignKey(
        ContactMethod, verbose_name="対応形態", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "月別件数(対応形態)"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "author", "method"], name="contact_month_method_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.author_id} {self.method_id}: {self.records}"


class ContactMonthResult(ContactMonthCount):
    result = models.ForeignKey(
        ContactResult, verbose_name="結果", null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "月別件数(結果)"
        constraints = [
            # A record without a result is counted too: one row per month and author for it.
            models.UniqueConstraint(
                fields=["month", "author", "result"],
                name="contact_month_result_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.author_id} {self.result_id}: {self.records}"


class ContactAttachment(models.Model):
    record = models.ForeignKey(
        ContactRecord, verbose_name="記録", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("ファイル", upload_to="contacts/%Y/%m/", max_length=300)
    name = models.CharField("ファイル名", max_length=255)
    content_type = models.CharField("種類", max_length=100)
    size = models.PositiveBigIntegerField("サイズ")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "添付ファイル"
        ordering = ["record_id", "id"]

    def __str__(self) -> str:
        return self.name


class ContactComment(models.Model):
    record = models.ForeignKey(
        ContactRecord, verbose_name="記録", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="投稿者",
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("コメント")
    created_at = models.DateTimeField("投稿日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "コメント"
        ordering = ["record_id", "created_at", "id"]
        indexes = [models.Index(fields=["record", "created_at"], name="contactcomment_record")]

    def __str__(self) -> str:
        return self.text[:40]


class FollowUp(models.Model):
    """The task a record's 次回予定 creates; the company's ``next_follow_up_at`` is the earliest
    open one. One per record: editing the appointment moves it."""

    record = models.OneToOneField(
        ContactRecord, verbose_name="記録", on_delete=models.CASCADE, related_name="follow_up"
    )
    company = models.ForeignKey(
        Company,
        verbose_name="企業",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    assignee = models.ForeignKey(
        Employee, verbose_name="担当", on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_at = models.DateTimeField("予定日時")
    note = models.CharField("内容", max_length=200, null=True, blank=True)
    done_at = models.DateTimeField("完了日時", null=True, blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "フォローアップ"
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["company", "due_at"],
                name="followup_open_company",
                condition=Q(done_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"], name="followup_open_due", condition=Q(done_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_at:%Y-%m-%d} {self.company}"


class Notification(models.Model):
    """An in-app report (報告) of a record to one recipient. The unique (record, recipient)
    pair is what makes reporting idempotent: a recipient is notified at most once per record,
    whatever is saved again, retried or raced."""

    record = models.ForeignKey(
        ContactRecord,
        verbose_name="記録",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="報告先",
        on_delete=models.CASCADE,
        related_name="contact_notifications",
    )
    created_at = models.DateTimeField("通知日時", auto_now_add=True)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)
    # Claimed before the e-mail is handed to SMTP, so a redelivered task does not mail twice.
    emailed_at = models.DateTimeField("メール送信日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "報告通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "recipient"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.recipient} ← {self.record_id}"


class SavedSearch(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="所有者",
        on_delete=models.CASCADE,
        related_name="contact_saved_searches",
    )
    name = models.CharField("名称", max_length=100)
    params = models.JSONField("検索条件", default=dict)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "保存した検索"
        ordering = ["owner_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedsearch_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ListColumns(models.Model):
    """The columns a user chose for the contact-record list."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="所有者",
        on_delete=models.CASCADE,
        related_name="contact_list_columns",
    )
    columns = ArrayField(models.CharField(max_length=40), verbose_name="表示列")
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "一覧の表示列"

    def __str__(self) -> str:
        return ", ".join(self.columns)
