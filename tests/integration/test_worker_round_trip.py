"""Tasks leave after commit, run in a separate worker process, and land in the DB."""

import pytest
from django.db import transaction

from health.models import WorkerHeartbeat
from health.tasks import heartbeat
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_task_enqueued_on_commit_runs_in_the_worker_and_writes_the_database(
    celery_worker,
):
    with transaction.atomic():
        transaction.on_commit(lambda: heartbeat.delay(hostname="after-commit"))
        # Still inside the transaction: nothing has been sent yet.
        assert not WorkerHeartbeat.objects.filter(hostname="after-commit").exists()

    beat = wait_for(
        lambda: WorkerHeartbeat.objects.filter(hostname="after-commit").first()
    )
    assert beat.beats == 1


def test_a_rolled_back_transaction_sends_nothing(celery_worker):
    class Abort(Exception):
        pass

    def enqueue_then_fail():
        with transaction.atomic():
            transaction.on_commit(lambda: heartbeat.delay(hostname="rolled-back"))
            raise Abort

    with pytest.raises(Abort):
        enqueue_then_fail()

    # One worker takes tasks in order: once this later one is done, the
    # rolled-back one would have run before it, had it been sent.
    heartbeat.delay(hostname="marker")
    wait_for(lambda: WorkerHeartbeat.objects.filter(hostname="marker").exists())
    assert not WorkerHeartbeat.objects.filter(hostname="rolled-back").exists()
