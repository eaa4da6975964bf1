import datetime as dt

import pytest

from geo.dates import clock_time, find_times, infer_publication_date, weekday_years
from geo.models import Article

SAT = dt.date(2023, 7, 22)  # a Saturday


def resolve(sentence, ref=SAT, **kw):
    return [(t.value, t.precision, t.time_of_day) for t in find_times(sentence, ref, **kw)]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("They attacked early on Saturday.", [("2023-07-22", "day", "early morning")]),
        ("On Friday members burnt a copy.", [("2023-07-21", "day", None)]),
        ("It happened on Friday night.", [("2023-07-21", "day", "night")]),
        ("On Friday afternoon, thousands protested.", [("2023-07-21", "day", "afternoon")]),
        ("in the early hours of Thursday.", [("2023-07-20", "day", "early hours")]),
        ("A demonstration last month in Stockholm.", [("2023-06", "month", None)]),
        ("In late June, the AP reported.", [("2023-06", "month", None)]),
        ("The coup took place this past June.", [("2023-06", "month", None)]),
        ("on Thursday 29 June and Friday 30 June",
         [("2023-06-29", "day", None), ("2023-06-30", "day", None)]),
        ("It was November 5, 2021 when it began.", [("2021-11-05", "day", None)]),
        ("the elections on October 10 were", [("2022-10-10", "day", None)]),
        ("massive 2019 protests", [("2019", "year", None)]),
        ("in the early hours of July 20.", [("2023-07-20", "day", "early hours")]),
        ("Following Thursday's demonstration", [("2023-07-20", "day", None)]),
        ("what occurred last night", [("2023-07-21", "day", "night")]),
        ("They rejected 1,300 appeals about a 300-year-old minaret, 329 seats.", []),
        ("On 6 February 2023 a quake hit", [("2023-02-06", "day", None)]),
        ("By Feb. 8 the toll rose", [("2023-02-08", "day", None)]),
    ],
)
def test_expressions_resolve_against_article_date(sentence, expected):
    assert resolve(sentence) == expected


def test_weekday_on_article_day_is_that_day_and_planned_looks_forward():
    assert resolve("on Saturday") == [("2023-07-22", "day", None)]
    assert resolve("a protest on Monday", future=True) == [("2023-07-24", "day", None)]
    assert resolve("last Saturday") == [("2023-07-15", "day", None)]


def test_anchor_relative_expressions_use_the_narrative_date():
    anchor = dt.date(2023, 7, 20)
    assert resolve("staff had been evacuated a day earlier", anchor=anchor) == [
        ("2023-07-19", "day", None)]
    assert resolve("Hours later, Iraq cut ties", anchor=anchor) == [("2023-07-20", "day", None)]
    assert resolve("two days later", anchor=anchor) == [("2023-07-22", "day", None)]
    assert find_times("a day earlier", SAT)[0].value is None  # no anchor: not guessed


def test_undated_article_resolves_only_absolute_dates():
    assert resolve("on Friday", ref=None) == [(None, "day", None)]
    assert resolve("on 5 November 2021", ref=None) == [("2021-11-05", "day", None)]


def test_clock_times():
    assert clock_time("scheduled in Baghdad at 6pm.") == "18:00"
    assert clock_time("at 10:30 a.m. local time") == "10:30"
    assert clock_time("at 6 protesters") is None


def test_weekday_dates_fix_the_year():
    text = "Demonstrations on Thursday 29 June, Friday 30 June and Thursday 20 July."
    assert weekday_years(text, today=dt.date(2026, 11, 21))[:2] == [2023, 2017]
    guess = infer_publication_date(text, [], today=dt.date(2026, 11, 21))
    assert guess is not None and guess[0] == "2023-07-20"
    # one fixed date alone that fits two recent years is not confident
    assert infer_publication_date("Tuesday 5 March", [], today=dt.date(2026, 1, 1)) is None


def test_sibling_story_gives_its_date_but_not_against_the_text():
    body = ("Police fired tear gas at protesters in Lima as thousands marched on the Congress "
            "building demanding new elections and the release of detained leaders on Monday.")
    sibling = Article(name="other.txt", text=body + " More text.", date="2022-12-12")
    assert infer_publication_date(body, [sibling])[0] == "2022-12-12"
    unrelated = Article(name="x.txt", text="An earthquake struck Japan.", date="2022-12-12")
    assert infer_publication_date(body, [unrelated]) is None


def test_undated_article_from_its_dates_and_weekdays():
    text = ("Protesters stormed the legislature on Monday night. By the early hours of Tuesday "
            "the chamber was empty. The annual march is held every July 1. The bill was "
            "introduced in February 2019.")
    assert infer_publication_date(text, [], today=dt.date(2026, 11, 21))[0] == "2019-07-02"
    # a year taken from elsewhere must fit a weekday the text names (1 July 2019 was a Monday)
    assert infer_publication_date("On Sunday it rained. It was July 1, in February 2019 too.",
                                  [], today=dt.date(2026, 11, 21)) is None
    assert infer_publication_date("The cartoons were printed on Sept. 30, 2005. In the four "
                                  "months since, on Saturday crowds burned flags.", []) is None


