"""Turn an article into Events: one happening, at one place, on one date, with its evidence.

Pipeline per article (all rules; see README "How extraction works"):
  1. split into sentences; drop what is not reporting (tweets, all-caps promos, bylines)
  2. find event triggers ("stormed", "severed ties", "burned a copy of the Quran", ...)
     and drop references to events told elsewhere ("following reports of ...")
  3. date each trigger: its sentence's time expression, else the sentence it continues,
     else the article's focal date (the day most of its time expressions point to)
  4. place it: the most specific mention near the trigger, anaphora ("the embassy") to the
     last mission named, else the article's main city
  5. merge duplicates, ACLED-style: one event per family, date and place.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import replace

from geo import gazetteer
from geo.dates import YEARS_ON, TimeRef, clock_time, find_times
from geo.extract.dating import FLASHBACK, focal_date, mark_reported, refs_for
from geo.extract.placing import (
    ArticleContext,
    acting_states,
    also_places,
    at_capital,
    event_actor,
    is_possessive_country,
    landmark_rank,
    origins,
    pick_place,
    place_candidates,
    place_list,
    place_list_before,
    subject_list,
    tally_places,
    without_qualifiers,
)
from geo.extract.sentences import is_reporting, not_news, sentence_cased, split_sentences
from geo.extract.titles import event_title, retitle
from geo.extract.triggers import (
    ATTACK,
    BARE_FIRE,
    CLASH,
    DAMAGE,
    DIPLOMATIC_PROTEST,
    HAPPENS,
    PERPETRATOR,
    RIOTERS,
    SPEECH,
    Hit,
    disaster_kind,
    find_triggers,
    status_of,
)
from geo.mentions import Found
from geo.merge import mention_key, merge
from geo.models import Article, Event, PlaceMention, Source

KILLED_IN = re.compile(r"\b(?:was|were|been|being)\s+(?:reportedly\s+)?(?:shot\s+dead|killed|"
                       r"shot|gunned\s+down|beaten\s+to\s+death)\s+(?:\w+\s+){0,3}?"
                       r"(?:in|at|near)\s+(?:the\s+)?", re.I)
EPICENTRE = re.compile(r"\b(?:epicent(?:er|re)|(?:was|were)\s+cent(?:er|r)ed)\b", re.I)
# "Floods continue in Mozambique, Malawi and Zambia", "Floods hit Sichuan, Hunan and Guizhou",
# "evacuation orders for Bellingen, Macksville and Coraki"
DISASTER_LIST_LEAD = (r"in|of|for|hit|struck|battered|lashed|pounded|ravaged|swept\s+through|"
                      r"crashed\s+through|tore\s+through|ripped\s+through")
# a disaster's list may be of countries; evacuees "of Germany, Iraq and Syria" are who left
LIST_KINDS = {"disaster": ("city", "region", "country"), "evacuation": ("city", "region")}
_CONTINUATION = re.compile(
    r"^(?:they|he|she|it|the\s+(?:protesters|demonstrators|crowd|crowds|rioters|mob|group))\b",
    re.I,
)


_DISTANCE = re.compile(r"(?P<n>\d[\d,]*)\s*(?:\(\d[\d,]*\s*\w+\)\s*)?(?P<unit>kilomet|km|miles?)",
                       re.I)


def _far_from(between: str) -> bool:
    """"about 250 miles northeast of Kathmandu": too far for the place to say where it was
    (100 km or more); "67 kilometers south of Guayaquil" still does."""
    m = _DISTANCE.search(between)
    if m is None:
        return False
    km = float(m.group("n").replace(",", "")) * (1.609 if m.group("unit").lower().startswith(
        "mile") else 1.0)
    return km >= 100


# a day a paragraph tells dates its undated events for this many sentences after it; a
# one-paragraph article ("On January 2 protests broke out ... There were small rallies in
# several other cities") has moved on by then
DAY_CARRIES = 3


class TooSlow(RuntimeError):
    """An article took longer than its extraction budget (crafted or pathological text)."""


def extract(article: Article, more_triggers=None, deadline: float | None = None) -> list[Event]:
    """Events of one article, merged within it. Pure: depends only on text and date.

    ``more_triggers(sentences, hits)`` may add hits the patterns missed and give the
    patterns' hits the place arguments of their parse: it returns, per sentence, the new
    hits and a map from a pattern hit's start to its argument spans. The parse-based lexicon
    plugs in there (:mod:`geo.extract.lexicon`).
    """
    pairs = split_sentences(article.text)
    furniture = {p for p, s in pairs if not_news(s)}  # never a reporting sentence
    shown = [s if p not in furniture else "" for p, s in pairs]  # a tweet's other lines too
    sentences = [sentence_cased(s, article.text) for s in shown]  # what is read; shown: quoted
    paragraph_of = [p for p, _ in pairs]
    paragraph_day: dict[int, TimeRef] = {}  # "The violence continued on Wednesday. In ..."
    carried_at: dict[int, int] = {}  # the sentence that told the paragraph's day
    pub = dt.date.fromisoformat(article.date) if article.date else None
    ctx = ArticleContext(article, sentences)
    plain_refs = [mark_reported(s, find_times(s, pub)) for s in sentences]
    reporting = [is_reporting(s) for s in sentences]
    violent = bool(PERPETRATOR.search(article.text))
    base_hits = [find_triggers(s, None, violent) if ok else () for s, ok in zip(sentences,
                                                                                reporting,
                                                                                strict=True)]
    extra, where = (more_triggers(sentences, base_hits) if more_triggers is not None
                    else ([()] * len(sentences), [{}] * len(sentences)))
    disaster = disaster_kind([h + x for h, x in zip(base_hits, extra, strict=True)])
    ctx.disaster = disaster
    focal = focal_date(plain_refs, pub, reporting, sentences)
    events: list[Event] = []
    text_dated: set[int] = set()  # events the text itself dates (not by the focal day)
    anchor: dt.date | None = None  # last day set by an absolute or deictic expression
    previous: Event | None = None  # the event the narrative is on
    previous_index = -1  # the sentence that told it
    prev_refs: list[TimeRef] = []
    prev_found: list[Found] = []
    story_year: int | None = None
    for index, sentence in enumerate(sentences):
        if deadline is not None and time.monotonic() > deadline:
            raise TooSlow("extraction took too long (crafted or run-on text?): skipped")
        found = ctx.mentions[index]
        if not reporting[index]:
            previous, prev_refs, prev_found = None, [], []
            continue
        hits = (find_triggers(sentence, disaster, violent)
                if disaster and (DAMAGE.search(sentence) or (
                    disaster == "wildfire" and BARE_FIRE.pattern.search(sentence)))
                else base_hits[index])
        hits = tuple(replace(h, where=where[index][h.start]) if h.start in where[index] else h
                     for h in hits) + extra[index]
        continuation = _CONTINUATION.match(sentence) is not None
        has_anchor = any(r.kind == "anchor" for r in plain_refs[index])
        if has_anchor and anchor is None:
            # "The State Department on Saturday ordered ..., a day after crowds stormed":
            # with no narrative yet, the sentence's own day is the anchor
            own_day = next((r for r in plain_refs[index] if r.value and r.precision == "day"
                            and r.kind != "anchor"), None)
            anchor = dt.date.fromisoformat(own_day.value) if own_day else None
        own_refs = (mark_reported(sentence, find_times(sentence, pub, anchor=anchor,
                                                       year=story_year))
                    if has_anchor or (story_year and YEARS_ON.search(sentence))
                    else plain_refs[index])
        sentence_anchor = anchor  # what this sentence's "a day after" counts from
        if anchor is None and focal and has_anchor:
            # "The demonstration comes a day after thousands marched": with no narrative day
            # yet, the article's focal day is the one the sentence is on
            own_refs = [replace(r, value=(dt.date.fromisoformat(focal) - dt.timedelta(
                days=r.offset)).isoformat()) if r.kind == "anchor" and r.value is None
                and r.text.lower().endswith(("after", "before")) else r for r in own_refs]
        if not hits and continuation:
            refine_continuation(previous, found, ctx, shown[index])
        if not hits and previous is not None and previous_index >= index - 2:
            refine_region(events, previous, place_candidates(found, sentence), ctx,
                          shown[index])
        if (centre := EPICENTRE.search(sentence)) is not None:
            # "its epicenter was at Jajarkot": where the quake told without a place was
            quake = next((e for e in events if e.kind == "earthquake" and not e.background
                          and (e.place_from_context or e.mention is None
                               or e.mention.kind == "country")), None)
            spots = [f.mention for f in place_candidates(found, sentence)
                     if 0 <= f.start - centre.end() <= 80 and f.mention.kind in ("city", "region")
                     and not _far_from(sentence[centre.end() : f.start])]
            if quake is not None and spots:
                relocate(quake, ctx.complete(spots[0]), shown[index])
        if not hits and previous is not None and previous_index >= index - 2:
            # "Of the total, five were killed in Caracas, two in the state of Zulia, ...":
            # the event just told, at each place of a tally
            for m in tally_places(found, sentence) or also_places(found, sentence):
                if mention_key(m) != mention_key(previous.mention):
                    events.append(replace(
                        previous, mention=m, sources=[Source(article.name, shown[index])],
                        title=retitle(previous.title, previous.mention, m),
                        place_from_context=False))
        if not hits and (killed := KILLED_IN.search(sentence)) is not None and (
                told := next((e for e in reversed(events) if e.family == "unrest"), None)
        ) and not tally_places(found, sentence):  # a tally is the event told, at each place
            # "another MDC supporter was killed in Mudzi district": in a story of unrest, a
            # killing at a place of its own is an attack there
            spot = next((ctx.complete(f.mention) for f in place_candidates(found, sentence)
                         if 0 <= f.start - killed.end() <= 30
                         and f.mention.kind in ("city", "region", "landmark")), None)
            day = next((r for r in own_refs if r.value and not r.reported), None)
            if spot is not None and mention_key(spot) != mention_key(told.mention):
                events.append(replace(
                    told, mention=spot, kind="attack", category="attack",
                    sources=[Source(article.name, shown[index])], place_from_context=False,
                    title=event_title(ATTACK, Hit(ATTACK, killed.start(), killed.end(),
                                                  killed.group(0)), spot,
                                      "occurred", found, sentence, None),
                    date=day.value if day else told.date,
                    date_precision=day.precision if day else told.date_precision))
        for hit in hits:
            trig = hit.trigger
            status = status_of(sentence, hit)
            if status == "planned" and plain_refs[index]:
                refs = mark_reported(sentence, find_times(sentence, pub, anchor=anchor,
                                                           future=True))
            else:
                refs = own_refs
            places_here = [f for f in found if not is_possessive_country(sentence, f)]
            if continuation and not refs:
                refs = prev_refs[-1:]  # "He did, however, kick ...": still that day
            if continuation and not places_here and prev_found:
                found = prev_found[-1:]
            definite = (hit.text.lower().startswith("the ") or (re.search(
                r"\bthe\s+(?:\w+\s+)?$", sentence[max(0, hit.start - 20) : hit.start], re.I)
                and not hit.text.lower().endswith("ed"))  # "the bomber attacked": its subject
            ) and not HAPPENS.match(sentence[hit.end :]) and not _ANOTHER.search(
                sentence[max(0, hit.start - 20) : hit.start])
            quoted = sentence[: hit.start].count('"') % 2 == 1 or (
                sentence[: hit.start].count("“") > sentence[: hit.start].count("”"))
            dated = any(r.value and not r.reported for r in refs)
            if SPEECH.search(sentence[max(0, hit.start - 80) : hit.start]) and (
                    trig.family not in ("diplomatic", "ties")):
                continue  # "wrote that peaceful demonstrations were part of democracy"; but
                # "Chavez said Thursday that he was expelling the U.S. ambassador" is the act
            named = next((f for f in found if f.end <= hit.start
                          and re.fullmatch(r"\s*", sentence[f.end : hit.start])
                          and re.search(r"\bthe\s+$", sentence[max(0, f.start - 5) : f.start],
                                        re.I)), None)  # "The Bulathkohupitiya landslide"
            told = next((e for e in reversed(events) if e.family == trig.family and (
                named is None or mention_key(e.mention) == mention_key(ctx.complete(
                    named.mention)))), None) if (definite or (quoted and not dated)) else None
            if told is not None:
                previous, previous_index = told, index  # the narrative is back on it
                vague = told.mention is None or told.mention.kind == "country"
                broad = told.mention is not None and told.mention.kind == "region"
                if told.place_from_context or vague or broad:  # "... in a northwestern Pakistani
                    # city. ... injured in the attack in Charsadda", "quake rocks Haiti ...
                    # The quake struck near Petit Trou de Nippes": the telling that says where
                    mention, from_context = pick_place(hit, found, sentence, trig, ctx)
                    if mention is not None and not from_context and mention.kind != "country" and (
                            not (vague or broad) or told.mention is None
                            or mention.country_code == told.mention.country_code) and (
                            not broad or mention.kind in ("city", "landmark")):
                        # "a landslide in Sichuan ... the landslide struck the village of
                        # Jinping in Junlian County": the telling that says where in it; the
                        # same sentence's other words for it too ("bomber blasted")
                        same = [e for e in events if e.family == told.family
                                and e.sources[0] == told.sources[0]
                                and mention_key(e.mention) == mention_key(told.mention)]
                        for e in same:
                            relocate(e, mention, shown[index])
                continue  # "The attack came hours after ...": the one already told
            subject = sentence[max(0, hit.start - 60) : hit.start]
            if trig.kind == "protest" and (DIPLOMATIC_PROTEST.search(subject) or _PROTEST_TO.match(
                    sentence, hit.end)):
                continue  # "voiced a strong protest", "protests to Ukraine authorities": words
            if trig.kind == "protest" and RIOTERS.search(subject):
                trig = CLASH  # "The rioters ... marched down the Esplanade": part of the riot
            if trig.kind == "explosion" and disaster and disaster != "explosion":
                trig = replace(trig, family=disaster)  # "We heard an explosion": the flood's
            if trig.kind == "damage":
                # "buildings collapsed in Aleppo": the article's disaster, once per place named
                trig = replace(trig, kind=disaster, family=disaster)
                spots = without_qualifiers(place_candidates(found, sentence), sentence)
                places = [f.mention for f in spots if f.mention.kind in ("city", "landmark")]
                regions = [f for f in spots if f.mention.kind == "region"]
                if regions and all(m.offset_km is not None for m in places):
                    places = []  # "towns in the regions of Umbria, Lazio and Marche some 80 to
                    # 100 miles northeast of Rome": the regions named, not a point off Rome
                if not places and regions:  # "in Butte County, California": the county
                    finest = max(f.specificity for f in regions)
                    places = [f.mention for f in regions if f.specificity == finest]
                targets = [(ctx.complete(m), False) for m in dict.fromkeys(places)]
            elif trig.family in ("ties", "diplomatic") and len(subjects := subject_list(
                    acting_states(found, hit, sentence), hit, sentence)) > 1:
                targets = [(f.mention, False) for f in subjects]  # "Bahrain and Sudan cut ties"
            elif trig.kind == "evacuation" and len(spots := origins(found, hit, sentence)) > 1:
                targets = [(ctx.complete(f.mention), False) for f in spots]  # "leave X and Y"
            elif trig.family == "unrest" and len(spots := place_list(found, hit, sentence)) > 1:
                targets = [(ctx.complete(f.mention), False) for f in spots]  # "in X, Y and Z"
            elif trig.category in ("evacuation", "disaster") and len(spots := place_list(
                    without_qualifiers(place_candidates(found, sentence, hit), sentence), hit,
                    sentence, DISASTER_LIST_LEAD, LIST_KINDS[trig.category])) > 1:
                targets = [(f.mention, False) for f in spots]  # "orders for X, Y and Z"
            elif trig.category == "disaster" and len(spots := subject_list(
                    [f for f in without_qualifiers(found, sentence) if f.mention.kind == "city"],
                    hit, sentence)) > 1:
                targets = [(f.mention, False) for f in spots]  # "X, Y and Z were hit by floods"
            elif trig.family not in ("ties", "diplomatic", "sanction", "election") and (
                    spots := place_list_before(found, hit, sentence)):
                # "Protesters in X and Y also took to the streets", "Floods in X and Y"
                targets = [(ctx.complete(f.mention), False) for f in spots]
            else:
                targets = [pick_place(hit, found, sentence, trig, ctx)]
            for (mention, from_context), ref in itertools.product(
                    targets, refs_for(refs, hit, sentence, status == "planned")):
                if trig.needs_date and (ref is None or ref.kind == "anchor" or min(
                        abs(ref.start - hit.end), abs(hit.start - ref.end)) > 60):
                    continue
                if ref is not None and ref.kind == "anchor" and ref.text.lower().endswith(
                        ("after", "before")) and hit.start >= ref.end and sentence_anchor:
                    # "The moves came a day after Saudi Arabia severed ties": Y is a day before
                    ref = replace(ref, value=(sentence_anchor - dt.timedelta(days=ref.offset))
                                  .isoformat())
                elif ref is not None and ref.kind == "anchor" and sentence_anchor is None and (
                        focal and hit.end <= ref.start and ref.text.lower().endswith(
                            ("after", "before"))):
                    ref = replace(ref, value=focal)  # "Police fired a day after ...": that day
                if ref is not None:
                    date, precision, tod = ref.value, ref.precision, ref.time_of_day
                    if precision == "day" and (ref.kind != "anchor" or not FLASHBACK.search(
                            sentence)):
                        anchor = dt.date.fromisoformat(date)  # the narrative moves to that day
                elif trig.category == "disaster" and (main := next(
                        (e for e in events if e.family == trig.family and id(e) in text_dated),
                        None) or next((e for e in events if e.family == trig.family), None)
                ) is not None:
                    # its damage: on the day the text says it struck, not the headline's
                    date, precision, tod = main.date, main.date_precision, None
                elif (carried := paragraph_day.get(paragraph_of[index])) is not None and (
                        index - carried_at.get(paragraph_of[index], index) <= DAY_CARRIES):
                    date, precision, tod = carried.value, carried.precision, None
                else:
                    same_place = next((e for e in reversed(events)
                                       if mention_key(e.mention) == mention_key(mention)
                                       and e.family == trig.family), None)
                    if same_place is not None:  # "Protesters had occupied the diplomatic post"
                        date, precision = same_place.date, same_place.date_precision
                    else:
                        date, precision = focal, ("day" if focal else None)
                    tod = None
                background = bool(pub and date and precision in ("year", "month")
                                  and date < pub.isoformat()[:len(date)])
                if from_context and ref is None and trig.family == "unrest" and not re.search(
                    r"\b\d|hundreds|thousands|dozens|crowds?", sentence, re.I
                ):
                    continue  # "Sounds of gunfire can be heard": no place, date or size
                actor = event_actor(trig, hit, found, sentence, mention, ctx)
                events.append(Event(
                    id="",
                    date=date,
                    date_precision=precision,
                    status=status,
                    category=trig.category,
                    title=event_title(trig, hit, mention, status, found, sentence, actor),
                    mention=mention,
                    sources=[Source(article.name, shown[index])],
                    time_of_day=tod or clock_time(sentence),
                    date_inferred=article.date_source == "inferred",
                    kind=trig.kind,
                    family=trig.family,
                    place_from_context=from_context,
                    background=background,
                    actor=actor,
                ))
                previous, previous_index = events[-1], index
                if ref is not None:
                    text_dated.add(id(events[-1]))
                if trig.category in ("disaster", "evacuation") and not from_context and (
                        mention is not None and mention.kind != "country"):
                    ctx.disaster_place = mention
        for f in found:
            if f.mention.kind == "mission":
                ctx.last_mission = ctx.complete(f.mention)
        days = [r for r in own_refs if r.value and r.precision == "day" and not r.reported]
        if days:
            paragraph_day[paragraph_of[index]] = days[-1]
            carried_at[paragraph_of[index]] = index
        spots = [f.mention for f in place_candidates(found, sentence)
                 if f.mention.kind in ("city", "landmark", "mission")]
        if spots:
            ctx.paragraph_place = ctx.complete(spots[-1])
        if index + 1 < len(paragraph_of) and paragraph_of[index + 1] != paragraph_of[index]:
            ctx.paragraph_place = None
        prev_refs = own_refs or prev_refs if continuation else own_refs
        dated = [r for r in own_refs if r.value and not r.reported]
        if dated:  # the year the narrative is in, for "two years later"
            story_year = int(dated[-1].value[:4])
        prev_found = [f for f in found if not is_possessive_country(sentence, f)]
    if len(pairs) > 1 and pairs[0][0] != pairs[1][0] and shown[0]:  # a one-line paragraph
        events = summaries_dropped(events, shown[0], article.name)
    return [e for e in merge([at_capital(e) for e in one_disaster_per_telling(events, disaster)])
            if not only_the_storys_region(e)]


def only_the_storys_region(e: Event) -> bool:
    """ "Two people were rescued and about 360 others were evacuated", told without a place
    in a story whose context is a province: after the merge has joined it to that day's
    telling there, what is left is a province-wide guess (2 of 24 such events in the dev
    corpus were right), not a point to show."""
    return (e.place_from_context and e.category in ("disaster", "evacuation")
            and e.mention is not None and e.mention.kind == "region")


def one_disaster_per_telling(events: list[Event], main: str | None) -> list[Event]:
    """ "Storm Xynthia battered western France, flooding homes in ...": the storm and its
    floods, told in one sentence at one place and day, are one disaster (the article's own
    kind first), not a pin for each word."""
    chosen: dict[tuple, Event] = {}
    for e in events:
        if e.category != "disaster":
            continue
        key = (e.sources[0].sentence, mention_key(e.mention), e.date)
        if key not in chosen or (e.kind == main and chosen[key].kind != main):
            chosen[key] = e
    return [e for e in events if e.category != "disaster" or chosen[(
        e.sources[0].sentence, mention_key(e.mention), e.date)] is e]


# "the similar bombing that killed scores in Kunduz", "the previous attack": another event
_ANOTHER = re.compile(r"\bthe\s+(?:similar|previous|earlier|separate|other|"
                      r"last)\s+$", re.I)


_ENDS_SENTENCE = re.compile(r"[.!?][\"”’']?\s*$")


def summaries_dropped(events: list[Event], headline: str, article: str) -> list[Event]:
    """ "Texas floods: More rain on the way", "Thousands flee as typhoon hits eastern
    Philippines": a headline names the story's event at a coarser place (a country or a
    region), at the same place or at none, and often on the day it was published; when the
    story tells that event there, the headline's is the same one, not another."""
    if _ENDS_SENTENCE.search(headline):
        return events  # a first paragraph that is a sentence: the lede, not a headline

    def told_there(e: Event, other: Event) -> bool:
        m, o = e.mention, other.mention
        if other.family != e.family or o is None or other.sources[0].sentence == headline:
            return False
        if m is None or (mention_key(m) == mention_key(o) and other.date != e.date):
            return True  # it names none, or the story's place on another day (a same-day
            # telling there merges with it, the headline's words first)
        return (m.kind in ("country", "region") and o.kind != "country"
                and o.country_code == m.country_code and (m.kind == "country"
                                                         or o.kind != "region"))

    return [e for e in events if not (
        e.sources[0].sentence == headline and e.sources[0].article == article
        and any(told_there(e, other) for other in events if other is not e))]


