"""Extraction on made-up articles of the shapes real news uses (not the seeds)."""

from geo.extract import extract
from geo.extract.sentences import is_reporting, split_sentences
from geo.merge import merge
from geo.models import Article


def events_of(text, date="2023-02-06", name="t.txt"):
    return extract(Article(name=name, text=text, date=date, date_source="header"))


def brief(events):
    return [(e.date, e.category, e.status, e.mention.kind if e.mention else None,
             (e.mention.city or e.mention.text) if e.mention else None) for e in events]


def test_earthquake_in_a_world_city():
    evs = events_of("A magnitude 7.8 earthquake struck southern Turkey early on Monday, "
                    "flattening buildings in Antakya and killing thousands.")
    assert brief(evs) == [("2023-02-06", "disaster", "occurred", "city", "Antakya")]
    assert evs[0].time_of_day == "early morning"


def test_storming_of_a_named_mission_with_city():
    evs = events_of("Hundreds of protesters stormed the French embassy in Niamey on Sunday, "
                    "setting fire to a door.", date="2023-07-31")
    assert len(evs) == 1
    e = evs[0]
    assert (e.date, e.category) == ("2023-07-30", "riot/storming")
    assert e.mention.kind == "mission" and e.mention.mission_of == "FR"
    assert e.mention.city == "Niamey" and e.mention.country_code == "NE"


def test_mission_in_a_country_is_in_its_capital():
    evs = events_of("Activists burned a Quran outside the Turkish embassy in Sweden on Saturday.",
                    date="2023-01-21")
    assert brief(evs) == [("2023-01-21", "desecration", "occurred", "mission", "Stockholm")]


def test_capital_phrase_and_missing_city_from_context():
    text = ("Police fired tear gas at crowds in Khartoum on Tuesday. "
            "Later, staff at the German embassy in the Sudanese capital were evacuated.")
    evs = events_of(text, date="2023-04-25")
    kinds = {(e.category, e.mention.kind, e.mention.city) for e in evs}
    assert ("evacuation", "mission", "Khartoum") in kinds
    assert ("protest", "city", "Khartoum") in kinds  # tear gas on a crowd: a protest met by force


def test_planned_event_looks_forward():
    evs = events_of("Organisers said another march is scheduled for Friday in Paris.",
                    date="2023-03-21")  # a Tuesday
    assert brief(evs) == [("2023-03-24", "protest", "planned", "city", "Paris")]


def test_references_negations_and_furniture_are_not_events():
    text = ("Officials met in Ankara on Monday following reports of a Quran burning in Denmark. "
            "The man stopped short of setting fire to the book.\n"
            "CLICK HERE TO GET THE NEWS APP\n"
            "Protest in Paris pic.twitter.com/abc — Someone (@someone) January 2, 2023\n"
            "Reuters contributed to this report.")
    assert events_of(text) == []


def test_page_furniture_detection():
    assert not is_reporting("THOUSANDS OF PROTESTERS RALLY ACROSS IRAQ TO CONDEMN BURNING")
    assert not is_reporting("Clashes pic.twitter.com/xyz — Draw Media (@DrawMediaNet) May 5")
    assert is_reporting("Thousands of protesters rallied across Iraq on Friday.")


def test_sentence_split_keeps_abbreviations_and_repairs_missing_space():
    parts = [s for _, s in split_sentences("The U.S. Embassy said so. Police used rocks.Officers "
                                           "fled to St. Mark's Square.")]
    assert parts == ["The U.S. Embassy said so.", "Police used rocks.", "Officers fled to St. "
                     "Mark's Square."]


def test_list_of_dates_gives_one_event_per_day():
    evs = events_of("There were demonstrations at the Swedish embassy in Baghdad on Thursday "
                    "29 June and Friday 30 June.", date="2023-07-20")
    assert [e.date for e in evs] == ["2023-06-29", "2023-06-30"]


def test_same_event_in_two_articles_merges_with_both_sources():
    a = events_of("Protesters stormed the parliament in Colombo on Saturday.", "2022-07-09", "a")
    b = events_of("On Saturday demonstrators stormed the parliament in Colombo.", "2022-07-09",
                  "b")
    merged = merge(a + b)
    assert len(merged) == 1
    assert {s.article for s in merged[0].sources} == {"a", "b"}


