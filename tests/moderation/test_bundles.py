"""Editors give articles and topics a bundle of moderation limits; the machine
moderates by it, the policy page shows it, and the old per-article values moved
into bundles."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import GuestAddress
from comments.services import comment_import
from moderation import bundles
from moderation.classifiers import score_all
from moderation.models import ArticlePolicy, PolicyBundle, TopicPolicy
from tests.factories import ArticleFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
BUNDLES = reverse("admin:moderation_policybundle_changelist")
ADD_BUNDLE = reverse("admin:moderation_policybundle_add")


def bundle(name: str, **limits) -> PolicyBundle:
    return PolicyBundle.objects.create(name=name, **limits)


def for_article(article, **limits) -> PolicyBundle:
    chosen = bundle(f"For {article.slug}", **limits)
    ArticlePolicy.objects.create(article=article, bundle=chosen)
    return chosen


def for_topic(topic, name: str, **limits) -> PolicyBundle:
    chosen = bundle(name, **limits)
    TopicPolicy.objects.create(topic=topic, bundle=chosen)
    return chosen


def policy_bundle(article) -> int:
    return ArticlePolicy.objects.get(article=article).bundle_id


def rules_of(comment) -> list[str]:
    return [r["rule"] for r in comment.verdicts.get().reasons]


def test_the_articles_bundle_comes_first_then_its_topics_then_the_site(settings):
    settings.MODERATION_TOXICITY_THRESHOLD = 0.7
    settings.MODERATION_LINK_LIMIT = 4
    topic = TopicFactory()
    article = ArticleFactory(topics=[topic])

    site = bundles.policy_for(article)
    for_topic(topic, "Elections", toxicity_threshold=0.5)
    by_topic = bundles.policy_for(article)
    for_article(article, toxicity_threshold=0.3)
    own = bundles.policy_for(article)

    assert (site.source, site.bundle, site.toxicity_threshold) == ("site", None, 0.7)
    assert (by_topic.source, by_topic.bundle) == ("topic", "Elections")
    assert by_topic.toxicity_threshold == 0.5
    assert (own.source, own.toxicity_threshold) == ("article", 0.3)
    # What a bundle leaves empty is the site default.
    assert own.link_limit == by_topic.link_limit == site.link_limit == 4


def test_an_article_under_two_topics_gets_the_strictest_of_each_limit():
    calm, heated = TopicFactory(), TopicFactory()
    article = ArticleFactory(topics=[calm, heated])
    for_topic(calm, "Calm", toxicity_threshold=0.9, link_limit=1)
    for_topic(heated, "Heated", toxicity_threshold=0.4, link_limit=6)

    policy = bundles.policy_for(article)

    assert policy.bundle == "Calm + Heated"
    assert (policy.toxicity_threshold, policy.link_limit) == (0.4, 1)


def test_a_bundle_premoderates_an_open_discussion_but_never_opens_a_closed_one(
    post, regular
):
    open_one = ArticleFactory()
    closed = ArticleFactory(discussion_policy=Article.DiscussionPolicy.CLOSED)
    for article in (open_one, closed):
        for_article(article, policy=PolicyBundle.Policy.PREMODERATED)

    comment = post(article=open_one, author=regular, body="Clean and civil.")

    assert comment.status == "held"
    assert rules_of(comment) == ["policy"]
    assert bundles.policy_for(closed).discussion_policy == "closed"
    assert not Article.objects.get(pk=closed.pk).accepts_comments


def test_an_editors_bundle_tightens_the_threshold_so_a_passing_comment_is_held(
    post, regular
):
    topic = TopicFactory()
    article = ArticleFactory(topics=[topic])
    before = post(article=article, author=regular, body="This policy is damn silly.")
    text = "That plan is damn silly."
    # Strict enough to catch this text whatever the model makes of it.
    strict = max(round(score_all(text)["toxicity"].score / 2, 4), 0.0001)

    for_topic(topic, "Strict", toxicity_threshold=strict)
    after = post(article=article, author=regular, body=text)

    assert before.status == "approved"
    assert after.status == "held"
    assert "toxicity" in rules_of(after)
    assert "at or above" in after.verdicts.get().reason_text


def test_a_bundle_may_spare_an_accounts_first_comment(post, settings):
    settings.MODERATION_HOLD_NEW_ACCOUNTS = True
    relaxed = ArticleFactory()
    for_article(relaxed, hold_first_comment=False)

    first = post(article=relaxed, author=UserFactory(), body="Hello there.")
    elsewhere = post(article=ArticleFactory(), author=UserFactory(), body="Hi all.")

    assert first.status == "approved"
    assert elsewhere.status == "held"


def test_a_bundle_may_hold_every_guest_comment(post):
    email = "guest@example.org"
    GuestAddress.objects.create(email=email, confirmed_at=timezone.now())
    guest = {"guest_name": "Gus", "guest_email": email}
    comment_import(article=ArticleFactory(), body="Vetted.", **guest)
    guarded = ArticleFactory()
    for_article(guarded, guest_comments=False)

    held = post(article=guarded, author=None, body="A guest here.", **guest)
    fine = post(
        article=ArticleFactory(), author=None, body="A guest there.",
        **guest,
    )  # fmt: skip

    assert held.status == "held"
    assert "Guests' comments on this article wait" in held.verdicts.get().reason_text
    assert fine.status == "approved"


@pytest.fixture
def boss(client, editor):
    """An editor in the admin with the group's rights, not a superuser's."""
    client.force_login(editor)
    return editor


def bundle_form(name: str, *articles, **limits) -> dict:
    data = {
        "name": name,
        "description": "",
        "policy": "article",
        "toxicity_threshold": "",
        "spam_threshold": "",
        "link_limit": "",
        "hold_first_comment": "",
        "flags_to_hold": "",
        "guest_comments": "",
        "article_policies-TOTAL_FORMS": str(len(articles)),
        "article_policies-INITIAL_FORMS": "0",
        "topic_policies-TOTAL_FORMS": "0",
        "topic_policies-INITIAL_FORMS": "0",
        **{k: str(v) for k, v in limits.items()},
    }
    for i, article in enumerate(articles):
        data[f"article_policies-{i}-article"] = str(article.pk)
    return data


def test_an_editor_gives_an_article_a_bundle_in_the_admin(client, boss, article):
    response = client.post(
        ADD_BUNDLE, bundle_form("Strict", article, toxicity_threshold="0.4")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    policy = bundles.policy_for(article)
    assert (policy.bundle, policy.toxicity_threshold) == ("Strict", 0.4)
    assert "Strict" in client.get(BUNDLES).content.decode()
    edit = reverse(
        "admin:moderation_policybundle_change", args=[policy_bundle(article)]
    )
    assert client.get(edit).status_code == 200


def test_the_admin_refuses_a_second_bundle_for_one_article(client, boss, article):
    for_article(article, link_limit=1)

    response = client.post(ADD_BUNDLE, bundle_form("Another", article, link_limit="9"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"“{article}” already follows the bundle “For {article.slug}”" in html
    assert not PolicyBundle.objects.filter(name="Another").exists()
    assert bundles.policy_for(article).link_limit == 1


def test_the_admin_refuses_a_threshold_outside_zero_to_one(client, boss, article):
    response = client.post(
        ADD_BUNDLE, bundle_form("Odd", article, toxicity_threshold="1.5")
    )

    assert response.status_code == 200
    assert "less than or equal to 1.0" in response.content.decode()
    assert not PolicyBundle.objects.exists()


def test_staff_without_the_right_may_not_change_bundles(client):
    reader = UserFactory(is_staff=True)
    client.force_login(reader)

    assert client.get(BUNDLES).status_code == 403
    moderator = UserFactory(
        is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )
    client.force_login(moderator)
    assert client.post(ADD_BUNDLE, bundle_form("Sneaky")).status_code == 403
    assert not PolicyBundle.objects.exists()


def test_the_policy_page_lists_the_bundles_in_use(client):
    topic = TopicFactory(name="Elections")
    for_topic(topic, "Election season", toxicity_threshold=0.5, link_limit=0)
    draft = ArticleFactory(draft=True)
    for_article(draft, policy=PolicyBundle.Policy.PREMODERATED)

    html = client.get("/moderation-policy/").content.decode()

    assert "Election season" in html
    assert "Abuse held from 50%; at most 0 links" in html
    assert "Elections" in html
    assert f"For {draft.slug}" not in html  # a draft's bundle is nobody's business


MIGRATION = import_module("moderation.migrations.0011_move_article_limits")


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_an_articles_own_limits_into_a_bundle():
    before = [("moderation", "0010_policy_bundles_and_surges"),
              ("articles", "0002_moderation_thresholds")]  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldArticle = old.get_model("articles", "Article")
    author = UserFactory()
    common = {"author_id": author.pk, "standfirst": "s", "body": "b", "body_html": ""}
    strict = OldArticle.objects.create(
        slug="strict", title="Strict", toxicity_threshold=0.3, link_limit=0, **common
    )
    twin = OldArticle.objects.create(
        slug="twin", title="Twin", toxicity_threshold=0.3, link_limit=0, **common
    )
    plain = OldArticle.objects.create(slug="plain", title="Plain", **common)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = bundles.policy_for(Article.objects.get(pk=strict.pk))
    assert (moved.source, moved.toxicity_threshold, moved.link_limit) == (
        "article",
        0.3,
        0,
    )
    assert moved.bundle == MIGRATION.bundle_name((0.3, None, 0))
    assert bundles.policy_for(Article.objects.get(pk=twin.pk)).bundle == moved.bundle
    assert PolicyBundle.objects.count() == 1
    assert bundles.policy_for(Article.objects.get(pk=plain.pk)).source == "site"


def test_a_bundles_flags_to_hold_decides_when_flags_hold_a_comment(regular):
    from moderation.services import flag_comment
    from tests.comments.helpers import add_comment

    strict, lax = ArticleFactory(), ArticleFactory()
    for_article(strict, flags_to_hold=1)
    for_article(lax, flags_to_hold=10)
    on_strict = add_comment(strict, regular, body="Flag me once")
    on_lax = add_comment(lax, regular, body="Flag me twice")
    flaggers = UserFactory.create_batch(
        2, date_joined=timezone.now() - timedelta(days=90)
    )

    flag_comment(comment=on_strict, user=flaggers[0], reason="abuse")
    for user in flaggers:
        flag_comment(comment=on_lax, user=user, reason="abuse")

    on_strict.refresh_from_db()
    on_lax.refresh_from_db()
    assert on_strict.status == "held"
    assert on_lax.status == "approved"


@pytest.mark.parametrize(
    ("group", "page"),
    [
        ("Editors", "admin:moderation_policybundle_changelist"),
        ("Editors", "admin:moderation_policybundle_add"),
        ("Moderators", "admin:moderation_surge_changelist"),
        ("Moderators", "admin:moderation_surge_add"),
        ("Moderators", "admin:moderation_policybundle_changelist"),
    ],
)
def test_editors_and_moderators_reach_their_policy_pages(client, group, page):
    user = UserFactory(is_staff=True, groups=[Group.objects.get(name=group)])
    client.force_login(user)
    assert client.get(reverse(page)).status_code == 200
