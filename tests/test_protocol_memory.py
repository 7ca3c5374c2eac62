"""`CodeqaProtocol` keeps no per-notification state: the server's memory stays flat while typing.

pygls 2.1 stores the future of every async or generator notification handler under a fresh
uuid in ``_request_futures`` and never removes it (the bench saw +2 MiB RSS per 1,000 edits).
These tests feed real messages through the protocol in process and count what is left.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from wire import Sink

from codeqa_lsp.protocol import CodeqaProtocol

URI = "file:///typing.py"
EDITS = 300


def _server(protocol_cls: type[LanguageServerProtocol]) -> tuple[LanguageServer, Sink]:
    server = LanguageServer("t", "0", protocol_cls=protocol_cls)
    sink = Sink()
    server.protocol.set_writer(sink, include_headers=False)
    return server, sink


def _feed(protocol: LanguageServerProtocol, message: dict) -> None:
    """What pygls's read loop does with one message body."""
    protocol.handle_message(json.loads(json.dumps(message), object_hook=protocol.structure_message))


def _notify(protocol: LanguageServerProtocol, method: str, params: dict) -> None:
    _feed(protocol, {"jsonrpc": "2.0", "method": method, "params": params})


def _type_edits(protocol: LanguageServerProtocol) -> None:
    """initialize, open a document, then `EDITS` full-text changes (what the bench sends)."""
    _feed(
        protocol,
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
    )
    doc = {"uri": URI, "languageId": "python", "version": 1, "text": "# intent: 0\n"}
    _notify(protocol, "textDocument/didOpen", {"textDocument": doc})
    for version in range(2, EDITS + 2):
        _notify(
            protocol,
            "textDocument/didChange",
            {
                "textDocument": {"uri": URI, "version": version},
                "contentChanges": [{"text": f"# intent: {version}\n"}],
            },
        )


def test_typing_leaves_no_handler_futures_behind() -> None:
    server, sink = _server(CodeqaProtocol)
    _type_edits(server.protocol)
    doc = server.workspace.get_text_document(URI)
    assert doc.version == EDITS + 1 and doc.source == f"# intent: {EDITS + 1}\n"
    assert sink.sent[0]["id"] == 1  # initialize answered
    assert server.protocol._request_futures == {}


def test_plain_pygls_keeps_one_future_per_notification() -> None:
    """The fault the override exists for; when this fails, pygls fixed it upstream."""
    server, _ = _server(LanguageServerProtocol)
    _type_edits(server.protocol)
    assert len(server.protocol._request_futures) >= EDITS


async def test_async_notification_handler_is_forgotten_when_done() -> None:
    server, _ = _server(CodeqaProtocol)
    seen: list[str] = []

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        await asyncio.sleep(0)
        seen.append(params.text_document.uri)

    for _ in range(50):
        _notify(server.protocol, "textDocument/didSave", {"textDocument": {"uri": URI}})
    assert len(server.protocol._request_futures) == 50  # still running: kept, as pygls does
    for _ in range(5):
        await asyncio.sleep(0)
    assert seen == [URI] * 50
    assert server.protocol._request_futures == {}


async def test_a_running_request_can_still_be_cancelled(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="pygls")
    server, sink = _server(CodeqaProtocol)
    started = asyncio.Event()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: LanguageServer, params: types.HoverParams) -> None:
        started.set()
        await asyncio.sleep(60)

    params = {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}
    _feed(
        server.protocol,
        {"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": params},
    )
    await started.wait()
    assert 7 in server.protocol._request_futures
    _notify(server.protocol, "$/cancelRequest", {"id": 7})
    for _ in range(5):
        await asyncio.sleep(0)
    assert server.protocol._request_futures == {}
    assert [m.get("id") for m in sink.sent] == [7]
    assert sink.sent[0]["error"]["code"] == types.LSPErrorCodes.RequestCancelled