def test_pronoun_sentence_continues_the_previous_event():
    text = ("Hundreds of protesters attempted to storm Baghdad's Green Zone early on Saturday. "
            "They were pushed back by police who blocked the Jumhuriya bridge.")
    evs = events_of(text, date="2023-07-22")
    assert len(evs) == 1
    assert "Jumhuriya" in evs[0].mention.text


def test_date_of_the_telling_is_not_the_date_of_the_event():
    evs = events_of("Militants stormed the consulate in Benghazi on Tuesday night, "
                    "officials said on Wednesday.", date="2012-09-12")
    assert [(e.date, e.time_of_day) for e in evs] == [("2012-09-11", "night")]


def test_each_state_in_a_list_acts():
    evs = events_of("Bahrain and Sudan cut diplomatic ties with Iran on Monday.",
                    date="2016-01-04")
    assert sorted(e.mention.country_code for e in evs) == ["BH", "SD"]
    assert {e.category for e in evs} == {"diplomatic action"}


def test_evacuation_is_placed_where_people_left():
    evs = events_of("Italy evacuated its citizens from Kabul on Friday.", date="2021-08-27")
    assert brief(evs) == [("2021-08-27", "evacuation", "occurred", "city", "Kabul")]


def test_background_events_are_kept_at_their_precision_and_marked():
    evs = events_of("It was the worst since the 1999 quake near Izmit. In March 1960 an "
                    "earthquake destroyed Agadir.", date="2023-02-06")
    got = sorted((e.date, e.date_precision, e.mention.city, e.background) for e in evs)
    assert got == [("1960-03", "month", "Agadir", True), ("1999", "year", "İzmit", True)]


def test_explosion_is_a_disaster_unless_someone_set_it_off():
    accident = events_of("A huge explosion tore through the port of Beirut on Tuesday.",
                         date="2020-08-05")
    bombing = events_of("A suicide bomber caused an explosion at a market in Kabul on Tuesday.",
                        date="2020-08-05")
    assert [e.category for e in accident] == ["disaster"]
    assert [e.category for e in bombing] == ["attack"]


def test_disaster_damage_is_coded_per_place():
    text = ("A powerful earthquake struck southern Turkey on Monday. "
            "In Antakya, apartment blocks collapsed. In Aleppo, dozens of buildings collapsed.")
    evs = events_of(text, date="2023-02-06")
    assert {e.mention.city for e in evs if e.mention.kind == "city"} >= {"Antakya", "Aleppo"}
    assert {e.date for e in evs} == {"2023-02-06"}


def test_riot_police_do_not_make_a_riot():
    evs = events_of("Hundreds of people gathered on Wednesday outside the lawyers' syndicate in "
                    "Cairo before riot police charged them.", date="2011-01-27")
    assert [(e.date, e.category) for e in evs] == [("2011-01-26", "protest")]


def test_arabic_article_names_are_found():
    from geo.mentions import find_mentions

    found = find_mentions("Floods hit the town of al-Bayda on Sunday.")
    assert [(f.mention.kind, f.mention.country_code) for f in found] == [("city", "LY")]


def test_a_day_after_dates_the_earlier_event_and_leave_lists_evacuate_each_place():
    text = ("TUNIS, Tunisia (AP) — The State Department on Saturday ordered all non-emergency "
            "U.S. government staff to leave Tunisia and Sudan, a day after crowds stormed the "
            "American Embassy compound in Tunis.")
    evs = events_of(text, date="2012-09-15")
    got = sorted((e.date, e.category, e.mention.country_code) for e in evs)
    assert got == [("2012-09-14", "riot/storming", "TN"), ("2012-09-15", "evacuation", "SD"),
                   ("2012-09-15", "evacuation", "TN")]


def test_past_perfect_flashback_does_not_move_the_narrative():
    text = ("Protesters stormed the Swedish embassy in Baghdad early on Thursday. "
            "The embassy's staff had been evacuated a day earlier. "
            "Hours later, Iraq cut diplomatic ties with Sweden.")
    evs = events_of(text, date="2023-07-20")
    assert sorted((e.date, e.category) for e in evs) == [
        ("2023-07-19", "evacuation"), ("2023-07-20", "diplomatic action"),
        ("2023-07-20", "riot/storming")]


def test_a_town_too_small_to_scan_is_found_when_the_text_says_it_is_a_town():
    evs = events_of("A powerful earthquake struck central Italy early on Wednesday, flattening "
                    "the town of Amatrice.", date="2016-08-24")
    assert [(e.category, e.mention.city, e.mention.country_code) for e in evs] == [
        ("disaster", "Amatrice", "IT")]


