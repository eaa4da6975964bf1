"""The parse the extractor reads: spaCy's small English pipeline, sped up without a change.

``geo.extract.nlp`` decides the attribute ruler's one-token rules once per distinct token
and caches every lemma; the annotations must be exactly the stock pipeline's."""

import importlib.util

import pytest

from geo.extract import nlp

# real-news shapes, and every kind of rule the ruler has: tag map, word + tag exceptions,
# two-token rules ("ain't", "gonna", "let's", "y'all", "there were")
TEXTS = [
    "Hundreds of protesters stormed the Swedish embassy in Baghdad early on Thursday.",
    "There were clashes outside the parliament, and police fired tear gas at the crowd.",
    "\"We ain't leaving,\" said one man. \"They're gonna have to drag us out. Let's go!\"",
    "Y'all know the quake struck at 4:10 p.m.; it's the worst since 2011, officials say.",
    "The U.S. State Department ordered non-emergency staff to leave Khartoum  on Saturday.",
    "Rioters   set fire to buses and looted shops on O'Connell Street in Dublin's centre.",
    "Is there a curfew? There is: from 6pm, the army's spokesman told AFP.",
]


def _stock():
    import spacy

    name = next(n for n in nlp.MODEL_NAMES if importlib.util.find_spec(n) is not None)
    return spacy.load(name, exclude=["ner"])


def _annotations(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]


def test_the_fast_pipeline_annotates_exactly_as_the_stock_one():
    stock = _stock()
    fast = list(nlp.parse(TEXTS * 2))  # the second pass is served from the caches
    for text, doc in zip(TEXTS * 2, fast, strict=True):
        assert _annotations(doc) == _annotations(stock(text)), text


def test_the_two_token_rules_still_apply():
    doc = next(nlp.parse(["They ain't gonna stop, so let's see."]))
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["ai"] == "be" and lemmas["gon"] == "go" and lemmas["na"] == "to"
    there = next(nlp.parse(["There were clashes."]))
    assert there[1].pos_ == "VERB"  # "there were": the ruler's expletive rule


def test_an_unknown_ruler_pattern_is_refused_not_misread():
    with pytest.raises(ValueError, match="unsupported"):
        nlp._token_test({"TAG": {"FUZZY": "NN"}})
