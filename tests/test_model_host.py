"""ModelHost wiring: background load, bounded wait, load errors, worker use, cancellation.

Uses `EngineDouble` (tests/engine_double.py), a hand-written double of the `EngineLike` seam;
the real engine's caches are tested in tests/test_inference.py, and the real model end to
end in tests/lsp/.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import weakref

import pytest
from engine_double import EngineDouble

from codeqa_lsp.model_host import (
    ONEDNN_CACHE,
    SCORE_BATCH,
    TRIM_EVERY,
    ModelHost,
    ModelLoadError,
    load_engine,
)


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


async def test_only_unseen_pairs_reach_the_engine() -> None:
    engine = EngineDouble()
    sent: list[list[tuple[str, str]]] = []
    score = engine.score
    engine.score = lambda pairs: sent.append(list(pairs)) or score(pairs)  # type: ignore[method-assign]
    host = ModelHost(loader=lambda path: engine)
    await host.start_loading(None)
    pairs = [("sort the list", "xs.sort()"), ("print the list", "print(xs)")]
    first = await host.score(engine, pairs)
    assert first == [0.0, pytest.approx(1 / 3)]
    changed = [("sort the list", "xs.sort()"), ("print the list", "print(xs) "), pairs[0]]
    assert (await host.score(engine, changed))[::2] == [0.0, 0.0]
    assert sent == [pairs, [("print the list", "print(xs) ")]]
    host.shutdown()


async def test_known_suggestions_skip_the_worker() -> None:
    gate = threading.Event()
    engine = EngineDouble()
    host = ModelHost(loader=lambda path: engine)
    await host.start_loading(None)
    made = await host.suggest(engine, "copy file `a`", 3)
    assert len(made) == 3 and engine.suggested == ["copy file `a`"]
    blocked = asyncio.get_running_loop().run_in_executor(host._executor, gate.wait, 5)
    # the worker is busy; a known answer comes back anyway, an unknown one waits its turn
    assert await asyncio.wait_for(host.suggest(engine, "copy file `a`", 3), 5) == made
    later = asyncio.create_task(host.suggest(engine, "sort list `b`", 3))
    await asyncio.sleep(0)
    assert not later.done() and engine.suggested == ["copy file `a`"]
    gate.set()
    await blocked
    assert [s.code for s in await later] == ["sort_0()", "sort_1()", "sort_2()"]
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


def test_a_missing_model_path_says_so_and_how_to_set_it(tmp_path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ModelLoadError) as raised:
        load_engine(str(missing))
    message = str(raised.value)
    assert message.startswith(f"{missing} does not exist.")
    assert "`modelPath`" in message and "`--model`" in message and "export" not in message
    with pytest.raises(ModelLoadError, match=r"there is no user bundle named 'no-such-bundle'"):
        load_engine("no-such-bundle")


def test_a_damaged_bundle_gets_the_re_export_advice(tmp_path) -> None:
    (tmp_path / "manifest.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(ModelLoadError) as raised:
        load_engine(str(tmp_path))
    message = str(raised.value)
    assert "manifest.json: invalid JSON" in message and "codeqa-train export" in message
    assert "does not exist" not in message


async def test_load_errors_are_reported_without_a_prefix_clients_add_themselves() -> None:
    messages: list[tuple[str, str]] = []

    def missing(path):
        raise ModelLoadError(f"{path} does not exist. Set the `modelPath` setting")

    host = ModelHost(loader=missing, on_state=lambda s, m: messages.append((s, m)))
    await host.start_loading("/x")
    assert messages[-1] == (
        "error",
        "could not load the model: /x does not exist. Set the `modelPath` setting",
    )
    host.shutdown()


async def test_the_heap_is_trimmed_after_the_load_and_every_few_jobs() -> None:
    trims: list[int] = []
    engine = EngineDouble()
    host = ModelHost(loader=lambda path: engine, trim=lambda: trims.append(len(engine.scored)))
    await host.start_loading(None)
    assert trims == [0]  # once the load is done
    for i in range(2 * TRIM_EVERY):
        await host.score(engine, [(f"intent {i}", "pass")])
    assert len(trims) == 3 and trims[1] == TRIM_EVERY  # then after every TRIM_EVERY jobs
    host.shutdown()


async def test_a_failed_load_still_trims_and_reports() -> None:
    trims: list[str] = []

    def broken(path):
        raise ValueError("not a bundle")

    host = ModelHost(loader=broken, trim=lambda: trims.append("trim"))
    await host.start_loading(None)
    assert host.state == "error" and trims == ["trim"]
    host.shutdown()


def test_a_loaded_model_stays_out_of_collections_until_the_next_load(monkeypatch) -> None:
    from codeqa_model.inference import Engine

    class Model:
        """Stands for the engine: objects in reference cycles, as a real model's are."""

    loaded: list[weakref.ref[Model]] = []

    def load(path: str | None = None, threads: int = 1) -> Model:
        model = Model()
        model.itself = model  # type: ignore[attr-defined]
        loaded.append(weakref.ref(model))
        return model

    monkeypatch.setattr(Engine, "load", load)
    try:
        first = load_engine(None)
        assert gc.get_freeze_count() > 0
        del first
        gc.collect()
        assert loaded[0]() is not None  # frozen: no collection walks it
        load_engine(None)
        assert loaded[0]() is None  # the next load let the replaced model go
    finally:
        gc.unfreeze()


def test_the_onednn_cache_is_bounded_unless_the_user_bounded_it(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", raising=False)
    with pytest.raises(ModelLoadError):
        load_engine(str(tmp_path / "nope"))
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == ONEDNN_CACHE
    monkeypatch.setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "5")
    with pytest.raises(ModelLoadError):
        load_engine(str(tmp_path / "nope"))
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "5"
