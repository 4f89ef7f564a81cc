"""Every long operation is a Job row: the dashboard, the unit of retry, and its progress."""

from django.conf import settings
from django.db import models


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "待機中"
        RUNNING = "running", "実行中"
        SUCCEEDED = "succeeded", "完了"
        FAILED = "failed", "失敗"
        CANCELLED = "cancelled", "取消"

    FINISHED = (State.SUCCEEDED, State.FAILED, State.CANCELLED)

    kind = models.CharField("種類", max_length=40, db_index=True)
    state = models.CharField(
        "状態", max_length=20, choices=State.choices, default=State.QUEUED, db_index=True
    )
    done = models.BigIntegerField("処理済み", default=0)
    total = models.BigIntegerField("全体", null=True, blank=True)
    params = models.JSONField("パラメータ", default=dict, blank=True)
    result = models.JSONField("結果", default=dict, blank=True)
    error = models.TextField("エラー", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="依頼者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField("依頼日時", auto_now_add=True, db_index=True)
    scheduled_for = models.DateTimeField("予定日時", null=True, blank=True)
    # Set when the task is published; a job scheduled for later is published by beat's
    # dispatcher once due, never as a far-future ETA (Redis would redeliver it every
    # visibility timeout).
    dispatched_at = models.DateTimeField("投入日時", null=True, blank=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最終更新", null=True, blank=True)
    attempts = models.PositiveIntegerField("試行回数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "バックグラウンド処理"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                name="job_due",
                condition=models.Q(state="queued", dispatched_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED
