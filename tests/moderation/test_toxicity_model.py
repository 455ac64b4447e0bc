"""The toxicity model, measured on the corpus's held-out templates.

The held-out comments come from templates the model never saw, so these
floors measure wording it has not met, not memory. They are issue 10's: abusive
held >= 95% overall and >= 85% in every abusive category, civil held <= 3%
overall and <= 10% in every civil category, ordinary short replies included.
"""

import re
from collections import Counter

import pytest

from moderation.classifiers import features
from moderation.classifiers import learned as toxicity
from moderation.classifiers.features import fold
from moderation.classifiers.toxicity import ToxicityClassifier

THRESHOLD = 0.8  # the site's MODERATION_TOXICITY_THRESHOLD

# The share of each category's held-out comments scored at or above THRESHOLD.
ABUSIVE_FLOOR, CIVIL_CEILING = 0.95, 0.03
ABUSIVE_FLOORS = dict.fromkeys(
    [
        "threat_explicit", "threat_implicit", "dehumanising", "insult_person",
        "insult_as_opinion_or_question", "obfuscated", "harassment_targeting",
        "contempt_slur",
    ],
    0.85,
)  # fmt: skip
CIVIL_CEILINGS = dict.fromkeys(
    [
        "policy_criticism", "public_figure_work", "profanity_at_things",
        "violent_metaphor_policy", "counter_speech", "meta_question",
        "report_to_moderators", "strong_disagreement", "ordinary", "negation",
        "civil_short_reply",
    ],
    0.10,
)  # fmt: skip
_QUOTED = re.compile(r"“([^”]+)”")


@pytest.fixture(scope="module")
def classifier() -> ToxicityClassifier:
    return ToxicityClassifier()


@pytest.fixture(scope="module")
def held_out(classifier) -> list[tuple[dict, object]]:
    return [
        (row, classifier.score(row["text"])) for row in toxicity.load_corpus("held")
    ]


def held_share(scored, label: str, category: str | None = None) -> float:
    chosen = [
        score.score >= THRESHOLD
        for row, score in scored
        if row["label"] == label and category in (None, row["category"])
    ]
    assert chosen, f"no held-out {label} comments in {category}"
    return sum(chosen) / len(chosen)


def test_the_corpus_is_large_spread_and_split_by_template():
    rows = toxicity.load_corpus()
    held = [r for r in rows if r["split"] == "held"]
    categories = Counter(r["category"] for r in rows)

    assert len(rows) >= 800
    assert set(categories) == {*ABUSIVE_FLOORS, *CIVIL_CEILINGS}
    assert min(categories.values()) >= 30
    assert 0.15 <= len(held) / len(rows) <= 0.35
    held_templates = {r["template"] for r in held}
    assert not held_templates & {r["template"] for r in rows if r["split"] == "train"}
    assert {r["label"] for r in rows} == {"abusive", "civil"}


def test_the_committed_model_was_trained_on_this_corpus_and_code():
    assert toxicity.ARTEFACT.stat().st_size < 5_000_000
    assert toxicity.load().version == toxicity.corpus_version()


def test_training_ignores_the_held_out_split_and_is_repeatable():
    rows = toxicity.load_corpus("train")[::3]
    first, second = toxicity.train(rows), toxicity.train(rows)

    assert (first.weights == second.weights).all()
    assert not {r["template"] for r in rows} & {
        r["template"] for r in toxicity.load_corpus("held")
    }


# Replies a discussion is full of; function words such as "they", "what" or
# "you" carry no abuse.
SHORT_REPLIES = [
    "What about Europe?", "They did in 1986.", "Can you cite the study?",
    "They voted against it twice.", "What about you?", "You are wrong.",
    "Why?", "Who are they?", "I see.", "You mean the 2019 draft?",
]  # fmt: skip


def test_a_function_word_alone_carries_no_weight(classifier):
    vocabulary = classifier._model.words.vocabulary_

    assert not features.FUNCTION_WORDS & set(vocabulary)
    assert "you are" in vocabulary  # in a pair it may


