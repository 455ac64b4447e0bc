"""Judgement: abuse is held, sharp disagreement about policy is published.

A labelled set of both kinds, written for a tech-policy site, goes through the
whole pipeline (posting, moderation on commit, the rules, the site's default
settings) from a reader whose earlier comment was approved. A site about
politics must not hold people for disagreeing, and must not publish threats
because they contain no swear word.
"""

import re

import pytest

from comments.models import Comment
from moderation.classifiers.features import fold
from moderation.classifiers.toxicity import ToxicityClassifier
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# Sharp, angry or sarcastic disagreement about policies, laws, governments and
# companies, strong words included: published.
CIVIL = {
    "sanctions-look-idiotic": "The sanctions look idiotic.",
    "export-regime-insane": (
        "This export control regime is insane. Nobody at Commerce has read a fab "
        "roadmap."
    ),
    "privacy-law-a-disgrace": (
        "The new privacy law is a disgrace, full of loopholes for data brokers."
    ),
    "bullshit-policy": (
        "What a bullshit policy. Banning end-to-end encryption makes everyone less "
        "safe."
    ),
    "law-is-garbage": "This law is garbage and the courts will strike it down.",
    "ministers-plan-stupid": "The minister's plan is stupid, expensive and late.",
    "utterly-incompetent-government": (
        "An utterly incompetent government keeps promising rural broadband it "
        "never delivers."
    ),
    "ai-act-a-joke": (
        "The AI Act's risk tiers are a joke; foundation models walked straight "
        "through them."
    ),
    "platform-policy-pathetic": (
        "Meta's moderation policy is pathetic and everyone inside the company knows it."
    ),
    "chip-subsidies-a-waste": (
        "Frankly the chip subsidies are a colossal waste of taxpayers' money."
    ),
    "cookie-rules-dumb": (
        "The cookie banner rules were a dumb idea that made the web worse."
    ),
    "sarcastic-voluntary-code": (
        "Oh great, another 'voluntary code of conduct'. I'm sure that will "
        "terrify the data brokers."
    ),
    "most-idiotic-legislation": (
        "This is the most idiotic piece of tech legislation I have read in a decade."
    ),
    "tariffs-kill-small-labs": (
        "Damn, these GPU tariffs are going to kill every small AI lab in the country."
    ),
    "surveillance-creepy-as-hell": (
        "Amazon's warehouse surveillance is creepy as hell and should be illegal."
    ),
    "crap-law": (
        "The Online Safety Act is a crap law written by people who don't "
        "understand encryption."
    ),
    "retention-still-dumb": "Data retention was dumb in 2006 and it is still dumb.",
    "api-pricing-stupid-mess": (
        "Twitter's API pricing is a stupid, self-defeating mess that killed half "
        "the research on the platform."
    ),
    "tiktok-ban-idiotic-theatre": (
        "Sorry, but banning TikTok is idiotic theatre, not security policy."
    ),
    "you-are-wrong-about-dma": (
        "You are wrong about the Digital Markets Act; the gatekeepers have "
        "complied in name only."
    ),
    "author-underestimates-lobbying": (
        "The author badly underestimates how much lobbying money went into this bill."
    ),
    "do-you-believe-this-bullshit-policy": (
        "Do you honestly believe this bullshit policy will stop a single smuggler?"
    ),
    "damn-youre-right": (
        "Damn, you're right: the export rules have a hole the size of a fab."
    ),
    "spyware-sellers-prosecuted": (
        "The companies that sold spyware to dictators should be prosecuted and "
        "their executives jailed."
    ),
    "bill-should-be-killed": (
        "This bill should be killed in committee before it does any damage."
    ),
    "data-brokers-are-parasites": (
        "Data brokers are parasites living off our personal data, and the law "
        "lets them."
    ),
    "ad-tech-a-cancer": "Ad tech is a cancer on the open web.",
    "you-will-pay-more": (
        "You will pay more for every laptop because of these tariffs."
    ),
    "google-knows-where-you-live": (
        "Google knows where you live and where you sleep, and this law is fine "
        "with that."
    ),
    "if-you-hack-a-router": (
        "If you hack a router to see how it works, this law makes you a criminal."
    ),
    "incompetent-ministers": (
        "The ministers who signed this off are incompetent, and the next election "
        "should end their careers."
    ),
    "the-whole-scheme-absurd": (
        "Honestly the whole crypto licensing scheme is fucking absurd."
    ),
}

