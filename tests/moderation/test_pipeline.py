"""The machine's decisions: which rule fires, what it says, and that it decides once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from comments.models import Comment
from comments.services import comment_edit, comment_post
from moderation.models import (
    ArticlePolicy,
    AuditEntry,
    GuestBan,
    PolicyBundle,
    Term,
    Verdict,
)
from moderation.tasks import moderate_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]


def decided(post, article, author, body, **extra):
    comment = post(article=article, author=author, body=body, **extra)
    return comment, comment.verdicts.get()


def rules_of(verdict: Verdict) -> list[str]:
    return [r["rule"] for r in verdict.reasons]


def test_a_clean_comment_from_a_regular_is_approved_with_its_scores_kept(
    post, article, regular
):
    comment, verdict = decided(post, article, regular, "Useful piece, thank you.")

    assert comment.status == "approved"
    assert verdict.action == "approve"
    assert verdict.policy == "open"
    assert set(verdict.scores) == {"toxicity", "spam"}
    assert verdict.scores["toxicity"]["model"].startswith("alt-profanity-check")
    assert verdict.scores["spam"]["version"] == "0 spam / 0 not"
    assert AuditEntry.objects.get(comment=comment).actor_name == "machine"


def test_a_new_accounts_first_comment_is_held_until_one_is_approved(post, article):
    newcomer = UserFactory()

    first, verdict = decided(post, article, newcomer, "Hello, first time here.")

    assert first.status == "held"
    assert rules_of(verdict) == ["first_comment"]
    assert "First comment from this account" in verdict.reason_text


def test_three_links_are_held_with_a_reason_naming_links(post, article, regular):
    body = (
        "See https://a.example/1, https://b.example/2 and "
        "https://c.example/3 for the figures."
    )

    comment, verdict = decided(post, article, regular, body)

    assert comment.status == "held"
    assert rules_of(verdict) == ["links"]
    assert verdict.reason_text == "Has 3 links; this discussion allows 2."


def with_bundle(**limits):
    """An article whose editor gave it a policy bundle with these limits."""
    article = ArticleFactory()
    bundle = PolicyBundle.objects.create(name=f"For {article.slug}", **limits)
    ArticlePolicy.objects.create(article=article, bundle=bundle)
    return article


def test_an_article_may_allow_more_links(post, regular):
    article = with_bundle(link_limit=5)
    body = "Sources: https://a.example https://b.example https://c.example"

    comment, _ = decided(post, article, regular, body)

    assert comment.status == "approved"


@pytest.mark.parametrize(
    "body",
    ["You are a FR4UDSTER", "what a fraudster", "Fraudstér!", "fraudsssster"],
)
def test_a_banned_term_rejects_however_it_is_written(post, article, regular, body):
    Term.objects.create(phrase="fraudster", kind=Term.Kind.BANNED)

    comment, verdict = decided(post, article, regular, body)

    assert comment.status == "rejected"
    assert "banned_term" in rules_of(verdict)
    assert "“fraudster”" in verdict.reason_text


def test_a_banned_term_does_not_match_inside_another_word(post, article, regular):
    Term.objects.create(phrase="ass", kind=Term.Kind.BANNED)

    comment, _ = decided(post, article, regular, "An assessment of the assembly.")

    assert comment.status == "approved"


def test_a_watched_term_holds(post, article, regular):
    Term.objects.create(phrase="crypto giveaway", kind=Term.Kind.WATCHED)

    comment, verdict = decided(post, article, regular, "Join the Crypto Giveaway now")

    assert comment.status == "held"
    assert rules_of(verdict) == ["watched_term"]


def test_premoderated_article_holds_even_a_clean_comment(post, regular):
    article = ArticleFactory(discussion_policy=Article.DiscussionPolicy.PREMODERATED)

    comment, verdict = decided(post, article, regular, "Clean and civil.")

    assert comment.status == "held"
    assert rules_of(verdict) == ["policy"]


def test_a_per_article_toxicity_threshold_overrides_the_site_default(post, regular):
    strict = with_bundle(toxicity_threshold=0.05)

    comment, verdict = decided(post, strict, regular, "This policy is damn silly.")

    assert comment.status == "held"
    assert "toxicity" in rules_of(verdict)


def test_a_guest_address_ban_rejects_the_guest(post, article):
    GuestBan.objects.create(email="troll@example.org")

    comment, verdict = decided(
        post, article, None, "hello", guest_name="T", guest_email="TROLL@example.org"
    )

    assert comment.status == "rejected"
    assert rules_of(verdict)[0] == "guest_ban"


def test_the_task_run_twice_changes_nothing_the_second_time(post, article, regular):
    comment = post(article=article, author=regular, body="Once is enough.")
    before = (comment.status, Verdict.objects.count(), AuditEntry.objects.count())

    moderate_comment.apply(args=[comment.pk, comment.revision])

    comment.refresh_from_db()
    assert (comment.status, Verdict.objects.count(), AuditEntry.objects.count()) == (
        before
    )


def test_an_edit_is_decided_again_as_a_new_revision(
    post, article, regular, django_capture_on_commit_callbacks
):
    comment = post(article=article, author=regular, body="Fine words.")
    Term.objects.create(phrase="scam", kind=Term.Kind.BANNED)

    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=comment, user=regular, body="Actually a scam.")

    comment.refresh_from_db()
    assert comment.status == "rejected"
    history = comment.verdicts.order_by("revision").values_list("revision", "action")
    assert list(history) == [(1, "approve"), (2, "reject")]
    article.refresh_from_db()
    assert article.comment_count == 0


def test_a_stale_task_for_an_old_revision_does_nothing(
    post, article, regular, django_capture_on_commit_callbacks
):
    comment = post(article=article, author=regular, body="Version one.")
    with django_capture_on_commit_callbacks(execute=False):
        comment_edit(comment=comment, user=regular, body="Version two.")

    moderate_comment.apply(args=[comment.pk, 1])

    comment.refresh_from_db()
    assert comment.status == "pending"  # revision 2 waits for its own task


def test_a_failing_classifier_leaves_it_pending_then_holds_it_never_approves(
    post, article, regular, settings
):
    settings.MODERATION_CLASSIFIERS = ["tests.moderation.broken.BrokenClassifier"]
    settings.MODERATION_CLASSIFIER_RETRIES = 0

    comment, verdict = decided(post, article, regular, "Anything at all.")

    assert comment.status == "held"
    assert rules_of(verdict) == ["classifier"]
    assert "broken failed" in verdict.reason_text


def test_deciding_costs_a_fixed_number_of_queries(post, article, regular):
    Term.objects.create(phrase="scam", kind=Term.Kind.WATCHED)
    comment = comment_post(article=article, author=regular, body="Plain words here.")

    with CaptureQueriesContext(connection) as queries:
        moderate_comment.apply(args=[comment.pk, comment.revision])

    assert Comment.objects.get(pk=comment.pk).status == "approved"
    assert len(queries) <= 25, [q["sql"][:80] for q in queries.captured_queries]
