"""Shared pieces of the end-to-end tests: a recording client, waits, the bundle check.

Every test here starts the real ``codeqa-lsp --stdio`` as a subprocess and speaks LSP to it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "lsp"
SAMPLE = FIXTURES / "sample.py"
HAS_BUNDLE = (ROOT / "model" / "default" / "manifest.json").is_file()
requires_bundle = pytest.mark.skipif(
    not HAS_BUNDLE, reason="no shipped model bundle in model/default/ yet"
)
CLIENTS = ["neovim", "visual-studio-code"]
WAIT_S = 180.0  # model load + inference on 2 shared cores can be slow; waits end early


class RecordingClient(LanguageClient):
    """The pytest-lsp client plus a history of pushed diagnostics and model status."""

    published: list[types.PublishDiagnosticsParams]
    model_status: list[dict[str, Any]]
    position_encoding: str


def make_client() -> RecordingClient:
    client = RecordingClient(
        protocol_cls=LanguageClientProtocol, converter_factory=default_converter
    )
    client.published = []
    client.model_status = []
    features = dict(DEFAULT_CLIENT_FEATURES)

    def on_publish(ls: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
        ls.published.append(params)
        ls.diagnostics[params.uri] = params.diagnostics

    def on_status(ls: RecordingClient, params: Any) -> None:
        ls.model_status.append({"state": params.state, "message": params.message})

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = on_publish
    features["codeqa/modelStatus"] = on_status
    register_lsp_features(client, features)
    return client


def server_config(*extra: str) -> ClientServerConfig:
    return ClientServerConfig(
        server_command=[
            sys.executable,
            "-m",
            "codeqa_lsp",
            "--stdio",
            "--clientProcessId=1",
            *extra,
        ],
        client_factory=make_client,
    )


async def until(predicate: Callable[[], bool], timeout: float = WAIT_S) -> None:
    """Poll ``predicate`` until true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )


def close_doc(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


def pulls(client: LanguageClient) -> bool:
    """Whether the server serves this client by pull (it then never pushes)."""
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic is not None)


async def diagnostics(
    client: RecordingClient, uri: str, version: int, seen: int = 0
) -> list[types.Diagnostic]:
    """The server's diagnostics for ``uri`` at ``version``, by pull or by waiting for a push.

    ``seen`` is how many pushes had arrived before the change being waited for.
    """
    if pulls(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert isinstance(
            report, types.FullDocumentDiagnosticReport | types.RelatedFullDocumentDiagnosticReport
        )
        return list(report.items)

    def arrived() -> bool:
        return any(p.uri == uri and p.version == version for p in client.published[seen:])

    await until(arrived)
    last = [p for p in client.published[seen:] if p.uri == uri and p.version == version][-1]
    return list(last.diagnostics)
