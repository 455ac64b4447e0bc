"""A malformed or hostile file is refused whole, with one line saying where."""

import pytest
from django.core.management.base import CommandError

from articles.models import Article
from comments.models import Comment
from exchange.models import ImportedComment

from .builders import C, Post, wxr

pytestmark = pytest.mark.django_db

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><item><title>&lol3;</title></item></channel></rss>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&secret;</title></item></channel></rss>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">
<rss><channel/></rss>
"""


def _good(slug: str) -> str:
    return wxr(Post(1, slug, comments=[C(1), C(2, parent=1)]))


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("billion laughs", LAUGHS, "line 2: the file declares a DTD"),
        ("external entity", EXTERNAL_ENTITY, "line 2: the file declares a DTD"),
        ("external DTD", EXTERNAL_DTD, "line 2: the file declares a DTD"),
        ("not XML", "this is not an export\n", "not well-formed XML"),
        ("empty", "", "holds no XML"),
    ],
)
@pytest.mark.parametrize("command", ["import_wordpress", "import_disqus"])
def test_a_hostile_or_broken_file_is_refused_with_nothing_written(
    run, article, command, name, text, says
):
    with pytest.raises(CommandError, match="nothing was imported") as refused:
        run(command, text)
    assert says in str(refused.value)
    assert "\n" not in str(refused.value)
    assert Comment.objects.count() == 0


def test_a_truncated_file_is_refused_naming_the_line_and_writes_nothing(
    run, article, superuser
):
    whole = wxr(
        Post(1, article.slug, comments=[C(1)]), Post(2, "second", comments=[C(2)])
    )
    cut = whole[: whole.rindex("<wp:comment_id>2")]
    with pytest.raises(CommandError) as refused:
        run("import_wordpress", cut, "--create-articles")
    message = str(refused.value)
    assert "ends too soon" in message
    assert f"line {cut.count(chr(10)) + 1}:" in message
    assert Comment.objects.count() == ImportedComment.objects.count() == 0
    assert not Article.objects.filter(slug="second").exists()
    run("import_wordpress", _good(article.slug))
    assert Comment.objects.count() == 2
