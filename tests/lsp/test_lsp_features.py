"""End to end: the real server with the shipped bundle, driven as Neovim and VS Code would.

One server per client snapshot for the whole module (model load is the costly part); each
test opens its own document URI so tests do not see each other's state. Mismatch verdicts
are asserted at the bundle's own threshold on pairs whose answer is not in doubt (code that
plainly does what the intent says, and code that has nothing to do with it), so any usable
matcher passes and a broken one fails; scores are otherwise compared with the server itself
(hover score ↔ diagnostic). Cancellation is tested in process, where its timing is certain:
test_lsp_cancel.py.
"""

from __future__ import annotations

import pytest
import pytest_lsp
from lsp_helpers import (
    CLIENTS,
    SAMPLE,
    RecordingClient,
    close_doc,
    diagnostics,
    open_doc,
    pulls,
    requires_bundle,
    server_config,
    until,
)
from lsprotocol import types
from pytest_lsp import client_capabilities

from codeqa_lsp.fixes import with_target

pytestmark = [requires_bundle, pytest.mark.asyncio(loop_scope="module")]

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
SITE_BELOW = types.Position(line=20, character=0)  # empty line under the last intent

# Pairs whose verdict is not in doubt: two blocks whose code plainly does what the intent says,
# two whose code has nothing to do with it. Each was scored by the shipped matcher and by two
# retrained candidates: the right ones at 1.9x their threshold or more, the wrong ones at 0.4x
# or less. (The matcher shipped on 2026-12-01 scores `sys.exit(0)` under "sum the elements of
# list" at 0.174, above its 0.102 threshold: a real miss, left to the mismatch fixture to count;
# `os.remove('a.txt')` there scores 0.001.) 0-based lines of the intent comments below.
CLEAR_TEXT = (
    "import os\n"
    "import random\n"
    "import shutil\n"
    "\n"
    "def clear(src, dst, xs, values):\n"
    "    # intent: copy file `src` to `dst`\n"
    "    shutil.copy(src, dst)\n"
    "\n"
    "    # intent: sort list `xs` in reverse order\n"
    "    random.random()\n"
    "\n"
    "    # intent: get the maximum value in list `values`\n"
    "    max(values)\n"
    "\n"
    "    # intent: sum the elements of list `values`\n"
    "    os.remove('a.txt')\n"
)
CLEAR_INTENTS = [5, 8, 11, 14]
MISMATCHED = [8, 14]


@pytest_lsp.fixture(scope="module", config=server_config(), params=CLIENTS)
async def client(lsp_client: RecordingClient, request: pytest.FixtureRequest):
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options={"codeqa": {"debounceMs": 50, "suggestions": 5}},
        )
    )
    lsp_client.position_encoding = result.capabilities.position_encoding or "utf-16"
    await until(lambda: any(s["state"] == "ready" for s in lsp_client.model_status))
    yield
    await lsp_client.shutdown_session()


def _doc(name: str) -> str:
    return f"file:///tmp/codeqa-e2e/{name}"


async def _configure(client: RecordingClient, **settings: object) -> None:
    """Change settings and return once the server has applied them (no sleep).

    The change is a notification: it has no answer of its own. The server handles messages
    in the order they arrive and applies settings carried by the notification before it
    starts on the next message (a request must see the effect of the notifications sent
    before it), so the answer to a request sent right after — a hover on a document that
    was never opened, answered without the model — is the proof that the settings are in
    force. Diagnostics pushed before that answer come from work begun under the old
    settings (the change cancels such work): count ``seen`` after this returns.
    """
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codeqa": settings})
    )
    assert await _hover(client, _doc("never-opened-barrier.py"), 0) is None


async def _complete(client: RecordingClient, uri: str, pos: types.Position):
    return await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
    )


async def _hover(client: RecordingClient, uri: str, line: int, character: int = 8):
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


def _top_suggestion(hover: types.Hover | None) -> str:
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    fenced = hover.contents.value.split("Top suggestion:\n\n", 1)[1]
    return fenced.split("\n", 1)[1].rsplit("\n", 1)[0]


def _score_from_hover(hover: types.Hover) -> float:
    assert isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    return float(text.split("match score **", 1)[1].split("**", 1)[0])


def _code_edit(action: types.CodeAction | types.Command, uri: str) -> types.TextEdit:
    """A quick fix's edit of the code; any edit before it may only add import lines."""
    assert isinstance(action, types.CodeAction) and action.edit is not None
    *imports, edit = action.edit.changes[uri]
    for extra in imports:
        statements = extra.new_text.strip().splitlines()
        assert statements and all(s.startswith(("import ", "from ")) for s in statements)
    return edit


