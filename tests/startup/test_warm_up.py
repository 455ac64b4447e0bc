"""The toxicity model is loaded when a serving process starts, not by the first
comment: in the web process when it runs tasks itself, and in every worker."""

import pytest
from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.concurrency.solo import TaskPool as SoloPool
from celery.signals import worker_process_init, worker_ready
from django.apps import apps

from moderation import apps as moderation_apps
from moderation import classifiers

TOXICITY = "moderation.classifiers.toxicity.ToxicityClassifier"


@pytest.fixture
def warmed(monkeypatch) -> list[str]:
    """Record warm-ups instead of starting them."""
    calls: list[str] = []
    monkeypatch.setattr(
        moderation_apps, "warm_up_in_background", lambda: calls.append("warm")
    )
    return calls


def test_warm_up_loads_the_toxicity_model_before_any_comment():
    classifiers._loaded.cache_clear()
    assert not classifiers._loaded(TOXICITY).loaded

    classifiers.warm_up()

    assert classifiers._loaded(TOXICITY).loaded


def test_warm_up_in_background_loads_the_model_in_a_thread_once(monkeypatch):
    monkeypatch.setattr(classifiers, "_warming", None)
    classifiers._loaded.cache_clear()
    thread = classifiers.warm_up_in_background()
    thread.join(timeout=60)

    assert classifiers._loaded(TOXICITY).loaded
    assert classifiers.warm_up_in_background() is thread


@pytest.mark.parametrize(
    ("argv", "environ", "eager", "warms"),
    [
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, True, True),
        (["manage.py", "runserver", "--noreload"], {}, True, True),
        # The autoreloader's first process only watches files; its child serves.
        (["manage.py", "runserver"], {}, True, False),
        # With a broker, workers decide comments and the web never scores one.
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, False, False),
        (["manage.py", "migrate"], {}, True, False),
        (["manage.py", "seed_demo"], {}, True, False),
        (["pytest"], {}, True, False),
    ],
)
def test_the_web_process_warms_only_when_it_serves_and_decides_comments(
    warmed, monkeypatch, settings, argv, environ, eager, warms
):
    monkeypatch.setattr("sys.argv", argv)
    monkeypatch.delenv("RUN_MAIN", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    settings.CELERY_TASK_ALWAYS_EAGER = eager

    apps.get_app_config("moderation").ready()

    assert warmed == (["warm"] if warms else [])


def test_every_prefork_worker_process_warms_as_it_starts(warmed):
    worker_process_init.send(sender="celery@test")

    assert warmed == ["warm"]


class _Consumer:
    def __init__(self, pool_class: type) -> None:
        self.pool = pool_class.__new__(pool_class)


@pytest.mark.parametrize(
    ("pool", "warms"), [(SoloPool, True), (PreforkPool, False)], ids=["solo", "prefork"]
)
def test_a_worker_that_runs_tasks_in_its_main_process_warms_there(warmed, pool, warms):
    worker_ready.send(sender=_Consumer(pool))

    assert warmed == (["warm"] if warms else [])
