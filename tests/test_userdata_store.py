"""The user's articles and dates in the database (geo.userdata over geo.store): the
migration, the one-time import of an older version's files, the run key, and what happens
when the database cannot be used."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from geo import articles as articles_mod
from geo import pipeline, userdata
from geo.models import Article
from geo.review import log as review_log
from geo.store import SCHEMA_VERSION, Database, backup
from geo.store import db as db_mod

GOOD = b" date 2023-07-02 Protesters gathered outside the embassy in Baghdad today.\n"


@pytest.fixture(autouse=True)
def _fresh():
    db_mod.forget_open()
    yield
    db_mod.forget_open()


def _db_path(home):
    return home / "newsmap.sqlite"


def test_a_version_2_database_gets_the_user_tables_and_keeps_its_rows(newsmap_home):
    path = _db_path(newsmap_home)
    conn = sqlite3.connect(path, isolation_level=None)
    for version in (0, 1):
        for statement in db_mod._statements(db_mod.MIGRATIONS[version]):
            conn.execute(statement)
    conn.execute("PRAGMA user_version=2")  # a file of this morning's app
    conn.execute("INSERT INTO corrections (created, kind, sentence) VALUES ('t', 'confirm', "
                 "'kept')")
    conn.close()

    assert userdata.save_article("a.txt", GOOD) == ("a.txt", None)
    report = backup.check(path)
    assert report.ok and report.version == SCHEMA_VERSION == 3
    assert report.counts["user_articles"] == 1 and report.counts["user_dates"] == 0
    assert [c.key.sentence for c in review_log.load(Database(path))] == ["kept"]


def _older_home(home):
    (home / "articles").mkdir()
    (home / "articles" / "old.txt").write_bytes(GOOD)
    (home / "articles" / "empty.txt").write_bytes(b"")
    (home / "articles" / "binary.txt").write_bytes(b"\x00\x01\x02\x03 binary")
    (home / "web").mkdir()
    (home / "web" / "k1.json").write_text(json.dumps({
        "name": "Courier: Niamey", "text": "Protesters attacked the embassy in Niamey.",
        "date": "2023-07-30", "date_source": "header", "url": "https://c.example/a",
        "outlet": "Courier", "fetched": 100.0, "feed": "https://c.example/feed.xml"}))
    (home / "web" / "bad.json").write_text("{not json")
    (home / "dates.json").write_text(json.dumps({"old.txt": "2023-07-05", "x.txt": 3}))


def test_an_older_folder_is_imported_once_damaged_files_reported_nothing_deleted(
        newsmap_home):
    _older_home(newsmap_home)
    assert userdata.list_articles() == ["old.txt"]
    assert userdata.load_dates() == {"old.txt": "2023-07-05"}
    (web,) = userdata.web_articles()
    assert (web.article.url, web.article.outlet, web.fetched, web.feed) == (
        "https://c.example/a", "Courier", 100.0, "https://c.example/feed.xml")
    assert sorted(p.name for p in userdata.problems()) == ["binary.txt", "empty.txt",
                                                           "web/bad.json"]
    assert all("kept in" in p.reason for p in userdata.problems())
    # renamed aside whole, damaged files included
    assert sorted(p.name for p in (newsmap_home / "articles.imported").iterdir()) == [
        "binary.txt", "empty.txt", "old.txt"]
    assert sorted(p.name for p in (newsmap_home / "web.imported").iterdir()) == [
        "bad.json", "k1.json"]
    assert (newsmap_home / "dates.json.imported").exists()
    assert not any((newsmap_home / n).exists() for n in ("articles", "web", "dates.json"))
    # the imported article is the file's article: same text, date and hash (the
    # corrections are keyed by the hash)
    (from_file,), _ = articles_mod.read_paths([newsmap_home / "articles.imported" / "old.txt"])
    (mine,) = userdata.user_articles()
    assert (mine.name, mine.text, mine.date, mine.sha256) == (
        from_file.name, from_file.text, from_file.date, from_file.sha256)
    # once: a new process does not import again, and sees the same
    db_mod.forget_open()
    assert backup.check(_db_path(newsmap_home)).counts["user_articles"] == 2
    assert userdata.list_articles() == ["old.txt"] and len(userdata.web_articles()) == 1


def test_the_run_key_and_the_signature_change_with_each_article_and_date(newsmap_home):
    def keys():
        return (pipeline._run_key([], [*userdata.user_articles(),
                                       *(w.article for w in userdata.web_articles())],
                                  userdata.load_dates(), False), userdata.signature())

    seen = [keys()]
    assert userdata.save_article("a.txt", GOOD)[1] is None
    seen.append(keys())
    assert userdata.set_date("a.txt", dt.date(2023, 7, 9)) is None
    seen.append(keys())
    assert userdata.save_web_article(Article(name="W", text="Text of a web page here.",
                                             url="https://w.example/1")).reason is None
    seen.append(keys())
    assert userdata.save_web_article(Article(name="W", text="Text of a web page, grown.",
                                             url="https://w.example/1")).reason is None
    seen.append(keys())  # the same URL read again: replaced
    assert userdata.remove_article("a.txt")
    seen.append(keys())
    assert len({k for k, _ in seen}) == len(seen) and len({s for _, s in seen}) == len(seen)
    assert keys() == seen[-1]  # nothing changed: the same key
    assert [w.article.text for w in userdata.web_articles()] == ["Text of a web page, grown."]
    assert userdata.load_dates() == {}  # removing an article takes its date too


def test_a_user_article_with_a_seed_s_text_is_reported_as_a_duplicate():
    seed = Article(name="seed.txt", text="t", sha256="abc")
    problems = []
    got = pipeline._new_extras([seed], [Article(name="mine.txt", text="t", sha256="abc"),
                                        Article(name="other.txt", text="u", sha256="def")],
                               problems)
    assert [a.name for a in got] == ["other.txt"]
    assert [str(p) for p in problems] == ["mine.txt: duplicate of seed.txt; skipped"]


@pytest.mark.parametrize("damage", ["garbage", "newer"])
def test_an_unusable_database_is_reported_and_the_older_files_still_read(newsmap_home,
                                                                         damage):
    _older_home(newsmap_home)
    path = _db_path(newsmap_home)
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 100)
        advice = "db import"
    else:
        conn = sqlite3.connect(path)  # as a newer app would leave it
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        conn.close()
        advice = "Update the app"
    before = path.read_bytes()
    # read as they are (listed like the folder was; only the good one is an article)
    assert userdata.list_articles() == ["binary.txt", "empty.txt", "old.txt"]
    assert userdata.load_dates() == {"old.txt": "2023-07-05"}
    assert [w.article.name for w in userdata.web_articles()] == ["Courier: Niamey"]
    assert [a.name for a in userdata.user_articles()] == ["old.txt"]
    name, reason = userdata.save_article("b.txt", GOOD)
    assert name is None and "cannot save" in reason and advice in reason
    assert advice in userdata.set_date("old.txt", None)
    assert not userdata.remove_article("old.txt")
    (problem,) = userdata.problems()
    assert problem.name == "your articles" and advice in problem.reason
    assert userdata.signature() == userdata.signature()
    assert path.read_bytes() == before  # left as it was
    assert (newsmap_home / "articles" / "old.txt").exists()  # nothing imported or renamed


def test_saves_are_durable_transactions_in_the_user_tables(newsmap_home):
    assert userdata.save_pasted("Protest in Baghdad again.", "Up", dt.date(2023, 7, 3))[1] is None
    (name,) = userdata.list_articles()
    conn = sqlite3.connect(_db_path(newsmap_home))
    row = conn.execute("SELECT kind, text, date, url, outlet, added, sha256 FROM "
                       "user_articles WHERE name = ?", (name,)).fetchone()
    conn.close()
    assert row[:5] == ("paste", "Protest in Baghdad again.", "2023-07-03", None, None)
    assert row[5] > 0 and row[6] == userdata.user_articles()[0].sha256
    assert not (newsmap_home / "articles").exists()