def _threshold_from_hover(hover: types.Hover) -> float:
    assert isinstance(hover.contents, types.MarkupContent)
    return float(hover.contents.value.split("(threshold ", 1)[1].split(")", 1)[0])


# ---------------------------------------------------------------- life cycle


async def test_model_loaded_with_status_and_progress(client: RecordingClient) -> None:
    states = [s["state"] for s in client.model_status]
    assert states[:2] == ["loading", "ready"]
    kinds = [
        [type(v).__name__ for v in values]
        for token, values in client.progress_reports.items()
        if str(token).startswith("codeqa-load-")
    ]
    assert kinds and kinds[0] == ["WorkDoneProgressBegin", "WorkDoneProgressEnd"]
    assert not [m for m in client.messages if m.type == types.MessageType.Error]


# ---------------------------------------------------------------- completion


def _check_items(items: list[types.CompletionItem], k: int) -> None:
    assert 1 <= len(items) <= k
    assert [i.sort_text for i in items] == [f"{n:04d}" for n in range(len(items))]
    for item in items:
        assert isinstance(item.documentation, types.MarkupContent)
        assert item.documentation.kind == types.MarkupKind.Markdown
        code = item.documentation.value.split("\n", 1)[1].rsplit("\n", 1)[0]
        from codeqa_lsp.completion import one_line  # the label is the code's one-line form

        *imports, code = code.split("\n\n")  # after the imports the code needs, if any
        flat = one_line(code)
        # with nothing typed, plain omnifunc inserts the label: a one-liner carries its imports
        carried = "; ".join([*imports[0].split("\n"), flat]) if imports and flat else None
        assert item.label.strip() in (code.split("\n", 1)[0], flat, carried)
        assert item.detail is not None and item.detail.startswith("match ")
        float(item.detail.removeprefix("match "))
        assert item.insert_text_format == types.InsertTextFormat.Snippet  # both clients can


async def test_completion_below_intent(client: RecordingClient) -> None:
    uri = _doc("complete-below.py")
    open_doc(client, uri, SAMPLE_TEXT)
    result = await _complete(client, uri, SITE_BELOW)
    assert isinstance(result, types.CompletionList)
    _check_items(list(result.items), 5)
    for item in result.items:
        edit = item.text_edit
        assert isinstance(edit, types.TextEdit)
        assert edit.range == types.Range(start=SITE_BELOW, end=SITE_BELOW)
        # the site's indentation (4 spaces) on every inserted line
        assert all(line.startswith("    ") for line in edit.new_text.split("\n"))
        assert edit.new_text.endswith("$0")
    close_doc(client, uri)


async def test_completion_at_end_of_intent_line(client: RecordingClient) -> None:
    uri = _doc("complete-eol.py")
    open_doc(client, uri, SAMPLE_TEXT)
    line = SAMPLE_TEXT.splitlines()[19]
    end = types.Position(line=19, character=len(line))
    result = await _complete(client, uri, end)
    assert isinstance(result, types.CompletionList)
    _check_items(list(result.items), 5)
    edit = result.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    # the whole line from column 0: the comment kept as it is, then the code (docs/SETTINGS.md)
    assert edit.range == types.Range(start=types.Position(line=19, character=0), end=end)
    assert edit.new_text.startswith(line + "\n    ")
    close_doc(client, uri)


async def test_completion_elsewhere_is_null(client: RecordingClient) -> None:
    uri = _doc("complete-elsewhere.py")
    open_doc(client, uri, SAMPLE_TEXT)
    for pos in [(0, 0), (8, 10), (7, 6), (21, 4), (2, 0)]:
        # null, not an empty list: the site check answers before the model is asked
        assert await _complete(client, uri, types.Position(*pos)) is None, pos
    close_doc(client, uri)


async def test_completion_k_and_enable_settings(client: RecordingClient) -> None:
    uri = _doc("complete-settings.py")
    open_doc(client, uri, SAMPLE_TEXT)
    try:
        await _configure(client, suggestions=2)
        result = await _complete(client, uri, SITE_BELOW)
        assert isinstance(result, types.CompletionList) and 1 <= len(result.items) <= 2
        await _configure(client, completion={"enable": False})
        assert await _complete(client, uri, SITE_BELOW) is None
    finally:
        await _configure(client, suggestions=5, completion={"enable": True})
    close_doc(client, uri)


# ---------------------------------------------------------------- diagnostics, actions, hover


