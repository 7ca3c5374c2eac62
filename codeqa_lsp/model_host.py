"""Owns the model for the server: background load, bounded waits, the worker thread.

The server stays responsive while the model loads and while it works: loading and
inference run on one worker thread (the networks are CPU-bound and single-threaded here, so
one thread keeps requests in order and memory flat), and the event loop only awaits them.
Clipping and caching are the engine's (`codeqa_model.inference.Engine`); answers it already
knows are read without a trip through the worker, so they never queue behind a beam search.
Scores are submitted in batches of `SCORE_BATCH` pairs (the matcher's own batch size, so a
500-block file costs two calls); a cancelled request stops after the batch in flight, and
whatever it scored stays cached for the next version of the document.
A loaded model's objects are kept out of the cyclic collector's walks (`settle_heap`), and
freed heap memory goes back to the OS after the load and every `TRIM_EVERY` jobs (`trim_heap`):
glibc keeps what a long-running process frees (the load's parsing, beams' tensors, caches
churning at their bound), so without it the RSS only grows.
The engine is imported lazily, through `codeqa_model.inference`, the first time a model is
loaded; the shipped networks run in numpy, so the server never imports torch (a user bundle
whose networks have no numpy path imports it then).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from codeqa_model.context import SourceContext
    from codeqa_model.inference import EngineLike, Suggestion

__all__ = ["Loader", "ModelHost", "ModelLoadError", "ModelState", "explanation", "load_engine"]

log = logging.getLogger(__name__)

ModelState = Literal["idle", "loading", "ready", "error"]
Loader = Callable[[str | None], "EngineLike"]

SCORE_BATCH = 256
# Model-thread jobs between two heap trims; one trim costs well under a millisecond.
TRIM_EVERY = 32
# Only for a bundle whose networks run in torch: oneDNN keeps up to 1,024 compiled primitives
# by default, one per input shape it meets, and a torch matcher's convolutions meet a new
# length in nearly every call. In process (torch matcher), after 8,448 scored pairs and 400
# suggestions: RSS 408 MiB with the default, 395 with 64, 391 with 8; rates the same.
ONEDNN_CACHE = "64"


def _malloc_trim() -> Callable[[], object]:
    """glibc's ``malloc_trim(0)``, or a no-op where the C library has none (macOS, musl)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


trim_heap = _malloc_trim()


class ModelLoadError(Exception):
    """A model that cannot be loaded for a reason the user can fix; the message says how."""


def load_engine(path: str | None) -> EngineLike:
    """Load a bundle with the real engine (seconds of work; call it off the event loop).

    ``path`` is a bundle directory, a user bundle's plain name, or None for the shipped one.
    Raises `ModelLoadError` for a path that does not exist and for a damaged bundle, each
    with the advice that fits it.
    """
    # read by oneDNN when torch first uses it, so set before the import; a user's value stays
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", ONEDNN_CACHE)
    # lazy: keeps --help and the parser free of the model's imports
    from codeqa_model.bundle import BundleError
    from codeqa_model.inference import Engine
    from codeqa_model.paths import resolve_bundle

    if path:
        where = resolve_bundle(path)
        if not where.exists():
            raise ModelLoadError(_missing(path, where))
    gc.unfreeze()  # a model loaded before this one (now replaced) may be collected again
    try:
        engine = Engine.load(path or None, threads=1)
    except BundleError as exc:
        raise ModelLoadError(str(exc)) from None
    settle_heap()
    return engine


def settle_heap() -> None:
    """Collect once, then keep everything alive now out of later collections (`gc.freeze`).

    Why: a loaded model is about 100,000 Python objects (index entries, API table, vocabularies)
    that live as long as the process, and every full collection walked them all. One fell
    inside the scoring of a 500-block file (`python -m bench.diagnostics_speed`, didOpen →
    diagnostics 511, 697, 545 ms without the freeze against 398, 340, 414 with it, alternate
    runs). Frozen objects are still freed when nothing refers to them; only cycles among them
    wait for the next load, which unfreezes first."""
    gc.collect()
    gc.freeze()


def _missing(path: str, where: Path) -> str:
    what = (
        f"{where} does not exist"
        if str(where) == str(Path(path).expanduser())
        else f"there is no user bundle named {path!r} (looked in {where})"
    )
    return (
        f"{what}. Set the `modelPath` setting (or the server's `--model` option) to a bundle "
        "directory or a user bundle's name, or leave it empty to use the shipped model."
    )


