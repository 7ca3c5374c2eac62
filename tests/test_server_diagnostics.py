"""Diagnostics come from scores first; suggestions follow without a stale publication.

The real `CodeqaServer` in process, fed JSON-RPC messages the way pygls's read loop does,
with `EngineDouble` (tests/engine_double.py: word-overlap scores, counted calls) instead of torch,
so the protocol sequence is checked exactly and in milliseconds. The real model does the
same end to end in tests/lsp/test_lsp_features.py.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from engine_double import EngineDouble

from codeqa_lsp import server as server_module
from codeqa_lsp.model_host import ModelHost
from codeqa_lsp.server import CodeqaServer, create_server

URI = "file:///lazy/doc.py"
TEXT = (
    "# intent: read file `p`\n"
    "x = sorted(y)\n"
    "\n"
    "# intent: sort list `y`\n"
    "y = sort(list(y))\n"
    "\n"
    "# intent: reverse list `z`\n"
    "z = os.getpid()\n"
)


class _Sink:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.decode("utf-8")))

    def close(self) -> None:
        pass

    def named(self, method: str) -> list[dict]:
        return [m for m in self.sent if m.get("method") == method]

    def answer(self, msg_id: int) -> dict:
        return next(m for m in self.sent if m.get("id") == msg_id and "method" not in m)


def _feed(server: CodeqaServer, message: dict) -> None:
    protocol = server.protocol
    protocol.handle_message(
        json.loads(
            json.dumps({"jsonrpc": "2.0", **message}), object_hook=protocol.structure_message
        )
    )


async def _until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met"
        await asyncio.sleep(0.01)


async def _start(capabilities: dict) -> tuple[CodeqaServer, _Sink, EngineDouble]:
    logging.getLogger("pygls").setLevel(logging.CRITICAL)
    server = create_server()
    engine = EngineDouble()
    server.host = ModelHost(loader=lambda path: engine, on_state=server._model_state_changed)
    sink = _Sink()
    server.protocol.set_writer(sink, include_headers=False)
    options = {"debounceMs": 0}
    _feed(
        server,
        {
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": capabilities, "initializationOptions": options},
        },
    )
    _feed(server, {"method": "initialized", "params": {}})
    await _until(
        lambda: any(m["params"]["state"] == "ready" for m in sink.named("codeqa/modelStatus"))
    )
    return server, sink, engine


def _open(server: CodeqaServer, version: int = 1) -> None:
    doc = {"uri": URI, "languageId": "python", "version": version, "text": TEXT}
    _feed(server, {"method": "textDocument/didOpen", "params": {"textDocument": doc}})


@pytest.fixture(autouse=True)
def _no_fill_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "FILL_DELAY_S", 0.0)


def _suggestions(diagnostics: list[dict]) -> list[str]:
    return [d["data"]["suggestion"] for d in diagnostics]


async def test_push_publishes_scores_then_the_same_version_with_suggestions() -> None:
    server, sink, engine = await _start({})
    _open(server)
    assert sink.named("textDocument/publishDiagnostics") == []  # scored off the read loop
    await _until(lambda: len(sink.named("textDocument/publishDiagnostics")) >= 2)
    first, second = sink.named("textDocument/publishDiagnostics")[:2]
    assert [d["range"]["start"]["line"] for d in first["params"]["diagnostics"]] == [0, 6]
    assert _suggestions(first["params"]["diagnostics"]) == ["", ""]
    assert first["params"]["version"] == second["params"]["version"] == 1
    assert _suggestions(second["params"]["diagnostics"]) == ["read_0()", "reverse_0()"]
    assert engine.suggested == ["read file `p`", "reverse list `z`"]
    server.host.shutdown()


async def test_a_change_cancels_the_fill_and_nothing_is_published_for_the_old_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_module, "FILL_DELAY_S", 0.3)
    server, sink, engine = await _start({})
    _open(server)
    await _until(lambda: len(sink.named("textDocument/publishDiagnostics")) == 1)
    change = {"range": {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 1}}}
    _feed(
        server,
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": URI, "version": 2},
                "contentChanges": [{**change, "text": "w"}],
            },
        },
    )
    await _until(lambda: len(sink.named("textDocument/publishDiagnostics")) == 3)
    versions = [m["params"]["version"] for m in sink.named("textDocument/publishDiagnostics")]
    assert versions == [1, 2, 2]  # version 1's fill was cancelled before it generated
    assert len(engine.suggested) == 2  # one generation per intent, for version 2 only
    server.host.shutdown()


async def test_pull_with_refresh_fills_suggestions_then_asks_for_a_new_pull() -> None:
    caps = {
        "textDocument": {"diagnostic": {}},
        "workspace": {"diagnostics": {"refreshSupport": True}},
    }
    server, sink, _ = await _start(caps)
    # the first refresh is the one every load ends with
    await _until(lambda: len(sink.named("workspace/diagnostic/refresh")) == 1)
    _open(server)
    pull = {"method": "textDocument/diagnostic", "params": {"textDocument": {"uri": URI}}}
    _feed(server, {"id": 10, **pull})
    await _until(lambda: any(m.get("id") == 10 for m in sink.sent))
    assert _suggestions(sink.answer(10)["result"]["items"]) == ["", ""]
    await _until(lambda: len(sink.named("workspace/diagnostic/refresh")) == 2)
    assert sink.named("textDocument/publishDiagnostics") == []  # pull clients are never pushed
    _feed(server, {"id": 11, **pull})
    await _until(lambda: any(m.get("id") == 11 for m in sink.sent))
    assert _suggestions(sink.answer(11)["result"]["items"]) == ["read_0()", "reverse_0()"]
    await asyncio.sleep(0.05)
    assert len(sink.named("workspace/diagnostic/refresh")) == 2  # nothing new: no third ask
    server.host.shutdown()


async def test_code_action_generates_a_missing_suggestion() -> None:
    server, sink, engine = await _start({"textDocument": {"diagnostic": {}}})
    _open(server)
    _feed(
        server,
        {"id": 20, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": URI}}},
    )
    await _until(lambda: any(m.get("id") == 20 for m in sink.sent))
    diag = sink.answer(20)["result"]["items"][1]
    assert diag["data"]["suggestion"] == "" and engine.suggested == []
    params = {
        "textDocument": {"uri": URI},
        "range": diag["range"],
        "context": {"diagnostics": [diag]},
    }
    _feed(server, {"id": 21, "method": "textDocument/codeAction", "params": params})
    await _until(lambda: any(m.get("id") == 21 for m in sink.sent))
    replace, insert = sink.answer(21)["result"]
    assert replace["edit"]["changes"][URI][0]["newText"] == "reverse_0()"
    assert insert["edit"]["changes"][URI][0]["newText"] == "reverse_0()\n"
    assert engine.suggested == ["reverse list `z`"]
    server.host.shutdown()
