"""A small asyncio LSP client over a subprocess's stdio, the same code for every server measured.

It speaks raw JSON-RPC (Content-Length framing) rather than going through a typed client, so
the benchmark adds the same thin layer to every server, and the hardening tests can send
payloads no typed client would build (missing fields, wrong types, unknown methods).
Requests the server sends to the client (progress tokens, configuration, registrations) get
an empty answer at once, the way a minimal editor would answer them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["LspClient", "Notification", "ResponseError", "ServerExited"]

_READ_LIMIT = 64 * 1024 * 1024  # one message may carry 500 diagnostics or a big completion list


class ResponseError(Exception):
    """The server answered a request with a JSON-RPC error object."""

    def __init__(self, method: str, error: Mapping[str, Any]) -> None:
        self.code = int(error.get("code", 0))
        self.message = str(error.get("message", ""))
        super().__init__(f"{method}: JSON-RPC error {self.code}: {self.message}")


class ServerExited(Exception):
    """The server process ended (or closed stdout) while the client still needed it."""


@dataclass(frozen=True)
class Notification:
    """A notification from the server, stamped with `time.perf_counter()` on arrival."""

    method: str
    params: Any
    at: float


class LspClient:
    """One server process and the client end of its stdio connection."""

    def __init__(self, proc: asyncio.subprocess.Process, keep_stderr: int = 200) -> None:
        self.proc = proc
        self._ids = itertools.count(1)
        self._pending: dict[int | str, asyncio.Future[dict[str, Any]]] = {}
        self._waiters: list[tuple[str, Callable[[Any], bool], asyncio.Future[Notification]]] = []
        self.notifications: deque[Notification] = deque(maxlen=10_000)
        self.stderr_tail: deque[str] = deque(maxlen=keep_stderr)
        self.server_requests: list[str] = []
        self.configuration: Any = None  # answer to workspace/configuration items
        self._closed = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read_loop())
        self._stderr_reader = asyncio.get_running_loop().create_task(self._drain_stderr())

    @classmethod
    async def spawn(
        cls,
        command: Sequence[str],
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> LspClient:
        """Start `command` with pipes on stdin/stdout/stderr."""
        proc = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=None if cwd is None else str(cwd),
            env=dict(os.environ if env is None else env),
            limit=_READ_LIMIT,
        )
        return cls(proc)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None and not self._closed.is_set()

    # ------------------------------------------------------------ sending

    def send(self, message: Mapping[str, Any] | bytes) -> None:
        """Write one framed message; bytes are sent as the body verbatim (for malformed input)."""
        body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
        if self.proc.stdin is None or self.proc.stdin.is_closing():
            raise ServerExited("server stdin is closed")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def call(self, message: Mapping[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        """Send a request object as given (its `id` is set here) and return the whole response."""
        msg_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        try:
            self.send({**message, "jsonrpc": "2.0", "id": msg_id})
            if self.proc.stdin is not None:
                await self.proc.stdin.drain()
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(msg_id, None)

    async def request(self, method: str, params: Any = None, timeout: float = 30.0) -> Any:
        """A request's `result`; a JSON-RPC error raises `ResponseError`."""
        message: dict[str, Any] = {"method": method}
        if params is not None:
            message["params"] = params
        response = await self.call(message, timeout)
        if "error" in response:
            raise ResponseError(method, response["error"])
        return response.get("result")

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    # ------------------------------------------------------------ notifications

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Any], bool] = lambda _params: True,
        timeout: float = 30.0,
    ) -> Notification:
        """The next notification `method` (arriving after this call) whose params match."""
        future: asyncio.Future[Notification] = asyncio.get_running_loop().create_future()
        waiter = (method, predicate, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def received(self, method: str) -> list[Notification]:
        return [n for n in self.notifications if n.method == method]

    # ------------------------------------------------------------ life cycle

    async def initialize(
        self,
        root: Path | None = None,
        capabilities: Mapping[str, Any] | None = None,
        initialization_options: Any = None,
        timeout: float = 60.0,
    ) -> Any:
        """`initialize` then `initialized`; returns the server's InitializeResult."""
        params: dict[str, Any] = {
            "processId": os.getpid(),
            "clientInfo": {"name": "codeqa-bench", "version": "1"},
            "rootUri": root.resolve().as_uri() if root is not None else None,
            "capabilities": dict(capabilities or default_capabilities()),
        }
        if initialization_options is not None:
            params["initializationOptions"] = initialization_options
        result = await self.request("initialize", params, timeout)
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": version,
                    "text": text,
                }
            },
        )

    def change(self, uri: str, version: int, changes: Sequence[Mapping[str, Any]]) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": list(changes)},
        )

    async def completion(self, uri: str, line: int, character: int, timeout: float = 30.0) -> Any:
        return await self.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
            timeout,
        )

    async def close(self, timeout: float = 10.0) -> int | None:
        """shutdown + exit when the server is up; kill it if it does not leave in time."""
        if self.alive:
            with contextlib.suppress(Exception):
                await self.request("shutdown", None, timeout)
                self.notify("exit")
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        for task in (self._reader, self._stderr_reader):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        return self.proc.returncode

    # ------------------------------------------------------------ reading

    async def _read_message(self) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        length = None
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            raise ValueError("server sent a message without Content-Length")
        body = await self.proc.stdout.readexactly(length)
        return json.loads(body)

    async def _read_loop(self) -> None:
        try:
            while True:
                message = await self._read_message()
                if message is None:
                    break
                self._dispatch(message)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._closed.set()
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ServerExited(self._exit_text()))
            for _method, _pred, future in self._waiters:
                if not future.done():
                    future.set_exception(ServerExited(self._exit_text()))

    def _exit_text(self) -> str:
        tail = "\n".join(list(self.stderr_tail)[-20:])
        return f"server closed its output (exit code {self.proc.returncode}); stderr tail:\n{tail}"

    def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:
            future = self._pending.get(message.get("id"))  # type: ignore[arg-type]
            if future is not None and not future.done():
                future.set_result(message)
            return
        if "id" in message:
            self.server_requests.append(method)
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": self._answer(message)})
            return
        note = Notification(method, message.get("params"), time.perf_counter())
        self.notifications.append(note)
        for wanted, predicate, future in list(self._waiters):
            if wanted == method and not future.done() and predicate(note.params):
                future.set_result(note)

    def _answer(self, message: Mapping[str, Any]) -> Any:
        if message["method"] == "workspace/configuration":
            items = (message.get("params") or {}).get("items", [])
            return [self.configuration for _ in items]
        return None

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        while True:
            line = await self.proc.stderr.readline()
            if not line:
                return
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())


def default_capabilities() -> dict[str, Any]:
    """A modest editor: snippets, markdown, work-done progress; diagnostics are pushed."""
    return {
        "textDocument": {
            "synchronization": {"didSave": True, "dynamicRegistration": False},
            "completion": {
                "completionItem": {
                    "snippetSupport": True,
                    "documentationFormat": ["markdown", "plaintext"],
                }
            },
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "publishDiagnostics": {"versionSupport": True},
        },
        "window": {"workDoneProgress": True, "showMessage": {}},
        "workspace": {"configuration": True},
    }
