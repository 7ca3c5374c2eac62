"""Ghost text (codeqa_lsp.inline): where it is offered, what it inserts, the three settings."""

from __future__ import annotations

import ast
import asyncio
import logging
from dataclasses import dataclass

import pytest
from engine_double import EngineDouble
from lsprotocol import types
from wire import Sink, feed, until

from codeqa_lsp import inline
from codeqa_lsp.intents import split_lines
from codeqa_lsp.server import create_server
from codeqa_lsp.settings import Settings

UTF16 = types.PositionEncodingKind.Utf16
URI = "file:///w/a.py"
SOURCE = "import os\n\n\ndef f(s, xs):\n    # intent: print each of `xs`\n    \n    return s\n"


@dataclass(frozen=True)
class Sugg:
    code: str
    score: float = 0.9
    slot_spans: tuple[tuple[int, int], ...] = ()
    imports: tuple[str, ...] = ()


AUTO = types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic)
INVOKED = types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked)


def _params(line: int, character: int, context=AUTO) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        position=types.Position(line=line, character=character),
        context=context,
    )


def _accept(source: str, item: types.InlineCompletionItem) -> str:
    """Insert an inline item the way VS Code and the Neovim plugin do: its range, verbatim."""
    lines = split_lines(source)
    assert item.range is not None and item.range.start.line == item.range.end.line
    row, start, end = item.range.start.line, item.range.start.character, item.range.end.character
    text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
    lines[row] = lines[row][:start] + text + lines[row][end:]
    return "\n".join(lines)


def test_wanted_follows_enable_and_manual_only() -> None:
    assert inline.wanted(Settings(), AUTO) and inline.wanted(Settings(), INVOKED)
    assert inline.wanted(Settings(), None)
    assert not inline.wanted(Settings(inline_enable=False), INVOKED)
    manual = Settings(inline_manual_only=True)
    assert inline.wanted(manual, INVOKED) and not inline.wanted(manual, AUTO)


def test_delay_only_for_automatic_requests() -> None:
    settings = Settings(inline_delay_ms=250)
    assert inline.delay_s(settings, AUTO) == 0.25
    assert inline.delay_s(settings, INVOKED) == 0.0


def test_only_the_empty_line_under_an_intent_is_a_site() -> None:
    lines = split_lines(SOURCE)
    assert inline.inline_site(lines, 5, 4) is not None
    assert inline.inline_site(lines, 5, 0) is not None
    assert inline.inline_site(lines, 4, len(lines[4])) is None  # end of the intent line
    assert inline.inline_site(lines, 6, 4) is None


@pytest.mark.parametrize("column", [0, 4])
def test_item_inserts_code_at_the_intent_indentation(column: int) -> None:
    lines = split_lines(SOURCE)
    site = inline.inline_site(lines, 5, column)
    assert site is not None
    item = inline.inline_item(URI, Sugg("for x in xs:\n    print(x)"), site, lines, UTF16)
    assert item.range == types.Range(types.Position(5, 0), types.Position(5, 4))
    assert item.insert_text == "    for x in xs:\n        print(x)"
    assert item.command is None
    after = _accept(SOURCE, item)
    ast.parse(after)
    assert after.split("\n")[4:8] == [
        "    # intent: print each of `xs`",
        "    for x in xs:",
        "        print(x)",
        "    return s",
    ]


def test_missing_imports_ride_on_the_command() -> None:
    lines = split_lines(SOURCE)
    site = inline.inline_site(lines, 5, 4)
    assert site is not None
    sugg = Sugg("shutil.copy(a, b)", imports=("import shutil", "import os"))
    item = inline.inline_item(URI, sugg, site, lines, UTF16)
    assert item.command == types.Command(
        title="Add imports", command=inline.IMPORTS_COMMAND, arguments=[URI, ["import shutil"]]
    )
    edit = inline.imports_edit(URI, ["import shutil"], lines, UTF16)
    assert edit is not None and edit.changes is not None
    (text_edit,) = edit.changes[URI]
    assert text_edit.range.start == types.Position(1, 0) == text_edit.range.end
    assert text_edit.new_text == "import shutil\n"
    assert inline.imports_edit(URI, ["import os"], lines, UTF16) is None  # already there


def _answer(settings: Settings, params, source: str | None, calls: list[str]):
    async def suggest(site, lines):
        calls.append(site.intent)
        return [Sugg("for x in xs:\n    print(x)")]

    return asyncio.run(inline.answer(settings, params, lambda: source, UTF16, suggest))


