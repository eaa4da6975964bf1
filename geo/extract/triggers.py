"""The pattern triggers: surface regular expressions for happenings ("stormed the embassy",
"severed ties", "a magnitude 6 earthquake struck"), the baseline the parse-based lexicon
(:mod:`geo.extract.lexicon`) adds to.

A trigger names an event's kind, its category (``models.CATEGORIES``) and its family (what
merges). References to events told elsewhere ("following reports of ...") and negated or
habitual wordings are not triggers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geo.literals import may_match, needed


@dataclass(frozen=True)
class Trigger:
    kind: str  # fine-grained: "storming", "ties severed", "earthquake", ...
    category: str  # one of models.CATEGORIES
    family: str  # what merges: unrest events at one place and day are one event
    pattern: re.Pattern
    needs_date: bool = False  # only an event when its sentence has its own date


def _t(kind, category, family, pattern, needs_date=False, flags=re.I):
    return Trigger(kind, category, family, re.compile(pattern, flags), needs_date)


HOLY = r"(?:Quran|Koran|Qur['’]an|holy book|Bible|Torah|flag)"


TRIGGERS: tuple[Trigger, ...] = (
    # disasters first: "storm" the weather beats "storm" the verb
    _t("earthquake", "disaster", "earthquake",
       r"\b(?:earthquakes?|quakes?|tremors?|aftershocks?)\b|\bmagnitude[- ]\d"),
    _t("storm", "disaster", "storm",
       r"\b(?i:hurricane|typhoon|cyclone|tropical storm|tornado(?:e(?=s))?|twister|"
       r"(?:a|the)\s+(?:severe|powerful|deadly|"
       r"winter|major|heavy|violent)\s+storm)s?\b|\bStorm\s+[A-Z][a-z]+", flags=0),
    _t("flood", "disaster", "flood",
       r"\b(?:floods?(?!\s+(?:of|into)\b)|flooding|flash floods?|inundated|flood\s*waters?)\b"
       r"(?!-hit)"),
    _t("wildfire", "disaster", "wildfire", r"\b(?:wildfires?|bushfires?|forest fires?)\b"),
    _t("landslide", "disaster", "landslide", r"\b(?:landslides?|mudslides?)\b"
       r"(?!\s+(?:election|electoral|victory|win|vote|majority|defeat)s?\b)"),
    _t("tsunami", "disaster", "tsunami", r"\btsunamis?\b"),
    _t("heat wave", "disaster", "heat wave",
       r"\b(?:heat\s*waves?|extreme\s+heat|heat\s*stroke|(?:scorching|searing|deadly)\s+heat)\b"),
    _t("eruption", "disaster", "eruption",
       r"\b(?:volcanic\s+eruption|volcano\s+(?:\w+\s+)?erupted|eruption\s+of\s+(?:the\s+)?"
       r"(?:\w+\s+)?volcano)\b"),
    _t("fire", "disaster", "fire",
       r"\b(?:fire|blaze|inferno|flames)\s+(?:broke\s+out|engulfed|tore\s+through|ripped\s+through|"
       r"swept\s+through|destroyed|gutted|ravaged|raged)|\b(?:engulfed|gutted|ravaged|destroyed)\s+"
       r"by\s+(?:a\s+)?(?:fire|flames|blaze)|\bcaught\s+fire\b"),
    # an explosion is a disaster unless the sentence says someone set it off (see _refine)
    _t("explosion", "disaster", "explosion",
       r"\b(?:explosions?|blasts?|exploded)\b(?!\s+(?:of\s+)?(?:criticism|anger))"),
    # damage in a place, counted only in an article that reports a disaster (see extract)
    _t("damage", "disaster", "damage",
       r"\b(?:collapsed|toppled|flattened|destroyed|devastated|razed|swept\s+away|"
       r"washed\s+away|submerged|flooded|damaged|wrecked|reduced\s+to\s+rubble|buried|"
       r"(?:were|was|been|being)\s+(?:killed|lost)|(?:deaths|dead)\s+(?:were|was)\s+reported|"
       r"(?:people|residents|persons)\s+died|died\s+in|drowned(?!\s+out)|"
       r"(?:have|has|had)\s+died|(?:man|woman|boy|girl|child|person|resident|firefighter|pilot)"
       r"(?:\s+[\w-]+){0,5}\s+died|"
       r"killed\s+(?:at\s+least\s+|more\s+than\s+|over\s+|nearly\s+|about\s+|some\s+)?"
       r"(?:[\d,]+|one|two|three|four|five|six|seven|eight|nine|ten|a|an)\s+"
       r"(?:people|persons?|residents?|villagers?|man|woman|child|boy|girl)|"
       r"(?:deaths|injuries)\s+(?:and\s+injuries\s+)?(?:\w+\s+)?occurred|"
       r"bodies\s+(?:were|have\s+been|had\s+been)\s+(?:found|recovered|pulled)|"
       # "Hardest hit were towns in the regions of Umbria, Lazio and Marche", "the city of
       # Tazehabad was the worst affected"
       r"(?:hardest|worst|badly|severely)[- ](?:hit|affected)|"
       # "The fire reached Main Street in Lower Lake", "the flames spread into Mati"
       r"(?:fire|flames|blaze|floodwaters?|waters?|lava|mudslide)\s+(?:had\s+|has\s+)?"
       r"(?:reached|spread\s+(?:in)?to|swept\s+into|engulfed|entered))\b"),
    # unrest
    _t("storming", "riot/storming", "unrest",
       r"\b(?:to\s+storm|storm(?:ed|ing)|ransack(?:ed|ing)|breach(?:ed|ing)(?=\s+(?:the|a|an|its|"
       r"their)\b)|overr[au]n|"
       r"br(?:oke|eak|eaking)\s+(?:into|onto|through)|occupied|attempt(?:ed|s)?\s+to\s+(?:enter|"
       r"break\s+in|force\s+(?:their|its)\s+way)|(?:forced|smashed|fought|pushed)\s+"
       r"(?:their|its)\s+way\s+(?:into|in)|scal(?:ed|ing)\s+(?:the\s+)?(?:\w+\s+)?walls?|"
       r"climbed\s+(?:over\s+|onto\s+)?the\s+(?:\w+\s+)?(?:walls?|gates?|fence|roof)|"
       r"tore\s+down\s+the\s+(?:\w+\s+)?flag)\b"),
    _t("arson", "riot/storming", "unrest",
       r"\b(?:set(?:ting)?\s+fire\s+to|set(?:ting)?\s+(?:[\w'’]+\s+){0,4}?(?:on\s+fire|ablaze|"
       r"alight|aflame)|torch(?:ed|ing)|"
       r"burn(?:ed|t)\s+down|firebomb(?:ed|ing)?|arson)\b"),
    _t("attack", "attack", "unrest",
       r"\b(?:attack(?:ed|ing)|(?:an?|the)\s+(?:(?!heart\b|panic\b|asthma\b|anxiety\b)\w+\s+){0,2}"
       r"(?:attack|assault)(?!s)|"
       r"bomb(?:ings?|ed)|(?:car|suicide|truck|roadside|parcel|motorcycle)\s+bomb(?:s|ers?)?|"
       r"blew\s+(?:himself|herself|themselves)\s+up|shell(?:ed|ing)|air\s?strikes?|"
       r"drone\s+strikes?|missile\s+strikes?|sh(?:ot|ooting)\s+dead|gunned\s+down|opened\s+fire\s+on|"
       r"gunmen\s+(?:opened|killed)|"
       r"(?:heavy|fierce|intense|street|renewed)\s+fighting|fighting\s+(?:erupted|broke\s+out|"
       r"raged|between)|"
       r"stabb(?:ed|ing))\b"),
    _t("clash", "riot/storming", "unrest",
       r"\b(?:clash(?:ed|es|ing)?|riot(?:s|ed|ing)?(?!\s+(?:police|gear|squads?|shields?|"
       r"control|officers|units?|troops|act|helmets))|pelt(?:s|ed|ing)?|loot(?:ed|ing)|looters|"
       r"(?:hurled|threw)\s+(?:stones|rocks)|brawls?|brawled|turned\s+violent)\b"),
    _t("desecration", "desecration", "unrest",
       r"\b(?:burn(?:ed|t|ing|s)?|torch(?:ed|ing)?|tore|desecrat(?:ed|ing|ion)\s+of)\s+"
       r"(?:\w+\s+){0,4}" + HOLY + r"|" + HOLY + r"\s+(?:was\s+|were\s+)?(?:burn(?:ed|t|ing)|"
       r"desecration)|\bdesecrat(?:ed|ing|ion)\b|\bstepped\s+on\s+and\s+kicked|"
       r"\bkick(?:ed)?\s+and\s+step(?:ped)?\s+on"),
    _t("protest", "protest", "unrest",
       r"\b(?:(?<!to\s)protest(?:ed|ing)?\b(?!\s+(?:over|against|at)\s+the\s+desecration)|"
       r"(?:protesters|demonstrators|crowds?|hundreds|thousands|dozens)\s+(?:\w+\s+){0,2}"
       r"gathered|tear\s+gas|picket(?:s|ed|ing)?\b|blockad(?:e|ed|ing)\b|"
       r"(?<!in\s)(?<!to\s)protests?\b(?!\s+(?:over|at)\b)|demonstrations?\b|"
       r"(?<=resulted\sin\s)protests\b|(?<=erupted\sin\s)protests\b|"
       r"demonstrat(?:ed|ing)\b|"
       r"rall(?:y|ies|ied)\b|march(?:ed|es)\b|(?-i:march)\b|sit-ins?\b|took\s+to\s+the\s+streets|vigil\b)"),
    # state actions
    _t("ties severed", "diplomatic action", "ties",
       r"\b(?:sever(?:ed|s|ing)?|cut(?:s|ting)?|broke\s+off|break(?:s|ing)?\s+off)\s+(?:all\s+)?"
       r"(?:its\s+|their\s+)?(?:diplomatic\s+)?(?:ties|relations)\b"),
    _t("expulsion", "diplomatic action", "diplomatic",
       r"\b(?:expel(?:led|s|ling)?|expulsion\s+of|recall(?:ed|s|ing)?\s+(?:its\s+)?(?:\w+\s+)?"
       r"(?:ambassador|envoy)s?|summon(?:ed|s|ing)?\s+(?:the\s+)?(?:[\w'’]+\s+){0,2}(?:ambassador|"
       r"envoy|charg[eé])|order(?:ed|ing|s)?\s+(?:\w+\s+){0,3}diplomats\s+to\s+leave|"
       r"declared\s+(?:\w+\s+){0,4}persona\s+non\s+grata)\b"),
    _t("evacuation", "evacuation", "evacuation",
       # not "evacuation centres to be set up", "evacuation plans had saved lives": a thing
       r"\bevacuat(?:ed|ion|ing|e)\b(?!\s+(?:centres?|centers?|plans?|routes?|drills?|sites?|"
       r"shelters?|efforts?|camps?)\b)|\bordered\s+(?:the\s+)?departure\s+of|\bairlift(?:ed)?\b|"
       r"\bordered\s+(?:all\s+)?non-emergency\s+(?:[\w.]+\s+){0,6}to\s+leave"),
    _t("licence suspended", "sanction", "sanction",
       r"\b(?:suspend(?:ed|s|ing)?|revok(?:ed|es|ing)|cancell?(?:ed|ing))\s+(?:the\s+)?"
       r"(?:\w+\s+)?licen[cs]es?\b"),
    _t("sanctions", "sanction", "sanction",
       r"\b(?:impos(?:ed|es|ing)\s+(?:\w+\s+){0,3}sanctions|(?:suspend|halt|freez|cut)(?:ed|s|ing|e)?"
       r"\s+(?:all\s+)?(?:its\s+)?(?:\w+\s+){0,2}(?:aid|assistance|budget\s+support|"
       r"cooperation|trade|assets)|froze\s+(?:\w+\s+){0,2}assets)\b"),
    _t("election", "election", "election",
       r"\b(?:(?:parliamentary|presidential|general|local|municipal|regional|early|snap)\s+)?"
       r"elections?\b(?!\s+(?:commission|committee|board|officials?|results?))|\breferendum\b",
       needs_date=True),
)


# "after the landslide struck the village of Jinping", "following a landslide that struck the
# Gofa Zone": the clause tells the event itself
_TOLD_HERE = re.compile(r"\s+(?:(?:that|which)\s+)?(?:had\s+|has\s+)?(?:struck|hit|swept|"
                        r"slammed|tore|ripped|buried|destroyed|flattened|devastated|battered|"
                        r"erupted|broke\s+out|occurred|happened)\b", re.I)


# A trigger right after these refers to an event told elsewhere; it is context, not news.
_REFERENCE = re.compile(
    r"(?:\b(?:following|after|amid|over|reports? of|recurrence of|repeat(?:ition)? of|"
    r"wake of|aftermath of|response to|anniversary of|condemns?|condemned|in protest "
    r"(?:over|at|against))\s+(?:(?:a|an|the|this|that|these|its|his|their)\s+)?"
    r"(?:\w+['’]s\s+)?(?:\w+\s+){0,3})$",
    re.I,
)


_PLANNED = re.compile(
    r"\b(?:planned|planning|plans?\s+to|scheduled|to\s+take\s+place|will|is\s+set\s+to|"
    r"are\s+set\s+to|threaten(?:ed|ing|s)?\s+to|vow(?:ed|s)?\s+to|intends?\s+to|called\s+for|"
    r"expected\s+to|would|upcoming|announced\s+plans)\b",
    re.I,
)


_HAPPENED = re.compile(
    r"\b(?:unfolded|went\s+ahead|took\s+place|was\s+held|were\s+held|happened|occurred)\b", re.I
)


@dataclass(frozen=True)
class Hit:
    trigger: Trigger
    start: int
    end: int
    text: str
    # Character spans of the trigger's own place arguments in the parse (its object and its
    # "in/at/near/outside ..." attachments), when the sentence was parsed.
    where: tuple[tuple[int, int], ...] = ()


NEGATED = re.compile(
    r"\b(?:stopped\s+short\s+of|failed\s+to|did\s+not|didn['’]t|refrained\s+from|without|"
    r"never|denied|prevent(?:ed)?\s+(?:\w+\s+){0,3}from|no\s+one\s+was)\s+(?:\w+\s+){0,2}$",
    re.I,
)


SPEECH = re.compile(r"\b(?:said|says|wrote|argued|insisted|claimed|warned|stressed|added)\s+"
                     r"(?:\w+\s+){0,5}that\s+(?:[\w'’-]+\s+){0,4}$", re.I)


_OFFSET_BEFORE = re.compile(r"\b(?:a|an|one|two|three|\d+|several|hours?|days?)\s+(?:days?\s+|"
                            r"hours?\s+|weeks?\s+)?(?:after|before)\b", re.I)


_HABITUAL = re.compile(r"\b(?:previously|repeatedly|in\s+the\s+past|has\s+long|have\s+long|"
                       r"often|regularly|routinely|frequently|usually)\b", re.I)


_DATED_NOUN = re.compile(r"(?:\b(?:19|20)\d\d|\b(?:January|February|March|April|May|June|July|"
                         r"August|September|October|November|December)\s+\d{1,2}|"
                         # "after Sunday's earthquake", "yesterday's blast": dated by its day
                         r"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:\s+night)?|"
                         r"[Yy]esterday)['’]s)\s+(?:\w+\s+)?$")


_ARSON_OF_BOOK = re.compile(r"^\s*(?:the|a|an)?\s*(?:copy|book|holy|quran|koran|bible|torah|flag)",
                            re.I)


_ATTACK_CONTEXT = re.compile(
    r"\b(?:bomb(?:s|er|ers|ing)?|suicide|militants?|gunmen|attackers?|insurgents?|detonated|"
    r"set\s+off|claimed\s+responsibility|IED|explosive\s+device|terror\w*|strikes?|missiles?|"
    r"rockets?|shell(?:s|ing)?|grenades?|gunfire|fighting|clashes|war)\b", re.I
)


# An article that names bombers or militants: its explosions were set off by someone.
PERPETRATOR = re.compile(r"\b(?:bomb(?:er|ers|ing)|suicide|militants?|attackers?|detonated|"
                          r"claimed\s+responsibility|IED|terroris[tm]s?|gunmen)\b", re.I)


HAPPENS = re.compile(r"\s*(?:\w+\s+){0,2}(?:took\s+place|were\s+held|was\s+held|broke\s+out|"
                      r"erupted|began)\b", re.I)  # "the first protests took place": news


CLASH = next(t for t in TRIGGERS if t.kind == "clash")


DIPLOMATIC_PROTEST = re.compile(
    r"\b(?:(?:voic\w*|lodg\w*|express\w*|fil(?:ed|es|ing)|register\w*)\s+(?:a\s+|an\s+|its\s+)?"
    r"(?:[“\"'‘]?[\w-]+[”\"'’]?,?\s+){0,2}|(?:official|formal|strong|diplomatic|note\s+of|in)\s+"
    r"(?:a\s+|an\s+|its\s+)?(?:strong\s+|formal\s+|official\s+)?)$",
    re.I)  # "lodged a “solemn” protest", "a formal protest": a complaint, not a demonstration


RIOTERS = re.compile(r"\b(?:rioters|the\s+mob|attackers|assailants|looters)\b", re.I)


DAMAGE = next(t for t in TRIGGERS if t.kind == "damage").pattern

_WARNING_AFTER = re.compile(
    r"\s*(?:warnings?|watch(?:es)?|alerts?|advisor(?:y|ies)|sirens?|"
    # the apparatus named for a disaster: "flood control authorities", "the National
    # Earthquake Information Center", "the wildfire season"
    r"control|defen[cs]es?|protection|prevention|relief|management|monitoring|information|"
    r"research|cent(?:er|re)|agency|commission|office|institute|services?|authorit(?:y|ies)|"
    r"bureau|insurance|season|preparedness|drills?|experts?|scientists?)\b", re.I)
_STRICKEN_AFTER = re.compile(r"-(?:stricken|hit|affected|prone|ravaged|battered|weary)\b",
                             re.I)
_MAYBE_BEFORE = re.compile(
    r"\b(?:like|as\s+if|as\s+though|possibility|possible|risk|threat|danger|chance|"
    r"likelihood|fears?|warn(?:ed|s|ing)?|cautious|aware|prepare[ds]?\s+for)\s+(?:of\s+)?"
    r"(?:an?\s+|the\s+|possible\s+|potential\s+|more\s+)?(?:\w+\s+)?(?:\w+\s+and\s+)?$",
    re.I)  # "The U.N. warned of flash flooding and landslides": not yet


def not_the_disaster(sentence: str, start: int, end: int) -> bool:
    """Words for a disaster that do not report one: "tsunami warnings were issued" (a
    warning), "drought-stricken" (a description), "felt like a hurricane" (a simile), "the
    possibility of a tsunami" (a risk)."""
    return bool(_WARNING_AFTER.match(sentence, end) or _STRICKEN_AFTER.match(sentence, end)
                or _MAYBE_BEFORE.search(sentence[max(0, start - 40) : start])
                or (_GENERIC_AFTER.match(sentence, end) and _BARE_PLURAL.fullmatch(
                    sentence, start, end)))


