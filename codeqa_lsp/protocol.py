"""pygls protocol and document plumbing fixed where pygls 2.1 breaks the LSP contract.

Three faults are mended here, in one place, so handlers never see them:

* A request whose params cannot be structured (``"params": [1, 2, 3]``, a missing
  ``position``, ``"line": -1``) makes pygls raise inside its read loop, which only logs it:
  the client waits for an answer forever. `CodeqaProtocol` answers it with JSON-RPC
  ``-32602`` (invalid params) under the request's own id.
* pygls splits documents with `str.splitlines`, which also breaks at form feed, ``\\x1c``-
  ``\\x1e``, ``\\x85``, U+2028 and U+2029. LSP counts only ``\\n``, ``\\r\\n`` and ``\\r``, so
  incremental edits after such a character landed on the wrong line. `LspTextDocument`
  splits like LSP; `CodeqaProtocol` makes the workspace create such documents.
* pygls runs every notification under a fresh ``uuid4`` id and, for async and generator
  handlers (its own ``didOpen``/``didChange``/``didClose`` are generators), keeps the
  handler's future in ``_request_futures`` under that id; only request answers and
  ``$/cancelRequest`` ever remove entries, so each notification leaked a future, its lock
  and its id (about 1.9 KB per ``didChange``: +2 MiB RSS per 1,000 edits).
  `CodeqaProtocol` drops every handler's entry once its future is done.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument, Workspace

__all__ = [
    "CodeqaProtocol",
    "LspTextDocument",
    "LspWorkspace",
    "split_lines_keepends",
]

log = logging.getLogger(__name__)

_BREAK = re.compile(r"(\r\n|\r|\n)")


def split_lines_keepends(text: str) -> tuple[str, ...]:
    """``text.splitlines(True)``, breaking only where LSP does (``\\r\\n``, ``\\r``, ``\\n``)."""
    parts = _BREAK.split(text)
    lines = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
    if parts[-1]:
        lines.append(parts[-1])
    return tuple(lines)


class LspTextDocument(TextDocument):
    """A pygls document whose lines (and so every edit and position) follow LSP line breaks."""

    @property
    def lines(self) -> tuple[str, ...]:
        return split_lines_keepends(self.source)


class LspWorkspace(Workspace):
    """A pygls workspace that stores `LspTextDocument`s."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )

    @classmethod
    def like(cls, other: Workspace) -> LspWorkspace:
        """The same workspace (root, sync kind, folders, encoding, open documents) as ``other``."""
        new = cls(
            other.root_uri,
            other._sync_kind,
            list(other.folders.values()),
            other.position_encoding,
        )
        for uri, doc in other.text_documents.items():
            new.text_documents[uri] = new._create_text_document(
                doc.uri, doc.source, doc.version, doc.language_id
            )
        return new


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """A request pygls could not structure; `CodeqaProtocol.handle_message` answers it."""

    id: int | str | None
    method: str
    detail: str


class CodeqaProtocol(LanguageServerProtocol):
    """pygls's protocol, answering ill-typed requests and splitting lines like LSP."""

    @property
    def workspace(self) -> Workspace:
        # pygls builds a plain Workspace inside `initialize`; swap it before first use.
        workspace = super().workspace
        if not isinstance(workspace, LspWorkspace):
            workspace = LspWorkspace.like(workspace)
            self._workspace = workspace
        return workspace

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(partial(self._forget_future, msg_id))

    def _forget_future(self, msg_id: Any, future: Any) -> None:
        """Drop a finished handler's entry (only its own: an id may have been reused since)."""
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if not _is_request(data):
                raise  # a notification or response: no one to answer, pygls logs it
            msg_id = data.get("id")
            if not isinstance(msg_id, int | str) or isinstance(msg_id, bool):
                msg_id = None
            return _Unreadable(msg_id, str(data.get("method")), _cause(exc))

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Unreadable):
            self._answer_unreadable(message)
            return
        super().handle_message(message)

    def _answer_unreadable(self, message: _Unreadable) -> None:
        log.warning("invalid params for %s (id %r): %s", message.method, message.id, message.detail)
        error = {
            "code": JsonRpcInvalidParams.CODE,
            "message": f"invalid params for {message.method}: {message.detail}",
        }
        try:
            # a plain dict: lsprotocol's converter would drop "id": null, which JSON-RPC
            # requires when the request's id could not be read
            self._send_data({"jsonrpc": "2.0", "id": message.id, "error": error})
        except Exception:  # never let one bad request take the read loop down
            log.exception("could not answer invalid request %r", message.id)


def _is_request(data: dict[str, Any]) -> bool:
    return "id" in data and isinstance(data.get("method"), str) and "error" not in data


def _cause(exc: BaseException) -> str:
    """The innermost reason cattrs gave (``KeyError('position')``, a range error), kept short."""
    cause: BaseException = exc.__cause__ or exc
    while getattr(cause, "exceptions", None):
        cause = cause.exceptions[0]  # type: ignore[attr-defined]
    if isinstance(cause, KeyError):
        return f"missing field {cause}"[:300]
    return (str(cause) or type(cause).__name__)[:300]
