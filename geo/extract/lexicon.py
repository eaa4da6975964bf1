"""Triggers as data: a lemma, its part of speech and what its arguments must be.

``data/triggers.csv`` lists one trigger a row ("storm, VERB, riot/storming, ..., obj:site")
and ``data/argument_classes.csv`` the word classes the constraints name (``site``: embassy,
palace, compound ...). Both are plain CSV that a non-programmer can extend. A trigger fires
on a token of that lemma and part of speech whose dependents satisfy every constraint:

  ``obj:C``   its object (or the subject of a passive: "the embassy was stormed") is in C
  ``subj:C``  its subject (or the noun a participle modifies, or a conjoined verb's subject)
  ``into:C``  (any preposition) the object of that preposition is in C; ``C`` may be ``any``
  ``mod:w|w`` an adjective or compound on it is one of the words ("general strike")
  ``prt:w``   its particle ("flew out")

Only sentences that hold a lexicon word form next to one of its argument words (set
lookups) are parsed, at most :data:`PARSE_BUDGET` characters an article: the parse is the
expensive part. In a sentence the patterns fired in, the lexicon adds the hits they did not
cover ("Cyclone Kenneth hit Cabo Delgado after swiping the Comoros": the storm at both), and
gives the patterns' hits their place arguments.
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.extract import nlp
from geo.extract.triggers import NEGATED, Hit, Trigger, not_the_disaster

DATA = Path(__file__).resolve().parent / "data"

_IRREGULAR = {
    "take": "took taken", "get": "got gotten", "break": "broke broken", "shoot": "shot",
    "flee": "fled", "leave": "left", "fly": "flew flown", "strike": "struck stricken",
    "shake": "shook shaken", "tell": "told", "withdraw": "withdrew withdrawn",
    "burn": "burnt", "overrun": "overran", "overthrow": "overthrew overthrown",
    "seize": "seized", "fight": "fought", "beat": "beaten", "hit": "hit", "cut": "cut",
    "retake": "retook retaken",
    "burst": "burst", "find": "found", "tear": "tore torn",
}


@dataclass(frozen=True)
class Entry:
    lemma: str
    pos: str
    trigger: Trigger
    requires: tuple[tuple[str, frozenset[str]], ...]  # (slot, accepted words) pairs


@functools.cache
def argument_classes() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    with open(DATA / "argument_classes.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["class"] in out:  # a second row would silently replace the first
                raise ValueError(f"argument_classes.csv: class {r['class']!r} is defined twice")
            words = set(r["words"].split())
            if "@countries" in words:  # every country's one-word name ("israel", "russia")
                from geo import gazetteer

                words.discard("@countries")
                words |= gazetteer.one_word_country_names()
            out[r["class"]] = frozenset(words)
    return out


def _constraint(spec: str, classes: dict[str, frozenset[str]]) -> tuple[str, frozenset[str]]:
    slot, _, what = spec.partition(":")  # "!obj:C": the object must not be in C
    if slot in ("mod", "prt"):
        return slot, frozenset(what.split("|"))
    if what == "any":
        return slot, frozenset()
    if what not in classes:
        raise ValueError(f"triggers.csv: unknown argument class {what!r} in {spec!r}")
    return slot, classes[what]


@functools.cache
def entries() -> dict[tuple[str, str], tuple[Entry, ...]]:
    """(lemma, POS) -> its entries, in file order (the first whose constraints hold wins)."""
    classes = argument_classes()
    out: dict[tuple[str, str], list[Entry]] = {}
    with open(DATA / "triggers.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            requires = tuple(_constraint(spec, classes) for spec in r["requires"].split())
            trig = Trigger(r["kind"], r["category"], r["family"],
                           re.compile(re.escape(r["lemma"])), needs_date=r["family"] == "election")
            out.setdefault((r["lemma"], r["pos"]), []).append(
                Entry(r["lemma"], r["pos"], trig, requires))
    return {k: tuple(v) for k, v in out.items()}


def _forms(lemma: str) -> set[str]:
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    forms |= set(_IRREGULAR.get(lemma, "").split())
    return forms


@functools.cache
def word_forms() -> dict[str, frozenset[str] | None]:
    """Surface form of a lexicon lemma -> the argument words one of its entries needs
    (None: an entry without constraints on words). The cheap filter before parsing:
    "killed" is worth a parse only next to "gunmen", "soldiers" ...; "coup" always."""
    needs: dict[str, set[str] | None] = {}
    for (lemma, _pos), group in entries().items():
        for e in group:
            wanted = [w for slot, w in e.requires if w and not slot.startswith("!")]
            words = set().union(*wanted) if wanted else None
            for f in _forms(lemma):
                if f in needs and needs[f] is None:
                    continue
                needs[f] = None if words is None else (needs.get(f) or set()) | words
    return {f: (None if w is None else frozenset(w)) for f, w in needs.items()}


_WORD = re.compile(r"[a-z]+")


def worth_parsing(sentence: str) -> bool:
    words = set(_WORD.findall(sentence.lower()))
    forms = word_forms()
    stems = None
    for w in words:
        need = forms.get(w, False)
        if need is False:
            continue
        if need is None:
            return True
        if stems is None:  # plurals: "protesters" for "protester", "troops" for "troop"
            stems = words | {x[:-1] for x in words if x.endswith("s")} | {
                x[:-2] for x in words if x.endswith("es")}
        if not need.isdisjoint(stems):
            return True
    return False


# ---- argument checks on a spaCy token ---------------------------------------------------


def _words(tok) -> set[str]:
    """The head word and its compounds, lower-cased lemmas ("police station" -> both)."""
    out = {tok.lemma_.lower(), tok.lower_}
    out.update(c.lemma_.lower() for c in tok.children if c.dep_ in ("compound", "amod"))
    return out


def _objects(tok) -> list:
    objs = [c for c in tok.children if c.dep_ in ("dobj", "obj", "nsubjpass", "attr")]
    if tok.dep_ == "acl" and tok.tag_ == "VBN":  # "the embassy stormed by ..."
        objs.append(tok.head)
    return objs


def _subjects(tok) -> list:
    subs = [c for c in tok.children if c.dep_ in ("nsubj", "csubj")]
    subs += [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    if not subs and tok.dep_ == "acl":  # "protesters storming the building"
        subs.append(tok.head)
    head = tok
    while not subs and head.dep_ in ("conj", "xcomp", "advcl", "pcomp", "prep") and (
            head.head is not head):
        head = head.head  # "crowds gathered and stormed": the first verb's subject; "hit
        subs = [c for c in head.children if c.dep_ == "nsubj"]  # ... after swiping the Comoros"
        if not subs and tok.dep_ == "xcomp" and head.i == tok.head.i:
            # "Dozens of people were forced to take refuge": the passive's subject does it
            subs = [c for c in head.children if c.dep_ == "nsubjpass"]
    return subs


def _pobjs(tok, prep: str) -> list:
    out = []
    for c in tok.children:
        if (c.dep_ == "prep" or (c.dep_ == "agent" and prep == "by")) and c.lower_ == prep:
            out += [g for g in c.children if g.dep_ == "pobj"]  # "blocked by burning tires"
        if c.dep_ == "prt" and c.lower_ == prep:  # "got in to the compound" parses oddly
            out += [g for g in c.children if g.dep_ == "pobj"]
    return out


def _satisfied(tok, slot: str, words: frozenset[str]) -> bool:
    if slot == "mod":
        return any(c.lemma_.lower() in words for c in tok.children
                   if c.dep_ in ("amod", "compound", "nmod"))
    if slot == "prt":
        return any(c.dep_ == "prt" and c.lower_ in words for c in tok.children)
    args = _objects(tok) if slot == "obj" else _subjects(tok) if slot == "subj" else _pobjs(
        tok, slot)
    if not args:
        return False
    if not words:  # "any"
        return True
    for a in args:
        # "the ambassadors of X and Y"; "summoned Hideo Tarumi, Japan's ambassador": a name
        # is what its apposition says it is
        group = [a, *(c for c in a.children if c.dep_ in ("conj", "appos"))]
        if any(_words(g) & words for g in group):
            return True
        if a.lower_ in _PRONOUNS and any(t.lemma_.lower() in words for t in a.doc[: a.i]):
            return True  # "accused the U.S. envoy of ... and ordered him to leave"
    return False


_PRONOUNS = frozenset(("him", "her", "them", "he", "she", "they", "it"))


# Nouns that make an event noun a reference to one told already: "the coup leaders",
# "instigators of the coup", "on the anniversary of the bombing", "in the wake of the quake"
_REFERRING = frozenset((
    "leader", "instigator", "plotter", "maker", "junta", "regime", "leadership", "supporter",
    "opponent", "anniversary", "aftermath", "wake", "victim", "survivor", "memorial",
    # "evacuation centres to be set up", "evacuation plans had saved lives": things
    "centre", "center", "plan", "route", "drill", "effort", "shelter",
    # "kidnapping charges", "a bombing suspect", "the attack trial": the law's, not the event
    "charge", "suspect", "trial", "case", "conviction", "sentence", "ring", "gang"))


def _a_reference(tok) -> bool:
    if tok.pos_ != "NOUN":
        return False
    if tok.dep_ == "compound" and tok.head.lemma_.lower() in _REFERRING:
        return True
    prep = tok.head if tok.dep_ == "pobj" else None
    return bool(prep is not None and prep.lower_ == "of"
                and prep.head.lemma_.lower() in _REFERRING)


# Where a word stands as a noun does (a subject, an object), the small model's ADJ or VERB
# tag is its slip: "Irma made landfall" tags "landfall" ADJ
_NOUN_ROLES = frozenset(("nsubj", "nsubjpass", "dobj", "pobj", "attr"))


def _pos(tok) -> str:
    if tok.pos_ in ("ADJ", "VERB") and tok.dep_ in _NOUN_ROLES and tok.tag_ not in (
            "VBG", "VBN", "JJR", "JJS"):
        return "NOUN"
    return tok.pos_


def match(tok) -> Trigger | None:
    """The trigger this token is, with its constraints checked, or None."""
    for e in entries().get((tok.lemma_.lower(), _pos(tok)), ()):
        if any(c.dep_ == "neg" for c in tok.children) or _a_reference(tok):
            return None
        if all(_satisfied(tok, slot[1:], words) is False if slot.startswith("!")
               else _satisfied(tok, slot, words) for slot, words in e.requires):
            return e.trigger
    return None


_PLACE_PREPS = {"in", "at", "near", "outside", "inside", "across", "into", "on", "of", "from",
                "through", "around", "throughout", "onto", "toward", "towards", "along"}


def argument_spans(tok) -> tuple[tuple[int, int], ...]:
    """Character spans of the token's object and place attachments (with their subtrees),
    and of a conjoined verb's or a governing noun's: where the parse says it happened."""
    spans = []
    heads = [tok] + ([tok.head] if tok.dep_ in ("conj", "xcomp", "acl") else [])
    for h in heads:
        fire = any(k.dep_ == "dobj" and k.lemma_ == "fire" for k in h.children)
        for c in h.children:
            if c.dep_ in ("dobj", "obj", "nsubjpass", "compound", "npadvmod") or (
                    c.dep_ == "prep" and (c.lower_ in _PLACE_PREPS or (fire and c.lower_ == "to"))):
                # "set fire to the Bhadrakali Temple in Kathmandu": what burned is the place
                sub = list(c.subtree)
                spans.append((sub[0].idx, sub[-1].idx + len(sub[-1].text)))
    return tuple(spans)


_COUNTED = re.compile(r"\b(?:seen|had|has|have|experienced|suffered|witnessed|recorded)\s+"
                      r"(?:at\s+least\s+|more\s+than\s+|about\s+)?(?:\w+\s+){0,2}$", re.I)


def _tallied(tok, sentence: str) -> bool:
    """A plural event noun counted in a country's record ("has experienced four coups"),
    and its conjuncts ("... and numerous attempted coups")."""
    if tok.pos_ != "NOUN" or tok.tag_ != "NNS":
        return False
    if _COUNTED.search(sentence[max(0, tok.idx - 40) : tok.idx]):
        return True
    return tok.dep_ == "conj" and tok.head is not tok and _tallied(tok.head, sentence)


_HOLY_AFTER = re.compile(r"\b(?:copy|copies|quran|koran|qur['’]an|bible|torah|holy\s+book|flag)\b",
                         re.I)


def hits_in(doc, sentence: str) -> tuple[Hit, ...]:
    hits = []
    for tok in doc:
        trig = match(tok)
        if trig is None:
            continue
        if NEGATED.search(sentence[max(0, tok.idx - 60) : tok.idx]):
            continue
        if trig.category == "disaster" and not_the_disaster(sentence, tok.idx,
                                                            tok.idx + len(tok.text)):
            continue
        if _tallied(tok, sentence):
            continue  # "Niger has seen four coups since 1960": a tally, not a happening
        if trig.kind == "arson" and (_HOLY_AFTER.search(sentence, tok.idx, tok.idx + 60) or any(
                _HOLY_AFTER.fullmatch(o.text) for o in _objects(tok))):
            continue  # "set fire to a copy of the Quran", "a Quran was burned": a desecration
        hits.append(Hit(trig, tok.idx, tok.idx + len(tok.text), tok.text,
                         argument_spans(tok)))
    return tuple(hits)


def _pattern_arguments(doc, hits: Sequence[Hit]) -> dict[int, tuple[tuple[int, int], ...]]:
    """For each pattern hit, the place arguments of the parsed token it starts on (or the
    first verb or noun inside it: "broke into" -> "broke")."""
    out = {}
    if not hits:
        return out
    starts = [t.idx for t in doc]
    for h in hits:
        i = bisect.bisect_left(starts, h.start)
        while i < len(starts) and starts[i] < h.end:
            t = doc[i]
            if t.pos_ in ("VERB", "NOUN"):
                out[h.start] = argument_spans(t)
                break
            i += 1
    return out


_FAMILY = {"riot/storming": "unrest", "attack": "unrest", "protest": "unrest",
           "desecration": "unrest", "diplomatic action": "diplomatic", "coup": "coup",
           "evacuation": "evacuation", "sanction": "sanction", "election": "election",
           "disaster": "disaster"}


@functools.cache
def _label_trigger(label: str) -> Trigger:
    return Trigger(label, label, _FAMILY[label], re.compile(re.escape(label)),
                   needs_date=label == "election")


def _main_verb(doc):
    return next((t for t in doc if t.dep_ == "ROOT"), doc[0] if len(doc) else None)


PARSE_BUDGET = 30_000  # characters parsed per article: a long feature, not a crafted 100 KB


def _within_budget(todo: list[int], sentences: Sequence[str]) -> list[int]:
    """The sentences to parse, first ones first, up to :data:`PARSE_BUDGET` characters: the
    parse costs about 10 ms a sentence, the rules stay on for the rest."""
    out, used = [], 0
    for i in todo:
        used += len(sentences[i])
        if used > PARSE_BUDGET:
            break
        out.append(i)
    return out


def more_triggers(sentences: Sequence[str], hits: Sequence[Sequence[Hit]], *,
                  gate: float | None = None, add: float | None = None
                  ) -> tuple[list[tuple[Hit, ...]], list[dict]]:
    """New hits per sentence, and the place arguments of the patterns' hits
    (``rules.extract``'s hook).

    With ``gate``, a lexicon hit is kept only when the sentence classifier gives "none" less
    than that probability; with ``add``, a sentence nothing fired in whose most likely
    label is an event with at least that probability gets a hit at its main verb.
    """
    from geo.extract import classifier

    texts = [i for i, s in enumerate(sentences) if s]
    probs = {i: classifier.probabilities(sentences[i]) for i in texts} if (
        gate is not None or add is not None) else {}
    todo = [i for i in texts if worth_parsing(sentences[i]) or (
        add is not None and max((p for lab, p in probs[i].items() if lab != "none"),
                                default=0.0) >= add)]
    todo = _within_budget(todo, sentences)
    out: list[tuple[Hit, ...]] = [()] * len(sentences)
    where: list[dict] = [{} for _ in sentences]
    for i, doc in zip(todo, nlp.parse([sentences[i] for i in todo]), strict=True):
        found = hits_in(doc, sentences[i])
        where[i] = _pattern_arguments(doc, hits[i])
        if hits[i]:  # the patterns fired too: only what they did not see
            found = tuple(h for h in found if not any(
                h.start < o.end and o.start < h.end for o in hits[i]))
        if gate is not None and found and probs[i].get("none", 0.0) >= gate:
            found = ()
        if not found and add is not None:
            label = max(probs[i], key=probs[i].get)
            verb = _main_verb(doc)
            if label != "none" and probs[i][label] >= add and verb is not None and not (
                    NEGATED.search(sentences[i][max(0, verb.idx - 60) : verb.idx])):
                found = (Hit(_label_trigger(label), verb.idx, verb.idx + len(verb.text),
                              verb.text),)
        out[i] = found
    return out, where
