"""A corrupt or missing bundle: one clear error, and the server keeps answering (empty)."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsp_helpers import (
    SAMPLE,
    RecordingClient,
    open_doc,
    requires_bundle,
    server_config,
    until,
)
from lsprotocol import types
from pytest_lsp import client_capabilities


@pytest_lsp.fixture(config=server_config(), params=["neovim", "visual-studio-code"])
async def client(lsp_client: RecordingClient, request: pytest.FixtureRequest, tmp_path_factory):
    bundle = tmp_path_factory.mktemp("corrupt-bundle")
    (bundle / "manifest.json").write_text("{ this is not json", encoding="utf-8")
    lsp_client.corrupt_path = str(bundle)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options={"modelPath": str(bundle), "debounceMs": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_corrupt_bundle_reports_once_and_serves_empty(client: RecordingClient) -> None:
    def errors() -> list[types.ShowMessageParams]:
        return [m for m in client.messages if m.type == types.MessageType.Error]

    await until(lambda: any(s["state"] == "error" for s in client.model_status), timeout=60)
    await until(lambda: bool(errors()), timeout=10)  # sent right after the status
    (error,) = errors()
    assert client.corrupt_path in error.message and "manifest.json" in error.message
    assert [s["state"] for s in client.model_status] == ["loading", "error"]

    uri = SAMPLE.as_uri()
    open_doc(client, uri, SAMPLE.read_text(encoding="utf-8"))
    site = types.Position(line=20, character=0)  # the empty line under the last intent
    completion = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=site)
    )
    assert completion is None or not completion.items
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=7, character=8),
        )
    )
    assert hover is None
    # no reload was attempted for these requests: they were answered from the error state
    assert [s["state"] for s in client.model_status] == ["loading", "error"]
    if client.capabilities.text_document.diagnostic is not None:
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert list(report.items) == []
    else:
        await until(lambda: any(p.uri == uri for p in client.published), timeout=30)
        assert list(client.published[-1].diagnostics) == []
    # still exactly one error shown after all that
    assert len(errors()) == 1


@requires_bundle
async def test_model_path_setting_reloads_the_model(client: RecordingClient) -> None:
    await until(lambda: any(s["state"] == "error" for s in client.model_status), timeout=60)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codeqa": {"modelPath": None}})
    )
    await until(lambda: client.model_status[-1]["state"] == "ready")
    assert [s["state"] for s in client.model_status] == ["loading", "error", "loading", "ready"]
    uri = SAMPLE.as_uri()
    open_doc(client, uri, SAMPLE.read_text(encoding="utf-8"))
    completion = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=20, character=0),
        )
    )
    assert completion is not None and completion.items


@pytest_lsp.fixture(config=server_config("--model", "/nonexistent/codeqa-bundle"))
async def bad_settings_client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"suggestions": 0, "threshold": "high"},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_invalid_initialization_options_warn_once(
    bad_settings_client: RecordingClient,
) -> None:
    client = bad_settings_client

    def warnings() -> list[types.ShowMessageParams]:
        return [m for m in client.messages if m.type == types.MessageType.Warning]

    await until(lambda: bool(warnings()), timeout=60)
    (warning,) = warnings()
    assert "suggestions" in warning.message and "threshold" in warning.message
    # the --model flag is used (no modelPath setting) and its error names the path
    await until(lambda: any(s["state"] == "error" for s in client.model_status), timeout=60)
    await until(lambda: any(m.type == types.MessageType.Error for m in client.messages), 10)
    assert any("/nonexistent/codeqa-bundle" in m.message for m in client.messages)
