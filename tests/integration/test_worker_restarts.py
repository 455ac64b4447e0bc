"""A worker that exits with an error is started again, locally and in production."""

import configparser
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="make is absent")


def fake_celery(tmp_path: Path, body: str) -> tuple[Path, Path]:
    """An executable standing in for celery; each run appends a line to `runs`."""
    runs = tmp_path / "runs"
    script = tmp_path / "celery"
    script.write_text(f"#!/bin/sh\necho run >> {runs}\n{body}\n")
    script.chmod(0o755)
    return script, runs


def make_worker(celery: Path, **popen) -> subprocess.Popen:
    # -o install: the virtualenv is there already; never sync it from a test.
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", "install", "worker",
         f"CELERY={celery}", "WORKER_RESTART_DELAY=0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        **popen,
    )  # fmt: skip


def run_count(runs: Path) -> int:
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def runs_in_group(pgid: int, command: str) -> bool:
    """Whether a process named `command` runs in process group `pgid`."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # it ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        if name == command and int(fields[2]) == pgid:
            return True
    return False


def test_make_worker_starts_a_failed_worker_again_until_it_stops_cleanly(tmp_path):
    # Exits with an error twice, then cleanly.
    celery, runs = fake_celery(
        tmp_path, f'[ "$(wc -l < {tmp_path}/runs)" -ge 3 ] && exit 0\nexit 1'
    )

    make = make_worker(celery)
    _out, err = make.communicate(timeout=30)

    assert make.returncode == 0, err
    assert run_count(runs) == 3
    assert err.count("worker exited with status 1; starting it again") == 2


def test_ctrl_c_ends_make_worker_without_a_restart(tmp_path):
    celery, runs = fake_celery(tmp_path, "exec sleep 30")
    make = make_worker(
        celery,
        start_new_session=True,
        # As from a terminal: whatever this process ignores, Ctrl-C acts (a
        # shell started with SIGINT ignored may not trap it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        # Until the stand-in has become `sleep`: a signal between its two
        # lines would land on a shell that is not the worker.
        deadline = time.monotonic() + 10
        while not runs_in_group(make.pid, "sleep") and time.monotonic() < deadline:
            time.sleep(0.05)

        # A terminal's Ctrl-C goes to the whole foreground process group.
        os.killpg(make.pid, signal.SIGINT)
        make.communicate(timeout=10)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)

    assert make.returncode != 0
    time.sleep(0.3)  # longer than the restart delay
    assert run_count(runs) == 1


@pytest.mark.parametrize("unit", ["agora-worker.service", "agora-beat.service"])
def test_production_units_restart_their_process_whatever_its_exit(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(ROOT / "deploy" / unit)

    service = parser["Service"]
    assert service["Restart"] == "always"
    assert int(service["RestartSec"]) <= 10
    assert parser["Unit"]["StartLimitIntervalSec"] == "0"  # never gives up
    command = unit.removeprefix("agora-").removesuffix(".service")
    assert f"celery -A config {command}" in service["ExecStart"]
