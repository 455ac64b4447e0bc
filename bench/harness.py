"""Shared measuring tools: a throw-away database, timing and query counting."""

import os
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import django

# whitenoise warns that collectstatic has not run; the benchmark needs no files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


@contextmanager
def scratch_database() -> Iterator[None]:
    """Create the test database beside the configured one, and drop it afterwards."""
    from django.db import connection
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    # Not test_<name>: a benchmark and the test suite may run side by side.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"bench_{connection.settings_dict['NAME']}"
        if connection.vendor != "sqlite"
        else None
    )
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        _end_other_sessions(connection)
        teardown_databases(old_config, verbosity=0)
        teardown_test_environment()


def _end_other_sessions(connection) -> None:
    """A live server's last request thread may still hold a session on the
    scratch database; end it so the database can be dropped."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@contextmanager
def plain_static_storage() -> Iterator[None]:
    """No collectstatic for a benchmark: plain static storage, as in the tests."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    with override_settings(STORAGES=storages):
        yield


def ok(response):
    """The response, when it is a 200: a benchmark of error pages measures nothing."""
    if response.status_code != 200:
        raise SystemExit(
            f"bench: {response.request['PATH_INFO']} answered "
            f"{response.status_code}, not 200"
        )
    return response


def measure(fn: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> dict:
    """Median and p95 wall time in ms, and the SQL queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn()
    with CaptureQueriesContext(connection) as queries:
        fn()
    # Count now: the next request's request_started signal empties the log.
    query_count = len(queries.captured_queries)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "queries": query_count,
        "median_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
    }


def print_row(label: str, figures: dict) -> None:
    print(  # noqa: T201 - a benchmark reports on stdout
        f"  {label:<44} {figures['queries']:>3} queries  "
        f"median {figures['median_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms"
    )