async def test_diagnostics_flag_exactly_the_mismatches_at_the_default_threshold(
    client: RecordingClient,
) -> None:
    uri = _doc("diagnostics.py")
    seen = len(client.published)
    open_doc(client, uri, CLEAR_TEXT)
    flagged = await diagnostics(client, uri, 1, seen)
    assert sorted(d.range.start.line for d in flagged) == MISMATCHED
    scores = {}
    for line in CLEAR_INTENTS:
        hover = await _hover(client, uri, line)
        assert hover is not None
        scores[line] = _score_from_hover(hover)
        threshold = _threshold_from_hover(hover)
        assert (scores[line] < threshold) == (line in MISMATCHED), (line, scores[line])
    for diag in flagged:
        assert diag.severity == types.DiagnosticSeverity.Warning
        assert diag.source == "codeqa"
        assert diag.range.start.character == 4
        assert isinstance(diag.data, dict)
        assert set(diag.data) == {"score", "suggestion"}
        assert f"{diag.data['score']:.2f}" in diag.message
        assert abs(diag.data["score"] - scores[diag.range.start.line]) < 0.006
        assert isinstance(diag.data["suggestion"], str)  # "" until generated
    try:
        await _configure(client, diagnostics={"enable": False})
        seen = len(client.published)
        assert await diagnostics(client, uri, 1, seen) == []

        await _configure(client, diagnostics={"enable": True})
        seen = len(client.published)
        again = await diagnostics(client, uri, 1, seen)
        assert sorted(d.range.start.line for d in again) == MISMATCHED

        await _configure(client, threshold=0.0)  # no score is below 0: nothing to flag
        seen = len(client.published)
        assert await diagnostics(client, uri, 1, seen) == []
    finally:
        await _configure(client, threshold=None, diagnostics={"enable": True})
    close_doc(client, uri)


async def test_code_actions_from_a_diagnostic(client: RecordingClient) -> None:
    uri = _doc("actions.py")
    seen = len(client.published)
    open_doc(client, uri, CLEAR_TEXT)
    flagged = await diagnostics(client, uri, 1, seen)
    diag = next(d for d in flagged if d.range.start.line == 8)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
    assert titles == ["Replace with suggested code", "Insert suggestion below intent"]
    replace, insert = actions
    assert isinstance(replace, types.CodeAction) and isinstance(insert, types.CodeAction)
    assert replace.kind == types.CodeActionKind.QuickFix
    hover = await _hover(client, uri, 8)
    suggestion = _top_suggestion(hover)
    assert diag.data["suggestion"] in ("", suggestion)
    edit = _code_edit(replace, uri)
    code_line = CLEAR_TEXT.splitlines()[9]
    assert edit.range == types.Range(
        start=types.Position(line=9, character=0),
        end=types.Position(line=9, character=len(code_line)),
    )
    kept = with_target(code_line.strip(), suggestion)  # an expression statement: unchanged
    assert edit.new_text == "    " + kept.replace("\n", "\n    ")
    edit = _code_edit(insert, uri)
    assert edit.range.start == edit.range.end == types.Position(line=9, character=0)
    assert edit.new_text.endswith("\n") and suggestion.split("\n")[0] in edit.new_text
    close_doc(client, uri)


LAZY_TEXT = (  # two clear mismatches whose intents no other test uses
    "import os\n\n"
    "# intent: get the keys of dictionary `d`\n"
    "n = sys.exit(0)\n\n"
    "# intent: reverse list `items`\n"
    "socket.gethostname()\n"
)


async def test_diagnostics_come_before_suggestions(client: RecordingClient) -> None:
    """Scores are published first; suggestions follow (push) or are made on demand."""
    uri = _doc("lazy.py")
    seen = len(client.published)
    open_doc(client, uri, LAZY_TEXT)
    first = await diagnostics(client, uri, 1, seen)
    assert sorted(d.range.start.line for d in first) == [2, 5]
    if not pulls(client):
        # the first publication for version 1 is the scores alone (intents never seen)
        ours = [p for p in client.published[seen:] if p.uri == uri]
        assert [d.data["suggestion"] for d in ours[0].diagnostics] == ["", ""]
        await until(
            lambda: any(
                all(d.data["suggestion"] for d in p.diagnostics)
                for p in client.published[seen:]
                if p.uri == uri
            )
        )
        ours = [p for p in client.published[seen:] if p.uri == uri]
        assert {p.version for p in ours} == {1}
        filled = next(p for p in ours if all(d.data["suggestion"] for d in p.diagnostics))
        assert [d.data["score"] for d in filled.diagnostics] == [
            d.data["score"] for d in ours[0].diagnostics
        ]
    else:
        assert [d.data["suggestion"] for d in first] == ["", ""]
    diag = first[0]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    assert actions is not None and len(actions) == 2
    suggestion = _top_suggestion(await _hover(client, uri, 2))
    # generated for the action, from an empty data field; "n = " is the replaced line's target
    assert _code_edit(actions[0], uri).new_text == with_target("n = sys.exit(0)", suggestion)
    close_doc(client, uri)