# Threats, dehumanising language and insults aimed at a person, by kind.
THREAT, DEHUMANISING, AT_A_PERSON = "threat", "dehumanising", "aimed at a person"
ABUSIVE = {
    "i-know-where-you-live": (THREAT, "I know where you live, and what you drive."),
    "should-be-exterminated": (THREAT, "People like you should be exterminated."),
    "watch-your-back": (
        THREAT,
        "Watch your back. Writers like you don't last long around here.",
    ),
    "youll-regret-this": (THREAT, "Keep publishing this rubbish and you'll regret it."),
    "make-you-pay": (
        THREAT,
        "We will find you, and we will make you pay for this article.",
    ),
    "your-family-will-pay": (
        THREAT,
        "Your family will pay for what you wrote about the merger.",
    ),
    "something-happened-to-your-kids": (
        THREAT,
        "It would be a shame if something happened to your kids.",
    ),
    "find-out-what-happens": (
        THREAT,
        "Keep talking and you will find out what happens to people like you.",
    ),
    "we-know-your-address": (
        THREAT,
        "We know your address now. Think carefully about your next article.",
    ),
    "activists-deserve-hanging": (
        THREAT,
        "Every one of those privacy activists deserves to be hanged.",
    ),
    "bullet-for-the-minister": (
        THREAT,
        "Someone should put a bullet in the digital minister.",
    ),
    "voters-lined-up-and-shot": (
        THREAT,
        "Everyone who voted for this law should be lined up and shot.",
    ),
    "hope-you-get-cancer": (THREAT, "Hope you get cancer, you shill for Big Tech."),
    "go-kill-yourself": (
        THREAT,
        "Go kill yourself, nobody wants your takes on AI regulation.",
    ),
    "find-out-where-you-work": (THREAT, "I'm going to find out where you work."),
    "immigrants-are-vermin": (
        DEHUMANISING,
        "Immigrants are vermin and they are stealing our tech jobs.",
    ),
    "refugees-a-disease": (
        DEHUMANISING,
        "Those refugees are a disease spreading through this country.",
    ),
    "people-are-cockroaches": (
        DEHUMANISING,
        "Those people are cockroaches, nothing more.",
    ),
    "supporters-subhuman": (
        DEHUMANISING,
        "Anyone who supports this privacy bill is subhuman.",
    ),
    "writers-like-you-a-disease": (DEHUMANISING, "Writers like you are a disease."),
    "you-are-a-moron": (
        AT_A_PERSON,
        "You are a moron and you clearly know nothing about semiconductors.",
    ),
    "author-clueless-idiot": (
        AT_A_PERSON,
        "The author is a clueless idiot who has never set foot in a fab.",
    ),
    "shut-up": (
        AT_A_PERSON,
        "Shut up, nobody asked for your opinion on export controls.",
    ),
    "leetspeak-idiot": (
        AT_A_PERSON,
        "y0u are an 1d10t, go back to school before writing about AI.",
    ),
    "leetspeak-stupid-clown": (
        AT_A_PERSON,
        "Y0u 4r3 a st00p1d cl0wn and ev3ryone here kn0ws it.",
    ),
    "leetspeak-journalist-liar": (
        AT_A_PERSON,
        "The j0urn4list is a l1ar and a c0ward.",
    ),
    "paid-shill": (
        AT_A_PERSON,
        "You're a paid shill for Huawei and a disgrace to journalism.",
    ),
    "writer-pathetic-hack": (
        AT_A_PERSON,
        "The writer is a pathetic hack who should never be near a keyboard.",
    ),
    "too-stupid-for-gpus": (
        AT_A_PERSON,
        "@sam you are too stupid to understand how a GPU works.",
    ),
    "what-an-idiot-you-are": (
        AT_A_PERSON,
        "What an idiot you are. Read the bill before commenting.",
    ),
    "brainless-clown-like-you": (
        AT_A_PERSON,
        "Nobody cares what a brainless clown like you thinks about chips.",
    ),
    "you-ignorant-fool": (
        AT_A_PERSON,
        "Sam, you ignorant fool, the regulation applies to cloud providers too.",
    ),
    "commenter-brain-dead-troll": (
        AT_A_PERSON,
        "The commenter above is a brain-dead troll.",
    ),
    "worthless-piece-of-garbage": (AT_A_PERSON, "u r a worthless piece of garbage"),
    "full-of-shit": (
        AT_A_PERSON,
        "You're full of shit and so is every article you have ever written.",
    ),
    "go-back-where-you-came-from": (
        AT_A_PERSON,
        "Go back to where you came from and stop writing about our laws.",
    ),
    "absolute-muppet": (
        AT_A_PERSON,
        "You clearly can't read, you absolute muppet.",
    ),
    "corporate-bootlicker": (
        AT_A_PERSON,
        "You are nothing but a corporate bootlicker.",
    ),
}


