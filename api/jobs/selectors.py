from django.db.models import QuerySet

from api.jobs.models import Job


def job_list(*, user) -> QuerySet[Job]:
    """Staff watch every job on the dashboard; others see the jobs they asked for."""
    jobs = Job.objects.select_related("created_by")
    if user.is_staff:
        return jobs
    return jobs.filter(created_by=user)