def test_answer_at_a_site_and_nowhere_else() -> None:
    calls: list[str] = []
    found = _answer(Settings(inline_delay_ms=0), _params(5, 4), SOURCE, calls)
    assert found is not None and len(found.items) == 1
    assert found.items[0].insert_text == "    for x in xs:\n        print(x)"
    assert _answer(Settings(inline_delay_ms=0), _params(6, 4), SOURCE, calls) is None
    assert _answer(Settings(inline_delay_ms=0), _params(5, 4), None, calls) is None  # closed
    assert calls == ["print each of `xs`"]  # the model ran only for the site


def test_manual_only_answers_invoked_requests_only() -> None:
    calls: list[str] = []
    manual = Settings(inline_manual_only=True, inline_delay_ms=0)
    assert _answer(manual, _params(5, 4, AUTO), SOURCE, calls) is None
    assert _answer(manual, _params(5, 4, INVOKED), SOURCE, calls) is not None
    assert _answer(Settings(inline_enable=False), _params(5, 4, INVOKED), SOURCE, calls) is None
    assert calls == ["print each of `xs`"]


def test_text_is_read_after_the_delay() -> None:
    """A request made before the user typed more answers for what is there after the delay."""
    calls: list[str] = []
    texts = iter([SOURCE.replace("    \n", "    x = 1\n")])
    settings = Settings(inline_delay_ms=1)

    async def suggest(site, lines):
        calls.append(site.intent)
        return [Sugg("y")]

    found = asyncio.run(inline.answer(settings, _params(5, 4), lambda: next(texts), UTF16, suggest))
    assert found is None and calls == []


# ---------------------------------------------------------------- the real server, in process


VSCODE_CAPS = {
    "workspace": {"applyEdit": True, "configuration": False},
    "textDocument": {"inlineCompletion": {"dynamicRegistration": False}},
}


async def _ask(server, sink: Sink, msg_id: int, line: int, character: int, kind: int) -> dict:
    params = {
        "textDocument": {"uri": URI},
        "position": {"line": line, "character": character},
        "context": {"triggerKind": kind},
    }
    feed(server, {"id": msg_id, "method": "textDocument/inlineCompletion", "params": params})
    await until(lambda: sink.answer(msg_id) is not None)
    return sink.answer(msg_id)


async def test_server_offers_ghost_text_and_adds_its_imports() -> None:
    """initialize, inlineCompletion, accept (VS Code: the range replaced verbatim), command."""
    logging.getLogger("pygls").setLevel(logging.CRITICAL)
    engine = EngineDouble(imports=("import shutil",))
    server = create_server(loader=lambda path: engine)
    sink = Sink()
    server.protocol.set_writer(sink, include_headers=False)
    options = {"codeqa": {"inline": {"delayMs": 0}}}
    init = {"capabilities": VSCODE_CAPS, "initializationOptions": options}
    feed(server, {"id": 1, "method": "initialize", "params": init})
    feed(server, {"method": "initialized", "params": {}})
    await until(
        lambda: any(m["params"]["state"] == "ready" for m in sink.named("codeqa/modelStatus"))
    )
    assert sink.answer(1)["result"]["capabilities"]["inlineCompletionProvider"] is not None
    doc = {"uri": URI, "languageId": "python", "version": 1, "text": SOURCE}
    feed(server, {"method": "textDocument/didOpen", "params": {"textDocument": doc}})

    answer = await _ask(server, sink, 2, 5, 4, types.InlineCompletionTriggerKind.Automatic.value)
    (raw,) = answer["result"]["items"]
    item = server.protocol._converter.structure(raw, types.InlineCompletionItem)
    after = _accept(SOURCE, item)
    assert after.split("\n")[4:7] == [
        "    # intent: print each of `xs`",
        "    print_0()",
        "    return s",
    ]
    assert item.command is not None and item.command.command == inline.IMPORTS_COMMAND
    assert engine.suggested == ["print each of `xs`"]

    command = {"command": item.command.command, "arguments": item.command.arguments}
    feed(server, {"id": 3, "method": "workspace/executeCommand", "params": command})
    await until(lambda: bool(sink.named("workspace/applyEdit")))
    (apply,) = sink.named("workspace/applyEdit")
    (edit,) = apply["params"]["edit"]["changes"][URI]
    assert edit["range"]["start"] == {"line": 1, "character": 0} == edit["range"]["end"]
    assert edit["newText"] == "import shutil\n"

    # elsewhere: nothing, and the model is not asked
    assert (await _ask(server, sink, 4, 6, 4, 2))["result"] is None
    # manual only: automatic requests get nothing, invoked ones the item
    change = {"settings": {"codeqa": {"inline": {"manualOnly": True}}}}
    feed(server, {"method": "workspace/didChangeConfiguration", "params": change})
    assert (await _ask(server, sink, 5, 5, 4, 2))["result"] is None
    assert (await _ask(server, sink, 6, 5, 4, 1))["result"]["items"][0] == raw
    assert engine.suggested == ["print each of `xs`"]
    server.host.shutdown()
