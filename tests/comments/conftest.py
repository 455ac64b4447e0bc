import pytest


@pytest.fixture(autouse=True)
def _accounts_are_trusted(settings):
    """These tests are about the comment tree, not about vetting new accounts."""
    settings.MODERATION_HOLD_NEW_ACCOUNTS = False
