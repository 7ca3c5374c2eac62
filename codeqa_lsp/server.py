"""The language server: wiring only.

`CodeqaServer` holds what the handlers share (settings, the model host, the diagnostics
scheduler); the handlers below are top-level functions that `create_server` registers. Each
reads the document, asks `intents` or the scheduler where the intent blocks are, asks the
`ModelHost` for suggestions or scores, and hands the answers to `convert`/`completion`.
Diagnostics are pushed or pulled (never both), as `diagnostics` explains.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from codeqa_lsp import __version__, completion, convert, inline
from codeqa_lsp.diagnostics import DiagnosticsScheduler, Flagged
from codeqa_lsp.intents import block_starting_at, completion_site, split_lines
from codeqa_lsp.model_host import Loader, ModelHost, ModelState, load_engine
from codeqa_lsp.protocol import CodeqaProtocol
from codeqa_lsp.settings import (
    DEFAULT_SETTINGS,
    SECTION,
    Settings,
    SettingsError,
    parse_settings,
    unknown_keys,
)

if TYPE_CHECKING:
    from codeqa_model.inference import EngineLike

__all__ = ["MODEL_STATUS", "CodeqaServer", "create_server"]

log = logging.getLogger(__name__)

MODEL_STATUS = "codeqa/modelStatus"


class CodeqaServer(LanguageServer):
    """pygls server plus the state the handlers share: settings, model host, scheduler."""

    def __init__(
        self,
        model_path: str | None = None,
        load_wait_s: float = 10.0,
        loader: Loader = load_engine,
    ) -> None:
        super().__init__(
            "codeqa-lsp",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=CodeqaProtocol,
        )
        self.settings: Settings = DEFAULT_SETTINGS
        self.cli_model_path = model_path
        self.host = ModelHost(loader=loader, on_state=self._model_state_changed, wait_s=load_wait_s)
        self.scheduler = DiagnosticsScheduler(self)
        self.pull_mode = False
        self.initialized = False  # window/showMessage waits for the `initialized` notification
        self._startup_warning: str | None = None

    @property
    def encoding(self) -> str:
        """The negotiated position encoding ("utf-8", "utf-16" or "utf-32")."""
        negotiated = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        if isinstance(negotiated, types.PositionEncodingKind):
            return negotiated.value  # str() of this enum is its name, not its value
        return negotiated

    @property
    def can_refresh(self) -> bool:
        """Whether the client can be asked to pull diagnostics again."""
        caps = self.client_capabilities.workspace
        return bool(caps and caps.diagnostics and caps.diagnostics.refresh_support)

    @property
    def snippets(self) -> bool:
        text = self.client_capabilities.text_document
        item = text.completion.completion_item if text and text.completion else None
        return bool(item is not None and item.snippet_support)

    def document(self, uri: str) -> TextDocument | None:
        """An open document, or None: unknown URIs are never read from disk."""
        # pygls keys documents by the percent-decoded URI
        return self.workspace.text_documents.get(unquote(uri))

    def model_path(self) -> str | None:
        return self.settings.model_path or self.cli_model_path

    def threshold(self, engine: EngineLike) -> float:
        return self.settings.threshold if self.settings.threshold is not None else engine.threshold

    def _model_state_changed(self, state: ModelState, message: str) -> None:
        # The status notification feeds a status line; the one message the user sees about
        # a failed load is the showMessage below (clients add the server's name themselves).
        self.protocol.notify(MODEL_STATUS, {"state": state, "message": message})
        if state == "error":
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=message)
            )

    def apply_settings(self, raw: Any) -> bool:
        """Merge client settings; False (and a warning to the user) when they are invalid."""
        try:
            self.settings = parse_settings(raw, self.settings)
        except SettingsError as exc:
            self.warn(f"settings ignored: {exc}")
            return False
        ignored = unknown_keys(raw)
        if ignored:
            log.info("settings keys not used by codeqa: %s", ", ".join(ignored))
        return True

    def warn(self, message: str) -> None:
        log.warning("%s", message)
        if not self.initialized:
            self._startup_warning = message
            return
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=message)
        )

    async def load_model(self) -> None:
        """(Re)load the model in the background, reporting work-done progress if allowed."""
        # Loading starts before the progress round trip so requests see "loading" at once.
        task = self.host.start_loading(self.model_path())
        token: str | None = None
        caps = self.client_capabilities.window
        if caps is not None and caps.work_done_progress:
            token = f"codeqa-load-{uuid.uuid4()}"
            try:
                await self.work_done_progress.create_async(token)
            except Exception:  # a client that refuses progress still gets the model
                token = None
        if token is not None:
            self.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title="codeqa", message="Loading model")
            )
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
        finally:
            if token is not None:
                self.work_done_progress.end(
                    token, types.WorkDoneProgressEnd(message=self.host.message)
                )
        self.scheduler.refresh_all()


# ---------------------------------------------------------------- life cycle


def initialize(ls: CodeqaServer, params: types.InitializeParams) -> None:
    ls.apply_settings(params.initialization_options)
    text = params.capabilities.text_document
    ls.pull_mode = bool(text is not None and text.diagnostic is not None)


async def initialized(ls: CodeqaServer, params: types.InitializedParams) -> None:
    ls.initialized = True
    if ls._startup_warning is not None:
        ls.warn(ls._startup_warning)
    await ls.load_model()


def shutdown(ls: CodeqaServer, params: None) -> None:
    ls.scheduler.cancel_all()
    ls.host.shutdown()


async def did_change_configuration(
    ls: CodeqaServer, params: types.DidChangeConfigurationParams
) -> None:
    raw = params.settings
    if not (isinstance(raw, dict) and raw):
        raw = await _pull_configuration(ls)
    before = ls.model_path()
    if not ls.apply_settings(raw):
        return
    if ls.model_path() != before:
        await ls.load_model()
    else:
        ls.scheduler.refresh_all()


# ---------------------------------------------------------------- documents and diagnostics


def did_open(ls: CodeqaServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.scheduler.schedule(params.text_document.uri)


def did_change(ls: CodeqaServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.scheduler.schedule(params.text_document.uri)


def did_close(ls: CodeqaServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.scheduler.forget(uri)
    if not ls.pull_mode:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


async def pull_diagnostics(
    ls: CodeqaServer, params: types.DocumentDiagnosticParams
) -> types.FullDocumentDiagnosticReport:
    if not ls.pull_mode:
        # A client that did not declare pull support gets its diagnostics pushed; Neovim pulls
        # whenever the server offers pull, so answering here too would show everything twice.
        return types.FullDocumentDiagnosticReport(items=[])
    items = await ls.scheduler.answer_pull(params.text_document.uri)
    return types.FullDocumentDiagnosticReport(items=items)


# ---------------------------------------------------------------- requests


async def complete(ls: CodeqaServer, params: types.CompletionParams) -> types.CompletionList | None:
    doc = ls.document(params.text_document.uri)
    if doc is None or not ls.settings.completion_enable:
        return None
    lines = split_lines(doc.source)
    line = params.position.line
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    if params.position.character > convert.client_column(text, len(text), ls.encoding):
        return None  # past the end of the line: not a position in this document
    column = convert.server_column(text, params.position.character, ls.encoding)
    site = completion_site(lines, line, column)
    engine = await ls.host.engine() if site is not None else None
    if site is None or engine is None:
        return None
    k, context = ls.settings.suggestions, ls.scheduler.contexts.above(lines, site.line)
    suggestions = await ls.host.suggest(engine, site.intent, k, context)
    items = completion.completion_items(suggestions, site, lines, ls.encoding, ls.snippets)
    return types.CompletionList(is_incomplete=False, items=items)


async def ghost_text(
    ls: CodeqaServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    """Inline completion (ghost text) on the empty line under an intent; see `inline`."""

    def source() -> str | None:
        doc = ls.document(params.text_document.uri)
        return None if doc is None else doc.source

    async def suggest(site: Any, lines: Sequence[str]) -> Sequence[Any]:
        engine = await ls.host.engine()
        if engine is None:
            return []
        context = ls.scheduler.contexts.above(lines, site.line)
        return await ls.host.suggest(engine, site.intent, ls.settings.suggestions, context)

    return await inline.answer(ls.settings, params, source, ls.encoding, suggest)


async def insert_imports(ls: CodeqaServer, uri: str, statements: list[str]) -> None:
    """`inline.IMPORTS_COMMAND`: add the imports an accepted ghost text needs."""
    doc = ls.document(uri)
    wanted = [s for s in statements if s.startswith(("import ", "from "))]
    edit = (
        None
        if doc is None
        else inline.imports_edit(uri, wanted, split_lines(doc.source), ls.encoding)
    )
    if edit is not None:
        await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="codeqa: add imports")
        )


async def code_action(ls: CodeqaServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes on any line of a flagged block (its intent comment or its code)."""
    only = [getattr(kind, "value", kind) for kind in params.context.only or ()]
    if only and not any(types.CodeActionKind.QuickFix.value.startswith(k) for k in only):
        return []  # the client asked for other kinds (e.g. source.organizeImports)
    uri = params.text_document.uri
    checked = await ls.scheduler.current(uri)
    if checked is None:
        return []
    actions: list[types.CodeAction] = []
    for flagged in checked.covering(params.range.start.line, params.range.end.line):
        engine = await ls.host.engine()
        top = await ls.scheduler.top_suggestion(engine, flagged, checked.lines) if engine else None
        if top is not None:
            diag = _client_copy(flagged, params.context.diagnostics)
            block, lines = flagged.block, checked.lines
            actions += convert.code_actions(uri, diag, block, lines, ls.encoding, top)
    return actions


