"""Toxicity: an offline profanity model, corrected by what the words aim at.

alt-profanity-check scores swear words well but misses threats and dehumanising
language written without them ("I know where you live"), and it flags harsh
words about a policy as readily as an attack on a person ("the sanctions look
idiotic"). On a site for arguing about policy that is backwards, so the model's
score is raised for threats, dehumanising language and insults aimed at a
person, and lowered for strong words that aim at no one.

Whether words aim at a person or at a thing is read from the words around
them: "you", "the author", "people like you" against "the law", "this bill",
"the sanctions". "This bill should be killed in committee" is a policy view;
"people like you should be killed" is a threat.
"""

import re
from functools import cached_property
from importlib.metadata import version

from core.text import normalise

from . import Score

# Phrases are matched against normalise()d text: lower case, leetspeak decoded,
# words separated by single spaces, padded with a space at each end.


def _words(text: str) -> str:
    """A regex alternation of whitespace-separated items; "_" stands for a space."""
    return "|".join(text.split()).replace("_", " ")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What a comment on a tech-policy site argues about: harsh words about these
# aim at no person.
THINGS = _wordset(
    """
    law laws bill bills act acts policy policies rule rules regulation regulations
    regime directive proposal proposals plan plans scheme idea ideas ban bans
    sanction sanctions tariff tariffs subsidy subsidies programme program project
    treaty deal merger loophole loopholes clause amendment ruling decision
    legislation framework strategy approach standard standards tax taxes fee fees
    budget contract contracts monopoly monopolies system systems algorithm
    algorithms model models app apps platform platforms company companies
    corporation corporations firm firms industry sector business businesses
    broker brokers tech adtech government governments ministry department agency
    regulator regulators commission parliament congress party parties startup
    startups product products feature features tracking surveillance cookie
    cookies practice practices code crypto blockchain chatbot chatbots bot bots
    spam spyware malware market markets exemption exemptions service services
    website websites site network networks argument arguments article articles
    take point comment comments logic claim claims theory opinion mess nonsense it
"""
)
# Words that name people; "activists", "politicians", "immigrants", "refugees"
# by their endings.
PEOPLE = _wordset(
    """
    you u ur yourself yourselves them they people person persons he she him her
    everyone anyone everybody anybody someone somebody whoever who guy guys man
    men woman women folk folks kind lot type kids children family author authors
    writer writers journalist journalists reporter reporters commenter commenters
    minister ministers politician mp mps senator senators official officials ceo
    ceos executive executives leader leaders
"""
)
_PEOPLE_ENDINGS = re.compile(r"\w+(?:ists|ians|ants|ees)")
_THINGS = "|".join(sorted(THINGS))
# A thing right after an insult ("your stupid law"), or as the object of a verb
# ("someone should kill this bill").
_A_THING = rf"(?:{_THINGS}) "
_THE_THING = rf"(?:the |this |that |these |those |a |an |your )?{_A_THING}"


def _aimed_at(folded: str, start: int) -> str | None:
    """'thing' or 'people' for the nearest noun before `start`, None if unclear."""
    words = folded[:start].split()[-6:]
    if "who" in words or "whoever" in words:
        return "people"  # "everyone who voted for this law should ..."
    for word in reversed(words[-5:]):
        if word in THINGS:
            return "thing"
        if word in PEOPLE or _PEOPLE_ENDINGS.fullmatch(word):
            return "people"
    return None


