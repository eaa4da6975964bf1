"""Synthetic news at scale, for the benchmarks (run by hand, deterministic, seeded).

    .venv/bin/python bench/corpus.py articles 1000 /tmp/corpus-1k     # N .txt articles
    .venv/bin/python bench/corpus.py events 100000 /tmp/events-100k.jsonl

Articles look like wire copy: a ` date YYYY-MM-DD` line on most files (about 1 in 20 has
none), a lead that says what happened where and when ("Hundreds of protesters stormed the
French embassy in Niamey on Sunday, officials said on Monday."), follow-up sentences with
more events in other places, quotes, background and boilerplate, 250-600 words. Places are
drawn from the curated landmarks (embassies, squares, bridges) and from the world gazetteer
(GeoNames cities, weighted towards big cities as news is), dates over one year.

Event sets skip extraction: they are ``Event`` objects (JSONL, the CLI's format) spread over
one year and a few thousand places, with the clumping real news has (busy capitals, busy
days), so a step shows what a year of news would show.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import gazetteer  # noqa: E402
from geo.models import CATEGORIES, Event, Place, PlaceMention, Source  # noqa: E402

YEAR_START = dt.date(2024, 1, 1)
DAYS = 366
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# ---- places ----------------------------------------------------------------------------


def _cities(n: int = 3000) -> list[tuple[str, float, float, str, int]]:
    """The n most populous world cities: (name, lat, lon, ISO2, population)."""
    world = gazetteer._world()
    out = []
    for _gid, name, lat, lon, cc, pop, _alts in world.cities:
        if not cc or not name.isascii() or len(name) < 4:
            continue
        if gazetteer.normalize(name) in gazetteer.city_stoplist():
            continue
        out.append((name, lat, lon, cc, pop))
        if len(out) >= n:
            break
    return out


def _missions() -> list[tuple[str, str, str]]:
    """(sending-state demonym, city, host ISO2) for the curated embassies."""
    demonym_of = {}
    for row in gazetteer._read_csv("demonyms.csv"):
        demonym_of.setdefault(row["iso2"].strip().upper(), row["demonym"].strip())
    out = []
    for e in gazetteer.landmarks():
        if e.landmark_type == "embassy" and e.mission_of in demonym_of and e.city:
            out.append((demonym_of[e.mission_of], e.city, e.country_code or ""))
    return out


def _landmark_names() -> list[tuple[str, str]]:
    """(short name, city) of squares, bridges and zones."""
    out = []
    for e in gazetteer.landmarks():
        if e.kind == "landmark" and e.landmark_type not in ("embassy", "consulate") and e.city:
            out.append((e.aliases[0] if e.aliases else e.name.split(",")[0], e.city))
    return out


# ---- sentence shapes --------------------------------------------------------------------

CROWD = ["Hundreds of protesters", "Thousands of demonstrators", "A crowd of about 200 people",
         "Dozens of students", "Angry crowds", "Several hundred supporters of the opposition"]
SAID = ["officials said on {rday}", "police said", "according to local media reports",
        "witnesses told Reuters", "the interior ministry said in a statement",
        "state television reported"]

LEADS = [
    ("riot/storming", "{crowd} stormed the {demonym} embassy in {city} on {wday}, {said}."),
    ("riot/storming", "{crowd} tried to storm the parliament building in {city} on {wday}, "
                      "{said}."),
    ("protest", "{crowd} rallied in central {city} on {wday} to protest against rising prices, "
                "{said}."),
    ("protest", "{crowd} marched through {city} on {wday}, demanding the release of detained "
                "journalists."),
    ("attack", "A car bomb exploded near a market in {city} on {wday}, killing at least "
               "{n} people, {said}."),
    ("attack", "Gunmen opened fire on a checkpoint outside {city} early on {wday}, killing "
               "{n} soldiers, {said}."),
    ("disaster", "A magnitude 6.{n} earthquake struck near {city} on {wday}, damaging "
                 "hundreds of homes, {said}."),
    ("disaster", "Floods swept through {city} on {wday} after days of heavy rain, "
                 "forcing thousands from their homes."),
    ("diplomatic action", "{country} recalled its ambassador from {city2} on {wday} after "
                          "a row over remarks by the foreign minister."),
    ("diplomatic action", "{country} expelled the {demonym} ambassador on {wday}, "
                          "the foreign ministry in {city} said."),
    ("evacuation", "Foreign governments began evacuating their citizens from {city} on "
                   "{wday} as fighting spread, {said}."),
    ("election", "Voters in {city} went to the polls on {wday} in a closely watched "
                 "parliamentary election."),
    ("sanction", "{country} imposed sanctions on {n}0 officials on {wday} over the "
                 "crackdown in {city2}."),
    ("desecration", "A man burned a copy of the Quran outside a mosque in {city} on {wday}, "
                    "{said}."),
]
FOLLOW = [
    "Protesters also gathered outside the {demonym} embassy in {city2} on {wday2}.",
    "Police fired tear gas to disperse demonstrators in {city2}, {said}.",
    "A day earlier, clashes broke out near {landmark} in {lcity}.",
    "Similar protests were held in {city2} and {city3} on {wday2}.",
    "Security forces blocked roads leading to {landmark}, {said}.",
    "In {city2}, a bomb exploded near a police station on {wday2}, wounding {n} people.",
    "The government of {country} condemned the violence and called for calm.",
]
FILLER = [
    "The situation remained [tense|calm but tense|volatile] [late on {rday}|overnight|on {rday} "
    "evening], with [security forces|riot police|troops|army units] deployed [across the city|"
    "around government buildings|in {city2}] and [shops|schools|banks] closed in [several|"
    "{n}|most] districts.",
    "\"[We will not accept this|We are not afraid|They have taken everything from us|Nobody "
    "listens to us],\" [one protester|a {n}0-year-old teacher|a student|a shopkeeper in {city}] "
    "told [reporters|Reuters|AFP|local television], asking not to be named.",
    "[Analysts|Diplomats|Observers in {city2}|Economists] said the [unrest|anger|crisis] "
    "[reflects|follows|grew out of] [years|months|decades] of [frustration|anger] over "
    "[corruption|unemployment|inflation|power cuts] and [poor public services|rising rents|"
    "the cost of food].",
    "The [United Nations|European Union|African Union|Arab League] [urged|called on] [all "
    "sides|the authorities|security forces] to [exercise restraint|respect the right to "
    "peaceful assembly|avoid bloodshed|open a dialogue].",
    "It was not immediately clear how many people had been [detained|arrested|hurt|killed] "
    "[in {city}|on {rday}|in the clashes|since {wday}].",
    "The [ministry|prosecutor's office|governor of the province|army] said [an investigation "
    "had been opened|{n} suspects had been arrested|it would publish its findings] and that "
    "[those responsible|the organisers|the attackers] would be [held to account|punished|"
    "brought to justice].",
    "[Opposition leaders|Union leaders|Student groups|Organisers] have called for [further|"
    "new|nationwide] [demonstrations|strikes|sit-ins] [in the coming days|on {rday}|next week|"
    "in {city2}].",
    "Prices of [bread|fuel|rice|cooking oil] have [risen|climbed|jumped] [sharply|by {n}0 "
    "percent] since [the start of the year|January|the summer], and the [currency|pound|"
    "dinar|peso] has lost [more than a third|half|a fifth] of its value.",
    "[Hospitals|Medics|Doctors] in [{city}|the capital|{city2}] said they had [received|"
    "treated] [dozens of|{n}0|more than {n}0] [wounded|injured people|patients], [several|"
    "{n}|some] of them in a [serious|critical] condition.",
    "Rights groups have documented [hundreds of|more than {n}00|at least {n}0] [arrests|"
    "detentions|disappearances] since the [protests|crackdown|campaign] began [last year|in "
    "the spring|in {city2}].",
    "The [government|cabinet|presidency] said it would [review the measures|hold talks|"
    "respond] but gave [no timetable|no details|no date].",
]
BOILER = ["Reporting by staff; editing by the news desk.", "CLICK HERE TO GET THE APP",
          "Follow our live coverage for the latest updates."]


_CHOICE = re.compile(r"\[([^\[\]]*)\]")


def _fill(tpl: str, rnd: random.Random, ctx: dict) -> str:
    tpl = _CHOICE.sub(lambda m: rnd.choice(m.group(1).split("|")), tpl)
    return tpl.format(**ctx, crowd=rnd.choice(CROWD), said=rnd.choice(SAID).format(**ctx),
                      n=rnd.randint(2, 9))


def make_articles(n: int, out_dir: Path, seed: int = 7) -> list[Path]:
    """Write n articles as .txt files into out_dir; returns their paths."""
    rnd = random.Random(seed)
    cities = _cities()
    weights = [1.0 / (i + 10) for i in range(len(cities))]  # Zipf-ish: capitals are busy
    missions = _missions()
    landmarks = _landmark_names()
    cname = gazetteer.country_name
    demonyms = [r["demonym"].strip() for r in gazetteer._read_csv("demonyms.csv")]
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pub = YEAR_START + dt.timedelta(days=rnd.randrange(DAYS))
        ev_day = pub - dt.timedelta(days=rnd.choice([0, 1, 1, 1, 2]))
        c1, c2, c3 = rnd.choices(cities, weights=weights, k=3)
        lm, lcity = rnd.choice(landmarks)
        mission = rnd.choice(missions) if missions else None
        ctx = {
            "city": c1[0], "city2": c2[0], "city3": c3[0],
            "country": cname(c1[3]) or "The government",
            "demonym": rnd.choice(demonyms),
            "wday": WEEKDAYS[ev_day.weekday()], "rday": WEEKDAYS[pub.weekday()],
            "wday2": WEEKDAYS[(ev_day - dt.timedelta(days=1)).weekday()],
            "landmark": lm, "lcity": lcity,
        }
        _cat, lead_tpl = rnd.choice(LEADS)
        if mission and "embassy" in lead_tpl and rnd.random() < 0.5:
            ctx = {**ctx, "demonym": mission[0], "city": mission[1]}
        paras = [_fill(lead_tpl, rnd, ctx)]
        for _ in range(rnd.randint(4, 9)):
            sents = [_fill(rnd.choice(FILLER), rnd, ctx) for _ in range(rnd.randint(1, 3))]
            if rnd.random() < 0.45:
                sents.insert(rnd.randrange(len(sents) + 1), _fill(rnd.choice(FOLLOW), rnd, ctx))
            paras.append(" ".join(sents))
        if rnd.random() < 0.3:
            paras.append(rnd.choice(BOILER))
        body = "\n\n".join(paras)
        slug = f"{c1[0].lower().replace(' ', '-')}-{i:06d}"
        if rnd.random() < 0.05:  # about 1 in 20 files has no date line
            text, name = body, f"undated_{slug}.txt"
        else:
            text, name = f" date {pub.isoformat()} {body}", f"{pub.isoformat()}_{slug}.txt"
        p = out_dir / name
        p.write_text(text + "\n", encoding="utf-8")
        paths.append(p)
    return paths


# ---- event sets -----------------------------------------------------------------------

TITLES = {
    "riot/storming": "Protesters storm {what} in {city}",
    "attack": "Bomb attack in {city}",
    "coup": "Soldiers seize power in {city}",
    "protest": "Protest in {city}",
    "desecration": "Quran burned in {city}",
    "diplomatic action": "{country} recalls its ambassador",
    "evacuation": "Foreigners evacuated from {city}",
    "sanction": "{country} imposes sanctions",
    "election": "Elections in {country}",
    "disaster": "Floods in {city}",
    "statement": "{country} condemns the violence",
}
# in CATEGORIES' order; protests dominate, as in ACLED
CAT_WEIGHTS = dict(zip(CATEGORIES, [6, 5, 1, 14, 1, 4, 1, 1, 1, 3, 4], strict=True))


def make_events(n: int, seed: int = 11) -> list[Event]:
    """n located events over one year, clumped in busy places and on busy days."""
    rnd = random.Random(seed)
    cities = _cities(4000)
    weights = [1.0 / (i + 5) for i in range(len(cities))]
    day_w = [1.0 + 3.0 * (rnd.random() < 0.1) for _ in range(DAYS)]  # some busy news days
    cname = gazetteer.country_name
    lms = [e for e in gazetteer.landmarks() if e.kind == "landmark"]
    out = []
    for i in range(n):
        day = YEAR_START + dt.timedelta(days=rnd.choices(range(DAYS), weights=day_w)[0])
        cat = rnd.choices(list(CAT_WEIGHTS), weights=list(CAT_WEIGHTS.values()))[0]
        if rnd.random() < 0.03 and lms:
            lm = rnd.choice(lms)
            place = Place(name=lm.name.split(",")[0], lat=lm.lat, lon=lm.lon,
                          precision="landmark", source="gazetteer", city=lm.city,
                          country=cname(lm.country_code or ""), country_code=lm.country_code)
            city = lm.city or place.name
        else:
            name, lat, lon, cc, _pop = rnd.choices(cities, weights=weights)[0]
            place = Place(name=name, lat=lat, lon=lon, precision="city", source="geonames",
                          city=None, country=cname(cc), country_code=cc)
            city = name
        country = place.country or "The government"
        title = TITLES[cat].format(city=city, country=country, what="the embassy")
        art = f"{day.isoformat()}_{city.lower().replace(' ', '-')}-{i // 4:06d}.txt"
        sentence = (f"{rnd.choice(CROWD)} gathered in {city} on {WEEKDAYS[day.weekday()]}, "
                    f"{rnd.choice(SAID).format(rday=WEEKDAYS[(day.weekday() + 1) % 7])}.")
        out.append(Event(
            id=f"s{i:07d}", date=day.isoformat(), date_precision="day", status="occurred",
            category=cat, title=title, mention=PlaceMention(city), place=place,
            sources=[Source(art, sentence)],
            time_of_day=rnd.choice([None, None, None, "early morning", "night"]),
            kind=cat, family=cat,
        ))
    return out


def write_events(events: list[Event], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["articles", "events"])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    if a.what == "articles":
        paths = make_articles(a.n, a.out, **({"seed": a.seed} if a.seed is not None else {}))
        print(f"{len(paths)} articles in {a.out}")
    else:
        evs = make_events(a.n, **({"seed": a.seed} if a.seed is not None else {}))
        write_events(evs, a.out)
        print(f"{len(evs)} events in {a.out}")


if __name__ == "__main__":
    main()