@pytest.fixture(autouse=True)
def _many_posts_allowed(settings):
    """The labelled set is posted by one reader; only the rate limit is lifted."""
    settings.COMMENT_THROTTLE_RATE = "100000/minute"


@pytest.fixture
def established_reader(reader):
    """A reader with an approved comment elsewhere: the default config applies."""
    add_comment(ArticleFactory(), reader, body="An earlier comment, approved.")
    return reader


def names_a_phrase_of(text: str, explanation: str) -> bool:
    """Whether a quoted phrase of the explanation ("“killed … you”") is in text."""
    folded = fold(text)
    return any(
        all(f" {part.strip()} " in folded for part in phrase.split("…"))
        for phrase in re.findall(r"“([^”]+)”", explanation)
    )


def toxicity_reasons(comment: Comment) -> list[str]:
    verdict = comment.verdicts.get()
    return [r["reason"] for r in verdict.reasons if r["rule"] == "toxicity"]


@pytest.mark.parametrize("body", list(CIVIL.values()), ids=list(CIVIL))
def test_sharp_disagreement_about_policy_is_published(
    post, article, established_reader, body
):
    comment = post(article=article, author=established_reader, body=body)

    assert comment.status == "approved", comment.verdicts.get().reasons
    assert toxicity_reasons(comment) == []


@pytest.mark.parametrize(("kind", "body"), list(ABUSIVE.values()), ids=list(ABUSIVE))
def test_abuse_is_held_with_a_reason_naming_what_was_found(
    post, article, established_reader, kind, body
):
    comment = post(article=article, author=established_reader, body=body)

    assert comment.status == "held"
    (reason,) = toxicity_reasons(comment)
    assert reason.startswith("Toxicity score ")
    assert names_a_phrase_of(body, reason), (kind, reason)


def test_the_pipeline_holds_every_abusive_comment_and_no_civil_one(
    post, article, established_reader
):
    def held(bodies) -> int:
        statuses = [
            post(article=article, author=established_reader, body=body).status
            for body in bodies
        ]
        return statuses.count("held")

    held_abusive = held(body for _, body in ABUSIVE.values())
    held_civil = held(CIVIL.values())

    print(  # noqa: T201
        f"judgement: held {held_abusive}/{len(ABUSIVE)} abusive, "
        f"{held_civil}/{len(CIVIL)} civil"
    )
    assert (held_abusive, held_civil) == (len(ABUSIVE), 0)


def test_the_profanity_model_alone_holds_policy_criticism_and_misses_threats():
    from profanity_check import predict_prob

    criticism, threat = predict_prob(
        ["The sanctions look idiotic.", "I know where you live."]
    )

    assert criticism >= 0.8
    assert threat < 0.5


def test_the_classifier_turns_both_round():
    classifier = ToxicityClassifier()

    criticism = classifier.score("The sanctions look idiotic.")
    threat = classifier.score("I know where you live.")

    assert criticism.score < 0.8
    assert threat.score >= 0.8
    assert names_a_phrase_of("I know where you live.", " ".join(threat.signals))


@pytest.mark.parametrize(
    ("at_a_thing", "at_a_person"),
    [
        ("This bill is idiotic.", "You are idiotic."),
        ("Your stupid law will not survive the courts.", "You are stupid."),
        (
            "This bill should be killed in committee.",
            "People like you should be killed.",
        ),
        ("Ad tech is a cancer on the open web.", "Writers like you are a cancer."),
        ("You will pay more for every GPU.", "You will pay for this."),
    ],
    ids=["idiotic", "stupid", "killed", "cancer", "pay"],
)
def test_the_same_words_weigh_more_aimed_at_a_person_than_at_a_thing(
    at_a_thing, at_a_person
):
    classifier = ToxicityClassifier()

    assert classifier.score(at_a_thing).score < 0.8
    assert classifier.score(at_a_person).score >= 0.8