@pytest.mark.parametrize("text", SHORT_REPLIES)
def test_ordinary_short_replies_are_published(classifier, text):
    assert classifier.score(text).score < THRESHOLD


def test_abuse_is_held_overall(held_out):
    assert held_share(held_out, "abusive") >= ABUSIVE_FLOOR


def test_civil_comments_are_published_overall(held_out):
    assert held_share(held_out, "civil") <= CIVIL_CEILING


@pytest.mark.parametrize(("category", "floor"), ABUSIVE_FLOORS.items())
def test_each_kind_of_abuse_is_held(held_out, category, floor):
    assert held_share(held_out, "abusive", category) >= floor


@pytest.mark.parametrize(("category", "ceiling"), CIVIL_CEILINGS.items())
def test_each_kind_of_civil_comment_is_published(held_out, category, ceiling):
    assert held_share(held_out, "civil", category) <= ceiling


def test_every_held_comment_names_a_phrase_of_its_text(held_out):
    for row, score in held_out:
        if score.score >= THRESHOLD:
            folded = fold(row["text"])
            quoted = _QUOTED.findall(" ".join(score.signals))
            assert any(
                all(f" {part.strip()} " in folded for part in phrase.split("…"))
                for phrase in quoted
            ), (row["text"], score.signals)


def test_signals_carry_the_weight_each_feature_added(classifier):
    score = classifier.score("People like you should be killed.")

    assert score.model.startswith("alt-profanity-check")
    assert 1 <= len(score.signals) <= toxicity.SIGNALS + 1
    assert re.fullmatch(r".+ [+-]\d+\.\d\d", score.signals[0])
    assert "harm near a person “killed … you”" in " ".join(score.signals)


def test_the_fast_tfidf_matches_scikit_learn(classifier):
    model = classifier._model
    text = fold("Y0u are an 1d10t and this bill is a f u c k i n g mess.")
    columns, values = toxicity._OneText(model.chars)(text)
    expected = model.chars.transform([text])

    assert dict(zip(columns, values, strict=True)) == pytest.approx(
        dict(zip(expected.indices, expected.data, strict=True))
    )


def test_the_fast_profanity_probability_matches_the_package():
    from profanity_check import predict_prob

    profanity = toxicity._Profanity()
    texts = ["The sanctions look idiotic.", "I know where you live.", "Thanks!"]

    assert [profanity.one(t) for t in texts] == pytest.approx(list(predict_prob(texts)))


# One test per hand-made feature: what sets it and what does not.
@pytest.mark.parametrize(
    ("name", "sets", "leaves"),
    [
        ("addresses someone", "Thank you, Priya.", "The bill is late."),
        ("harm to come", "You will regret posting this.", "The bill will fail."),
        ("harm to come", "You will pay for this.", "You will pay more for GPUs."),
        ("quotes", "Someone wrote 'watch your back' here.", "Watch the vote."),
        ("negation", "You are not a fool.", "You are a fool."),
        ("harm near a person", "I will hurt you.", "The tariffs will hurt."),
        ("harm near a thing", "Kill the bill.", "Kill time."),
        ("contempt near people", "They are vermin.", "Vermin in the shed."),
        ("insult near a person", "You idiot.", "An idiot plan? No."),
        ("insult near a thing", "A stupid law.", "A stupid mistake."),
        ("slur for a kind of person", "Go home, vosh.", "Go home, Sam."),
        ("where a person is found", "Post where Sam lives.", "Where is the vote?"),
        ("where a person is found", "We'll turn up at your office.", "Turn it up."),
    ],
)
def test_each_dense_feature_is_set_by_what_it_names(name, sets, leaves):
    def value(text: str) -> float:
        found = features.dense_features(text, fold(text), 0.0)
        return next(f.value for f in found if f.name == name)

    assert value(sets) == 1.0
    assert value(leaves) == 0.0


def test_spelled_out_letters_are_read_as_a_word():
    assert fold("f u c k you") == " fuck you "
    assert fold("u r a fool") == " u r a fool "
