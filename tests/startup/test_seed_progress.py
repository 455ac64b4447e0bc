"""`seed_demo`, which `make run` calls, says what it is doing as it goes."""

import io

import pytest
from django.core.management import call_command


class _Terminal(io.StringIO):
    """Output that remembers what had been written each time it was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def _seed(**options) -> _Terminal:
    out = _Terminal()
    call_command("seed_demo", stdout=out, **options)
    return out


@pytest.mark.django_db
def test_seed_demo_prints_a_line_per_stage_with_counts_as_it_goes():
    out = _seed()
    lines = out.getvalue().splitlines()

    assert [line.split(":")[0] for line in lines[:-1]] == [
        "Demo editor",
        "Demo moderator",
        "Demo articles",
        "Demo comments",
        "Demo moderation queue",
        "Demo moderation queue",
    ]
    assert "Demo articles: 3 created, 0 already there." in lines
    assert "Demo comments: 15 added to 3 discussions, 0 already there." in lines
    assert lines[4].startswith("Demo moderation queue: seeding")
    assert lines[5] == "Demo moderation queue: 3 comments decided by the machine."
    assert lines[-1].startswith("Demo site ready in ")
    # Each line reaches a pipe (make's, a log's) when it is written, not at exit.
    for n in range(1, len(lines) + 1):
        assert "".join(f"{line}\n" for line in lines[:n]) in out.flushed


@pytest.mark.django_db
def test_seed_demo_run_again_counts_what_is_already_there():
    _seed()
    lines = _seed().getvalue().splitlines()

    assert "Demo articles: 0 created, 3 already there." in lines
    assert "Demo comments: 0 added to 0 discussions, 3 already there." in lines
    assert "Demo moderation queue: already there." in lines


@pytest.mark.django_db
def test_seed_demo_at_verbosity_0_prints_only_the_new_accounts_passwords():
    first = _seed(verbosity=0).getvalue().splitlines()
    second = _seed(verbosity=0).getvalue()

    assert [line.split(":")[0] for line in first] == ["Demo editor", "Demo moderator"]
    assert all("password" in line for line in first)
    assert second == ""
