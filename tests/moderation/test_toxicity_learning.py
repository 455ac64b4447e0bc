"""The toxicity model learns from the moderators, and each verdict says which
model decided it and why."""

import io
import logging
import re

import pytest
from django.core.management import call_command

from comments.models import Comment
from moderation import classifiers
from moderation.classifiers import site_corpus
from moderation.classifiers import toxicity as toxicity_module
from moderation.classifiers.features import fold
from moderation.classifiers.toxicity import ToxicityClassifier
from moderation.models import ToxicityArtefact, ToxicityExample
from moderation.services import moderator_decide
from moderation.tasks import retrain_toxicity

pytestmark = pytest.mark.django_db

# Site jargon the corpus reads as a threat: a moderator knows better.
JARGON = "You will regret the kill switch clause, trust me."
NEAR_JARGON = "You will regret the kill switch clause, believe me."


@pytest.fixture(autouse=True)
def _fresh_classifiers():
    """A refit changes this process's model: later tests get the committed one."""
    classifiers._loaded.cache_clear()
    yield
    classifiers._loaded.cache_clear()


@pytest.fixture
def decide(django_capture_on_commit_callbacks, moderator):
    def _decide(comment: Comment, action: str) -> Comment:
        with django_capture_on_commit_callbacks(execute=True):
            moderator_decide(comment=comment, moderator=moderator, action=action)
        comment.refresh_from_db()
        return comment

    return _decide


def toxicity(comment: Comment) -> dict:
    return comment.verdicts.latest("pk").scores["toxicity"]


def test_approving_a_held_comment_adds_it_to_the_site_corpus_as_civil(
    post, article, regular, decide
):
    held = post(article=article, author=regular, body=JARGON)
    assert held.status == "held"

    decide(held, "approve")

    example = ToxicityExample.objects.get()
    assert (example.comment, example.label, example.text) == (held, "civil", JARGON)
    assert example.moderator.username == "moderator"


def test_rejecting_an_approved_comment_adds_it_as_abusive(
    post, article, regular, decide
):
    body = "Lovely article. People like Sam get what they deserve, eventually."
    published = post(article=article, author=regular, body=body)
    assert published.status == "approved"

    decide(published, "reject")

    assert ToxicityExample.objects.get().label == "abusive"


def test_a_decision_that_agrees_with_the_machine_teaches_nothing(
    post, article, regular, decide
):
    held = post(article=article, author=regular, body="You are a moron, Sam.")
    assert held.status == "held"

    decide(held, "reject")

    assert not ToxicityExample.objects.exists()


def test_a_decision_changed_before_learning_teaches_nothing(
    post, article, regular, decide
):
    held = post(article=article, author=regular, body=JARGON)
    decide(held, "approve")
    ToxicityExample.objects.all().delete()
    Comment.objects.filter(pk=held.pk).update(status="held")  # taken back

    assert site_corpus.learn_from_override(comment_id=held.pk, action="approve") is None
    assert not ToxicityExample.objects.exists()


def test_every_verdict_names_its_model_version_and_a_phrase_of_the_text(
    post, article, regular
):
    comment = post(article=article, author=regular, body="I know where you live.")
    score = toxicity(comment)
    quoted = re.findall(r"“([^”]+)”", " ".join(score["signals"]))

    assert comment.status == "held"
    assert re.fullmatch(r"[0-9a-f]{12}", score["version"])
    assert any(
        all(f" {part.strip()} " in fold(comment.body) for part in phrase.split("…"))
        for phrase in quoted
    ), score["signals"]
    assert all(re.search(r" [+-]\d+\.\d\d$", signal) for signal in score["signals"])


def test_the_weekly_refit_is_off_unless_switched_on(settings):
    assert "retrain-toxicity" not in settings.CELERY_BEAT_SCHEDULE


# A fit takes seconds, many on a busy machine: one fit serves the whole story.
def test_an_override_once_refitted_scores_everywhere_until_its_example_is_erased(
    post,
    article,
    regular,
    decide,
    monkeypatch,
    django_capture_on_commit_callbacks,
    caplog,
):
    before = post(article=article, author=regular, body=NEAR_JARGON)
    running = ToxicityClassifier()  # a worker that started before the refit
    running.warm_up()
    decide(post(article=article, author=regular, body=JARGON), "approve")

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("train_toxicity", stdout=out)
    after = post(article=article, author=regular, body=NEAR_JARGON + " Really.")

    # This process scores with the new model at once, and it learned the override.
    stored = ToxicityArtefact.objects.get()
    assert stored.site_rows == 1
    assert "with 1 site examples" in out.getvalue()
    assert toxicity(after)["score"] < toxicity(before)["score"] - 0.1
    assert toxicity(after)["version"] == stored.version
    assert toxicity(before)["version"] != stored.version
    assert after.status == "approved"
    # A running process picks it up at its next check; a starting one loads it.
    monkeypatch.setattr(toxicity_module, "RECHECK_SECONDS", 0)
    assert running.score("Thanks, useful piece.").version == stored.version
    classifiers._loaded.cache_clear()  # as a worker starting afresh
    thanks = post(article=article, author=regular, body="Thanks, useful piece.")
    assert toxicity(thanks)["version"] == stored.version

    # Erased with its author's account, the example takes its model along.
    ToxicityExample.objects.all().delete()
    caplog.set_level(logging.INFO, logger="moderation.tasks")
    with django_capture_on_commit_callbacks(execute=True):
        committed = retrain_toxicity.delay().get()

    assert "fitted with 0 site examples" in caplog.text
    assert not ToxicityArtefact.objects.exists()
    assert committed == toxicity(before)["version"] != stored.version
    assert running.score("Thanks.").version == committed
    classifiers._loaded.cache_clear()
    thanks = post(article=article, author=regular, body="Thanks.")
    assert toxicity(thanks)["version"] == committed
