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


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Run Celery tasks in-process, except where a test drives a real worker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from config.celery import tasks_in_process

    with tasks_in_process():
        yield


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


@pytest.fixture
def other_reader(db):
    return UserFactory(username="sam", email="sam@example.org")


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post through the service and let moderation run, as after a real commit."""
    from comments.services import comment_post

    def _post(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            comment = comment_post(**kwargs)
        comment.refresh_from_db()
        return comment

    return _post


@pytest.fixture
def regular(db):
    """A reader past their first, vetted comment: the machine may approve them."""
    from tests.comments.helpers import add_comment

    user = UserFactory(username="regular", email="regular@example.org")
    add_comment(ArticleFactory(), user, body="An earlier, approved comment.")
    return user


@pytest.fixture
def fast_posting(settings):
    """Limits out of the way for tests that post, vote or flag a lot."""
    settings.COMMENT_THROTTLE_RATE = "100000/minute"
    settings.VOTE_THROTTLE_RATE = "100000/minute"
    settings.FLAG_THROTTLE_RATE = "100000/minute"