def test_disaster_words_that_report_no_disaster():
    text = ("A car bomb exploded at a market in Baghdad on Saturday, killing six.\n\n"
            '"I felt what seemed like a hurricane," said a witness.\n\n'
            "A tsunami warning was issued, with a possibility of tsunami five meters high.\n\n"
            "Farmers in the drought-stricken south were not affected.")
    evs = events_of(text, date="2008-09-06")
    assert {e.category for e in evs} == {"attack"}


def test_a_countrys_record_of_coups_is_no_coup_and_breaching_a_rule_no_storming():
    text = ("Niger has had a turbulent history. Since gaining independence from France in 1960, "
            "the country has experienced four coups and numerous attempted coups.\n\n"
            "Slovakia did not specify which part of the convention they had breached.")
    assert events_of(text, date="2023-07-27") == []


def test_a_coup_announced_on_a_countrys_television_is_at_its_capital():
    text = ("WASHINGTON -- The State Department said on Wednesday it was watching closely.\n\n"
            "A group of soldiers appeared on Niger’s national television on Wednesday, "
            "announcing a coup.")
    coups = [e for e in events_of(text, date="2023-07-26") if e.category == "coup"]
    assert [e.mention.text for e in coups] == ["Niamey"]


def test_hard_wrapped_lines_are_rejoined_into_sentences():
    wrapped = ("Floods hit northern Italy over the weekend, the civil protection\n"
               "agency said on Sunday, as torrential rain swept across the region\n"
               "and rivers broke their banks in several towns and cities there.\n"
               "In the night between Saturday and Sunday, Ravenna, Modena and\n"
               "Reggio Emilia were hit by floods with heavy rainfall also making\n"
               "the situation critical on all roads of the Apennines, it said.\n")
    pairs = split_sentences(wrapped)
    assert [s for _, s in pairs][1].startswith("In the night") and pairs[1][1].endswith("said.")
    assert "Modena and Reggio Emilia were hit" in pairs[1][1]
    # ordinary copy keeps its lines: a headline, then a paragraph per line
    plain = "Floods hit Italy\nRivers broke their banks on Sunday.\nThree towns were evacuated."
    assert [s for _, s in split_sentences(plain)] == plain.split("\n")


def test_the_apparatus_named_for_a_disaster_is_not_one():
    text = ("Typhoon Neoguri hit land on Friday evening in Hainan Province.\n\n"
            "Guangdong flood control authorities said residents had been moved to safety.\n\n"
            "The U.S. Geological Survey's National Earthquake Information Center had other "
            "figures.")
    evs = events_of(text, date="2008-04-18")
    assert {e.kind for e in evs} == {"storm"}


def test_a_day_after_counts_from_the_articles_day_when_no_narrative_day_is_set():
    text = ("PORT-AU-PRINCE, Haiti (AP) -- Road blocks are going up across Haiti as protests "
            "enter their fifth week.\n\n"
            "The demonstration comes a day after tens of thousands of Haitians marched through "
            "Port-au-Prince in a peaceful protest.")
    dates = sorted(e.date for e in events_of(text, date="2019-10-14"))
    assert "2019-10-13" in dates and "2019-10-14" in dates


def test_an_expulsion_and_a_summons_the_same_day_are_two_acts():
    text = ("KHARTOUM -- Sudan declared 15 UAE diplomats persona non grata on Sunday and "
            "ordered them to leave.\n\n"
            "Sudan’s foreign ministry summoned the acting UAE chargé d’affaires on Sunday.")
    titles = sorted(e.title for e in events_of(text, date="2023-12-10")
                    if e.category == "diplomatic action")
    assert len(titles) == 2 and any("summons" in t for t in titles), titles


def test_a_planned_vigil_that_gathered_happened():
    evs = events_of("At about 7:30 pm on Monday, a planned vigil gathered in the Galgorm Road "
                    "area of Ballymena.", date="2025-06-11")
    assert [(e.date, e.status) for e in evs] == [("2025-06-09", "occurred")]


