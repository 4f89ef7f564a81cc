"""Mailings (発送): a selection set executed on a channel, each recipient's state, and the
responses that come back.

The record-only channel is complete here; the printed channels (label, postcard, letter, fax)
and e-mail render and dispatch from the same rows: a recipient moves queued → sending →
sent / failed, its address is a snapshot taken at execution (a later change of address must
not change what was printed or sent), and a per-recipient document lands in ``artifact``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from api.core.models import TimeStamped
from api.jobs.models import Job
from api.masters.models import CodeMaster
from api.people.models import Person
from api.selections.models import SelectionSet

# A second execute of the same set under the same name and channel within this window is the
# same request (a double click, a retried POST): the database refuses the second row.
DOUBLE_EXECUTE_WINDOW = timedelta(minutes=10)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class ResponseType(CodeMaster):
    """選択セット応答: what came back from a recipient (出席, 欠席, 宛先不明で返送, …)."""

    undeliverable = models.BooleanField(
        "宛先不明", default=False, help_text="the mail came back: the address no longer works"
    )

    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "応答種別"


class Mailing(TimeStamped):
    class Channel(models.TextChoices):
        RECORD_ONLY = "record_only", "記録のみ"
        LABEL = "label", "宛名ラベル"
        POSTCARD = "postcard", "はがき宛名"
        LETTER = "letter", "送り状"
        FAX = "fax", "FAX送付状"
        EMAIL = "email", "メール"

    class Medium(models.TextChoices):
        """How the mail reaches a person: decides which opt-out applies and which address
        must be usable. Printed channels are post, ``fax`` is fax, ``email`` is e-mail; a
        record-only mailing says which it stands for (年賀状 printed elsewhere is post)."""

        POST = "post", "郵送"
        EMAIL = "email", "メール"
        FAX = "fax", "FAX"

    class State(models.TextChoices):
        PREPARING = "preparing", "準備中"
        READY = "ready", "準備完了"
        RUNNING = "running", "実行中"
        PAUSED = "paused", "一時停止"
        DONE = "done", "完了"
        CANCELLED = "cancelled", "取消"
        FAILED = "failed", "失敗"

    name = models.CharField("発送名", max_length=200)
    selection_set = models.ForeignKey(
        SelectionSet,
        verbose_name="選択セット",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailings",
    )
    # Kept so that the mailing still says where it came from after the set is deleted.
    selection_set_label = models.CharField("選択セット", max_length=220, blank=True, default="")
    channel = models.CharField("チャネル", max_length=20, choices=Channel.choices)
    medium = models.CharField("経路", max_length=10, choices=Medium.choices)
    state = models.CharField(
        "状態", max_length=20, choices=State.choices, default=State.PREPARING, db_index=True
    )
    options = models.JSONField("チャネル設定", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    job = models.ForeignKey(
        Job,
        verbose_name="準備処理",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.CharField(
        "冪等キー", max_length=200, null=True, blank=True, unique=True
    )
    dedupe_until = models.DateTimeField("二重実行判定期限")
    scheduled_for = models.DateTimeField("送信予定日時", null=True, blank=True)
    recipient_count = models.IntegerField("宛先数", default=0)
    # {"opted_out": n, "no_address": n, "duplicate": n}: who was left out, by reason.
    excluded = models.JSONField("除外数", default=dict, blank=True)
    artifact = models.FileField("出力ファイル", upload_to="mailings/%Y/%m/", null=True, blank=True)
    prepared_at = models.DateTimeField("準備完了日時", null=True, blank=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "発送"
        ordering = ["-created_at", "-id"]
        constraints = [
            ExclusionConstraint(
                name="mailing_no_double_execute",
                expressions=[
                    (F("selection_set"), RangeOperators.EQUAL),
                    (F("channel"), RangeOperators.EQUAL),
                    (F("name"), RangeOperators.EQUAL),
                    (TsTzRange("created_at", "dedupe_until"), RangeOperators.OVERLAPS),
                ],
                condition=Q(selection_set__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MailingRecipient(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "待機"
        SENDING = "sending", "送信中"
        SENT = "sent", "送付済み"
        FAILED = "failed", "失敗"
        CANCELLED = "cancelled", "取消"

    class AddressSource(models.TextChoices):
        PERSON = "person", "個人住所"
        HOME = "home", "自宅住所"
        COMPANY = "company", "会社住所"

    mailing = models.ForeignKey(
        Mailing, verbose_name="発送", on_delete=models.CASCADE, related_name="recipients"
    )
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="mailings_received"
    )
    state = models.CharField("状態", max_length=20, choices=State.choices)
    # The address as it was when the set was executed.
    full_name = models.CharField("氏名", max_length=130)
    full_name_kana = models.CharField("フリガナ", max_length=130, blank=True, default="")
    company_name = models.CharField("会社名", max_length=200, blank=True, default="")
    department_name = models.CharField("部署名", max_length=200, blank=True, default="")
    title = models.CharField("役職", max_length=100, blank=True, default="")
    address_source = models.CharField(
        "住所種別", max_length=10, choices=AddressSource.choices, blank=True, default=""
    )
    postal_code = models.CharField("郵便番号", max_length=8, blank=True, default="")
    prefecture = models.CharField("都道府県", max_length=10, blank=True, default="")
    address1 = models.CharField("住所1", max_length=200, blank=True, default="")
    address2 = models.CharField("住所2", max_length=200, blank=True, default="")
    email = models.CharField("メール", max_length=254, blank=True, default="")
    fax = models.CharField("FAX", max_length=20, blank=True, default="")
    attempts = models.PositiveSmallIntegerField("試行回数", default=0)
    error = models.TextField("エラー", blank=True, default="")
    message_id = models.CharField("Message-ID", max_length=250, blank=True, default="")
    artifact = models.FileField(
        "個別出力ファイル", upload_to="mailings/%Y/%m/", null=True, blank=True
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    sent_at = models.DateTimeField("送付日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "発送先"
        ordering = ["mailing_id", "id"]
        constraints = [
            # One recipient row per person and mailing: a retried preparation inserts nothing
            # twice, and nobody is mailed twice by one mailing.
            models.UniqueConstraint(fields=["mailing", "person"], name="recipient_once"),
        ]
        indexes = [
            models.Index(fields=["person", "mailing"], name="recipient_person"),
            models.Index(fields=["mailing", "state"], name="recipient_mailing_state"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing} → {self.full_name}"


class MailingExclusion(models.Model):
    """A member of the set who was left out of the mailing, and why."""

    class Reason(models.TextChoices):
        OPTED_OUT = "opted_out", "配信停止"
        NO_ADDRESS = "no_address", "宛先なし"
        DUPLICATE = "duplicate", "名寄せ(重複)"

    class MatchedOn(models.TextChoices):
        ADDRESS = "address", "氏名+住所"
        PHONE = "phone", "氏名+電話"
        EMAIL = "email", "氏名+メール"

    mailing = models.ForeignKey(
        Mailing, verbose_name="発送", on_delete=models.CASCADE, related_name="exclusions"
    )
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField("理由", max_length=20, choices=Reason.choices)
    # For a duplicate: the record that was mailed instead, and what made them the same human.
    kept_person = models.ForeignKey(
        Person,
        verbose_name="採用した個人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    matched_on = models.CharField(
        "一致項目", max_length=10, choices=MatchedOn.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = verbose_name_plural = "発送除外"
        ordering = ["mailing_id", "reason", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "person"], name="exclusion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id}: {self.person_id} ({self.reason})"


class MailingResponse(models.Model):
    mailing = models.ForeignKey(
        Mailing, verbose_name="発送", on_delete=models.CASCADE, related_name="responses"
    )
    recipient = models.ForeignKey(
        MailingRecipient,
        verbose_name="発送先",
        on_delete=models.CASCADE,
        related_name="responses",
    )
    # Denormalised from the recipient so that "responded undeliverable" queries over people
    # are one indexed EXISTS.
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="mailing_responses"
    )
    response_type = models.ForeignKey(
        ResponseType, verbose_name="応答", on_delete=models.PROTECT, related_name="responses"
    )
    responded_on = models.DateField("応答日", null=True, blank=True)
    note = models.TextField("メモ", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "選択セット応答"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Recording the same response twice (a CSV imported again) changes nothing.
            models.UniqueConstraint(fields=["recipient", "response_type"], name="response_once"),
        ]
        indexes = [
            models.Index(fields=["person", "response_type"], name="response_person"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.response_type.name}"
