from rest_framework import serializers

from api.jobs.kinds import KINDS
from api.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    percent = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "state",
            "done",
            "total",
            "percent",
            "created_at",
            "scheduled_for",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "attempts",
            "created_by",
            "params",
            "result",
            "error",
        ]
        read_only_fields = fields

    def get_kind_label(self, job: Job) -> str:
        kind = KINDS.get(job.kind)
        return kind.label if kind else job.kind

    def get_percent(self, job: Job) -> float | None:
        if not job.total:
            return 100.0 if job.state == Job.State.SUCCEEDED else None
        return round(100.0 * min(job.done, job.total) / job.total, 1)
