"""Drive an `LspClient` from synchronous code (pytest, hypothesis) on its own event-loop thread.

Hypothesis runs each example synchronously; a server that lives for a whole test module needs
an event loop that outlives every example. `ServerThread` owns both and hands back plain
results, so a test reads like sequential code.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from bench.lsp_client import LspClient

__all__ = ["ServerThread"]

T = TypeVar("T")


class ServerThread:
    """A server subprocess plus the loop thread its client runs on."""

    def __init__(
        self,
        command: Sequence[str],
        cwd: Path | None = None,
        initialization_options: Any = None,
        timeout: float = 120.0,
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.timeout = timeout

        async def start() -> LspClient:
            client = await LspClient.spawn(command, cwd=cwd)
            await client.initialize(cwd, initialization_options=initialization_options)
            return client

        self.client: LspClient = self.run(start())

    def run(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        """Run a coroutine on the loop thread and wait for its result."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]
        return future.result(self.timeout if timeout is None else timeout)

    def call(self, fn: Callable[[LspClient], T]) -> T:
        """Run a plain (non-async) client method, such as `notify`, on the loop thread."""

        async def wrapper() -> T:
            return fn(self.client)

        return self.run(wrapper())

    def close(self) -> int | None:
        try:
            return self.run(self.client.close(), timeout=30.0)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10.0)