def test_two_named_spots_of_a_city_set_on_fire_are_two_events():
    text = ("Protesters set fire to the Supreme Court in Kathmandu on Tuesday. "
            "Protesters also set fire to the Bhadrakali Temple in Kathmandu on Tuesday. "
            "Crowds set fire to tyres in Kathmandu on Tuesday.")
    evs = [e for e in events_of(text, date="2025-09-10") if e.kind == "arson"]
    assert len(evs) == 2  # the city-wide telling folds into a spot


def test_a_states_protest_to_another_is_no_demonstration():
    evs = events_of("Russia says a Molotov cocktail was thrown at its consulate in Lviv, and "
                    "protests to Ukraine authorities.", date="2021-12-24")
    assert "protest" not in {e.kind for e in evs}


def test_a_mutiny_the_text_places_only_by_the_article_stays_off_the_capital():
    from geo.extract.placing import at_capital
    from geo.models import Event, PlaceMention

    bouake = PlaceMention(text="Bouaké", kind="city", city="Bouaké", country_code="CI")
    kw = dict(id="", date="2017-05-14", date_precision="day", status="occurred",
              category="coup", title="", mention=bouake, sources=[], family="coup",
              place_from_context=True)
    assert at_capital(Event(kind="mutiny", **kw)).mention.text == "Bouaké"  # at the barracks
    # a coup is at the seat of government (the presidency), Abidjan, not Yamoussoukro
    assert at_capital(Event(kind="coup", **kw)).mention.text == "Abidjan"


def test_a_disaster_placed_only_by_a_region_of_the_story_joins_that_days_event_there():
    from geo.models import Event, PlaceMention

    kw = dict(id="", date="2014-01-31", date_precision="day", status="occurred",
              category="evacuation", kind="evacuation", family="evacuation", title="")
    volcano = PlaceMention(text="Mount Sinabung", kind="landmark", country_code="ID")
    sumatra = PlaceMention(text="North Sumatra", kind="region", country_code="ID")
    told = Event(mention=volcano, sources=[], place_from_context=False, **kw)
    vague = Event(mention=sumatra, sources=[], place_from_context=True, **kw)
    merged = merge([told, vague])
    assert [e.mention.text for e in merged] == ["Mount Sinabung"]
    named = Event(mention=sumatra, sources=[], place_from_context=False, **kw)
    assert len(merge([told, named])) == 2  # a region the text names stays its own


def test_a_spots_protest_joins_the_riot_there_not_a_protest_told_for_the_country():
    from geo.models import Event, PlaceMention

    kw = dict(id="", date="2023-07-21", date_precision="day", status="occurred",
              family="unrest", title="", sources=[], place_from_context=False)
    iraq = PlaceMention(text="Iraq", kind="country", country_code="IQ")
    zone = PlaceMention(text="Green Zone", kind="landmark", city="Baghdad", country_code="IQ")
    nationwide = Event(category="protest", kind="protest", mention=iraq, **kw)
    riot = Event(category="riot/storming", kind="storming", mention=zone, **kw)
    at_zone = Event(category="protest", kind="protest", mention=zone, **kw)
    merged = merge([nationwide, riot, at_zone])
    assert sorted((e.category, e.mention.text) for e in merged) == [
        ("protest", "Iraq"), ("riot/storming", "Green Zone")]


def test_a_headline_naming_the_storys_event_at_a_coarser_place_is_that_event():
    from geo.extract.rules import summaries_dropped
    from geo.models import Event, PlaceMention, Source

    headline = "Texas floods: More rain on the way as 13 people remain missing"
    body = "Flooding in Houston killed five people on Tuesday."
    kw = dict(id="", date_precision="day", status="occurred", category="disaster",
              kind="flood", family="flood", title="", place_from_context=False)
    texas = PlaceMention(text="Texas", kind="region", country_code="US")
    houston = PlaceMention(text="Houston", kind="city", city="Houston", country_code="US")
    summary = Event(date="2015-05-27", mention=texas, sources=[Source("t", headline)], **kw)
    told = Event(date="2015-05-26", mention=houston, sources=[Source("t", body)], **kw)
    assert summaries_dropped([summary, told], headline, "t") == [told]
    # alone, or beside an event of another family or country, the headline's event stays
    assert summaries_dropped([summary], headline, "t") == [summary]
    quake = Event(date="2015-05-26", mention=houston, sources=[Source("t", body)],
                  **{**kw, "kind": "earthquake", "family": "earthquake"})
    assert summaries_dropped([summary, quake], headline, "t") == [summary, quake]
    # a headline naming no place, or the story's own city, is the story's event too
    bare = Event(date="2015-05-27", mention=None, sources=[Source("t", headline)], **kw)
    same = Event(date="2015-05-27", mention=houston, sources=[Source("t", headline)], **kw)
    assert summaries_dropped([bare, same, told], headline, "t") == [told]
    # a first paragraph that is a sentence is the lede, not a headline
    lede = headline + "."
    first = Event(date="2015-05-27", mention=texas, sources=[Source("t", lede)], **kw)
    assert summaries_dropped([first, told], lede, "t") == [first, told]


