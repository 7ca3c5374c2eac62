"""The real server driven in process, message by message: what it writes is kept, what the test
sends is fed to its protocol as if it came over stdio. Shared by the in-process server tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any


class Sink:
    """Stands in for the server's output stream and keeps every message it writes."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.decode("utf-8")))

    def close(self) -> None:
        pass

    def answer(self, msg_id: int) -> dict | None:
        return next((m for m in self.sent if m.get("id") == msg_id and "method" not in m), None)

    def named(self, method: str) -> list[dict]:
        return [m for m in self.sent if m.get("method") == method]


def feed(server: Any, message: dict) -> None:
    """Hand `message` to the server's protocol exactly as a JSON-RPC frame would arrive."""
    protocol = server.protocol
    text = json.dumps({"jsonrpc": "2.0", **message})
    protocol.handle_message(json.loads(text, object_hook=protocol.structure_message))


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Yield to the event loop until `predicate` holds; the timeout only bounds a failure."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met"
        await asyncio.sleep(0.01)
