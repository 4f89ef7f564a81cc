"""Mass e-mail: templates and their frozen versions, a mailing's e-mail settings, the claimed
batches that make dispatch exactly-once, back-off deferrals, and what came back (unsubscribes,
bounces, opens and clicks).

A recipient's send state lives on ``mailing.MailingRecipient`` (queued → sending → sent /
failed / cancelled); the rows here only add what e-mail needs beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from api.core.models import TimeStamped
from api.jobs.models import Job
from api.people.models import Person
from mailing.models import Mailing, MailingRecipient


class EmailTemplate(TimeStamped):
    """A named template; its content lives in numbered, immutable versions, so a mailing
    keeps exactly the version it sent however the template changes afterwards."""

    name = models.CharField("名称", max_length=200, unique=True)
    description = models.TextField("説明", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "メールテンプレート"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class EmailTemplateVersion(models.Model):
    template = models.ForeignKey(
        EmailTemplate,
        verbose_name="テンプレート",
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField("版")
    subject = models.CharField("件名", max_length=300)
    body_text = models.TextField("本文(テキスト)")
    body_html = models.TextField("本文(HTML)", blank=True, default="")
    # The merge fields the version uses (canonical keys), and the links of its HTML body
    # in order: a tracked click names a link by its position, never by a URL in the query.
    fields = ArrayField(models.CharField(max_length=80), verbose_name="差し込み項目", default=list)
    links = ArrayField(models.TextField(), verbose_name="リンク", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "メールテンプレート版"
        ordering = ["template_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="email_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class EmailMailing(TimeStamped):
    """The e-mail settings of one mailing on the e-mail channel (1:1). The template version
    is frozen once the first message has gone out."""

    class Charset(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        ISO2022JP = "iso-2022-jp", "ISO-2022-JP (旧携帯向け)"

    mailing = models.OneToOneField(
        Mailing,
        verbose_name="発送",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="email",
    )
    template_version = models.ForeignKey(
        EmailTemplateVersion,
        verbose_name="テンプレート版",
        on_delete=models.PROTECT,
        related_name="mailings",
    )
    from_name = models.CharField("差出人名", max_length=200, blank=True, default="")
    from_address = models.CharField("差出人アドレス", max_length=254)
    reply_to = models.CharField("返信先", max_length=254, blank=True, default="")
    charset = models.CharField(
        "文字コード", max_length=20, choices=Charset.choices, default=Charset.UTF8
    )
    scheduled_start = models.DateTimeField("送信開始予定", null=True, blank=True)
    rate_per_second = models.PositiveIntegerField("毎秒上限", null=True, blank=True)
    rate_per_hour = models.PositiveIntegerField("毎時上限", null=True, blank=True)
    # {"docomo.ne.jp": 600, …}: messages per minute to one destination domain; a domain not
    # listed gets ``domain_rate_default`` (none: unlimited).
    domain_rates = models.JSONField("宛先ドメイン別上限(毎分)", default=dict, blank=True)
    domain_rate_default = models.PositiveIntegerField(
        "宛先ドメイン既定上限(毎分)", null=True, blank=True
    )
    track_opens = models.BooleanField("開封計測", default=False)
    track_clicks = models.BooleanField("クリック計測", default=False)
    job = models.ForeignKey(
        Job,
        verbose_name="配信処理",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("送信開始日時", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="設定者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "メール発送設定"

    def __str__(self) -> str:
        return f"{self.mailing} ({self.template_version})"


class EmailBatch(models.Model):
    """Recipients one worker claimed (moved to ``sending``) and is sending now.

    The worker holds a PostgreSQL session advisory lock on the batch's id while it sends; the
    lock dies with the worker's database session, so a batch whose lock can be taken belongs
    to a dead worker and its recipients are recovered (see services.dispatch)."""

    mailing = models.ForeignKey(
        Mailing, verbose_name="発送", on_delete=models.CASCADE, related_name="+"
    )
    worker = models.CharField("ワーカー", max_length=200)
    claimed_at = models.DateTimeField("取得日時")
    # In the order they are sent; the first ``handed`` of them have been handed to the SMTP
    # server (the last one possibly without its reply recorded yet).
    recipient_ids = ArrayField(models.BigIntegerField(), verbose_name="発送先", default=list)
    handed = models.PositiveIntegerField("送信済み位置", default=0)
    handed_at = models.DateTimeField("最終送信日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "メール送信バッチ"
        indexes = [models.Index(fields=["mailing"], name="email_batch_mailing")]

    def __str__(self) -> str:
        return f"batch {self.pk} of mailing {self.mailing_id} ({self.worker})"


class EmailDeferral(models.Model):
    """A queued recipient that may not be tried before ``not_before``: back-off after a
    temporary failure (4xx, timeout), or a destination domain over its rate."""

    recipient = models.OneToOneField(
        MailingRecipient,
        verbose_name="発送先",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    not_before = models.DateTimeField("再試行日時")
    reason = models.TextField("理由", blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "メール再試行待ち"

    def __str__(self) -> str:
        return f"{self.recipient_id} after {self.not_before:%Y-%m-%d %H:%M:%S}"


class EmailUnsubscribe(models.Model):
    """A person stopped e-mail (配信停止); Person.opt_out_email is set at the same time."""

    class Method(models.TextChoices):
        ONE_CLICK = "one_click", "ワンクリック(List-Unsubscribe-Post)"
        LINK = "link", "本文のリンク"

    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.OneToOneField(
        MailingRecipient,
        verbose_name="発送先",
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.CharField("メール", max_length=254)
    method = models.CharField("方法", max_length=20, choices=Method.choices)
    created_at = models.DateTimeField("停止日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "メール配信停止"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "created_at"], name="email_unsub_person")]

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d})"


class EmailBounce(models.Model):
    """A delivery failure reported after (or at) sending: a DSN from the bounce mailbox, a
    provider's webhook, or the SMTP server's permanent refusal."""

    class Kind(models.TextChoices):
        HARD = "hard", "恒久的エラー"
        SOFT = "soft", "一時的エラー"
        COMPLAINT = "complaint", "迷惑メール報告"

    class Source(models.TextChoices):
        SMTP = "smtp", "送信時のSMTP応答"
        MAILBOX = "mailbox", "バウンスメール"
        WEBHOOK = "webhook", "Webhook"

    recipient = models.ForeignKey(
        MailingRecipient,
        verbose_name="発送先",
        on_delete=models.CASCADE,
        related_name="+",
    )
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="+"
    )
    email = models.CharField("メール", max_length=254)
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    status = models.CharField("ステータス", max_length=20, blank=True, default="")
    diagnostic = models.TextField("詳細", blank=True, default="")
    source = models.CharField("受信経路", max_length=20, choices=Source.choices)
    # The report's own identity (a DSN's Message-ID, a webhook event id): the same report
    # processed twice records once.
    reference = models.CharField("参照ID", max_length=250)
    created_at = models.DateTimeField("受信日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "メール不達"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "source", "reference"], name="email_bounce_once"
            ),
        ]
        indexes = [models.Index(fields=["person", "created_at"], name="email_bounce_person")]

    def __str__(self) -> str:
        return f"{self.email} {self.kind} {self.status}"


class EmailEvent(models.Model):
    """Opens and clicks, recorded only when the mailing tracks them (off by default)."""

    class Kind(models.TextChoices):
        OPEN = "open", "開封"
        CLICK = "click", "クリック"

    recipient = models.ForeignKey(
        MailingRecipient,
        verbose_name="発送先",
        on_delete=models.CASCADE,
        related_name="+",
    )
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    # The position of the clicked link among the version's links; -1 for an open.
    link = models.SmallIntegerField("リンク番号", default=-1)
    created_at = models.DateTimeField("日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "メール開封・クリック"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The first open, and the first click of each link, are what history shows;
            # a mail client loading the pixel ten times records once.
            models.UniqueConstraint(fields=["recipient", "kind", "link"], name="email_event_once"),
        ]
        indexes = [models.Index(fields=["person", "created_at"], name="email_event_person")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"
