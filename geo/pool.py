"""Per-article extraction in a process pool: every core of the machine.

Extraction is per article and pure, so :func:`geo.pipeline.extract_all` hands the articles
the extraction cache does not hold to :func:`extract_many`: worker processes (``spawn``:
fresh interpreters, no state copied from a parent that may run threads, such as the
Streamlit server) each load the gazetteer and the spaCy model once (:func:`_init`) and then
extract small chunks of articles. Results come back as chunks finish; the caller puts them
in input order. Only the parent touches the extraction cache.

A worker never raises for an article: an exception or the per-article time budget
(:class:`geo.extract.TooSlow`) comes back as that article's reason, worded exactly as
in-process (:func:`problem_reason`).
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import traceback
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool

from geo import extract as events_mod
from geo.models import Article, Event

log = logging.getLogger(__name__)

# Fewer articles to extract than this: stay in-process. Starting a worker and loading the
# gazetteer and the model in it costs ~2 s (bench/README.md, "Extraction on every core"),
# about 60 articles' extraction; below ~100 articles two cores do not win that back.
POOL_MIN_ARTICLES = 100
CHUNK_MAX = 8  # articles a task: ~0.3 s of work at ~35 ms an article, so progress moves
CONTEXT = "spawn"  # measured against forkserver and fork: see bench/README.md
# A picklable top-level function each worker runs after loading (tests make an article
# fail inside a worker with it); None in normal use.
WORKER_HOOK: Callable[[], object] | None = None

WARM_UP = Article(name="warm-up", date="2023-07-20", text=(
    "Hundreds of protesters stormed the Swedish embassy in Baghdad on Thursday, "
    "officials said. Iraq expelled the ambassador and recalled its envoy from Stockholm."))


def default_jobs() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``None`` or 0: one worker per core; otherwise ``jobs`` (at least 1)."""
    return default_jobs() if not jobs else max(1, int(jobs))


def problem_reason(exc: BaseException) -> str:
    """What a skipped article's Problem says (the same in-process and in a worker)."""
    if isinstance(exc, events_mod.TooSlow):
        return str(exc)
    return f"extraction failed ({type(exc).__name__}); its events are missing"


# ---------------------------------------------------------------- worker side

def _init(method: str, hook: Callable[[], object] | None) -> None:
    """Once per worker: load what every article needs, outside any article's budget."""
    with contextlib.suppress(ValueError):  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # the model, the gazetteer's indexes and the lexicon's tables: pure caches
        events_mod.extract(WARM_UP, method)
    except Exception:  # noqa: BLE001 - an article that needs it reports it itself
        log.debug("worker warm-up failed", exc_info=True)
    if hook is not None:
        hook()


Outcome = tuple  # ("ok", events) or ("problem", reason, traceback text or "")


def _extract_chunk(chunk: Sequence[Article], method: str, budget_s: float) -> list[Outcome]:
    out: list[Outcome] = []
    for article in chunk:
        try:
            out.append(("ok", events_mod.extract(article, method, budget_s=budget_s)))
        except Exception as exc:  # noqa: BLE001 - one article's bug, not the run's
            tb = "" if isinstance(exc, events_mod.TooSlow) else traceback.format_exc()
            out.append(("problem", problem_reason(exc), tb))
    return out


# ---------------------------------------------------------------- parent side

class PoolUnavailable(RuntimeError):
    """The pool could not start or lost a worker; the caller extracts in-process."""


