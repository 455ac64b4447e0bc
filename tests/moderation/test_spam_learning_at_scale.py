"""The spam model's words are read piece by piece and learned in few statements;
these show it learns exactly what reading and counting each text whole would."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import normalise
from moderation.classifiers import spam
from moderation.models import SpamToken

# Letters, leetspeak, marks, accents as separate marks, ligatures, every kind
# of white space and a few that fold into several characters or none.
_AWKWARD = [
    *"aAbBeEsS01345 7@$!|+_-.,:;'\"\n\t\r\x0b\x1c\x85\xa0\u2028\u3000\u1680",
    *["ß", "İ", "ς", "Σ", "ﬁ", "é", "e\u0301", "\u0301", "¨", "½", "⑴", "ﾠ"],
    *["\u200b", "\u202e", "ǰ", "ooo", "http://Ex.example/a", "https://b.example"],
]


def _tokens_of_the_whole(text: str) -> set[str]:
    words = {w for w in normalise(text).split() if 2 <= len(w) <= 30}
    hosts = {f"host:{h.lower()}"[:40] for h in spam._LINK.findall(text)}
    return words | hosts


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_AWKWARD), st.characters()), max_size=30).map(
        "".join
    )
)
def test_a_texts_words_are_those_of_the_text_read_whole(text):
    assert spam.tokens(text) == _tokens_of_the_whole(text)


@pytest.mark.django_db
def test_learning_adds_to_the_counts_already_there_in_one_statement(
    django_assert_max_num_queries,
):
    spam.learn(text="cheap watches", is_spam=True)
    spam.learn(text="cheap tickets for the council", is_spam=False)
    with django_assert_max_num_queries(3):  # savepoint, the statement, release
        spam.learn_many([("cheap watches again", True), ("the council", False)])

    counts = {t.token: (t.spam, t.ham) for t in SpamToken.objects.all()}
    assert counts["cheap"] == (2, 1)
    assert counts["watches"] == (2, 0)
    assert counts["council"] == (0, 2)
    assert counts["again"] == (1, 0)
    assert counts[spam.DOCS] == (2, 2)


@pytest.mark.django_db
def test_learning_more_words_than_one_statement_holds_counts_them_all():
    letters = "bcdfghjklnpqrstvwz"  # no digits (leetspeak) and no runs of three
    words = [f"term{a}x{b}x{c}" for a in letters for b in letters for c in letters]
    words = words[: spam.UPSERT_ROWS * 2 + 7]
    spam.learn_many([(" ".join(words), True), (" ".join(words[:10]), False)])

    counts = {t.token: (t.spam, t.ham) for t in SpamToken.objects.all()}
    assert len(counts) == len(words) + 1
    assert counts[words[3]] == (1, 1)
    assert counts[words[-1]] == (1, 0)
    assert counts[spam.DOCS] == (1, 1)


@pytest.mark.django_db
def test_learning_nothing_writes_nothing(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        spam.learn_many([])
    assert not SpamToken.objects.exists()
