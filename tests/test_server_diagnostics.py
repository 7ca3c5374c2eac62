"""The server in process: diagnostics (push, pull, fill, refresh), quick fixes, hover, errors.

The real `CodeqaServer`, fed JSON-RPC messages the way pygls's read loop does, with
`EngineDouble` (tests/engine_double.py: word-overlap scores, counted calls) instead of torch,
so the protocol sequence is checked exactly and in milliseconds. Every wait the scheduler
makes goes through `scheduler.pause`, which these tests hold on an event or skip, and
"nothing more happens" is checked after `scheduler.drain()`, never after a sleep. The real
model does the same end to end in tests/lsp/test_lsp_features.py.
"""

from __future__ import annotations

import asyncio
import logging

from engine_double import EngineDouble
from wire import Sink, feed, until

from codeqa_lsp.model_host import ModelLoadError
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


class _Pauses:
    """`scheduler.pause` for tests: the debounce passes at once, the fill waits for `go`."""

    FILL = 1.0

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.go.set()

    async def __call__(self, seconds: float) -> None:
        if seconds == self.FILL:
            await self.go.wait()


async def _start(
    capabilities: dict, engine: EngineDouble | None = None, loader=None
) -> tuple[CodeqaServer, Sink, EngineDouble]:
    logging.getLogger("pygls").setLevel(logging.CRITICAL)
    engine = engine or EngineDouble()
    server = create_server(loader=loader or (lambda path: engine))
    server.scheduler.pause = _Pauses()
    server.scheduler.fill_delay_s = _Pauses.FILL
    sink = Sink()
    server.protocol.set_writer(sink, include_headers=False)
    options = {"debounceMs": 0}
    feed(
        server,
        {
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": capabilities, "initializationOptions": options},
        },
    )
    feed(server, {"method": "initialized", "params": {}})
    await until(
        lambda: any(m["params"]["state"] != "loading" for m in sink.named("codeqa/modelStatus"))
    )
    return server, sink, engine


def _open(server: CodeqaServer, version: int = 1, text: str = TEXT) -> None:
    doc = {"uri": URI, "languageId": "python", "version": version, "text": text}
    feed(server, {"method": "textDocument/didOpen", "params": {"textDocument": doc}})


def _suggestions(diagnostics: list[dict]) -> list[str]:
    return [d["data"]["suggestion"] for d in diagnostics]


async def test_push_publishes_scores_then_the_same_version_with_suggestions() -> None:
    server, sink, engine = await _start({})
    _open(server)
    assert sink.named("textDocument/publishDiagnostics") == []  # scored off the read loop
    await until(lambda: len(sink.named("textDocument/publishDiagnostics")) >= 2)
    first, second = sink.named("textDocument/publishDiagnostics")[:2]
    assert [d["range"]["start"]["line"] for d in first["params"]["diagnostics"]] == [0, 6]
    assert _suggestions(first["params"]["diagnostics"]) == ["", ""]
    assert first["params"]["version"] == second["params"]["version"] == 1
    assert _suggestions(second["params"]["diagnostics"]) == ["read_0()", "reverse_0()"]
    assert engine.suggested == ["read file `p`", "reverse list `z`"]
    server.host.shutdown()


async def test_a_change_cancels_the_fill_and_nothing_is_published_for_the_old_version() -> None:
    server, sink, engine = await _start({})
    server.scheduler.pause.go.clear()  # every fill waits until the test says so
    _open(server)
    await until(lambda: len(sink.named("textDocument/publishDiagnostics")) == 1)
    change = {"range": {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 1}}}
    feed(
        server,
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": URI, "version": 2},
                "contentChanges": [{**change, "text": "w"}],
            },
        },
    )
    await until(lambda: len(sink.named("textDocument/publishDiagnostics")) == 2)
    server.scheduler.pause.go.set()
    await server.scheduler.drain()
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
    await until(lambda: len(sink.named("workspace/diagnostic/refresh")) == 1)
    _open(server)
    pull = {"method": "textDocument/diagnostic", "params": {"textDocument": {"uri": URI}}}
    feed(server, {"id": 10, **pull})
    await until(lambda: any(m.get("id") == 10 for m in sink.sent))
    assert _suggestions(sink.answer(10)["result"]["items"]) == ["", ""]
    await until(lambda: len(sink.named("workspace/diagnostic/refresh")) == 2)
    assert sink.named("textDocument/publishDiagnostics") == []  # pull clients are never pushed
    feed(server, {"id": 11, **pull})
    await until(lambda: any(m.get("id") == 11 for m in sink.sent))
    assert _suggestions(sink.answer(11)["result"]["items"]) == ["read_0()", "reverse_0()"]
    await server.scheduler.drain()
    assert len(sink.named("workspace/diagnostic/refresh")) == 2  # nothing new: no third ask
    server.host.shutdown()