async def hover(ls: CodeqaServer, params: types.HoverParams) -> types.Hover | None:
    """Score and top suggestion: on any intent comment, and on a flagged block's code lines."""
    uri, line = params.text_document.uri, params.position.line
    checked = await ls.scheduler.current(uri)
    engine = await ls.host.engine()
    if checked is None or engine is None:
        return None
    threshold = ls.threshold(engine)
    flagged = checked.covering(line, line)
    if flagged:
        top = await ls.scheduler.top_suggestion(engine, flagged[0], checked.lines)
        code = top.code if top else None
        block, score = flagged[0].block, flagged[0].score
        return convert.hover(block, score, threshold, code, checked.lines, ls.encoding, line)
    block = block_starting_at(checked.lines, line)
    if block is None:
        return None
    pair = [(block.intent, block.code)]
    score = (await ls.host.score(engine, pair))[0] if block.has_code else None
    context = ls.scheduler.contexts.above(checked.lines, block.line)
    found = convert.usable(
        await ls.host.suggest(engine, block.intent, ls.settings.suggestions, context)
    )
    code = found.code if found else None
    return convert.hover(block, score, threshold, code, checked.lines, ls.encoding)


def _client_copy(flagged: Flagged, sent: Sequence[types.Diagnostic]) -> types.Diagnostic:
    """The client's copy of the block's diagnostic when it sent one (editors match actions
    to diagnostics by what they hold), else the one published."""
    ours = flagged.diagnostic
    same = (d for d in sent if convert.is_ours(d) and d.range == ours.range)
    return next(same, ours)


