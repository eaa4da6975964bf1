"""The parse-based trigger lexicon (geo/extract/data/triggers.csv): rows fire on the real
wordings they were added for, and only with the arguments they require."""

import pytest

from geo.extract import lexicon, nlp


def kinds(sentence):
    doc = next(iter(nlp.parse([sentence])))
    return {(h.trigger.category, h.text) for h in lexicon.hits_in(doc, sentence)}


@pytest.mark.parametrize("sentence, expected", [
    ("In September 2013, al-Shabab fighters entered the Westgate shopping mall in Nairobi.",
     ("attack", "entered")),
    ("On Sunday the first major gathering of protesters took place on the expressway.",
     ("protest", "gathering")),
    ("Militants raided Palma, a town of around 75 000, on Wednesday.", ("attack", "raided")),
    ("An unidentified person threw a Molotov cocktail onto the embassy grounds.",
     ("attack", "threw")),
    ("The group carried out its deadliest ever assault in Kenya.", ("attack", "assault")),
    ("Rioters are setting fires in Kenosha tonight, to trucks and businesses.",
     ("riot/storming", "setting")),
    ("Thousands of villagers were racing for refuge on Sunday.", ("evacuation", "racing")),
    ("Residents sought refuge in schools and mosques.", ("evacuation", "sought")),
    ("At 11.59pm on Monday, the quake rocked the county.", ("disaster", "rocked")),
    ("The cyclone slammed into the coast on Wednesday.", ("disaster", "slammed")),
    ("Floodwaters swept away dozens of houses.", ("disaster", "swept")),
    # the small model tags "landfall" ADJ here: an object is a noun
    ("Irma made landfall in Cuba late Friday.", ("disaster", "landfall")),
    ("Storms also crashed through parts of Iowa and Kentucky.", ("disaster", "crashed")),
    ("Thunderstorms tore the roofs off many buildings.", ("disaster", "tore")),
    ("Hundreds of them found refuge in the city of Tibu.", ("evacuation", "found")),
    ("Israel struck dozens of south Lebanon villages and towns overnight.", ("attack", "struck")),
    ("The residence of the ambassador was attacked by a mob.", ("attack", "attacked")),
    ("The exterior was charred after protesters set it on fire.", ("riot/storming", "set")),
    ("Several government buildings were also set on fire.", ("riot/storming", "set")),
    ("People from 294 villages have been shifted to 115 relief camps.", ("evacuation", "shifted")),
    ("Residents were relocated to evacuation centres.", ("evacuation", "relocated")),
    ("Soldiers opened fire with live rounds near the army headquarters.", ("attack", "opened")),
    ("The troops fought daylong gun battles with the militants.", ("attack", "battles")),
    ("There were confrontations between protesters and police.",
     ("riot/storming", "confrontations")),
    ("Soldiers seized the state broadcaster late on Tuesday.", ("coup", "seized")),
    ("The military has placed President Robert Mugabe under house arrest.", ("coup", "placed")),
    ("The man was reportedly beaten to death in the district.", ("attack", "beaten")),
    ("The EU issued parallel sanctions upon seven officials.", ("sanction", "issued")),
    ("Security forces retook the administration building on the main square.",
     ("attack", "retook")),
    ("A coast guard ship rammed a supply boat off the shoal.", ("attack", "rammed")),
    ("Warplanes struck the city of Nabatiyeh seven times.", ("attack", "struck")),
    ("A projectile from Lebanon struck Misgav Am.", ("attack", "struck")),
    ("An Israeli drone targeted a house in the southern village.", ("attack", "targeted")),
    ("A military jet dropped three bombs on the village.", ("attack", "dropped")),
    ("Militants launched a barrage of rockets towards the town.", ("attack", "launched")),
    ("An Israeli strike in Beirut killed the commander.", ("attack", "strike")),
    ("A nearby river overflowed on Friday.", ("disaster", "overflowed")),
    ("Tens of thousands of protesters massed in the capital.", ("protest", "massed")),
    ("Dozens of motorcyclists mobilized in Petion Ville.", ("protest", "mobilized")),
    ("They tore down the barriers and took over the parliament.", ("riot/storming", "took")),
    ("Police used tear gas to disperse protesters.", ("protest", "disperse")),
    ("Another bomb targeted soldiers on patrol.", ("attack", "targeted")),
    ("Troops blew up the neighbourhood.", ("attack", "blew")),
    ("The assassination of the leader in Tehran shocked the region.", ("attack", "assassination")),
    ("Rebels seized the town after heavy fighting.", ("attack", "seized")),
    ("Gunmen invaded the village on Tuesday and kidnapped three locals.", ("attack", "kidnapped")),
    ("Police confirmed the abduction of 14 road travelers by gunmen.", ("attack", "abduction")),
    ("Armed men in military uniform intercepted a bus at Rijana.", ("attack", "intercepted")),
])
def test_a_row_fires_on_the_wording_it_was_added_for(sentence, expected):
    assert expected in kinds(sentence)


