"""The words that fill the templates' slots: topics, people, insults, placeholders.

Slurs are invented placeholders ("grelk", "vosh"): the corpus teaches the model
how contempt is built around a word, not the words themselves.
"""

SLOTS: dict[str, list[str]] = {
    "law": [
        "the Online Safety Bill", "this encryption bill", "the AI Act",
        "the data retention directive", "the new export rules",
        "the age verification law", "the chip subsidy package",
        "the spectrum auction plan", "the copyright directive",
        "the surveillance amendment", "the cookie consent rules",
        "the right-to-repair bill", "the platform liability law",
        "the facial recognition ban", "the broadband levy",
    ],
    "company": [
        "Meta", "Google", "Amazon", "Apple", "Microsoft", "TikTok", "Huawei",
        "Nvidia", "Comcast", "Palantir", "Clearview", "the big carriers",
        "the ad-tech industry", "the data brokers", "the app stores",
    ],
    "gov": [
        "the Commission", "the Commerce Department", "the FCC", "the government",
        "Whitehall", "Brussels", "the ministry", "Congress", "the regulator",
        "the competition authority", "the data protection office", "the cabinet",
    ],
    "figure": [
        "the digital minister", "the FCC chair", "Senator Holt",
        "the competition commissioner", "the home secretary", "Meta's CEO",
        "the trade secretary", "Commissioner Varga", "the telecoms minister",
        "the attorney general", "Google's chief lawyer", "Minister Okafor",
    ],
    "topic": [
        "export controls", "end-to-end encryption", "AI regulation",
        "net neutrality", "the merger", "data retention", "spectrum policy",
        "chip subsidies", "age verification", "facial recognition",
        "right to repair", "app store fees", "content moderation",
        "antitrust", "platform liability", "cross-border data transfers",
        "5G rollout", "lawful interception", "open-source AI models",
    ],
    "name": [
        "@sam", "Priya", "@dkim", "Marco", "@jlee", "Tom", "@policywonk", "Ana",
        "@netfreedom", "Bilal", "@rootaccess", "Helen", "@chipnerd", "Yusuf",
    ],
    "swear": ["fucking", "goddamn", "bloody", "fuckin", "damn"],
    "insult": [
        "idiot", "moron", "clown", "imbecile", "halfwit", "muppet", "fool",
        "dimwit", "cretin", "buffoon", "dunce", "numpty",
    ],
    "insult_adj": [
        "stupid", "brainless", "clueless", "pathetic", "ignorant", "dim",
        "witless", "thick", "gormless", "dense",
    ],
    "slur": ["grelk", "vosh", "plinker", "zorb", "quenn", "drabbit"],
    "group": [
        "immigrants", "refugees", "foreign engineers", "privacy activists",
        "gig workers", "content moderators", "open-source developers",
        "union members", "people from the coast", "migrant workers",
        "asylum seekers", "trans people", "Muslims", "Jews", "Roma",
    ],
    "vermin": [
        "vermin", "rats", "cockroaches", "parasites", "animals", "a plague",
        "an infestation", "lice", "a disease", "filth",
    ],
    "relative": [
        "your kids", "your wife", "your husband", "your mother", "your family",
        "your daughter", "your son", "your parents",
    ],
    "place": [
        "your office", "your house", "your kids' school", "your flat",
        "your street", "your gym", "the newsroom",
    ],
    "harm": [
        "beat the shit out of you", "smash your fucking face in",
        "break your fucking legs", "put you in the fucking ground",
        "fucking end you", "kick your teeth in", "burn your fucking house down",
    ],
    "bad_thing": [
        "a disaster", "a mess", "a gift to lobbyists", "unworkable",
        "a privacy nightmare", "dead on arrival", "a boondoggle",
        "an own goal", "a blank cheque for surveillance", "incoherent",
    ],
    "reason": [
        "it breaks encryption for everyone",
        "nobody costed the compliance burden",
        "the definitions are hopelessly vague",
        "it hands the incumbents a moat",
        "the enforcement budget is zero",
        "it ignores every expert who testified",
        "the carve-outs swallow the rule",
        "it was written by the industry it regulates",
    ],
    "leet_insult": [
        "1d10t", "m0r0n", "id!ot", "st00p1d cl0wn", "r3tard", "d1ckh3ad",
        "a$$hole", "b1tch", "tw@t", "m0ron",
    ],
    "spaced_insult": [
        "i d i o t", "m o r o n", "s t u p i d  c l o w n", "d u m b a s s",
        "l o s e r", "c u n t",
    ],
    "dotted_insult": [
        "i.d.i.o.t", "m.o.r.o.n", "s.h.i.t.h.e.a.d", "c.r.e.t.i.n", "f.o.o.l",
        "a-hole", "d*ckhead", "sh*thead",
    ],
    "people": [
        "the voters who backed this", "his supporters", "the bill's supporters",
        "journalists", "the engineers at Google", "tech workers",
        "the protesters", "privacy campaigners", "the strikers", "lobbyists",
        "opposition voters", "the people in this thread", "council staff",
    ],
    "sickness": [
        "a disease", "a virus", "a plague", "a cancer", "an infection",
        "a tumour", "a contagion", "a rot",
    ],
    "hurt": [
        "hurt you", "break your legs", "put you in hospital", "make you bleed",
        "shoot you", "end you", "break your neck", "knock your teeth out",
    ],
    "person_noun": [
        "the journalist", "the author", "this writer", "the reporter",
        "your editor", "the columnist", "the minister's adviser", "the moderator",
    ],
    "leet_person": [
        "th3 j0urn4l1st", "th3 4uth0r", "th1s wr1t3r", "th3 r3p0rt3r",
        "y0ur 3d1t0r", "th@t c0lumn1st",
    ],
    "leet_word": [
        "l14r", "c0w4rd", "sh1ll", "h4ck", "l0s3r", "tr41t0r", "cl0wn", "fr4ud",
        "1gn0r4nt f00l", "m0r0n",
    ],
    "tail": [
        "", "", "", "", "", "", " Read the impact assessment.",
        " The numbers are in the committee report.", " Just saying.",
        " This is the third time this year.", " Look at the 2019 precedent.",
        " Same as last time.",
    ],
}  # fmt: skip
