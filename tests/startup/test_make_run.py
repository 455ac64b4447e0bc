"""`make run` serves where BIND says, and the links in its e-mails point there."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_recipe(tmp_path: Path, bind: str, **env: str) -> list[str]:
    """What each command of `make run` sees as SITE_URL, with a stand-in Python."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "$2 SITE_URL=$SITE_URL"\n')
    python.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "BIND"}}
    result = subprocess.run(
        # -o: take the installed .venv as it is.
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run",
         f"PY={python}", f"BIND={bind}"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip
    return [line for line in result.stdout.splitlines() if "SITE_URL=" in line]


def test_make_run_points_e_mail_links_at_the_bound_address(tmp_path):
    seen = _run_recipe(tmp_path, "127.0.0.1:9123")

    assert seen == [
        "migrate SITE_URL=http://127.0.0.1:9123",
        "seed_demo SITE_URL=http://127.0.0.1:9123",
        "runserver SITE_URL=http://127.0.0.1:9123",
    ]


def test_a_site_url_given_to_make_run_wins_over_the_bound_address(tmp_path):
    seen = _run_recipe(tmp_path, "127.0.0.1:9123", SITE_URL="https://agora.example.org")

    assert {line.split()[1] for line in seen} == {"SITE_URL=https://agora.example.org"}
