"""Faults while saving the user's work: SIGKILL in the middle of saving corrections and
uploads (both in the database), a hundred times; threads saving at once. The database must
always open and hold every action that was confirmed to the user (the save returned before
the kill)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from geo.paths import PROJECT_ROOT
from geo.review import Correction, EventKey
from geo.review import log as review_log
from geo.store import Database, backup
from geo.store import db as db_mod

PAD = "x" * 3000  # a correction of a few pages: its write spans several database pages

CHILD = f"""
import sys
from geo import userdata
from geo.review import Correction, EventKey, log
i = int(sys.argv[1])
while True:
    saved = log.save(Correction("edit", EventKey("hash", f"sentence {{i}}", "unrest"),
                                {{"title": f"title {{i}}", "pad": {PAD!r}}}))
    print(f"c {{saved.id}} {{i}}", flush=True)   # confirmed to the user
    body = f" date 2023-07-01 Protest number {{i}} in Baghdad. " + {PAD!r}
    name, reason = userdata.save_article(f"up-{{i}}.txt", body.encode())
    assert reason is None, reason
    print(f"u {{name}} {{i}}", flush=True)
    i += 1
"""

ROUNDS = 100


def _confirmed(lines: list[str]) -> tuple[dict[int, int], dict[str, int]]:
    corrections, uploads = {}, {}
    for line in lines:
        parts = line.split()
        if len(parts) != 3 or not line.endswith("\n"):
            continue  # a line cut by the kill was never read by the user
        if parts[0] == "c":
            corrections[int(parts[1])] = int(parts[2])
        elif parts[0] == "u":
            uploads[parts[1]] = int(parts[2])
    return corrections, uploads


def test_sigkill_mid_save_a_hundred_times_loses_nothing_confirmed(newsmap_home):
    rng = random.Random(11)
    db_path = newsmap_home / "newsmap.sqlite"
    confirmed_c: dict[int, int] = {}
    confirmed_u: dict[str, int] = {}
    start = 0
    rounds_u: list[int] = []
    env = {**os.environ, "NEWSMAP_HOME": str(newsmap_home)}
    for _ in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(start)], cwd=PROJECT_ROOT,
                                env=env, stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0, 0.015))  # somewhere in the middle of the next saves
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.readlines()
        proc.wait(timeout=10)
        proc.stdout.close()
        got_c, got_u = _confirmed([first, *rest])
        confirmed_c.update(got_c)
        confirmed_u.update(got_u)
        start = max([start, *got_c.values(), *got_u.values()]) + 1

        report = backup.check(db_path)
        assert report.ok, report.lines()
        db_mod.forget_open()
        db = Database(db_path)
        kept = {c.id: c for c in review_log.load(db)}
        for cid, i in confirmed_c.items():
            assert cid in kept, f"confirmed correction #{cid} lost"
            assert kept[cid].details == {"title": f"title {i}", "pad": PAD}
        uploads = dict(db.query("SELECT name, raw FROM user_articles WHERE kind = 'upload'"))
        db.close()
        for name, i in confirmed_u.items():
            assert name in uploads, f"confirmed upload {name} lost"
            text = bytes(uploads[name]).decode()
            assert text.startswith(f" date 2023-07-01 Protest number {i} in Baghdad. ")
            assert text.endswith(PAD)
        rounds_u.append(len(confirmed_u))
    assert len(confirmed_c) >= ROUNDS  # each round confirmed at least its first save
    assert confirmed_u  # and uploads were confirmed between the kills
    assert len(set(rounds_u)) > ROUNDS // 4  # uploads were confirmed in many rounds
    assert not (newsmap_home / "articles").exists()  # nothing went to files
    from geo import userdata

    assert set(confirmed_u) <= set(userdata.list_articles())
    # the file still takes writes
    db_mod.forget_open()
    assert review_log.save(Correction("confirm", EventKey("h", "after", "unrest"))).id


def test_threads_saving_at_once_keep_every_correction(newsmap_home):
    db_mod.forget_open()
    n = 8
    barrier = threading.Barrier(n)

    def one(k: int) -> list[int]:
        barrier.wait()
        return [review_log.save(Correction("confirm", EventKey("h", f"s{k}-{j}", "unrest"))).id
                for j in range(25)]

    with ThreadPoolExecutor(n) as pool:
        ids = [i for got in pool.map(one, range(n)) for i in got]
    assert len(set(ids)) == n * 25
    assert sorted(c.id for c in review_log.load()) == sorted(ids)


@pytest.mark.parametrize("procs", [3])
def test_processes_saving_at_once_keep_every_correction(newsmap_home, procs):
    code = ("import sys\nfrom geo.review import Correction, EventKey, log\n"
            "for j in range(40):\n"
            "    print(log.save(Correction('confirm', EventKey('h', sys.argv[1] + str(j), "
            "'unrest'))).id, flush=True)\n")
    env = {**os.environ, "NEWSMAP_HOME": str(newsmap_home)}
    ps = [subprocess.Popen([sys.executable, "-c", code, f"p{k}-"], cwd=PROJECT_ROOT, env=env,
                           stdout=subprocess.PIPE, text=True) for k in range(procs)]
    ids = [int(x) for p in ps for x in p.communicate(timeout=60)[0].split()]
    assert all(p.returncode == 0 for p in ps)
    db_mod.forget_open()
    assert sorted(c.id for c in review_log.load()) == sorted(ids) and len(ids) == procs * 40