def test_a_country_named_like_one_of_its_towns_is_the_country():
    from geo.mentions import find_mentions

    def kinds(s):
        return [(f.mention.text, f.mention.kind) for f in find_mentions(s)]

    # the Island of Mozambique, Kuwait City and Asuncion have the country's name as an alias
    assert kinds("Troops in Mozambique were fighting.") == [("Mozambique", "country")]
    assert kinds("Protesters in Kuwait and Paraguay marched.") == [
        ("Kuwait", "country"), ("Paraguay", "country")]
    assert kinds("Riots in Singapore and Hong Kong.") == [
        ("Singapore", "city"), ("Hong Kong", "city")]  # city-states are their city


def test_a_date_inside_a_relative_clause_dates_that_clause_not_the_trigger():
    evs = events_of("Soldiers in Niger detained President Mohamed Bazoum, who was "
                    "democratically elected in 2021, on Wednesday.", date="2023-07-27")
    assert [(e.date, e.category) for e in evs] == [("2023-07-26", "coup")]
    # a relative clause on the trigger's own noun is its own date
    evs = events_of("The protests, which began on Sunday, spread to Chittagong.",
                    date="2024-07-17")
    assert "2024-07-14" in {e.date for e in evs}


def test_an_evacuation_the_text_does_not_place_is_where_the_disaster_told_before_was():
    story = ("PARIS (dpa) - A forest fire burning near Bordeaux destroyed 10,000 hectares on "
             "Sunday.\n\nFirefighters said the flames were driven by high winds.\n\nMore than "
             "14,000 people in the area have already had to leave their homes because of the "
             "fire.")
    evs = events_of(story, date="2022-07-18")
    assert {(e.category, e.mention.text) for e in evs} >= {("evacuation", "Bordeaux")}
    assert "Paris" not in {e.mention.text for e in evs}


def test_a_town_of_the_country_of_a_region_the_story_names_is_that_town():
    # the story names Khyber Pakhtunkhwa but never Pakistan, and Afghans: Swabi is Pakistani
    story = ("The worst-hit region was Khyber Pakhtunkhwa, where flash floods killed 32 people "
             "on Sunday.\n\nIn Swabi eight Afghan refugees were killed when the roof of their "
             "mud house collapsed overnight.")
    evs = events_of(story, date="2012-09-10")
    assert "Swabi" in {e.mention.text for e in evs if e.mention}


def test_came_a_year_after_dates_what_follows_a_year_before_the_article():
    evs = events_of("Mount Semeru erupted on Sunday, spewing ash.\n\nIt came only a year after "
                    "the volcano last erupted, killing at least 51 people.\n\nThe protest came "
                    "two years after a previous coup in Bamako.", date="2022-12-05")
    got = {(e.date, e.category) for e in evs}
    assert {("2022-12-04", "disaster"), ("2021", "disaster"), ("2020", "coup")} <= got
    assert ("2020", "protest") not in got  # the protest is not the coup's date


def test_a_coup_told_only_with_its_country_is_at_the_seat_of_power():
    from geo.extract.placing import at_capital
    from geo.models import Event, PlaceMention

    country = PlaceMention(text="Guinea-Bissau", kind="country", country_code="GW")
    kw = dict(id="", date="2025-11-26", date_precision="day", status="occurred",
              category="coup", title="", mention=country, sources=[], family="coup",
              place_from_context=False)
    assert at_capital(Event(kind="coup", **kw)).mention.text == "Bissau"
    assert at_capital(Event(kind="mutiny", **kw)).mention.text == "Guinea-Bissau"


def test_evacuation_centres_and_plans_are_things_not_evacuations():
    assert events_of("Officials said evacuation plans had saved thousands of lives in India "
                     "on Sunday.", date="2019-11-10") == []
    assert events_of("The MP called for evacuation centres to be set up in Byron Bay on "
                     "Tuesday.", date="2022-03-30") == []


