"""What kind of process this is, told from how it was started.

So that start-up work (loading a model, a note in the log) happens where the
site is served, and never in migrate, seed_demo, the shell or a test run.
"""

import os
import sys

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV


def started_to_serve() -> bool:
    """Whether this process was started to serve the site: runserver (its file
    watcher included) or gunicorn."""
    return sys.argv[1:2] == ["runserver"] or "gunicorn.arbiter" in sys.modules


def serves_requests() -> bool:
    """Whether this process itself answers HTTP requests: gunicorn's, or
    runserver's serving child (under the autoreloader the first process only
    watches files and restarts a child, which serves)."""
    if sys.argv[1:2] == ["runserver"]:
        return os.environ.get(DJANGO_AUTORELOAD_ENV) == "true" or (
            "--noreload" in sys.argv
        )
    return "gunicorn.arbiter" in sys.modules
