"""`CodeqaProtocol` in process: what pygls 2.1 would drop silently gets a JSON-RPC answer.

The same cases run against the real server subprocess in tests/test_hardening_server.py;
these are the fast, exact checks (the id echoed, the code, the reason in the message).
"""

from __future__ import annotations

import json
import logging

import pytest
from pygls.lsp.server import LanguageServer
from wire import Sink

from codeqa_lsp.protocol import CodeqaProtocol, LspWorkspace


@pytest.fixture()
def protocol(caplog: pytest.LogCaptureFixture) -> tuple[CodeqaProtocol, Sink]:
    caplog.set_level(logging.CRITICAL, logger="pygls")  # pygls logs every bad message in full
    server = LanguageServer("t", "0", protocol_cls=CodeqaProtocol)
    sink = Sink()
    server.protocol.set_writer(sink, include_headers=False)
    assert isinstance(server.protocol, CodeqaProtocol)
    return server.protocol, sink


def _feed(protocol: CodeqaProtocol, message: dict) -> None:
    """What pygls's read loop does with one message body."""
    protocol.handle_message(json.loads(json.dumps(message), object_hook=protocol.structure_message))


@pytest.mark.parametrize(
    ("msg_id", "params", "reason"),
    [
        (1, [1, 2, 3], "list indices"),
        ("a-7", {"textDocument": {"uri": "file:///a.py"}}, "missing field 'position'"),
        (
            3,
            {"textDocument": {"uri": "file:///a.py"}, "position": {"line": -1, "character": 0}},
            "Position.line",
        ),
        (
            4,
            {"textDocument": {"uri": "file:///a.py"}, "position": {"line": "a", "character": 0}},
            "invalid literal",
        ),
    ],
)
def test_ill_typed_request_gets_invalid_params_with_its_id(
    protocol: tuple[CodeqaProtocol, Sink], msg_id: int | str, params: object, reason: str
) -> None:
    proto, sink = protocol
    _feed(proto, {"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/hover", "params": params})
    (answer,) = sink.sent
    assert answer["id"] == msg_id
    assert answer["error"]["code"] == -32602
    assert "textDocument/hover" in answer["error"]["message"]
    assert reason in answer["error"]["message"]
    assert "result" not in answer


def test_ill_typed_notification_is_dropped_without_an_answer(
    protocol: tuple[CodeqaProtocol, Sink],
) -> None:
    proto, sink = protocol
    with pytest.raises(Exception, match="Invalid Params"):  # pygls's loop logs it and goes on
        _feed(proto, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {}})
    assert sink.sent == []


def test_a_request_with_an_unusable_id_is_answered_with_null_id(
    protocol: tuple[CodeqaProtocol, Sink],
) -> None:
    proto, sink = protocol
    _feed(proto, {"jsonrpc": "2.0", "id": {"x": 1}, "method": "textDocument/hover"})
    (answer,) = sink.sent
    assert answer["id"] is None and answer["error"]["code"] == -32602


def test_the_workspace_stores_lsp_documents_after_initialize(
    protocol: tuple[CodeqaProtocol, Sink],
) -> None:
    proto, sink = protocol
    _feed(
        proto,
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
    )
    assert sink.sent[0]["id"] == 1 and "capabilities" in sink.sent[0]["result"]
    assert isinstance(proto.workspace, LspWorkspace)
    _feed(
        proto,
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": "file:///p.py",
                    "languageId": "python",
                    "version": 1,
                    "text": "a\u2028b\nc\n",
                }
            },
        },
    )
    assert proto.workspace.get_text_document("file:///p.py").lines == ("a\u2028b\n", "c\n")