def test_a_list_of_towns_before_the_trigger_is_one_event_per_town():
    text = ("NAIROBI, Kenya - Police fired tear gas at protesters on Tuesday. Protesters in "
            "Kericho, Kisumu, Migori and Bungoma also took to the streets.")
    evs = events_of(text, date="2024-07-17")
    assert {e.mention.text for e in evs if e.category == "protest"} >= {
        "Kericho", "Kisumu", "Migori", "Bungoma"}
    floods = events_of("NAIROBI, Kenya - Floods in Kericho, Kisumu and Migori killed 10 people "
                       "on Tuesday.", date="2024-07-17")
    assert sorted(e.mention.text for e in floods) == ["Kericho", "Kisumu", "Migori"]
    # a list of where speakers are is not where it happened
    said = events_of("Officials in Kericho and Kisumu said protests were held on Tuesday.",
                     date="2024-07-17")
    assert {e.mention.text for e in said if e.mention} <= {"Kenya"}


def test_in_a_story_of_wildfires_a_fire_that_opens_a_sentence_is_one_more():
    text = ("ATHENS, Greece (AP) - Wildfires burned across Greece on Saturday.\n\n"
            "Separately, a large fire near the southern Albanian town of Delvina on Friday "
            "injured three people.\n\n"
            "Crews were sent to Patras, where a fire is burning near the port.")
    evs = events_of(text, date="2025-07-27")
    fires = {(e.mention.text, e.date) for e in evs if e.kind == "wildfire"}
    assert ("Delvinë", "2025-07-25") in fires
    assert not any("Patra" in t for t, _ in fires)  # a fire a clause describes


def test_since_a_day_dates_when_it_began():
    text = ("Firefighters battled wildfires across California on Sunday.\n\n"
            "A separate wildfire raging since Wednesday in Lake County has destroyed 400 homes.")
    evs = events_of(text, date="2015-09-13")
    assert {e.date for e in evs if e.mention.text == "Lake County, California"} == {
        "2015-09-09"}


def test_a_roadside_bomb_is_an_attack():
    evs = events_of("Another roadside bomb in Nangarhar on Saturday ripped through a police "
                    "vehicle, killing two.", date="2013-05-12")
    assert [(e.category, e.mention.text, e.date) for e in evs] == [
        ("attack", "Nangarhar", "2013-05-11")]


def test_the_worst_hit_place_of_a_disaster_is_where_it_struck():
    evs = extract(Article(name="t.txt", date="2018-08-26", date_source="header", text=(
        "A magnitude 6 earthquake struck Kermanshah province in western Iran on Sunday.\n\n"
        "The city of Tazehabad was the worst affected, officials said.")))
    assert ("2018-08-26", "Tāzehābād") in {(e.date, e.mention.text) for e in evs}


def test_a_storm_and_its_floods_told_in_one_sentence_are_one_disaster():
    evs = extract(Article(name="t.txt", date="2014-07-16", date_source="header", text=(
        "Typhoon Rammasun battered the city of Legazpi in the Philippines on Tuesday, flooding "
        "homes and toppling trees.")))
    assert [(e.kind, e.mention.text, e.date) for e in evs] == [("storm", "Legaspi", "2014-07-15")]


def test_a_disasters_damage_is_dated_by_the_day_the_text_gives_not_the_headlines():
    evs = extract(Article(name="t.txt", date="2016-08-25", date_source="header", text=(
        "USA TODAY International Edition\n\nDozens dead as quake rocks Italy\n\n"
        "At least 73 people were killed Wednesday after a magnitude 6.2 earthquake struck "
        "central Italy.\n\n"
        "Hardest hit were towns in the regions of Umbria, Lazio and Marche some 80 to 100 miles "
        "northeast of Rome.\n\n"
        "Earlier, the news agency ANSA reported at least 35 were killed in the town of "
        "Amatrice.")))
    got = {(e.mention.text, e.date) for e in evs if e.mention}
    # the regions named, not a point 80 miles off Rome; Wednesday, not the day it was printed
    assert {("Amatrice", "2016-08-24"), ("Umbria", "2016-08-24"), ("Marche", "2016-08-24")} <= got
    assert not any(e.mention and e.mention.offset_km for e in evs)


