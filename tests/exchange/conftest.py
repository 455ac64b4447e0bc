import io

import pytest
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.fixture
def run(tmp_path, django_capture_on_commit_callbacks):
    """Run an import command on a file's text; return what it printed."""

    def _run(command: str, text: str | bytes, *args: str) -> tuple[str, str]:
        path = tmp_path / "export.xml"
        if isinstance(text, str):
            text = text.encode()
        path.write_bytes(text)
        out, err = io.StringIO(), io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command(command, str(path), *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return _run


@pytest.fixture
def superuser(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)
