"""Extraction on a Dask cluster (``python -m geo extract --engine dask SCHEDULER_ADDRESS``).

A year of news (~36 million articles) is ~12 days of one core's extraction (bench/README.md,
"A year of news"); the process pool (:mod:`geo.pool`) has only this machine's cores.
Extraction is per article and pure, so :class:`DaskEngine` maps it over shards of articles
on a Dask distributed cluster and yields ``(index, outcome)`` exactly as
:func:`geo.pool.extract_many` does; :func:`geo.pipeline.extract_all` does everything else
as for the local path (extraction cache, per-article problems, input order, the
cross-article merge, geocoding), so the events are the same.

``dask`` and ``distributed`` are optional: imported only when an engine connects, and a
missing one is an :class:`EngineError` that says what to install. Workers must run this
same code (``geo`` importable, same extractor): each shard checks the extractor's
fingerprint against the client's, so a stale worker fails the run instead of quietly
giving other events. Run workers with one thread each (``--nthreads 1``): extraction is
CPU-bound Python, threads share one core.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from geo import extract as events_mod
from geo import pool
from geo.models import Article

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 10.0  # to reach the scheduler, and for it to have a worker
SHARD_MAX = 32  # articles a task: ~1 s of work at ~30 ms an article; the scheduler's
# per-task cost (~1 ms) stays small, and a lost worker loses little
IN_FLIGHT_PER_THREAD = 4  # shards queued per worker thread: busy workers, bounded memory
RECOUNT_S = 5.0  # how often a run counts the cluster's worker threads again
INSTALL_HINT = ("pip install dask==2026.8.0 distributed==2026.8.0 "
                "(pinned in requirements-test.txt)")


class EngineError(RuntimeError):
    """The cluster cannot be used (not installed, unreachable, no workers, a stale or
    broken worker); ``str(exc)`` says why, in one sentence."""


class WorkerMismatch(RuntimeError):
    """A worker's extractor is not the client's (other code or data files)."""


# ---------------------------------------------------------------- worker side

_warm: set[str] = set()
_warm_lock = threading.Lock()


def extract_shard(shard: Sequence[Article], method: str, budget_s: float,
                  fingerprint: str) -> list[pool.Outcome]:
    """One task: the shard's outcomes, as the pool's workers make them. The first shard of
    a worker process loads the model and tables first, outside any article's budget."""
    from geo.pipeline import extractor_fingerprint

    if extractor_fingerprint() != fingerprint:
        raise WorkerMismatch("this worker's extractor differs from the client's: run the "
                             "same version of the code on the workers")
    with _warm_lock:
        if method not in _warm:
            try:
                events_mod.extract(pool.WARM_UP, method)
            except Exception:  # noqa: BLE001 - an article that needs it reports it itself
                log.debug("worker warm-up failed", exc_info=True)
            _warm.add(method)
    return pool._extract_chunk(shard, method, budget_s)


# ---------------------------------------------------------------- client side

def shard_size(n: int, threads: int) -> int:
    """Articles a shard: a few shards per worker thread at least, at most SHARD_MAX."""
    return max(1, min(SHARD_MAX, n // (4 * max(1, threads))))


@dataclass
class DaskEngine:
    """A connected Dask client; use :meth:`connect`, then ``extract_many``, then
    :meth:`close` (or ``with``)."""

    address: str
    client: object = field(repr=False)

    @classmethod
    def connect(cls, address: str, timeout_s: float | None = None) -> DaskEngine:
        """Connect to the scheduler at ``address`` and wait for a worker, or raise
        :class:`EngineError` within about ``timeout_s`` (default ``CONNECT_TIMEOUT_S``)."""
        timeout_s = CONNECT_TIMEOUT_S if timeout_s is None else timeout_s
        try:
            import distributed
        except ImportError as exc:
            raise EngineError(f"--engine dask needs the optional packages dask and "
                              f"distributed ({exc}); {INSTALL_HINT}") from exc
        from distributed.comm import parse_address
        from distributed.comm.registry import get_backend

        try:  # before Client: a Client that fails on a bad scheme hangs at exit
            scheme, location = parse_address(address)
            get_backend(scheme)
            if not location:
                raise ValueError("no host")
        except ValueError as exc:
            raise EngineError(f"{address!r} is not a Dask scheduler address ({exc}); "
                              "e.g. tcp://127.0.0.1:8786") from exc
        try:
            client = distributed.Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {address} within "
                              f"{timeout_s:g} s ({exc})") from exc
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except (OSError, TimeoutError) as exc:
            client.close()
            raise EngineError(f"the Dask scheduler at {address} has no workers after "
                              f"{timeout_s:g} s; start some: dask worker {address} "
                              "--nthreads 1") from exc
        return cls(address=address, client=client)

    def threads(self) -> int:
        try:
            return max(1, sum(self.client.nthreads().values()))
        except (OSError, TimeoutError):
            return 1

    def extract_many(self, articles: Sequence[Article], method: str,
                     budget_s: float) -> Iterator[tuple[int, pool.Outcome]]:
        """``(index, outcome)`` for every article, in the order shards finish. At most
        ``IN_FLIGHT_PER_THREAD`` shards per worker thread are queued at a time, so 36
        million articles are not all sent at once. A shard that fails as a whole (a lost
        cluster, a stale worker) raises :class:`EngineError`; what was yielded stays valid."""
        from distributed import as_completed

        from geo.pipeline import extractor_fingerprint

        n = len(articles)
        if n == 0:
            return
        threads, counted = self.threads(), time.monotonic()
        size = shard_size(n, threads)
        starts = iter(range(0, n, size))
        fingerprint = extractor_fingerprint()
        pending: dict = {}
        window = as_completed([], loop=self.client.loop)

        def top_up() -> None:
            """Queue shards up to IN_FLIGHT_PER_THREAD per worker thread; the threads are
            counted again every RECOUNT_S, so workers that join later get work too."""
            nonlocal threads, counted
            if time.monotonic() - counted > RECOUNT_S:
                threads, counted = self.threads(), time.monotonic()
            while len(pending) < IN_FLIGHT_PER_THREAD * threads:
                start = next(starts, None)
                if start is None:
                    return
                fut = self.client.submit(extract_shard, articles[start:start + size], method,
                                         budget_s, fingerprint, pure=False)
                pending[fut] = start
                window.add(fut)

        try:
            top_up()
            for fut in window:
                start = pending.pop(fut)
                try:
                    outcomes = fut.result()
                except WorkerMismatch as exc:
                    raise EngineError(f"Dask worker at {self.address}: {exc}") from exc
                except Exception as exc:  # noqa: BLE001 - lost workers, cancelled, unpicklable
                    raise EngineError(f"a shard failed on the Dask cluster at "
                                      f"{self.address} ({type(exc).__name__}: {exc})") from exc
                top_up()
                for offset, outcome in enumerate(outcomes):
                    yield start + offset, outcome
        finally:
            if pending:
                self.client.cancel(list(pending))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
