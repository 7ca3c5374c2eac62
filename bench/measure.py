"""The measurements, each driving a real server subprocess through `LspClient`.

`completion_run` does the same thing to every server: spawn, initialize, open a document, ask
for completions until the first non-empty answer (startup time), run the target's `prepare`
step if it has one, then

- ``edited`` (the headline): N requests, each after an untimed didChange that gives the
  document new content — for our server a new intent every time, never one it has answered
  before, so the model decodes for every sample; jedi re-parses the file;
- more edited requests (still new intents) up to `memory_total`, sampling RSS at 1,000 and at
  the last one (counting edited requests only);
- ``repeated`` (a labelled extra, never a target): N requests at the same position of the
  unchanged document — the cost of answering from a cache.

`diagnostics_run` opens the 5,000-line file on our server and times didOpen → publishDiagnostics
and one-character edits → their publishDiagnostics. `fill_score_cache` is our server's
`prepare`: it fills the engine's score cache to its bound before the memory marks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.lsp_client import LspClient
from bench.workload import IntentPair, big_document, one_char_edit

__all__ = [
    "CompletionRun",
    "DiagnosticsRun",
    "Target",
    "completion_run",
    "diagnostics_run",
    "fill_score_cache",
]

DocumentFn = Callable[[int], tuple[str, int, int]]  # edit number -> (text, line, character)
PrepareFn = Callable[[LspClient, Path], Awaitable[str]]  # -> a note for the report
MEMORY_MARKS = (1_000, 10_000)


@dataclass(frozen=True)
class Target:
    """A server to measure and the document it completes in."""

    name: str
    command: tuple[str, ...]
    document: DocumentFn
    init_options: Any = None
    cwd: Path | None = None
    prepare: PrepareFn | None = None


@dataclass
class CompletionRun:
    name: str
    first_answer_s: float = float("nan")
    first_items: int = 0
    repeat_ms: list[float] = field(default_factory=list)
    edited_ms: list[float] = field(default_factory=list)
    empty_answers: int = 0
    rss_mb: dict[str, float] = field(default_factory=dict)
    completions: int = 0  # edited completions (each on a new document text)
    alive_at_end: bool = False
    exit_code: int | None = None
    error: str = ""
    prepared: str = ""


def _items(result: Any) -> int:
    if isinstance(result, dict):
        return len(result.get("items") or [])
    if isinstance(result, list):
        return len(result)
    return 0


def rss_mb(pid: int) -> float:
    """Resident memory of the process, MiB."""
    return psutil.Process(pid).memory_info().rss / 2**20


async def _timed_completion(client: LspClient, uri: str, line: int, char: int) -> tuple[float, int]:
    started = time.perf_counter()
    result = await client.completion(uri, line, char, timeout=60.0)
    return (time.perf_counter() - started) * 1000.0, _items(result)


def memory_marks(memory_total: int) -> list[int]:
    """Edited-completion counts after which RSS is sampled."""
    return sorted({m for m in MEMORY_MARKS if m <= memory_total} | {memory_total})


async def completion_run(
    target: Target,
    workdir: Path,
    requests: int,
    memory_total: int,
    startup_timeout: float = 120.0,
    log: Callable[[str], None] = lambda _msg: None,
) -> CompletionRun:
    """Startup, latency and memory of one server (see the module docstring)."""
    run = CompletionRun(target.name)
    path = workdir / f"bench_{target.name.replace(' ', '_')}.py"
    uri = path.resolve().as_uri()
    text, line, char = target.document(0)
    path.write_text(text, encoding="utf-8")

    spawned = time.perf_counter()
    client = await LspClient.spawn(target.command, cwd=target.cwd or workdir)
    try:
        await client.initialize(workdir, initialization_options=target.init_options)
        client.open(uri, text)
        while True:
            result = await client.completion(uri, line, char, timeout=startup_timeout)
            if _items(result):
                run.first_answer_s = time.perf_counter() - spawned
                run.first_items = _items(result)
                break
            if time.perf_counter() - spawned > startup_timeout:
                raise TimeoutError(f"no non-empty completion within {startup_timeout:.0f} s")
            await asyncio.sleep(0.05)
        run.rss_mb["after start"] = rss_mb(client.pid)
        log(f"{target.name}: first answer {run.first_answer_s:.2f} s")
        if target.prepare is not None:
            run.prepared = await target.prepare(client, workdir)
            log(f"{target.name}: {run.prepared}")

        version = 1
        marks = memory_marks(memory_total)
        goal = max(memory_total, requests)
        while run.completions < goal:
            version += 1
            text, line, char = target.document(run.completions + 1)  # a new text each time
            client.change(uri, version, [{"text": text}])
            ms, items = await _timed_completion(client, uri, line, char)
            if len(run.edited_ms) < requests:
                run.edited_ms.append(ms)
            run.empty_answers += items == 0
            run.completions += 1
            if run.completions in marks:
                key = f"after {run.completions:,}"
                run.rss_mb[key] = rss_mb(client.pid)
                log(f"{target.name}: {run.completions} completions, rss {run.rss_mb[key]:.0f} MiB")

        for _ in range(requests):  # the extra: same position, unchanged document
            ms, items = await _timed_completion(client, uri, line, char)
            run.repeat_ms.append(ms)
            run.empty_answers += items == 0
        log(f"{target.name}: {requests} repeated requests done")
        run.alive_at_end = client.alive
    except Exception as exc:  # reported in the table: a crash is a result, not a bench failure
        run.error = f"{type(exc).__name__}: {exc}"
        run.alive_at_end = client.alive
    finally:
        run.exit_code = await client.close()
    return run


def score_fill_document(pairs: Sequence[tuple[str, str]]) -> str:
    """Intent blocks, one per (intent, one-line code) pair, each ended by a blank line."""
    return "".join(f"# intent: {intent}\n{code}\n\n" for intent, code in pairs)


async def fill_score_cache(
    client: LspClient,
    workdir: Path,
    pairs: Sequence[tuple[str, str]],
    per_edit: int = 128,
    log: Callable[[str], None] = lambda _msg: None,
) -> int:
    """Have the server score every pair (distinct pairs: each one a model call), `per_edit`
    blocks per document version, waiting for each version's diagnostics; then close it.

    Used to put the engine's score cache at its bound before memory is sampled.
    """
    uri = (workdir / "bench_scores.py").resolve().as_uri()
    version = 0
    for start in range(0, len(pairs), per_edit):
        version += 1
        text = score_fill_document(pairs[start : start + per_edit])
        waiting = asyncio.ensure_future(
            client.wait_for("textDocument/publishDiagnostics", _for(uri, version), timeout=120.0)
        )
        if version == 1:
            client.open(uri, text, version=1)
        else:
            client.change(uri, version, [{"text": text}])
        await waiting
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    log(f"scored {len(pairs)} pairs in {version} versions")
    return len(pairs)


@dataclass
class DiagnosticsRun:
    lines: int = 0
    blocks: int = 0
    open_ms: float = float("nan")
    diagnostics: int = 0
    edit_ms: list[float] = field(default_factory=list)
    error: str = ""


def _for(uri: str, version: int) -> Callable[[Any], bool]:
    return lambda params: params.get("uri") == uri and params.get("version") == version


async def diagnostics_run(
    command: Sequence[str],
    workdir: Path,
    pairs: list[IntentPair],
    warm_document: DocumentFn,
    edits: int = 5,
    blocks: int = 500,
    log: Callable[[str], None] = lambda _msg: None,
) -> DiagnosticsRun:
    """didOpen of the big file → its diagnostics; then `edits` one-character edits, each timed.

    The server runs with ``debounceMs: 0`` so the figures are the server's work, not the wait
    it adds on purpose; the model is loaded (one completion answered) before the clock starts.
    """
    result = DiagnosticsRun(blocks=blocks)
    text, code_starts = big_document(pairs, blocks)
    result.lines = text.count("\n")
    path = workdir / "bench_big.py"
    path.write_text(text, encoding="utf-8")
    uri = path.resolve().as_uri()
    client = await LspClient.spawn(command, cwd=workdir)
    try:
        await client.initialize(workdir, initialization_options={"debounceMs": 0})
        warm_uri = (workdir / "bench_warm.py").resolve().as_uri()
        warm_text, line, char = warm_document(0)
        client.open(warm_uri, warm_text)
        await client.completion(warm_uri, line, char, timeout=120.0)

        waiting = asyncio.ensure_future(
            client.wait_for("textDocument/publishDiagnostics", _for(uri, 1), timeout=120.0)
        )
        started = time.perf_counter()
        client.open(uri, text, version=1)
        note = await waiting
        result.open_ms = (note.at - started) * 1000.0
        result.diagnostics = len(note.params.get("diagnostics") or [])
        log(f"diagnostics: open {result.open_ms:.0f} ms, {result.diagnostics} warnings")

        step = max(1, blocks // (edits + 1))
        for i in range(edits):
            version = i + 2
            text, change = one_char_edit(text, code_starts[(i + 1) * step])
            waiting = asyncio.ensure_future(
                client.wait_for("textDocument/publishDiagnostics", _for(uri, version), 60.0)
            )
            started = time.perf_counter()
            client.change(uri, version, [change])
            note = await waiting
            result.edit_ms.append((note.at - started) * 1000.0)
        log(f"diagnostics: edits {[round(x) for x in result.edit_ms]} ms")
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        await client.close()
    return result