# Words that insult a person when aimed at one.
_INSULTS = _words(r"""
    idiots? idiotic morons? moronic stupid st[uo]+pid imbeciles? cretins? pathetic
    scum scumbags? clowns? losers? trolls? liars? dumb? dumbass ignorant fools?
    retards? retarded jokes? disgrace shills? traitors? cowards? hacks? parasites?
    embarrassment bootlickers? sellouts? stooges? lackeys?
    halfwits? dimwits? nitwits? buffoons? dunces? twats? dickheads? assholes?
    arseholes? bastards? pricks? degenerates? lowlifes? muppets? numpties? garbage
    trash worthless useless clueless brainless brain_?dead
    piece_of_(?:shit|garbage|trash|crap|work) waste_of_(?:space|oxygen|skin)
""")
# The insults that also work as a bare address ("you idiot") without reading
# like a verb ("if you hack a router").
_VOCATIVES = _words(r"""
    idiots? morons? imbeciles? cretins? clowns? losers? scum scumbags? ignorant
    stupid st[uo]+pid dumb? dumbass pathetic brainless clueless worthless
    halfwits? dimwits? nitwits? twats? dickheads? assholes? arseholes? bastards?
    pricks? shills? liars? cowards? traitors? retards?
""")
# Words that may stand before an insult: adjectives (other insults among them),
# and with them articles and intensifiers.
_ADJECTIVES = _words(r"""
    total complete utter absolute bloody f_?\w{0,3}k(?:ing|in) little paid lying
    sad typical clueless brainless worthless useless ignorant pathetic stupid dumb
""")
_MODS = rf"(?:(?:a|an|such|so+|too|really|truly|nothing but|{_ADJECTIVES}) )*"
_NOT_A_THING = rf"(?!{_A_THING})"
# What someone is said to be: "a moron", "such a pathetic little shill",
# "nothing but a corporate bootlicker"; not "a stupid law".
_AN_INSULT = (
    rf"(?:{_MODS}(?:{_INSULTS})|(?:nothing but )?(?:a|an) \w+ (?:{_INSULTS})) "
    rf"{_NOT_A_THING}"
)
_YOU = (
    r"(?:(?:you|u|you people|you lot|you guys|y all)"
    r" (?:are|re|r|were|must be|seem|sound like|look like|act like)"
    r"|ur|youre|your(?= an? ))"
)
_ABOUT_A_PERSON = (
    r"(?:the |this |that )?(?:author|writer|journalist|reporter|columnist|editor|"
    r"op|commenter|poster|whoever wrote (?:this|that|it)(?: article| piece| post|"
    r" comment)?)(?: above| below| here)?"
)
PERSONAL_ATTACKS = [re.compile(p) for p in (
    rf" {_YOU} {_AN_INSULT}",
    rf" (?:you|u) (?:{_VOCATIVES}) {_NOT_A_THING}",
    rf" (?:you|u) (?:(?:{_ADJECTIVES}) )+(?:{_INSULTS}) {_NOT_A_THING}",
    rf" are (?:you|u) {_MODS}(?:{_INSULTS}) ",
    rf" what (?:a |an )?{_MODS}(?:{_INSULTS}) (?:you|u) ",
    rf" (?:{_INSULTS}) like (?:you|u|yourself|the author|this author|this writer) ",
    rf" {_ABOUT_A_PERSON} (?:is|are|was|s) {_AN_INSULT}",
    r" (?:you|u)(?: are| re| r)? full of (?:shit|crap|it|bs|bullshit) ",
    r" (?:shut up|stfu|get lost|go to hell|fuck off|screw you|fuck you|piss off|"
    r"damn you(?! (?:are|re|r|were|know|see|got)\b)|shut your (?:mouth|face|trap)|"
    r"crawl back (?:under|into) (?:your|ur|the|a) (?:rock|hole)) ",
    r" go back (?:to )?(?:where|wherever) (?:you|u|they) (?:came|come) from ",
)]  # fmt: skip

