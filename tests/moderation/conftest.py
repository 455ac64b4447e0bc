import pytest

from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory


@pytest.fixture
def regular(db):
    """A reader past their first, vetted comment."""
    user = UserFactory(username="regular", email="regular@example.org")
    add_comment(ArticleFactory(), user, body="An earlier, approved comment.")
    return user


@pytest.fixture
def fast_posting(settings):
    settings.COMMENT_THROTTLE_RATE = "100000/minute"