async def test_hover_on_intent_lines_only(client: RecordingClient) -> None:
    uri = _doc("hover.py")
    open_doc(client, uri, SAMPLE_TEXT)
    hover = await _hover(client, uri, 7)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert 0.0 <= _score_from_hover(hover) <= 1.0
    assert "```python" in hover.contents.value
    empty = await _hover(client, uri, 19)  # intent without code: suggestion only
    assert empty is not None and "no code under this intent" in empty.contents.value
    assert await _hover(client, uri, 8) is None  # code line
    close_doc(client, uri)


# ---------------------------------------------------------------- bad input


async def test_out_of_range_positions_and_unknown_documents(client: RecordingClient) -> None:
    uri = _doc("bad-positions.py")
    open_doc(client, uri, SAMPLE_TEXT)
    for pos in [(9_999, 0), (20, 9_999), (0, 9_999)]:
        result = await _complete(client, uri, types.Position(*pos))
        assert result is None or not result.items
        assert await _hover(client, uri, pos[0], pos[1]) is None
    unknown = _doc("never-opened.py")
    assert await _complete(client, unknown, SITE_BELOW) is None
    assert await _hover(client, unknown, 7) is None
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=unknown),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions
    if pulls(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=unknown))
        )
        assert list(report.items) == []
    close_doc(client, uri)


async def test_fifty_thousand_line_file(client: RecordingClient) -> None:
    uri = _doc("huge.py")
    filler = "".join(f"value_{n} = {n} * 2\n" for n in range(49_800))
    # One intent text, 100 different code lines (100 scores, one generation): every other
    # block's code does what the intent says, the rest have nothing to do with it.
    blocks = "".join(
        f"# intent: get the length of list `items`\n"
        f"{'len(items)' if n % 2 == 0 else 'os.remove(path)'}  # block {n}\n\n"
        for n in range(100)
    )
    text = filler + blocks + "# intent: sort list `xs`\n\n"
    lines = text.split("\n")
    assert len(lines) >= 50_000
    seen = len(client.published)
    open_doc(client, uri, text)
    site = types.Position(line=len(lines) - 2, character=0)
    result = await _complete(client, uri, site)
    assert isinstance(result, types.CompletionList) and result.items
    elsewhere = await _complete(client, uri, types.Position(line=100, character=3))
    assert elsewhere is None
    found = await diagnostics(client, uri, 1, seen)  # all 100 blocks scored, answer arrives
    mismatched = [n - 1 for n, line in enumerate(lines) if line.startswith("os.remove(path)")]
    assert len(mismatched) == 50
    assert sorted(d.range.start.line for d in found) == mismatched
    close_doc(client, uri)


async def test_long_non_ascii_intent(client: RecordingClient) -> None:
    uri = _doc("long%20intent%C3%A9.py")  # percent-encoded, as editors send them
    intent = ("grüße die Welt 😀 und sortiere `liste` " * 600)[:20_000].rstrip()
    text = f"# intent: {intent}\n\n# intent: print `名前` 😀\nprint(名前)\n"
    open_doc(client, uri, text)
    line = text.split("\n")[0]
    end = {
        "utf-8": len(line.encode("utf-8")),
        "utf-16": len(line.encode("utf-16-le")) // 2,
        "utf-32": len(line),
    }[client.position_encoding]
    assert end != len(line) or client.position_encoding == "utf-32"  # the emoji counts
    result = await _complete(client, uri, types.Position(line=0, character=end))
    assert isinstance(result, types.CompletionList) and result.items
    edit = result.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range == types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=end)
    )
    hover = await _hover(client, uri, 2)
    assert hover is not None
    close_doc(client, uri)


async def test_rapid_incremental_edits(client: RecordingClient) -> None:
    uri = _doc("rapid.py")
    open_doc(client, uri, SAMPLE_TEXT)
    seen = len(client.published)
    typed = "  # more"
    line_8 = SAMPLE_TEXT.splitlines()[8]
    for n, ch in enumerate(typed):
        version = n + 2
        pos = types.Position(line=8, character=len(line_8) + n)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=pos, end=pos), text=ch
                    )
                ],
            )
        )
    final = len(typed) + 1
    await diagnostics(client, uri, final, seen)
    # the edits are applied in order: the document reads as typed
    hover = await _hover(client, uri, 7)
    assert hover is not None
    if not pulls(client):
        versions = [p.version for p in client.published[seen:] if p.uri == uri]
        assert versions == sorted(versions)  # never an older version after a newer one
        assert versions[-1] == final
        # (that keystrokes inside the debounce give one publication: test_lsp_timing.py)
    close_doc(client, uri)