# "Russia ... protests to Ukraine authorities": a state's complaint, not a demonstration
_PROTEST_TO = re.compile(r"\s+(?:to|with)\s+(?:the\s+)?(?:[A-Z]\w+\s+){0,2}(?:authorities|"
                         r"government|ministry|embassy|ambassador|side)\b")


def relocate(event: Event, mention: PlaceMention, sentence: str) -> None:
    """Put an event at the place a later sentence gives it (its title follows); that
    sentence joins its evidence, so the reader sees why."""
    old = event.mention
    if old is not None:
        event.title = retitle(event.title, old, mention)
    event.mention = mention
    event.place_from_context = False
    first = event.sources[0]
    if sentence not in first.sentence:
        event.sources[0] = Source(first.article, f"{first.sentence} {sentence}")


def refine_region(events: Sequence[Event], previous: Event, found: Sequence[Found],
                  ctx: ArticleContext, sentence: str) -> None:
    """ "Six people were shot to death outside a bar in the state of Michoacan. ... three men
    died at the scene in the state capital of Morelia": the next sentence, telling no event
    of its own, names the one town of that region where it happened; the event is there."""
    prev = previous.mention
    if prev is None or prev.kind != "region" or previous.place_from_context or prev.part or (
            prev.offset_km is not None):
        return
    region = gazetteer.find_region(prev.text, prev.country_code)
    if region is None or region.lat is None:
        return
    # in a province by its first-level code (a county's would be its state's), or near
    first_level = not (region.id or "").startswith("district:")
    inside = []
    for f in found:
        m = ctx.complete(f.mention)
        if m.kind not in ("city", "landmark") or m.country_code != region.country_code or (
                not m.city):
            continue
        town = (gazetteer.find_town(m.city, [m.country_code], entry_id=m.entry_id)
                if m.entry_id else gazetteer.find_city(m.city, m.country_code))
        if town is None or town.lat is None:
            continue
        same = gazetteer.town_in_region(town.name, region) if first_level else None
        if (same is not None and gazetteer.haversine_km(same.lat, same.lon, town.lat,
                                                        town.lon) < 10) or (
                gazetteer.haversine_km(town.lat, town.lon, region.lat, region.lon)
                <= (region.tolerance_km or 0)):
            inside.append(m)
    if len({mention_key(m) for m in inside}) != 1:
        return
    for e in events:
        if e.sources[0] == previous.sources[0] and mention_key(e.mention) == mention_key(prev):
            relocate(e, inside[0], sentence)


def refine_continuation(previous: Event | None, found: Sequence[Found], ctx: ArticleContext,
                        sentence: str) -> None:
    """"They were pushed back at the Jumhuriya bridge": a pronoun sentence right after an
    event, naming a smaller landmark in the same city, pins the event there."""
    prev = previous.mention if previous is not None else None
    if prev is None or prev.kind not in ("landmark", "city"):
        return
    for f in found:
        m = ctx.complete(f.mention)
        if m.kind == "landmark" and m.city and m.city == prev.city and (
                landmark_rank(Found(0, 0, m)) > landmark_rank(Found(0, 0, prev))):
            relocate(previous, m, sentence)
            break