# "Earthquakes are common in mountainous Nepal", "climate change has intensified
# wildfires": a kind of disaster spoken of in general, not one that happened
_BARE_PLURAL = re.compile(r"[A-Za-z]+s")
_GENERIC_AFTER = re.compile(r"\s+(?:are|were)\s+(?:(?:very|fairly|relatively|not\s+un)\s*)?"
                            r"(?:common|frequent|rare|usual|a\s+(?:regular|common|frequent)\b)",
                            re.I)


ATTACK = next(t for t in TRIGGERS if t.kind == "attack")
# "a large fire near the southern Albanian town of Delvina injured three people": in a story
# of wildfires, a fire is one more
BARE_FIRE = _t("wildfire", "disaster", "wildfire",
               r"\b(?:a|an|another)\s+(?:(?:large|huge|massive|big|major|new|separate|second|"
               r"third|fresh|fast[- ]moving|raging|out[- ]of[- ]control|uncontrolled|deadly|"
               r"fierce|wind-driven)\s+)*(?:fire|blaze)s?\b(?!\s+(?:alarm|brigade|service|"
               r"department|station|truck|engine|fighter|crew|chief|official|safety|hazard|risk|"
               r"danger|season|ban|warning|exit)s?\b)")
_OPENS = re.compile(r"\s*(?:[^,;:]{1,40},\s*)?")  # "Separately, ", "On Friday, ": the subject
_NEEDED = {t.pattern: needed(t.pattern) for t in (*TRIGGERS, BARE_FIRE)}  # words each needs
_EXPULSION = next(t for t in TRIGGERS if t.kind == "expulsion")
_RECALL = replace(_EXPULSION, kind="recall")
_SUMMONS = replace(_EXPULSION, kind="summons")
_ENVOY_ACT = re.compile(r"recall|summon", re.I)


