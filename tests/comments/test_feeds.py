"""Feeds carry readers' names as text, whatever a feed reader does with titles."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
HOSTILE = '<img src=x onerror="alert(1)">'
ATOM = "{http://www.w3.org/2005/Atom}"


def test_an_rss_title_holds_a_hostile_name_as_text_not_markup(client, article):
    author = UserFactory(display_name=HOSTILE)
    type(author).objects.filter(pk=author.pk).update(display_name=HOSTILE)
    add_comment(article, author)

    feed = client.get(reverse("comments:feed", args=[article.slug])).content
    items = ET.fromstring(feed).iter("item")  # noqa: S314 (our own output)
    (title,) = [item.find("title").text for item in items]

    # A reader that reads the title as HTML shows the name, and runs nothing.
    assert title == f"&lt;img src=x onerror=&quot;alert(1)&quot;&gt; on {article.title}"


def test_article_feeds_escape_for_their_type(client):
    ArticleFactory(title=f"Chips {HOSTILE} and state")

    rss = ET.fromstring(client.get("/feed/").content)  # noqa: S314
    atom = ET.fromstring(client.get("/feed/atom/").content)  # noqa: S314

    (rss_title,) = [i.find("title").text for i in rss.iter("item")]
    (atom_title,) = [e.find(f"{ATOM}title").text for e in atom.iter(f"{ATOM}entry")]
    assert rss_title == "Chips &lt;img src=x onerror=&quot;alert(1)&quot;&gt; and state"
    assert atom_title == f"Chips {HOSTILE} and state"  # Atom titles are plain text