@contextlib.contextmanager
def _plain_main():
    """Hide a ``__main__`` that is a script from the workers while they start.

    ``spawn`` re-runs the parent's main script in every child (as ``__mp_main__``) so that
    functions defined there unpickle. Ours live in importable modules, and under Streamlit
    the main "script" is the dashboard itself (Streamlit installs it as ``__main__``), which
    must not run in a worker. A ``python -m`` main (the CLI, pytest) is left alone: spawn
    does not re-run those.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None \
            or not getattr(main, "__file__", None):
        yield
        return
    stand_in = types.ModuleType("__main__")
    sys.modules["__main__"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("__main__") is stand_in:  # unless someone else swapped it since
            sys.modules["__main__"] = main


def chunks_of(n: int, jobs: int) -> int:
    """Articles a task: a few tasks per worker at least, at most CHUNK_MAX."""
    return max(1, min(CHUNK_MAX, n // (4 * jobs)))


def _executor(method: str, jobs: int) -> futures.ProcessPoolExecutor:
    try:
        ctx = multiprocessing.get_context(CONTEXT)
        return futures.ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init,
                                           initargs=(method, WORKER_HOOK))
    except (OSError, ValueError, ImportError) as exc:  # no semaphores, no /dev/shm ...
        raise PoolUnavailable(f"cannot start {jobs} workers: {exc}") from exc


def _ready() -> bool:
    return True


class WarmPool:
    """Workers started ahead of need (:func:`prestart`): each loads the model and the
    gazetteer (~2.4 s, bench/README.md) while the caller does other work, so that the few
    articles a restart finds changed cost their extraction, not that load. Used once, by
    :func:`extract_many` (``warm=``), then closed."""

    def __init__(self, method: str, jobs: int = 1):
        self.method, self.jobs, self.hook = method, max(1, jobs), WORKER_HOOK
        self.executor = _executor(method, self.jobs)
        with _plain_main():  # one task a worker: they all start (and load) now
            for _ in range(self.jobs):
                self.executor.submit(_ready)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


_warm: WarmPool | None = None
_warm_lock = threading.Lock()
WARM_UNUSED_S = 120.0  # a prestarted pool nobody took is closed after this


def prestart(method: str, jobs: int = 1) -> bool:
    """Start :class:`WarmPool` workers for ``method`` now, unless some are running (True:
    they are). The next :func:`take_warm` of that method gets them."""
    global _warm
    with _warm_lock:
        if _warm is not None:
            return _warm.method == method
        try:
            _warm = WarmPool(method, jobs)
        except PoolUnavailable as exc:
            log.info("no workers ahead of need: %s", exc)
            return False
        timer = threading.Timer(WARM_UNUSED_S, _close_unused, args=(_warm,))
        timer.daemon = True
        timer.start()
        return True


def take_warm(method: str) -> WarmPool | None:
    """The prestarted pool (now the caller's, to close), if one runs for ``method``."""
    global _warm
    with _warm_lock:
        got, _warm = _warm, None
    if got is not None and (got.method != method or got.hook is not WORKER_HOOK):
        got.close()
        return None
    return got


def _close_unused(pool: WarmPool) -> None:
    global _warm
    with _warm_lock:
        if _warm is not pool:
            return
        _warm = None
    pool.close()


def extract_many(articles: Sequence[Article], method: str, budget_s: float,
                 jobs: int, warm: WarmPool | None = None) -> Iterator[tuple[int, Outcome]]:
    """``(index, outcome)`` for every article, in the order chunks finish.

    ``warm``: run on that pool's workers (already loaded, :func:`prestart`), left open for
    the caller to close; otherwise on a pool of ``jobs`` started here.
    Raises :class:`PoolUnavailable` (before or between yields) when the pool cannot start
    or a worker dies; what was yielded stays valid, the caller does the rest itself.
    """
    n = len(articles)
    if n == 0:
        return
    if warm is not None:
        jobs = warm.jobs
    size = chunks_of(n, jobs)
    starts = range(0, n, size)
    if warm is not None:
        pool = warm.executor
    else:
        jobs = max(1, min(jobs, len(starts)))
        pool = _executor(method, jobs)
    try:
        with _plain_main():  # workers start on the first submits
            pending = {pool.submit(_extract_chunk, articles[i:i + size], method, budget_s): i
                       for i in starts}
        for fut in futures.as_completed(pending):
            start = pending[fut]
            try:
                outcomes = fut.result()
            except BrokenProcessPool as exc:
                raise PoolUnavailable(f"a worker died: {exc}") from exc
            for offset, outcome in enumerate(outcomes):
                yield start + offset, outcome
    finally:
        if warm is None:
            pool.shutdown(wait=True, cancel_futures=True)


def events_of(outcome: Outcome) -> list[Event] | None:
    return outcome[1] if outcome[0] == "ok" else None
