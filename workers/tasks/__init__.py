"""Task modules, one per area; each task is a thin adapter over a service."""

from workers.tasks import (
    contacts,  # noqa: F401
    email,  # noqa: F401
    imports,  # noqa: F401
    jobs,  # noqa: F401
    mailing,  # noqa: F401
    printing,  # noqa: F401
    seed,  # noqa: F401
    selections,  # noqa: F401
)