async def test_code_action_generates_a_missing_suggestion() -> None:
    server, sink, engine = await _start({"textDocument": {"diagnostic": {}}})
    _open(server)
    feed(
        server,
        {"id": 20, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": URI}}},
    )
    await until(lambda: any(m.get("id") == 20 for m in sink.sent))
    diag = sink.answer(20)["result"]["items"][1]
    assert diag["data"]["suggestion"] == "" and engine.suggested == []
    params = {
        "textDocument": {"uri": URI},
        "range": diag["range"],
        "context": {"diagnostics": [diag]},
    }
    feed(server, {"id": 21, "method": "textDocument/codeAction", "params": params})
    await until(lambda: any(m.get("id") == 21 for m in sink.sent))
    replace, insert = sink.answer(21)["result"]
    assert replace["edit"]["changes"][URI][0]["newText"] == "z = reverse_0()"  # target kept
    assert insert["edit"]["changes"][URI][0]["newText"] == "reverse_0()\n"
    assert engine.suggested == ["reverse list `z`"]
    server.host.shutdown()


FIX_URI = URI
FIX_TEXT = (
    "import json\n"
    "\n"
    "\n"
    "def f(s):\n"
    "    # intent: parse time string `s`\n"
    "    stamp = json.loads(\n"
    "        s)\n"
    "\n"
    "    return stamp\n"
)


def _request(server: CodeqaServer, msg_id: int, method: str, params: dict) -> None:
    feed(
        server, {"id": msg_id, "method": method, "params": {"textDocument": {"uri": URI}, **params}}
    )


async def _answer(sink: Sink, msg_id: int):
    await until(lambda: any(m.get("id") == msg_id and "method" not in m for m in sink.sent))
    return sink.answer(msg_id)["result"]


def _at(line: int, character: int = 0) -> dict:
    return {"line": line, "character": character}


async def test_quick_fixes_on_every_line_of_a_flagged_block() -> None:
    """Replace keeps the target and the indentation; both fixes add the missing import."""
    engine = EngineDouble(imports=["import datetime"])
    server, sink, _ = await _start({"textDocument": {"diagnostic": {}}}, engine)
    _open(server, text=FIX_TEXT)
    for msg_id, line in [(30, 4), (31, 5), (32, 6)]:  # the intent line and both code lines
        _request(
            server,
            msg_id,
            "textDocument/codeAction",
            {"range": {"start": _at(line), "end": _at(line)}, "context": {"diagnostics": []}},
        )
        replace, insert = await _answer(sink, msg_id)
        assert replace["title"] == "Replace with suggested code"
        assert replace["diagnostics"][0]["range"]["start"] == _at(4, 4)
        add_import, new_code = replace["edit"]["changes"][URI]
        assert add_import == {
            "range": {"start": _at(1), "end": _at(1)},
            "newText": "import datetime\n",
        }
        assert new_code == {
            "range": {"start": _at(5), "end": _at(6, 10)},
            "newText": "    stamp = parse_0()",
        }
        assert insert["edit"]["changes"][URI] == [
            add_import,
            {"range": {"start": _at(5), "end": _at(5)}, "newText": "    parse_0()\n"},
        ]
    for msg_id, line in [(33, 3), (34, 7), (35, 8)]:  # the def, the blank line, the return
        _request(
            server,
            msg_id,
            "textDocument/codeAction",
            {"range": {"start": _at(line), "end": _at(line)}, "context": {"diagnostics": []}},
        )
        assert await _answer(sink, msg_id) == []
    assert engine.suggested == ["parse time string `s`"]  # generated once, then cached
    server.host.shutdown()


async def test_hover_on_a_flagged_code_line_shows_score_and_suggestion() -> None:
    server, sink, _ = await _start({"textDocument": {"diagnostic": {}}})
    _open(server, text=FIX_TEXT)
    _request(server, 40, "textDocument/hover", {"position": _at(6, 8)})
    hover = await _answer(sink, 40)
    assert "match score **0.25**" in hover["contents"]["value"]
    assert "parse_0()" in hover["contents"]["value"]
    assert hover["range"] == {"start": _at(6, 8), "end": _at(6, 10)}
    _request(server, 41, "textDocument/hover", {"position": _at(8, 6)})
    assert await _answer(sink, 41) is None  # `return stamp` is in no intent block
    server.host.shutdown()


class _Explaining(EngineDouble):
    def __init__(self) -> None:
        super().__init__()
        self.explained: list[tuple[str, str]] = []

    def explain(self, intent: str, code: str) -> str | None:
        self.explained.append((intent, code))
        return "calls json.loads; the intent asks to parse a time" if "json" in code else None


REASON = "(calls json.loads; the intent asks to parse a time)"


def _messages(note: dict) -> list[str]:
    return [d["message"] for d in note["params"]["diagnostics"]]


async def test_push_publishes_scores_first_and_the_reasons_with_the_fill() -> None:
    """The first publication waits only for the scores; the fill's republication explains,
    and an edit elsewhere keeps the reason at once without asking the engine again."""
    engine = _Explaining()
    server, sink, _ = await _start({}, engine)
    text = FIX_TEXT + "\n# intent: read file `p`\nx = sorted(y)\n"
    _open(server, text=text)
    await until(lambda: len(sink.named("textDocument/publishDiagnostics")) >= 2)
    await server.scheduler.drain()
    first, second = sink.named("textDocument/publishDiagnostics")
    assert [m.endswith("is below the threshold 0.50") for m in _messages(first)] == [True, True]
    assert _messages(second)[0].endswith(REASON)
    assert _messages(second)[1].endswith("is below the threshold 0.50")  # it has no reason
    assert len(engine.explained) == 2
    change = {"range": {"start": _at(12), "end": _at(12)}, "text": "z = 1\n"}
    feed(
        server,
        {
            "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [change]},
        },
    )
    await until(lambda: len(sink.named("textDocument/publishDiagnostics")) >= 3)
    third = sink.named("textDocument/publishDiagnostics")[2]
    assert third["params"]["version"] == 2
    assert _messages(third)[0].endswith(REASON)  # known from version 1, in the first answer
    await server.scheduler.drain()
    assert engine.explained[2:] == [("read file `p`", "x = sorted(y)\nz = 1")]  # only the edit
    server.host.shutdown()


async def test_the_first_publication_parses_no_context_and_the_fill_parses_each_once() -> None:
    server, sink, _ = await _start({})
    server.scheduler.pause.go.clear()  # the fill waits until the test says so
    _open(server)
    await until(lambda: len(sink.named("textDocument/publishDiagnostics")) == 1)
    assert server.scheduler.contexts.parsed == 0
    server.scheduler.pause.go.set()
    await server.scheduler.drain()
    assert server.scheduler.contexts.parsed == 2  # one per flagged block
    _request(server, 62, "textDocument/codeAction", _action_at(6))
    assert len(await _answer(sink, 62)) == 2
    assert server.scheduler.contexts.parsed == 2  # the kept check's contexts
    server.host.shutdown()


def _action_at(line: int) -> dict:
    return {"range": {"start": _at(line), "end": _at(line)}, "context": {"diagnostics": []}}


async def test_pull_with_refresh_gets_the_reasons_after_the_refresh() -> None:
    caps = {
        "textDocument": {"diagnostic": {}},
        "workspace": {"diagnostics": {"refreshSupport": True}},
    }
    server, sink, _ = await _start(caps, _Explaining())
    await until(lambda: len(sink.named("workspace/diagnostic/refresh")) == 1)  # the load's
    _open(server, text=FIX_TEXT)
    _request(server, 60, "textDocument/diagnostic", {})
    (first,) = (await _answer(sink, 60))["items"]
    assert first["message"].endswith("is below the threshold 0.50")
    await until(lambda: len(sink.named("workspace/diagnostic/refresh")) == 2)
    _request(server, 61, "textDocument/diagnostic", {})
    (again,) = (await _answer(sink, 61))["items"]
    assert again["message"].endswith(REASON)
    server.host.shutdown()


async def test_the_engines_explanation_follows_the_score_in_the_message() -> None:
    """A pull client that cannot be asked to re-pull gets the reasons in its one answer."""
    server, sink, _ = await _start({"textDocument": {"diagnostic": {}}}, _Explaining())
    _open(server, text=FIX_TEXT + "\n# intent: read file `p`\nx = sorted(y)\n")
    _request(server, 50, "textDocument/diagnostic", {})
    first, second = (await _answer(sink, 50))["items"]
    assert first["message"] == (
        "Code may not match its intent: match score 0.25 is below the threshold 0.50 "
        "(calls json.loads; the intent asks to parse a time)"
    )
    assert second["message"].endswith("is below the threshold 0.50")  # no reason: none shown
    server.host.shutdown()


async def test_a_model_that_cannot_load_is_one_error_message_without_a_doubled_prefix() -> None:
    def missing(path):
        raise ModelLoadError("/nowhere does not exist. Set the `modelPath` setting ...")

    server, sink, _ = await _start({}, loader=missing)
    (status,) = [m for m in sink.named("codeqa/modelStatus") if m["params"]["state"] == "error"]
    shown = sink.named("window/showMessage")
    assert [m["params"]["type"] for m in shown] == [1]  # one Error
    message = shown[0]["params"]["message"]
    assert message == status["params"]["message"]
    assert (
        message
        == "could not load the model: /nowhere does not exist. Set the `modelPath` setting ..."
    )
    _open(server)
    await server.scheduler.drain()
    assert len(sink.named("window/showMessage")) == 1
    server.host.shutdown()
