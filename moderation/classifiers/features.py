"""The toxicity model's hand-made features: what words aim at, and how.

Each feature is 0 or 1 (the profanity model's probability aside) and names the
phrase of the text that set it, so a score can say why it moved. The word
classes are small on purpose: a class near a word for a person (or a thing)
is a feature, and the model learns from the corpus what each pairing weighs.
Each feature has a test in tests/moderation/test_toxicity_model.py.
"""

import re
from dataclasses import dataclass

from core.text import normalise


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Letters spelled out one by one ("f u c k", "i.d.i.o.t" once folded) are read
# as the word they spell.
_SPELLED = re.compile(r"(?<!\w)(?:\w ){3,}\w(?!\w)")
_SECOND_PERSON = re.compile(r" (?:you|u|your|ur|youre|yourself|y all|ya) ")
# What is to happen to the reader ("you will pay for this", not "you will pay
# more for every laptop"), or what the writer will do to or knows of them.
_FUTURE_HARM = re.compile(
    r" (?:(?:you|u|your \w+)(?: will| ll| are going to| re going to| re gonna"
    r"| shall)(?: \w+)? (?:regret|pay(?! more| less| extra| twice| higher| the)"
    r"|be sorry|suffer|get hurt|get what|die|find out|bleed|be next|be found)"
    r"|(?:i|we)(?: ll| will| m going to| re going to| know| have| found)"
    r"(?: \w+){0,2} (?:you|u|your|where)) "
)
# Where a person can be found: their home, their work, turning up there.
_WHEREABOUTS = re.compile(
    r" (?:where (?:\w+ ){1,2}(?:lives?|works?|sleeps?|parks?|goes to school)"
    r"|(?:home|real) address(?:es)?|(?:turn|show|go) up at \w+(?: \w+)?) "
)
_QUOTE = re.compile(r"[\"“”‘]|(?:^|\W)'|'(?:\W|$)")
_HARM = _words("""
    kill killed kills shoot shot bullet hurt hurts die dies dead hang hanged strung
    beat smash break burn stab regret accident accidents visit sorry suffer end
    cracked skull exterminated gas cleansed ground teeth legs face hunt
""")
_CONTEMPT = _words("""
    vermin rats rat cockroaches parasites parasite animals plague infestation lice
    disease filth subhuman cancer breed scum kind stain species
""")
_INSULT = _words("""
    idiot moron clown imbecile halfwit muppet fool dimwit cretin buffoon dunce numpty
    stupid brainless clueless pathetic ignorant dim witless thick gormless dense dumb
    dumbest loser troll shill coward liar garbage worthless traitor hack
    bootlicker lackey stooge sellout idiotic moronic
""")
# Contempt words for a kind of person. The corpus uses invented placeholders
# ("grelk", "vosh") for slurs; a site lists the real words it sees here.
SLURS = _words("""
    grelk grelks vosh voshs voshes plinker plinkers zorb zorbs quenn quenns
    drabbit drabbits
""")
_PERSON = _words("""
    you u your ur yourself people person author writer journalist they them their
    he she his her kind family wife husband kids son daughter mother parents
    commenter commenters poster reporter columnist editor journalists writers
    reporters authors everyone anyone someone whoever lot immigrants refugees
    migrants jews muslims roma christians workers voters supporters
""")
# Groups of people by their endings: "activists", "politicians", "migrants".
_PEOPLE_ENDINGS = re.compile(r"\w+(?:ists|ians|ants|ees)")
_THING = _words("""
    bill law act policy proposal amendment rules rule directive plan regulation
    clause merger scheme package levy ban tariffs legislation argument comment take
    idea report numbers sources
""")
# Words every comment has: alone they say nothing of abuse.
FUNCTION_WORDS = _words("""
    a an the this that these those it its is are was were be been am do does did
    i me my we us our you your u ur he him his she her they them their who whom
    what which when where why how of in on at to for from by with about as and
    or but if so than then there here not no can could will would should shall
    may might must have has had just only also very too all any some s t d ll re
    ve m
""")
_NEGATION = re.compile(r" (?:not|never|no|nobody|none|isn t|aren t|don t|won t) ")


def fold(text: str) -> str:
    """normalise()d text with spelled-out words joined up."""
    folded = normalise(text)
    return _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), folded)


@dataclass(frozen=True)
class Dense:
    """A feature computed from the text, with the phrase that set it."""

    name: str
    value: float
    phrase: str | None


def dense_features(text: str, folded: str, profanity: float) -> list[Dense]:
    """The hand-made features, in a fixed order (the model's last columns)."""

    def found(pattern: re.Pattern, where: str) -> str | None:
        match = pattern.search(where)
        return (match and match.group(0).strip()) or None

    second, harm = found(_SECOND_PERSON, folded), found(_FUTURE_HARM, folded)
    quote, negation = found(_QUOTE, text), found(_NEGATION, folded)
    whereabouts = found(_WHEREABOUTS, folded)
    tokens = folded.split()
    slur = next((t for t in tokens if t in SLURS), None)
    return [
        Dense("profanity model", profanity, None),
        Dense("addresses someone", float(bool(second)), second),
        Dense("harm to come", float(bool(harm)), harm),
        Dense("quotes", float(bool(quote)), quote and "quotation marks"),
        Dense("negation", float(bool(negation)), negation),
        _near("harm near a person", _HARM, _PERSON, tokens),
        _near("harm near a thing", _HARM, _THING, tokens),
        _near("contempt near people", _CONTEMPT, _PERSON, tokens),
        _near("insult near a person", _INSULT, _PERSON, tokens),
        _near("insult near a thing", _INSULT, _THING, tokens),
        Dense("slur for a kind of person", float(bool(slur)), slur),
        Dense("where a person is found", float(bool(whereabouts)), whereabouts),
    ]


def _near(name: str, words, targets, tokens: list[str], window: int = 4) -> Dense:
    """Set when a word of one class has a word of the other within `window`."""
    for i, token in enumerate(tokens):
        if token in words:
            around = tokens[max(0, i - window) : i + window + 1]
            if target := next((t for t in around if _is(t, targets)), None):
                return Dense(name, 1.0, f"{token} … {target}")
    return Dense(name, 0.0, None)


def _is(token: str, targets) -> bool:
    return token in targets or (
        targets is _PERSON and bool(_PEOPLE_ENDINGS.fullmatch(token))
    )


DENSE_NAMES = [d.name for d in dense_features("", " ", 0.0)]
