"""The real `CodeqaServer` in this process, with an engine double whose model work can be held.

The end-to-end tests beside this file run the real model in a subprocess, where how long a job
takes is up to the machine. Tests whose verdict depends on *when* the model finishes (a
cancel that must arrive while a job is still queued or running) run the server here instead:
JSON-RPC messages are fed the way pygls's read loop feeds them, answers are collected from
the protocol's writer, and `GatedEngine.suggest` blocks on a `threading.Event` that the test
opens only after it has sent what must arrive first. Nothing here waits on the clock; the
timeouts only bound a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pygls.protocol import default_converter
from pytest_lsp import client_capabilities

from codeqa_lsp.server import CodeqaServer, create_server

__all__ = ["GatedEngine", "InProcessServer", "capabilities", "until"]

FAIL_AFTER_S = 30.0  # bounds a wait that should end at once; never part of a verdict


@dataclass(frozen=True)
class Suggestion:
    """The fields of `codeqa_model.inference.Suggestion` the server reads."""

    code: str
    score: float
    slot_spans: tuple[tuple[int, int], ...] = ()
    imports: tuple[str, ...] = ()


class GatedEngine:
    """An engine double: `suggest` for an intent containing `gate_word` blocks until released.

    ``entered`` is set when the worker thread is inside a gated call, so the test knows the
    model is busy; ``release()`` lets every held call finish. ``suggested`` lists the intents
    the model was actually asked for, in order, so a test can see that cancelled work never
    reached it. Answers are cached like the real engine's (intent, k, context), and the
    ``cached_*`` methods answer from that cache only, as `EngineLike` requires.
    """

    threshold = 0.5

    def __init__(self, gate_word: str = "gate") -> None:
        self.info: dict[str, Any] = {"double": "gated"}
        self.gate_word = gate_word
        self.entered = threading.Event()
        self._open = threading.Event()
        self.suggested: list[str] = []
        self.looked_up: list[str] = []  # cache lookups: a caller's last step before queueing
        self._suggestions: dict[tuple[str, int, Any], list[Suggestion]] = {}

    def release(self) -> None:
        self._open.set()

    def suggest(self, intent: str, k: int = 5, context: Any = None) -> list[Suggestion]:
        key = (intent, k, context)
        if key in self._suggestions:
            return self._suggestions[key]
        self.suggested.append(intent)
        if self.gate_word in intent:
            self.entered.set()
            if not self._open.wait(FAIL_AFTER_S):
                raise TimeoutError("the test never released the gate")
        stem = "_".join(intent.replace("`", "").split()[:2])
        found = [Suggestion(f"{stem}_{i}()", 1.0 / (i + 1)) for i in range(k)]
        self._suggestions[key] = found
        return found

    def cached_suggestions(
        self, intent: str, k: int = 5, context: Any = None
    ) -> list[Suggestion] | None:
        self.looked_up.append(intent)
        return self._suggestions.get((intent, k, context))

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        return [1.0 for _ in pairs]

    def cached_scores(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        return [1.0 for _ in pairs]


class _Sink:
    """The protocol's writer: every message the server sends, parsed."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.decode("utf-8")))

    def close(self) -> None:
        pass


def capabilities(client: str) -> dict[str, Any]:
    """A real client's capability snapshot (pytest-lsp's), as the JSON it would send."""
    return default_converter().unstructure(client_capabilities(client))


async def until(predicate: Callable[[], bool], timeout: float = FAIL_AFTER_S) -> None:
    """Yield to the event loop until ``predicate`` holds; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"condition not met within {timeout} s"
        await asyncio.sleep(0.005)


class InProcessServer:
    """A started server (initialized, model "loaded" from ``engine``) and what it sent."""

    def __init__(self, engine: GatedEngine) -> None:
        logging.getLogger("pygls").setLevel(logging.CRITICAL)
        self.engine = engine
        self.server: CodeqaServer = create_server(loader=lambda _path: engine)
        self._sink = _Sink()
        self.server.protocol.set_writer(self._sink, include_headers=False)

    async def start(self, client: str, options: dict[str, Any] | None = None) -> None:
        init = {"capabilities": capabilities(client), "initializationOptions": options or {}}
        self.feed({"id": "init", "method": "initialize", "params": init})
        self.feed({"method": "initialized", "params": {}})
        await until(lambda: any(s["state"] == "ready" for s in self.statuses()))

    def statuses(self) -> list[dict[str, Any]]:
        return [m["params"] for m in self._sink.sent if m.get("method") == "codeqa/modelStatus"]

    def published(self) -> list[dict[str, Any]]:
        """The params of every publishDiagnostics sent so far."""
        return [
            m["params"]
            for m in self._sink.sent
            if m.get("method") == "textDocument/publishDiagnostics"
        ]

    async def drained(self) -> None:
        """Return once no diagnostics work is pending (the scheduler's own drain)."""
        await self.server.scheduler.drain()

    def feed(self, message: dict[str, Any]) -> None:
        """Hand one JSON-RPC message to the server exactly as its read loop would."""
        protocol = self.server.protocol
        raw = json.dumps({"jsonrpc": "2.0", **message})
        protocol.handle_message(json.loads(raw, object_hook=protocol.structure_message))

    def open(self, uri: str, text: str) -> None:
        doc = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        self.feed({"method": "textDocument/didOpen", "params": {"textDocument": doc}})

    def request(self, msg_id: int | str, method: str, params: dict[str, Any] | None) -> None:
        self.feed({"id": msg_id, "method": method, "params": params})

    def cancel(self, msg_id: int | str) -> None:
        self.feed({"method": "$/cancelRequest", "params": {"id": msg_id}})

    def answer(self, msg_id: int | str) -> dict[str, Any] | None:
        """The response to ``msg_id`` if it was sent (result or error), else None."""
        for message in self._sink.sent:
            if message.get("id") == msg_id and "method" not in message:
                return message
        return None

    async def wait_answer(self, msg_id: int | str) -> dict[str, Any]:
        await until(lambda: self.answer(msg_id) is not None)
        found = self.answer(msg_id)
        assert found is not None
        return found

    def close(self) -> None:
        """Open the gate (never leave the worker held), then shut down as a client would."""
        self.engine.release()
        self.request("shutdown", "shutdown", None)
