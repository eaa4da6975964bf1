"""Short titles for events ("Storming of Danish embassy, Baghdad", "Egyptian evacuation from
Sudan") and place labels, from the trigger, the place and the sentence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace

from geo import gazetteer
from geo.extract.triggers import HOLY, Hit, Trigger
from geo.mentions import Found
from geo.models import PlaceMention


def event_title(trig: Trigger, hit: Hit, mention: PlaceMention | None, status: str,
           found: Sequence[Found], sentence: str, actor: str | None = None) -> str:
    where = place_label(mention)
    if actor and trig.kind == "evacuation":
        state = _adjective(actor) or gazetteer.country_name(actor) or actor
        return f"{state} evacuation from {where}" if where else f"{state} evacuation"
    if trig.family == "ties":
        actor = where or "A government"
        others = [f.mention for f in found if f.mention.kind == "country" and f.mention != mention]
        other = f" with {others[0].text}" if others else ""
        verb = "threatens to cut" if status == "planned" else "cuts"
        return f"{actor} {verb} diplomatic ties{other}"
    if trig.kind in ("expulsion", "recall", "summons"):
        envoy = re.search(r"\b([A-Z][a-z]+)\s+(?:ambassador|envoy)", sentence)
        adj = f"{envoy.group(1)} " if envoy and gazetteer.country_code(envoy.group(1)) else ""
        said = re.search(r"\b(ambassador|envoy)s?\b", hit.text, re.I)  # the pattern's own noun
        if trig.kind == "recall":  # "recalled its ambassador"; the lexicon's "withdrew ..."
            noun = said.group(1).lower() if said else "envoy"
            return f"{where or 'Government'} recalls its {noun}"
        if trig.kind == "summons":
            return (f"{where or 'Government'} summons {adj}ambassador" if said
                    else f"{where or 'Government'} summons an envoy")
        return f"{where or 'Government'} expels {adj}ambassador"
    if trig.kind == "licence suspended":
        return f"Licence suspended by {where}" if where else "Licence suspended"
    if trig.kind == "sanctions":
        return f"Sanctions or aid suspension: {where}" if where else "Sanctions imposed"
    if trig.kind == "desecration":
        obj = re.search(HOLY, sentence, re.I)
        thing = obj.group(0).title() if obj else "Quran"
        thing = "Quran" if thing.lower() in ("holy book", "koran") else thing
        label = f"{thing} burning"
    elif trig.kind == "storming":
        attempt = re.search(r"attempt|tried|try", sentence[max(0, hit.start - 30) : hit.end], re.I)
        label = "Attempt to storm" if attempt else "Storming of"
        return f"{label} {where}" if where else label.replace(" of", "")
    else:
        label = {
            "arson": "Arson",
            "attack": "Attack",
            "clash": "Clashes",
            "protest": "Protest",
            "evacuation": "Evacuation",
            "election": "Elections",
        }.get(trig.kind, trig.kind.capitalize())
    if status == "planned":
        label = f"{label} planned"
    if mention and mention.offset_label:
        return f"{label} {where}"  # "Wildfire 50 km N of Barcelona"
    preposition = "at" if mention and mention.kind in ("mission", "landmark") else "in"
    return f"{label} {preposition} {where}" if where else label


_ADJECTIVE_ENDINGS = ("ish", "an", "ese", "i", "ic", "ch", "ian")


@functools.cache
def _adjectives() -> dict[str, str]:
    out: dict[str, str] = {}
    for adj, code in gazetteer.demonyms().items():
        # the first adjective the file lists ("British", not "Scottish"); an adjective, not
        # a noun ("Swedish", not "Swede")
        if code not in out or (adj.endswith(_ADJECTIVE_ENDINGS)
                               and not out[code].endswith(_ADJECTIVE_ENDINGS)):
            out[code] = adj
    return {code: adj.title() if adj.islower() else adj for code, adj in out.items()}


def _adjective(code: str) -> str | None:
    """ISO code -> "Swedish": the first adjective the gazetteer lists for it."""
    return _adjectives().get(code)


def retitle(title: str, old: PlaceMention | None, new: PlaceMention | None) -> str:
    """The title with its place changed: "Earthquake in Barranca" -> "Earthquake 40 km NW
    of Barranca" (a distance takes no preposition)."""
    was, now = place_label(old), place_label(new)
    if not was:
        return title
    if new is not None and new.offset_label:
        title = re.sub(r"\s+(?:in|at)\s+" + re.escape(was) + r"\b", " " + was, title)
    return title.replace(was, now)


def place_label(m: PlaceMention | None) -> str:
    if m is None:
        return ""
    if m.offset_label:
        return m.offset_label + place_label(replace(m, offset_km=None, bearing=None))
    if m.part:
        return m.part_label + place_label(replace(m, part=None))
    if m.kind == "mission":
        adj = _adjective(m.mission_of) if m.mission_of else None
        name = f"{adj or m.mission_of} embassy"
        return f"{name}, {m.city}" if m.city else name
    if m.kind == "landmark":
        name = m.text if m.text[:1].isupper() else m.text.capitalize()
        return f"{name}, {m.city}" if m.city and m.city not in name else name
    return m.text
