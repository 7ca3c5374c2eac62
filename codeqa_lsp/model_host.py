"""Owns the model for the server: background load, bounded waits, executor, score cache.

The server stays responsive while torch loads and while the model works: loading and
inference run on one worker thread (torch is CPU-bound and single-threaded here, so one
thread keeps requests in order and memory flat), and the event loop only awaits them.
Scores are submitted in batches of `SCORE_BATCH` pairs (the matcher's own batch size, so a
500-block file costs two calls); a cancelled request stops after the batch in flight, and
whatever it scored stays cached for the next version of the document.
torch is imported lazily, through `model.inference`, the first time a model is loaded.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, Protocol

from codeqa_lsp.convert import SuggestionLike

__all__ = ["EngineLike", "ModelHost", "ModelState", "load_engine"]

log = logging.getLogger(__name__)

ModelState = Literal["idle", "loading", "ready", "error"]

# Inputs are cut before they reach the model: its tokenizers cut far shorter anyway, and a
# 20,000-character intent must not cost more than a short one.
MAX_INTENT_CHARS = 1_000
MAX_CODE_CHARS = 4_000
SCORE_BATCH = 256
CACHE_SIZE = 8_192


class EngineLike(Protocol):
    """The part of `model.inference.Engine` the server uses."""

    threshold: float
    info: dict[str, Any]

    def suggest(self, intent: str, k: int = 5) -> Sequence[SuggestionLike]: ...
    def score(self, pairs: Sequence[tuple[str, str]]) -> Sequence[float]: ...


def load_engine(path: str | None) -> EngineLike:
    """Load a bundle with the real engine (imports torch; call it off the event loop).

    ``path`` is a bundle directory, a user bundle's plain name, or None for the shipped one.
    """
    from codeqa_model.inference import Engine  # lazy: keeps --help and the parser free of torch

    return Engine.load(path or None, threads=1)


def clip_intent(intent: str) -> str:
    return intent[:MAX_INTENT_CHARS]


def clip_code(code: str) -> str:
    return code[:MAX_CODE_CHARS]


class ModelHost:
    """The model's life cycle and every call into it, awaitable from the event loop."""

    def __init__(
        self,
        loader: Callable[[str | None], EngineLike] = load_engine,
        on_state: Callable[[ModelState, str], None] | None = None,
        wait_s: float = 10.0,
    ) -> None:
        self._loader = loader
        self._on_state = on_state
        self.wait_s = wait_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeqa-model")
        self._engine: EngineLike | None = None
        self._ready = asyncio.Event()
        self._load_task: asyncio.Task[None] | None = None
        self.state: ModelState = "idle"
        self.message = ""
        self.path: str | None = None
        self._scores: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._suggestions: OrderedDict[tuple[str, int], list[SuggestionLike]] = OrderedDict()

    # ------------------------------------------------------------ life cycle

    def start_loading(self, path: str | None) -> asyncio.Task[None]:
        """Begin loading ``path`` (None = the shipped bundle) in the background."""
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()
        self.path = path
        self._engine = None
        self._ready.clear()
        self._scores.clear()
        self._suggestions.clear()
        self._set_state("loading", f"loading model {path or '(shipped bundle)'}")
        self._load_task = asyncio.get_running_loop().create_task(self._load(path))
        return self._load_task

    async def _load(self, path: str | None) -> None:
        loop = asyncio.get_running_loop()
        try:
            engine = await loop.run_in_executor(self._executor, self._loader, path)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure: report once, keep serving empty results
            log.exception("model load failed")
            self._set_state("error", f"codeqa: could not load the model: {exc}")
            self._ready.set()
            return
        self._engine = engine
        self._set_state("ready", f"model ready: {path or '(shipped bundle)'}")
        self._ready.set()

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
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def suggest(self, engine: EngineLike, intent: str, k: int) -> list[SuggestionLike]:
        """Top-k suggestions for ``intent``, best first (cached per intent and k)."""
        key = (clip_intent(intent), k)
        cached = self._suggestions.get(key)
        if cached is not None:
            self._suggestions.move_to_end(key)
            return cached
        result = list(await self._run(engine.suggest, key[0], k))
        _remember(self._suggestions, key, result)
        return result

    def cached_suggestions(self, intent: str, k: int) -> list[SuggestionLike] | None:
        """The suggestions `suggest` would return, if already computed; never runs the model."""
        return self._suggestions.get((clip_intent(intent), k))

    async def score(self, engine: EngineLike, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Match scores for (intent, code) pairs; only pairs not seen before reach the model.

        A re-check after a one-character edit therefore scores only the changed block.
        """
        keys = [(clip_intent(intent), clip_code(code)) for intent, code in pairs]
        todo = list(dict.fromkeys(key for key in keys if key not in self._scores))
        for start in range(0, len(todo), SCORE_BATCH):
            batch = todo[start : start + SCORE_BATCH]
            scores = await self._run(engine.score, batch)
            if len(scores) != len(batch):
                raise RuntimeError(f"model returned {len(scores)} scores for {len(batch)} pairs")
            for key, value in zip(batch, scores, strict=True):
                _remember(self._scores, key, float(value))
        result: list[float] = []
        for key in keys:
            value = self._scores.get(key)
            if value is None:  # evicted while scoring a huge file: score it again alone
                value = float((await self._run(engine.score, [key]))[0])
                _remember(self._scores, key, value)
            result.append(value)
        return result

    @property
    def scored_pairs(self) -> int:
        """How many distinct pairs are cached (tests use it to see what was re-scored)."""
        return len(self._scores)


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