_FAMILY = (
    r"(?:family|kids|children|wife|husband|mother|mum|mom|father|dad|parents|"
    r"daughter|son|loved ones)"
)
_YOUR_FAMILY = rf"your (?:whole |entire |own |little )?{_FAMILY}"
_TARGET = rf"(?:you|u|yourself|{_YOUR_FAMILY})"
# "You'll pay for this", but not "you will pay more for every laptop".
_PAY = (
    r"(?:pay|suffer)(?! (?:more|less|twice|extra|higher|through|the|a|an|"
    r"for (?:a|an|the|every|each|all|any|more))\b)"
)
_HARM = (
    rf"(?:{_PAY}|regret|be sorry|get what s coming|get what you deserve|die|"
    r"get hurt|find out what happens|bleed)"
)
_WILL = (
    r"(?:will|ll|shall|are going to|re going to|is going to|are gonna|re gonna|"
    r"gonna)"
)
_WE_WILL = (
    r"(?:i ll|i will|im going to|i m going to|i am going to|i m gonna|im gonna|"
    r"we ll|we will|we re going to|we are going to|we re gonna|someone will|"
    r"someone s going to|somebody will)"
)
_VIOLENCE = (
    r"(?:shoot|kill|hang|stab|lynch|behead|murder|beat up|string up|hurt|"
    r"put a bullet in|break your)"
)
THREATS = [re.compile(p) for p in (
    # Said by the writer, not by an ad network ("Google knows where you live").
    r" (?:i|we)(?: already| now| will| ll| m going to| re going to| am going to|"
    r" are going to| can| d| ve)? (?:know|find out|found out|figure out|found) "
    r"(?:exactly )?where (?:you|u|your \w+) (?:live|lives|work|works|sleep|sleeps|"
    r"go to school)",
    rf" (?:i|we) (?:know|have|found|got) (?:your|ur) (?:home |real )?(?:address|"
    rf"{_FAMILY}) ",
    r" (?:watch|mind) your back ",
    rf" (?:you|u|{_YOUR_FAMILY}) {_WILL} {_HARM}",
    rf" make (?:you|u|{_YOUR_FAMILY}) (?:{_PAY}|regret|suffer|sorry|bleed)",
    r" what happens to (?:people like (?:you|u)|(?:you|u) ) ",
    r" (?:shame|pity) if (?:something|anything) (?:happened|happens|were to happen|"
    r"was to happen|bad happened) to (?:you|u|your) ",
    rf" (?:hope|wish|pray)(?: that)? (?:you|u|{_YOUR_FAMILY}) (?:die|dies|get hurt|"
    r"gets hurt|get cancer|gets cancer|burn|burns|rot|rots|get killed|gets killed|"
    r"get shot|gets shot) ",
    rf" {_WE_WILL} (?:find|hurt|kill|come for|come after|visit|track|hunt|"
    rf"deal with|shoot|beat|get) {_TARGET} (?!(?:a|an|the|some|that|this|those|it|"
    r"one|more|links?|sources?|data|numbers?)\b)",
    rf" (?:someone|somebody|people|we|they|i) (?:should|ought to|needs? to|has to|"
    rf"must|could|will|ll|gonna) {_VIOLENCE} (?!{_THE_THING})",
    rf" (?:we re|we are|i m|im|i am) (?:coming for|coming after|coming to get|"
    rf"watching) {_TARGET} ",
    r" if (?:you|u) know what s good for (?:you|u) ",
    r" put a bullet (?:in|into|through) ",
    r" (?:go )?die in a (?:fire|hole|ditch) ",
    r" (?:kill|hang|shoot) (?:yourself|urself|yourselves) | kys | go (?:and )?die ",
)]  # fmt: skip
_SHOULD = (
    r" (?:should|must|ought to|deserves? to|needs? to|have to|has to)"
    r"(?: all)?(?: be)? "
)
# "should be exterminated" is a threat unless it is said of a thing ("this bill
# should die"); "should be eliminated" only when it is said of people.
FATES = [
    (re.compile(_SHOULD + r"(?:exterminated|gassed|lynched|hanged|hung|shot(?! down)|"
                r"strung up|put against a wall|put down|burned alive|burnt alive|"
                r"beaten|killed|die|murdered|culled|lined up and shot|lined up "
                r"against a wall) "), "unless a thing"),
    (re.compile(_SHOULD + r"(?:eradicated|eliminated|wiped out|wiped off the|"
                r"executed|purged|removed from the earth) "), "if people"),
]  # fmt: skip
DEHUMANISING = [
    (re.compile(r" (?:are|is|re|were)(?: just| nothing but| all| like| no better "
                r"than| a bunch of)? (?:vermin|rats|cockroaches|animals|subhumans?|"
                r"sub humans?|savages|insects|less than human|not human|not even "
                r"human|filth|scum|a swarm|an infestation) "), "unless a thing"),
    (re.compile(r" (?:are|is|re|were)(?: just| nothing but| all| like)? "
                r"(?:parasites|a plague|a disease|a cancer|a virus|leeches) "),
     "if people"),
    (re.compile(r" (?:subhuman|subhumans|untermensch|sub human|sub humans) "),
     "always"),
]  # fmt: skip

