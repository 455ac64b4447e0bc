from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests.factories import ArticleFactory, UserFactory

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    """Speed-ups only: a fast password hasher, and a cache emptied between tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic in tests: plain static storage instead of the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the shared test data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture
def reader(db):
    return UserFactory(username="rosa", email="rosa@example.org")


@pytest.fixture
def editor(db):
    return UserFactory(
        username="editor", is_staff=True, groups=[Group.objects.get(name="Editors")]
    )


@pytest.fixture
def moderator(db):
    return UserFactory(
        username="moderator",
        is_staff=True,
        groups=[Group.objects.get(name="Moderators")],
    )


@pytest.fixture
def article(db):
    return ArticleFactory(title="Chips and the state", slug="chips-and-the-state")
