"""Toxicity: an offline profanity model, corrected by what the words aim at.

alt-profanity-check scores swear words well but misses threats and dehumanising
language written without them ("I know where you live"), and it flags harsh
words about a policy as readily as an attack on a person ("the sanctions look
idiotic"). On a site for arguing about policy that is backwards, so the model's
score is raised for threats, dehumanising language and insults aimed at a
person, and lowered for strong words that aim at no one.
"""

import re
from functools import cached_property
from importlib.metadata import version

from ..text import normalise
from . import Score

_INSULTS = (
    r"idiots?|morons?|stupid|imbeciles?|pathetic|scum|clowns?|losers?|trolls?|"
    r"liars?|dumb|ignorant|fools?|cretins?|retards?|retarded|jokes?|disgrace|shills?|"
    r"traitors?|cowards?|hacks?|parasites?|piece of shit|waste of space|brain ?dead"
)
_INTENSIFIERS = (
    r"(?:a |an |such a |so |total |complete |utter |fucking |bloody |absolute )*"
)

THREATS = [re.compile(p) for p in (
    r" i know where (?:you|u) (?:live|work|sleep)",
    r" (?:watch|mind) your back ",
    r" (?:you|u) (?:will|ll|are going to|re going to|gonna) "
    r"(?:pay|regret|be sorry|get what s coming|die|suffer)",
    r" (?:hope|wish) (?:you|u) (?:die|get hurt|get cancer|burn|rot)",
    r" (?:i ll|i will|im going to|i m going to|gonna|we ll|we will) "
    r"(?:find|hurt|kill|get|come for|visit) (?:you|u)",
    r" kill (?:yourself|urself) | kys ",
    r" (?:should|must|ought to|deserve to|need to|have to) (?:all )?(?:be )?"
    r"(?:die|killed|shot|hanged|hung|exterminated|eradicated|gassed|wiped out|"
    r"put down|eliminated|lynched|executed)",
    r" (?:exterminate|eradicate|wipe out|get rid of) (?:them|these people|those people|"
    r"all of them)",
)]  # fmt: skip
DEHUMANISING = [re.compile(p) for p in (
    r" (?:are|is|they re|theyre) (?:just |nothing but |all )?(?:vermin|rats|"
    r"cockroaches|parasites|animals|subhumans?|sub humans?|a plague|a disease|"
    r"a cancer|filth|savages|insects|less than human)",
    r" (?:subhuman|untermensch|vermin) ",
)]  # fmt: skip
PERSONAL_ATTACKS = [re.compile(p) for p in (
    rf" (?:you|u|ur|your|you re|youre) (?:are |re |r )?{_INTENSIFIERS}(?:{_INSULTS}) ",
    rf" (?:you|u) {_INTENSIFIERS}(?:{_INSULTS}) ",
    rf" (?:the )?(?:author|writer|journalist|reporter|whoever wrote this|op|"
    rf"commenter above) (?:is|are) {_INTENSIFIERS}(?:{_INSULTS}) ",
    r" (?:shut up|stfu|get lost|go to hell|fuck off|screw you|fuck you|piss off) ",
)]  # fmt: skip
ADDRESSES_A_PERSON = re.compile(r" (?:you|u|your|ur|you re|youre|author|writer) ")


def _first(patterns: list[re.Pattern], text: str) -> str | None:
    for pattern in patterns:
        if match := pattern.search(text):
            return match.group(0).strip()
    return None


class ToxicityClassifier:
    name = "toxicity"

    @cached_property
    def _predict(self):
        # Loading scikit-learn takes seconds: only when the first comment comes.
        from profanity_check import predict_prob

        return predict_prob

    @cached_property
    def model(self) -> str:
        return f"alt-profanity-check {version('alt-profanity-check')} + agora-aim 1"

    def score(self, text: str) -> Score:
        base = float(self._predict([text])[0])
        folded = normalise(text)
        score, signals = base, [f"profanity model {base:.2f}"]
        if threat := _first(THREATS, folded):
            score = max(score, 0.97)
            signals.append(f"threat: “{threat}”")
        if slur := _first(DEHUMANISING, folded):
            score = max(score, 0.95)
            signals.append(f"dehumanising: “{slur}”")
        if attack := _first(PERSONAL_ATTACKS, folded):
            score = max(score, 0.9)
            signals.append(f"aimed at a person: “{attack}”")
        elif (
            len(signals) == 1 and base >= 0.5 and not ADDRESSES_A_PERSON.search(folded)
        ):
            score = base * 0.6
            signals.append("strong words aimed at no person")
        return Score(score=score, model=self.model, version="1", signals=signals)