def find_triggers(sentence: str, disaster: str | None = None,
                  violent: bool = False) -> tuple[Hit, ...]:
    """Every trigger in the sentence, left to right, minus references to other events
    ("following reports of ..."), negations ("stopped short of ..."), and damage words
    unless the article reports a disaster (``disaster``: its kind). A disaster in the sentence
    silences the unrest words that describe it; an explosion someone set off is an attack."""
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []
    lower = sentence.lower()
    for trig in (*TRIGGERS, BARE_FIRE) if disaster == "wildfire" else TRIGGERS:
        if trig.kind == "damage" and disaster is None:
            continue
        if not may_match(_NEEDED[trig.pattern], lower, sentence):
            continue  # cheap: the words the pattern needs are not in the sentence
        for m in trig.pattern.finditer(sentence):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            before = sentence[max(0, m.start() - 60) : m.start()]
            if NEGATED.search(before):
                continue
            if re.search(r"\bwhether\b", before):
                continue  # "investigating whether ... a spontaneous demonstration": a question
            if _HABITUAL.search(before[-45:]) and not _DATED_NOUN.search(before[-25:]):
                continue  # "has previously staged Quran burnings": background, not news
            ref_m = _REFERENCE.search(before)
            if ref_m and not _DATED_NOUN.search(before[-25:]) and not _OFFSET_BEFORE.search(
                    before[: ref_m.start() + 8]) and not _TOLD_HERE.match(sentence, m.end()):
                continue  # "following reports of a Quran burning"; but "the 2019 protests" and
                # "a day after Saudi Arabia severed ties" stay
            if trig is BARE_FIRE and not _OPENS.fullmatch(sentence, 0, m.start()):
                continue  # "where a fire is burning near the airport": not the sentence's news
            if trig.kind == "arson" and _ARSON_OF_BOOK.match(sentence[m.end() :]):
                continue  # "setting fire to the book" is a desecration, told by its own trigger
            if trig.category == "disaster" and not_the_disaster(sentence, m.start(), m.end()):
                continue
            if trig.kind == "explosion" and (violent or _ATTACK_CONTEXT.search(sentence)):
                trig = ATTACK
            if trig.kind == "expulsion" and (act := _ENVOY_ACT.match(m.group(0))):
                # a recall and a summons are acts of their own, not the expulsion beside them
                trig = _RECALL if act.group(0).lower().startswith("recall") else _SUMMONS
            hits.append(Hit(trig, m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    if any(h.trigger.family == "unrest" for h in hits):
        hits = [h for h in hits if h.trigger.kind != "fire"]  # fires that rioters set
    if any(h.trigger.category == "disaster" and h.trigger.kind != "damage" for h in hits):
        hits = [h for h in hits if h.trigger.family != "unrest"]
    return tuple(sorted(hits, key=lambda h: h.start))


def status_of(sentence: str, hit: Hit) -> str:
    before = sentence[max(0, hit.start - 70) : hit.start]
    around = sentence[max(0, hit.start - 70) : hit.end + 50]
    planned = _PLANNED.search(before) or re.search(r"\b(?:is|are)\s+(?:scheduled|planned)\b",
                                                   around, re.I)
    if planned and not _HAPPENED.search(sentence[hit.start :]) and not (
            _CARRIED_OUT.search(sentence[max(0, hit.start - 30) : hit.end + 30])):
        return "planned"
    return "occurred"


# "a planned vigil gathered in the Galgorm Road area": the plan carried out
_CARRIED_OUT = re.compile(r"\b(?:a|the)\s+planned\s+(?:\w+\s+){1,2}(?:gathered|marched|began|"
                          r"started|set\s+off|moved|made\s+its\s+way|turned|proceeded|ended)\b",
                          re.I)


def disaster_kind(hits: Sequence[Sequence[Hit]]) -> str | None:
    """The kind of the first disaster an article reports, if any: damage words count then."""
    for sentence_hits in hits:
        for h in sentence_hits:
            if h.trigger.category == "disaster" and h.trigger.kind != "damage":
                return h.trigger.kind
    return None