def test_a_month_of_last_year_holidays_and_weeks_ago():
    pub = dt.date(2023, 12, 30)

    def values(s, ref=pub):
        return [(r.text, r.value, r.precision) for r in find_times(s, ref)]

    assert values("in April last year, floods killed 440") == [
        ("in April last year", "2022-04", "month")]
    assert values("The floods hit the town on Christmas Day") == [
        ("Christmas Day", "2023-12-25", "day")]
    # looking back from early January, Christmas and New Year's Eve were last year
    assert values("on Christmas Eve and on New Year’s Eve", dt.date(2024, 1, 3)) == [
        ("Christmas Eve", "2023-12-24", "day"), ("New Year’s Eve", "2023-12-31", "day")]
    assert values("supporters rioted in the capital weeks ago", dt.date(2023, 1, 8)) == [
        ("weeks ago", "2022-12", "month")]
    assert values("Christmas shopping was slow") == []


def test_a_weekend_is_its_saturday_and_last_weekend_told_on_sunday_the_one_before():
    def values(s, ref):
        return [(r.text, r.value, r.precision) for r in find_times(s, ref)]

    wed = dt.date(2023, 3, 8)
    assert values("cyclones barrelled through Vanuatu last weekend", wed) == [
        ("last weekend", "2023-03-04", "day")]
    assert values("protesters clashed over the weekend", dt.date(2023, 3, 6)) == [
        ("over the weekend", "2023-03-04", "day")]
    assert values("they rioted last weekend", dt.date(2023, 3, 5)) == [
        ("last weekend", "2023-02-25", "day")]


def test_a_night_between_two_days_is_the_first_days_night():
    mon = dt.date(2024, 10, 21)
    got = [(r.value, r.time_of_day) for r in find_times(
        "In the night between Saturday and Sunday, Ravenna was hit by floods", mon)]
    assert got == [("2024-10-19", "night")]
    got = [(r.value, r.time_of_day) for r in find_times(
        "Rain fell from Saturday night into Sunday", mon)]
    assert got == [("2024-10-19", "night")]


def test_a_day_without_year_weeks_ahead_is_this_years_not_last_years():
    may = dt.date(2015, 5, 13)
    assert [r.value for r in find_times("to stand for re-election in June 26 polls", may)] == [
        "2015-06-26"]
    assert [r.value for r in find_times("the riots of October 2", may)] == ["2014-10-02"]


def test_last_week_is_known_to_its_month():
    got = [(r.text, r.value, r.precision) for r in find_times(
        "The all-time record, 5.33 meters, was recorded last week.", dt.date(2024, 5, 14))]
    assert got == [("last week", "2024-05", "month")]
    assert [r.value for r in find_times("before last week's election", dt.date(2024, 5, 14))] == []


def test_a_capitalised_today_inside_a_sentence_is_a_name_not_a_day():
    import datetime as dt

    from geo.dates import find_times

    day = dt.date(2024, 3, 15)
    assert find_times("It killed 3 people, USA Today reported.", day) == []
    assert find_times('He told NBC\'s "Today" show.', day) == []
    assert [r.value for r in find_times("Today the storm hit.", day)] == ["2024-03-15"]
    assert [r.value for r in find_times("The storm hit today.", day)] == ["2024-03-15"]


def test_weeks_before_or_after_the_narrative_day_count_seven_days_each():
    anchor = dt.date(2021, 10, 15)
    assert resolve("the bombing in Kunduz a week earlier", anchor=anchor) == [
        ("2021-10-08", "day", None)]
    assert resolve("two weeks later, it erupted again", anchor=anchor) == [
        ("2021-10-29", "day", None)]
    assert resolve("a quake hit a week ago") == [("2023-07-15", "day", None)]


def test_a_day_without_its_year_in_a_clause_of_an_earlier_year_is_of_that_year():
    ref = dt.date(2018, 9, 11)
    assert resolve("In one incident in 2015, nine were killed in a blast on Christmas Eve.",
                   ref=ref) == [("2015", "year", None), ("2015-12-24", "day", None)]
    assert resolve("since the March 24 [2005] revolution", ref=dt.date(2006, 4, 29)) == [
        ("2005-03-24", "day", None), ("2005", "year", None)]
    # a year of something else, or a later one, leaves the day alone
    assert resolve("Founded in 2015; on March 5 it attacked.", ref=ref)[1] == (
        "2018-03-05", "day", None)


def test_years_after_counts_back_from_the_date_the_sentence_gives_before_it():
    ref = dt.date(2008, 8, 6)
    got = find_times("It staged free elections in June 2007, two years after a previous coup.",
                     ref)
    assert [(t.value, t.kind) for t in got] == [("2007-06", "absolute"), ("2005", "prior")]
    got = find_times("The explosion occurred six years after the city was besieged.",
                     dt.date(2023, 12, 3))
    assert [(t.value, t.kind) for t in got] == [("2017", "prior")]


def test_overnight_is_the_night_before_the_article_unless_a_day_or_a_forecast_says_otherwise():
    ref = dt.date(2013, 6, 20)
    assert resolve("Overnight a mini-tornado struck the region", ref=ref) == [
        ("2013-06-19", "day", "night")]
    assert resolve("Six were killed overnight Saturday at Pissele", ref=ref) == [
        ("2013-06-15", "day", None)]
    assert resolve("The cyclone is forecast to cross the state overnight.", ref=ref) == []


def test_decades_ago_count_ten_years_each():
    assert resolve("Two decades ago, a super-cyclone battered the coast",
                   ref=dt.date(2019, 5, 1)) == [("1999", "year", None)]
    assert resolve("a decade ago") == [("2013", "year", None)]
