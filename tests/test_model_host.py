"""ModelHost wiring: background load, bounded wait, load errors, score cache, cancellation.

Uses `EngineDouble`, a hand-written test double that follows the Engine protocol; the real
model is exercised end to end in tests/lsp/.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest

from codeqa_lsp.model_host import SCORE_BATCH, ModelHost


@dataclass(frozen=True)
class SuggestionDouble:
    code: str
    score: float
    slot_spans: tuple[tuple[int, int], ...] = ()


class EngineDouble:
    """Scores a pair by word overlap; records every call so tests see what reached it."""

    threshold = 0.5

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.info = {"double": True}
        self.scored: list[tuple[str, str]] = []
        self.suggested: list[tuple[str, int]] = []
        self.gate = gate

    def score(self, pairs):
        if self.gate is not None:
            self.gate.wait(5)
        self.scored.extend(pairs)
        out = []
        for intent, code in pairs:
            words = set(intent.lower().split())
            out.append(
                len(words & set(code.lower().replace("(", " ").split())) / max(len(words), 1)
            )
        return out

    def suggest(self, intent, k=5):
        self.suggested.append((intent, k))
        return [SuggestionDouble(f"{intent.split()[0]}_{i}()", 1.0 / (i + 1)) for i in range(k)]


async def test_loads_in_background_and_reports_states() -> None:
    states: list[str] = []
    engine = EngineDouble()
    host = ModelHost(loader=lambda path: engine, on_state=lambda s, m: states.append(s))
    task = host.start_loading(None)
    assert host.state == "loading"
    await task
    assert host.state == "ready" and states == ["loading", "ready"]
    assert await host.engine() is engine
    host.shutdown()


async def test_load_error_is_reported_once_and_requests_get_none() -> None:
    messages: list[tuple[str, str]] = []

    def broken(path):
        raise ValueError(f"{path}/manifest.json: not a bundle")

    host = ModelHost(loader=broken, on_state=lambda s, m: messages.append((s, m)))
    await host.start_loading("/nowhere")
    assert host.state == "error"
    assert [s for s, _ in messages] == ["loading", "error"]
    assert "/nowhere/manifest.json: not a bundle" in messages[-1][1]
    assert await host.engine() is None
    assert await host.wait_loaded() is None
    host.shutdown()


async def test_requests_during_loading_wait_a_bounded_time() -> None:
    release = threading.Event()

    def slow(path):
        release.wait(5)
        return EngineDouble()

    host = ModelHost(loader=slow, wait_s=0.05)
    task = host.start_loading(None)
    assert await host.engine() is None  # gave up after 0.05 s, loading goes on
    release.set()
    await task
    assert await host.engine() is not None
    host.shutdown()


async def test_score_cache_only_scores_new_pairs() -> None:
    engine = EngineDouble()
    host = ModelHost(loader=lambda path: engine)
    await host.start_loading(None)
    pairs = [("sort the list", "xs.sort()"), ("print the list", "print(xs)")]
    first = await host.score(engine, pairs)
    assert first == [0.0, pytest.approx(1 / 3)]
    assert len(engine.scored) == 2
    changed = [("sort the list", "xs.sort()"), ("print the list", "print(xs) ")]
    await host.score(engine, changed)
    assert engine.scored[2:] == [("print the list", "print(xs) ")]
    assert host.scored_pairs == 3
    host.shutdown()


async def test_suggestions_are_cached_and_long_intents_clipped() -> None:
    engine = EngineDouble()
    host = ModelHost(loader=lambda path: engine)
    await host.start_loading(None)
    long_intent = "copy " + "x" * 20_000
    a = await host.suggest(engine, long_intent, 3)
    b = await host.suggest(engine, long_intent, 3)
    assert a == b and len(a) == 3
    assert len(engine.suggested) == 1 and len(engine.suggested[0][0]) == 1_000
    host.shutdown()


async def test_cancelled_scoring_stops_between_batches() -> None:
    gate = threading.Event()
    engine = EngineDouble(gate=gate)
    host = ModelHost(loader=lambda path: engine)
    await host.start_loading(None)
    pairs = [(f"intent {i}", f"code_{i}()") for i in range(4 * SCORE_BATCH)]
    job = asyncio.create_task(host.score(engine, pairs))
    await asyncio.sleep(0.05)
    job.cancel()
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await job
    await asyncio.sleep(0.1)
    # the batch in flight, maybe one more; never all of them
    assert len(engine.scored) <= 2 * SCORE_BATCH
    host.shutdown()


async def test_cached_suggestions_never_run_the_model() -> None:
    engine = EngineDouble()
    host = ModelHost(loader=lambda path: engine)
    await host.start_loading(None)
    assert host.cached_suggestions("sort list `a`", 3) is None
    assert engine.suggested == []
    made = await host.suggest(engine, "sort list `a`", 3)
    assert host.cached_suggestions("sort list `a`", 3) == made
    assert host.cached_suggestions("sort list `a`", 5) is None  # k is part of the key
    assert engine.suggested == [("sort list `a`", 3)]
    host.shutdown()


async def test_a_whole_file_is_scored_in_few_model_calls() -> None:
    calls: list[int] = []
    engine = EngineDouble()
    score = engine.score
    engine.score = lambda pairs: calls.append(len(pairs)) or score(pairs)  # type: ignore[method-assign]
    host = ModelHost(loader=lambda path: engine)
    await host.start_loading(None)
    pairs = [(f"intent {i}", f"code_{i}()") for i in range(500)]
    assert len(await host.score(engine, pairs)) == 500
    assert sum(calls) == 500 and len(calls) == -(-500 // SCORE_BATCH)
    again = await host.score(engine, [*pairs[:10], ("new intent", "x()")])
    assert len(again) == 11 and calls[-1] == 1  # only the unseen pair reaches the model
    host.shutdown()
