"""Starting the site says that tasks run in-process once, where it serves, and
nothing else that asks for no action."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
IN_PROCESS = "CELERY_BROKER_URL is unset"


def _without_broker(code: str) -> subprocess.CompletedProcess:
    """Run Python `code` in a fresh process configured as `make run` is."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "LOG_LEVEL"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture
def runserver(monkeypatch, settings):
    """This process started as `manage.py runserver`, with no broker."""
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver", "127.0.0.1:8000"])
    monkeypatch.delenv("RUN_MAIN", raising=False)
    # Set, then cleared, so that the test's end removes what ready() sets.
    monkeypatch.setenv("AGORA_TASKS_IN_PROCESS_SAID", "")
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _in_process_notes(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if IN_PROCESS in r.getMessage()]


def test_runserver_says_tasks_run_in_process_once_across_ready_calls(
    runserver, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger="agora")
    health = apps.get_app_config("health")

    health.ready()
    health.ready()
    # The autoreloader's child, started after the first process spoke.
    monkeypatch.setenv("RUN_MAIN", "true")
    health.ready()

    assert len(_in_process_notes(caplog)) == 1


@pytest.mark.parametrize("command", ["migrate", "seed_demo", "shell", "check"])
def test_commands_that_do_not_serve_say_nothing_about_tasks(
    runserver, caplog, monkeypatch, command
):
    caplog.set_level(logging.INFO, logger="agora")
    monkeypatch.setattr("sys.argv", ["manage.py", command])

    apps.get_app_config("health").ready()

    assert _in_process_notes(caplog) == []


def test_a_management_command_starts_without_broker_chatter():
    result = _without_broker(
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check', verbosity=0)\n"
    )

    assert IN_PROCESS not in result.stderr + result.stdout


def test_running_tasks_in_process_leaves_kombu_quiet():
    result = _without_broker(
        "import django; django.setup()\n"
        "from config.celery import app\n"
        "@app.task\n"
        "def noop(): pass\n"
        "noop.delay(); noop.delay()\n"
    )

    assert "kombu" not in result.stderr, result.stderr
    assert result.stderr.count("succeeded") == 2  # the tasks did run