def test_a_disaster_that_killed_one_person_at_a_place_struck_there():
    evs = extract(Article(name="t.txt", date="2019-05-27", date_source="header", text=(
        "A magnitude 8.0 earthquake struck northern Peru on Sunday.\n\n"
        "A rockslide caused by the temblor killed one person in Cajamarca.")))
    assert "Cajamarca" in {e.mention.text for e in evs if e.mention}


def test_the_similar_or_previous_event_is_another_one_not_the_one_told():
    evs = extract(Article(name="t.txt", date="2021-10-15", date_source="header", text=(
        "A suicide bomber attacked a Shi'ite mosque in Kandahar on Friday, killing 41.\n\n"
        "Islamic State claimed the similar bombing in the northern city of Kunduz in "
        "2020.")))
    assert {("2021-10-15", "Kandahār"), ("2020", "Kunduz")} <= {
        (e.date, e.mention.city) for e in evs if e.mention}


def test_a_fire_that_reached_a_town_burned_there():
    evs = extract(Article(name="t.txt", date="2016-08-15", date_source="header", text=(
        "A wildfire forced thousands to flee in northern California on Sunday.\n\n"
        "The fire reached Main Street in the town of Lower Lake on Sunday, destroying "
        "businesses.")))
    assert "Lower Lake" in {e.mention.text for e in evs if e.mention}


def test_an_event_after_a_weekday_possessive_is_dated_and_kept():
    # "after Sunday's earthquake": a reference, but one that says its day
    evs = events_of("Rescuers dug through rubble on Tuesday after Sunday's earthquake in "
                    "Sichuan.", date="2008-05-13")
    assert brief(evs) == [("2008-05-11", "disaster", "occurred", "region", "Sichuan")]


def test_a_heart_attack_is_no_attack():
    evs = events_of("One woman suffered a heart attack in Manila during the eruption on Monday.",
                    date="2000-02-29")
    assert "attack" not in [e.category for e in evs]


def test_a_capitalised_saint_or_fort_in_a_dateline_does_not_end_the_sentence():
    assert [s for _, s in split_sentences("FT. LAUDERDALE, Fla. — Storms hit. Then more.")] == [
        "FT. LAUDERDALE, Fla. — Storms hit.", "Then more."]
    assert split_sentences("ST. JOSEPH, Mo. — Tornadoes hit.")[0][1].startswith("ST. JOSEPH")


def test_a_kind_of_disaster_spoken_of_in_general_is_no_event():
    evs = events_of("Earthquakes are common in mountainous Nepal.", date="2023-11-04")
    assert evs == []
    evs = events_of("Earthquakes struck Nepal on Friday.", date="2023-11-04")
    assert brief(evs) == [("2023-11-03", "disaster", "occurred", "country", "Nepal")]


def test_a_day_of_the_year_a_background_sentence_names_dates_its_event():
    evs = events_of("In one incident in 2015, at least nine people were killed in a blast in "
                    "the town of Nnewi as they filled cooking gas cylinders on Christmas Eve.",
                    date="2018-09-11")
    assert [(e.date, e.category) for e in evs] == [("2015-12-24", "disaster")]


def test_a_day_the_story_tells_outweighs_the_day_of_the_telling_in_the_lead():
    text = ("Gunmen kill 30 people in western Ethiopia, witnesses say\n\n"
            "Attack that wounded 15 others was blamed on a splinter group.\n\n"
            "Gunmen killed at least 30 civilians in an attack on a village in the Ethiopian "
            "region of Oromia, witnesses said on Wednesday.\n\n"
            "A farmer said his neighbours were killed during the Tuesday night attack.")
    evs = events_of(text, date="2021-03-31")
    assert {(e.date, e.category) for e in evs} == {("2021-03-30", "attack")}


def test_days_still_to_come_neither_date_the_telling_nor_set_the_focal_day():
    import datetime as dt

    from geo.dates import find_times
    from geo.extract.dating import mark_reported

    s = "Manila was also expected to be hit early Wednesday."
    assert [r.reported for r in mark_reported(s, find_times(s, dt.date(2014, 7, 15)))] == [True]
    text = ("India launches mass evacuation as cyclone bears down on east coast\n\n"
            "India has started evacuating hundreds of thousands of villagers living along its "
            "northeastern coastline ahead of a severe cyclone due to make landfall on Friday.\n\n"
            "There is a possibility of heavy rainfall on Thursday in coastal districts.")
    evs = events_of(text, date="2019-05-01")  # a Wednesday: Friday and Thursday are to come
    assert evs and {e.date for e in evs} == {"2019-05-01"}