@pytest.mark.parametrize("sentence", [
    "Tourists entered the shopping mall on Saturday.",  # not armed
    "The children threw a ball into the garden and tourists raided the buffet.",
    "The storming was a gathering of minds, he said.",
    "Critics attacked the plan as too costly.",  # no armed men, no crowd
    "The company relocated to a new place in Mumbai.",  # nobody was moved
    "Instigators of the coup met the delegation.",  # the coup told already
    "The coup leaders met the delegation.",
    "Survivors marked the anniversary of the bombing.",
    "The company launched a new phone and dropped its prices.",  # no weapon
    "The players struck the ball hard.",
    "The company took over the building's lease.",  # what it took over is no site
    "The crowd dispersed after the speech.",  # the crowd is the subject, not dispersed
    "She blew out the candles.",
    "The MP called for evacuation centres to be set up.",  # a thing, not an evacuation
    "Officials said evacuation plans had saved thousands of lives.",
    "He faces kidnapping charges in Lagos.",  # the court's, not a kidnapping
    "Customs officers intercepted a shipment of cocaine.",  # no armed men
    "Russia struck a deal with Turkey on grain exports.",  # a state strikes no village here
])
def test_without_its_arguments_a_row_is_silent(sentence):
    assert not kinds(sentence)


@pytest.mark.parametrize("sentence, expected", [
    ("An illegal 23-day occupation of Parliament by protesters ended on Wednesday.",
     ("riot/storming", "occupation")),
    ("The most recent seizure of power by the military took place in Niger.",
     ("coup", "seizure")),
])
def test_nouns_of_an_event_with_their_of_argument(sentence, expected):
    assert expected in kinds(sentence)


def test_a_general_strike_is_a_protest_not_an_air_strike():
    assert kinds("Workers began a general strike in the capital.") == {("protest", "strike")}


def test_tear_gas_fired_at_a_crowd_on_a_day_is_no_shooting():
    assert kinds("Police fired tear gas at crowds in Khartoum on Tuesday.") == set()
    assert ("attack", "fired") in kinds("Soldiers fired at protesters on Tuesday.")


def test_an_argument_class_defined_twice_is_refused(tmp_path, monkeypatch):
    (tmp_path / "argument_classes.csv").write_text(
        "class,words,note\nroad,road street,a\nroad,highway,b\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "DATA", tmp_path)
    lexicon.argument_classes.cache_clear()
    try:
        with pytest.raises(ValueError, match="defined twice"):
            lexicon.argument_classes()
    finally:
        monkeypatch.undo()
        lexicon.argument_classes.cache_clear()


def test_a_row_of_a_kind_the_patterns_know_is_in_their_family():
    """A lexicon hit and a pattern hit of one happening merge only within one family: a
    row whose family differs ("quake" for the patterns' "earthquake") made two events."""
    import csv

    from geo.extract.triggers import TRIGGERS

    family_of = {t.kind: t.family for t in TRIGGERS}
    with open(lexicon.DATA / "triggers.csv", newline="", encoding="utf-8") as f:
        wrong = [(r["lemma"], r["kind"], r["family"]) for r in csv.DictReader(f)
                 if r["kind"] in family_of and r["family"] != family_of[r["kind"]]]
    assert not wrong


def test_the_subject_of_a_passive_does_what_it_is_forced_to_do():
    from geo.extract import lexicon, nlp
    s = "Dozens of people were forced to take refuge on the campus of Tripoli University."
    doc = next(nlp.parse([s]))
    assert [h.trigger.kind for h in lexicon.hits_in(doc, s)] == ["evacuation"]


def test_one_man_fleeing_the_scene_is_no_evacuation():
    from geo.extract import extract
    from geo.models import Article

    def cats(text):
        art = Article(name="t.txt", text=text, date="2019-08-05", date_source="header")
        return sorted(e.category for e in extract(art))

    assert cats("After opening fire, the man fled the scene in Durban on Sunday.") == ["attack"]
    assert "evacuation" in cats("Thousands of residents fled to a stadium in Beira on Sunday.")