async def _pull_configuration(ls: CodeqaServer) -> Any:
    """VS Code style: the notification carries no settings, so ask for our section."""
    caps = ls.client_capabilities.workspace
    if caps is None or not caps.configuration:
        return None
    try:
        result: Sequence[Any] = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            ),
            timeout=5.0,
        )
    except (TimeoutError, Exception):
        log.warning("workspace/configuration request failed", exc_info=True)
        return None
    return result[0] if result else None


# ---------------------------------------------------------------- registration


def create_server(
    model_path: str | None = None, load_wait_s: float = 10.0, loader: Loader = load_engine
) -> CodeqaServer:
    """A server with every feature registered (one instance per process).

    ``loader`` turns a model path into an engine; tests pass one that returns a double.
    """
    server = CodeqaServer(model_path=model_path, load_wait_s=load_wait_s, loader=loader)
    features: list[tuple[str, Any, Any]] = [
        (types.INITIALIZE, None, initialize),
        (types.INITIALIZED, None, initialized),
        (types.SHUTDOWN, None, shutdown),
        (types.WORKSPACE_DID_CHANGE_CONFIGURATION, None, did_change_configuration),
        (types.TEXT_DOCUMENT_DID_OPEN, None, did_open),
        (types.TEXT_DOCUMENT_DID_CHANGE, None, did_change),
        (types.TEXT_DOCUMENT_DID_CLOSE, None, did_close),
        (
            types.TEXT_DOCUMENT_DIAGNOSTIC,
            types.DiagnosticOptions(
                identifier=SECTION, inter_file_dependencies=False, workspace_diagnostics=False
            ),
            pull_diagnostics,
        ),
        (types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(), complete),
        (types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions(), ghost_text),
        (
            types.TEXT_DOCUMENT_CODE_ACTION,
            types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
            code_action,
        ),
        (types.TEXT_DOCUMENT_HOVER, None, hover),
    ]
    for method, options, handler in features:
        server.feature(method, options)(handler)
    server.command(inline.IMPORTS_COMMAND)(insert_imports)
    return server