def test_a_dateline_date_is_the_telling_not_the_event():
    text = ("(Associated Press) JOHN SMITH October 10 2019 QUITO Ecuador Thousands of "
            "protesters staged anti-government rallies Wednesday in the capital of Quito.")
    evs = events_of(text, date="2019-10-10")
    assert {(e.date, e.category) for e in evs} == {("2019-10-09", "protest")}


def test_a_paragraph_day_does_not_date_events_told_many_sentences_later():
    text = ("Kazakhstan roiled by fuel protests\n\n"
            "Thousands are protesting in western Kazakhstan today. On January 2 protests broke "
            "out in Zhanaozen over the price of gas. Demonstrators demanded lower prices. They "
            "called for an end to corruption. Local people served free food to the crowds. Roads "
            "to the city were closed. There were small rallies in several other cities including "
            "Almaty.")
    evs = events_of(text, date="2022-01-04")
    assert ("2022-01-02", "Zhanaozen") in {(e.date, e.mention.city) for e in evs}
    assert {e.date for e in evs if e.mention.city == "Almaty"} == {"2022-01-04"}


def test_a_day_in_parentheses_is_not_the_date_of_what_is_told_outside_them():
    text = ("Venezuela expelled the U.S. ambassador on Thursday. The move came a day after "
            "Bolivian President Evo Morales expelled the U.S. envoy in La Paz (see Thursday's "
            "post).")
    evs = events_of(text, date="2008-09-11")
    assert ("2008-09-10", "La Paz") in {(e.date, e.mention.city) for e in evs}


def test_a_published_line_is_the_date_of_the_telling_not_the_focal_day():
    text = ("Wildfires displace thousands across southern Europe\n"
            "Published: 14 Aug. 2025, 10:59\n\n"
            "Wildfires intensified across southern Europe on Wednesday.\n\n"
            "Outside the Greek port city of Patras, dozens of vehicles were torched as flames "
            "swept through a nearby impound lot.")
    evs = events_of(text, date="2025-08-14")
    assert evs and {e.date for e in evs} == {"2025-08-13"}


def test_a_possessive_date_dates_only_the_noun_it_belongs_to():
    text = ("Students protested in Johannesburg on Tuesday. The wave of protests was triggered by "
            "an announcement that next year’s fee hikes would be capped.")
    evs = events_of(text, date="2016-09-30")
    assert evs and "2017" not in {e.date for e in evs}
    text = ("There was no claim for Friday’s attack in Kandahar, but Islamic State claimed the "
            "similar bombing that killed scores in the northern city of Kunduz a week earlier.")
    evs = events_of(text, date="2021-10-16")
    assert ("2021-10-08", "Kunduz") in {(e.date, e.mention.city) for e in evs}


def test_a_clause_whose_subject_is_the_event_itself_dates_it():
    evs = events_of("Rescuers searched for survivors in western Iran on Monday. A magnitude 6 "
                    "earthquake killed at least two people in Kermanshah, after it struck Iran on "
                    "Sunday, reports said.", date="2018-08-27")
    assert {e.date for e in evs if e.category == "disaster"} == {"2018-08-26"}


def test_an_election_a_clause_dates_a_few_words_on_is_kept():
    evs = events_of("The panchayat and municipal body elections are scheduled to be held "
                    "in Arunachal Pradesh on December 22.", date="2020-12-11")
    assert [(e.date, e.category, e.status) for e in evs] == [
        ("2020-12-22", "election", "planned")]


def test_a_town_only_the_towns_table_has_is_found_in_the_storys_country():
    story = ("A 6.4-magnitude earthquake struck Albania on Tuesday, killing at least 20 people."
             "\n\nIn neighbouring Kurbin, a man in his fifties died after jumping from his "
             "building in panic.")
    evs = events_of(story, date="2019-11-26")
    assert "Kurbin" in {e.mention.text for e in evs if e.mention}


def test_an_evacuation_with_only_the_storys_province_for_a_place_is_not_shown():
    story = ("Rains triggered a landslide in Sichuan province on Saturday, officials said.\n\n"
             "Two people were rescued and about 360 others were evacuated.")
    evs = events_of(story, date="2025-02-09")
    assert [(e.category, e.mention.text) for e in evs] == [("disaster", "Sichuan")]