# Strong words that aim at no one: at a thing ("this bullshit policy", "the law
# is garbage") or at nothing ("damn", "creepy as hell").
_STRONG = _words(r"""
    idiotic stupid st[uo]+pid dumb insane crazy bullshit crap crappy shit shitty
    garbage rubbish moronic fucking fucked damn damned bloody pathetic ridiculous
    absurd asinine braindead retarded useless worthless joke disgrace disgraceful
    trash idiot
""")
NOT_AIMED = [re.compile(p) for p in (
    rf" {_MODS}(?:{_STRONG}) (?:\w+ )?(?:{_THINGS}) ",
    rf" (?:{_THINGS}) (?:\w+ ){{0,3}}?(?:is|are|was|were|looks?|seems?|"
    rf"sounds?|s) (?:\w+ )?{_MODS}(?:{_STRONG}) ",
    rf" (?:this|that|it) (?:is|s|was) (?:\w+ )?{_MODS}(?:{_STRONG}) ",
    r" (?:damn it|dammit|damn|holy (?:shit|crap|hell)|bloody hell|what the "
    r"(?:hell|heck|fuck)|wtf|oh hell|hell (?:yes|no)|god ?damn(?: it)?|"
    r"as (?:hell|fuck|shit)) ",
)]  # fmt: skip
ADDRESSES_A_PERSON = re.compile(
    r" (?:you|u|your|ur|youre|yourself|author|writer|commenter|op|journalist) "
)


def _first(patterns: list[re.Pattern], text: str) -> str | None:
    for pattern in patterns:
        if match := pattern.search(text):
            return match.group(0).strip()
    return None


def _first_aimed(patterns: list[tuple[re.Pattern, str]], text: str) -> str | None:
    """The first match whose subject fits its condition."""
    for pattern, condition in patterns:
        for match in pattern.finditer(text):
            subject = _aimed_at(text, match.start())
            if (
                condition == "always"
                or (condition == "unless a thing" and subject != "thing")
                or (condition == "if people" and subject == "people")
            ):
                before = text[: match.start()].split()[-3:]
                return " ".join([*before, match.group(0).strip()])
    return None


class ToxicityClassifier:
    name = "toxicity"

    @cached_property
    def _predict(self):
        # Loading scikit-learn takes seconds: serving processes call warm_up()
        # as they start (see moderation.apps), anything else on first use.
        from profanity_check import predict_prob

        return predict_prob

    @property
    def loaded(self) -> bool:
        return "_predict" in self.__dict__

    def warm_up(self) -> None:
        """Load the model and score once, so the first comment pays nothing."""
        self._predict(["warm up"])

    @cached_property
    def model(self) -> str:
        return f"alt-profanity-check {version('alt-profanity-check')} + agora-aim 2"

    def score(self, text: str) -> Score:
        base = float(self._predict([text])[0])
        folded = normalise(text)
        score, signals = base, [f"profanity model {base:.2f}"]
        if threat := _first(THREATS, folded) or _first_aimed(FATES, folded):
            score = max(score, 0.97)
            signals.append(f"threat: “{threat}”")
        if slur := _first_aimed(DEHUMANISING, folded):
            score = max(score, 0.95)
            signals.append(f"dehumanising: “{slur}”")
        if attack := _first(PERSONAL_ATTACKS, folded):
            score = max(score, 0.9)
            signals.append(f"aimed at a person: “{attack}”")
        if len(signals) > 1 or base < 0.5:
            return self._score(score, signals)
        if not ADDRESSES_A_PERSON.search(folded):
            signals.append("strong words aimed at no person")
            return self._score(base * 0.6, signals)
        # Someone is addressed: weigh only what is left once the strong words
        # about things are taken out ("do you think this bullshit policy works").
        spans = [m.group(0) for p in NOT_AIMED for m in p.finditer(folded)]
        if not spans:
            return self._score(score, signals)
        rest = folded
        for span in spans:
            rest = rest.replace(span, " ")
        rest_score = float(self._predict([rest])[0])
        listed = ", ".join(f"“{s.strip()}”" for s in spans[:3])
        signals.append(
            f"strong words aimed at no person ({listed}); the rest {rest_score:.2f}"
        )
        return self._score(max(rest_score, base * 0.6), signals)

    def _score(self, score: float, signals: list[str]) -> Score:
        return Score(score=score, model=self.model, version="2", signals=signals)
