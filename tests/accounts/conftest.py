import pytest


@pytest.fixture(autouse=True)
def _account_mail_in_process(monkeypatch):
    """Run accounts' e-mail tasks here and now, whatever the Celery app's eager
    setting and although a test's transaction never commits: these tests read
    the outbox (enqueue_on_commit's own timing is core's to test)."""

    def run_now(task, *args) -> None:
        task.apply(args=args, throw=True)

    monkeypatch.setattr("accounts.services.enqueue_on_commit", run_now)