class ModelHost:
    """The model's life cycle and every call into it, awaitable from the event loop."""

    def __init__(
        self,
        loader: Loader = load_engine,
        on_state: Callable[[ModelState, str], None] | None = None,
        wait_s: float = 10.0,
        trim: Callable[[], object] = trim_heap,
    ) -> None:
        self._loader = loader
        self._trim = trim
        self._jobs = 0  # finished on the model thread since the last trim
        self._on_state = on_state
        self.wait_s = wait_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeqa-model")
        self._engine: EngineLike | None = None
        self._ready = asyncio.Event()
        self._load_task: asyncio.Task[None] | None = None
        self.state: ModelState = "idle"
        self.message = ""
        self.path: str | None = None

    # ------------------------------------------------------------ life cycle

    def start_loading(self, path: str | None) -> asyncio.Task[None]:
        """Begin loading ``path`` (None = the shipped bundle) in the background."""
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()
        self.path = path
        self._engine = None
        self._ready.clear()
        self._set_state("loading", f"loading model {path or '(shipped bundle)'}")
        self._load_task = asyncio.get_running_loop().create_task(self._load(path))
        return self._load_task

    async def _load(self, path: str | None) -> None:
        loop = asyncio.get_running_loop()
        try:
            engine = await loop.run_in_executor(self._executor, self._load_and_trim, path)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure: report once, keep serving empty results
            message = f"could not load the model: {exc}"
            if isinstance(exc, ModelLoadError):
                log.error("%s", message)  # a fault the message explains: no traceback
            else:
                log.exception("%s", message)
            self._set_state("error", message)
            self._ready.set()
            return
        self._engine = engine
        self._set_state("ready", f"model ready: {path or '(shipped bundle)'}")
        self._ready.set()

    def _load_and_trim(self, path: str | None) -> EngineLike:
        """The loader's engine; the memory its parsing freed goes back to the OS."""
        try:
            return self._loader(path)
        finally:
            self._trim()

    def _set_state(self, state: ModelState, message: str) -> None:
        self.state = state
        self.message = message
        if self._on_state is not None:
            self._on_state(state, message)

    async def engine(self, wait: bool = True) -> EngineLike | None:
        """The loaded engine; waits up to ``wait_s`` while loading, None if not available."""
        if self._engine is not None or not wait:
            return self._engine
        if self.state in ("idle", "loading"):  # idle: the client has not said `initialized`
            try:
                await asyncio.wait_for(self._ready.wait(), timeout=self.wait_s)
            except TimeoutError:
                return None
        return self._engine

    async def wait_loaded(self) -> EngineLike | None:
        """Wait without a bound (for background work such as pushed diagnostics)."""
        if self.state in ("idle", "loading"):
            await self._ready.wait()
        return self._engine

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ inference

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._job, fn, args)

    def _job(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """``fn(*args)`` on the model thread; every `TRIM_EVERY`-th job then trims the heap."""
        try:
            return fn(*args)
        finally:
            self._jobs += 1
            if self._jobs >= TRIM_EVERY:
                self._jobs = 0
                self._trim()

    async def suggest(
        self, engine: EngineLike, intent: str, k: int, context: SourceContext | None = None
    ) -> list[Suggestion]:
        """Top-k suggestions for ``intent``, best first; a known answer skips the worker."""
        known = engine.cached_suggestions(intent, k, context)
        if known is not None:
            return list(known)
        return list(await self._run(engine.suggest, intent, k, context))

    async def score(self, engine: EngineLike, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Match scores for (intent, code) pairs; only pairs not seen before reach the model.

        A re-check after a one-character edit therefore scores only the changed block.
        """
        pairs = list(pairs)
        found = {
            p: v for p, v in zip(pairs, engine.cached_scores(pairs), strict=True) if v is not None
        }
        todo = list(dict.fromkeys(p for p in pairs if p not in found))
        for start in range(0, len(todo), SCORE_BATCH):
            batch = todo[start : start + SCORE_BATCH]
            scores = await self._run(engine.score, batch)
            if len(scores) != len(batch):
                raise RuntimeError(f"model returned {len(scores)} scores for {len(batch)} pairs")
            found.update((p, float(v)) for p, v in zip(batch, scores, strict=True))
        return [found[p] for p in pairs]

    async def explain(
        self, engine: EngineLike, pairs: Sequence[tuple[str, str]]
    ) -> list[str | None]:
        """Why each (intent, code) pair looks mismatched, where the engine can say (one job).

        Engines without an ``explain`` method (older ones, test doubles) give None for each.
        """
        explain = getattr(engine, "explain", None)
        if explain is None or not pairs:
            return [None] * len(pairs)
        return await self._run(lambda: [explanation(explain, i, c) for i, c in pairs])


def explanation(explain: Callable[[str, str], Any], intent: str, code: str) -> str | None:
    """`explain(intent, code)` when it gives a reason in words; None for anything else (the
    server's diagnostics and `codeqa-lsp check` show the same reasons)."""
    reason = explain(intent, code)
    return reason if isinstance(reason, str) and reason.strip() else None
