"""Every task is published to its own queue, however it is published (the router, not a task
attribute, decides)."""

import pytest

from workers.beat import BEAT_SCHEDULE
from workers.celery import QUEUES, TASK_QUEUES, app, queued_task


@pytest.fixture(scope="module")
def router():
    app.loader.import_default_modules()  # the autodiscovered task modules
    return app.amqp.router


def test_each_kind_of_work_goes_to_its_queue(router):
    expected = {
        "meibo.seed.run": "default",
        "meibo.jobs.dispatch_due": "default",
        "meibo.imports.commit": "imports",
        "meibo.selections.extract": "extract",
        "meibo.printing.render_chunks": "render",
        "meibo.email.lane": "mail",
        "meibo.contacts.email_notifications": "mail",
    }
    assert {name: router.route({}, name)["queue"].name for name in expected} == expected


def test_every_task_has_a_queue_and_none_carries_it_as_an_attribute(router):
    names = {name for name in app.tasks if name.startswith("meibo.")}
    assert names == set(TASK_QUEUES)
    assert set(TASK_QUEUES.values()) <= set(QUEUES)
    assert all(getattr(app.tasks[name], "queue", None) is None for name in names)


def test_beat_publishes_to_the_default_queue(router):
    for entry in BEAT_SCHEDULE.values():
        assert router.route({}, entry["task"])["queue"].name == "default"


def test_a_queue_given_when_publishing_wins(router):
    assert router.route({"queue": "render"}, "meibo.seed.run")["queue"].name == "render"


def test_a_task_for_an_unknown_queue_is_refused():
    with pytest.raises(ValueError, match="unknown queue 'celery'"):
        queued_task(name="meibo.test.nowhere", queue="celery")
