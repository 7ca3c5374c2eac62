"""Cancellation and debouncing, checked where the timing is certain.

The server runs in process with `GatedEngine` (see inprocess.py): the model's one worker is
held inside a ``suggest`` call until the test opens the gate, so the request being cancelled
is still queued (or still running) when the cancel arrives — by construction, not because a
sleep was long enough. Likewise the debounce is held on an event while keystrokes arrive.
Both client snapshots (pull and push diagnostics) are covered.
"""

from __future__ import annotations

import asyncio

import pytest
from inprocess import GatedEngine, InProcessServer, until
from lsp_helpers import CLIENTS

REQUEST_CANCELLED = -32800  # JSON-RPC / LSP ErrorCodes.RequestCancelled

URI = "file:///tmp/codeqa-cancel/cancel.py"
TEXT = (
    "# intent: gate the model while splitting string `text` on commas\n"
    "\n"
    "# intent: reverse the order of words in string `sentence`\n"
    "\n"
)
GATED_SITE = {"line": 1, "character": 0}  # the empty line under the first (gated) intent
OTHER_SITE = {"line": 3, "character": 0}
OTHER_INTENT = "reverse the order of words in string `sentence`"


def _completion(site: dict[str, int]) -> dict:
    return {"textDocument": {"uri": URI}, "position": site}


@pytest.fixture(params=CLIENTS)
async def served(request: pytest.FixtureRequest):
    server = InProcessServer(GatedEngine())
    try:
        await server.start(request.param, {"debounceMs": 0})
        server.open(URI, TEXT)
        yield server
    finally:
        server.close()


class _HeldPauses:
    """`scheduler.pause` for tests: every wait (debounce, fill delay) lasts until `go` is set."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.calls = 0

    async def __call__(self, seconds: float) -> None:
        self.calls += 1
        await self.go.wait()


async def test_keystrokes_within_the_debounce_give_one_publication_for_the_last_version() -> None:
    server = InProcessServer(GatedEngine())
    pauses = _HeldPauses()
    server.server.scheduler.pause = pauses
    try:
        await server.start("visual-studio-code", {"debounceMs": 50})  # pushes diagnostics
        server.open(URI, TEXT)
        await until(lambda: pauses.calls == 1)  # version 1's debounce is running
        typed = "# more"
        for n, ch in enumerate(typed):
            pos = {"line": 3, "character": n}
            server.feed(
                {
                    "method": "textDocument/didChange",
                    "params": {
                        "textDocument": {"uri": URI, "version": n + 2},
                        "contentChanges": [{"range": {"start": pos, "end": pos}, "text": ch}],
                    },
                }
            )
            # this keystroke's debounce is running (the previous keystroke's work is cancelled)
            await until(lambda n=n: pauses.calls == n + 2)
        assert server.published() == []
        pauses.go.set()  # the debounce elapses: only the newest change's work is left
        final = len(typed) + 1
        await until(lambda: bool(server.published()))
        await server.drained()
        assert {p["version"] for p in server.published()} == {final}
        assert server.server.document(URI).source.splitlines()[3] == typed
    finally:
        server.close()


async def test_a_request_queued_behind_a_busy_model_is_cancelled(served: InProcessServer) -> None:
    engine = served.engine
    served.request(1, "textDocument/completion", _completion(GATED_SITE))
    await asyncio.to_thread(engine.entered.wait, 30)  # the worker is now held
    assert engine.entered.is_set()

    served.request(2, "textDocument/completion", _completion(OTHER_SITE))
    # The host asks the engine's cache, misses, and queues the job in the same step: once the
    # lookup is seen, the request waits behind the held one.
    await until(lambda: OTHER_INTENT in engine.looked_up)
    served.cancel(2)
    cancelled = await served.wait_answer(2)  # answered while the model is still held
    assert "result" not in cancelled
    assert cancelled["error"]["code"] == REQUEST_CANCELLED
    assert served.answer(1) is None  # the held job really was still running

    engine.release()
    held = await served.wait_answer(1)
    assert [i["label"] for i in held["result"]["items"]][:2] == ["gate_the_0()", "gate_the_1()"]
    # the cancelled job never reached the model
    assert engine.suggested == [engine.suggested[0]] and "gate" in engine.suggested[0]

    # the server still answers, and the cancelled intent is generated when asked again
    served.request(3, "textDocument/completion", _completion(OTHER_SITE))
    again = await served.wait_answer(3)
    assert again["result"]["items"][0]["label"] == "reverse_the_0()"
    assert engine.suggested[1:] == [OTHER_INTENT]


async def test_a_request_whose_model_call_is_running_is_answered_at_once(
    served: InProcessServer,
) -> None:
    engine = served.engine
    served.request(1, "textDocument/completion", _completion(GATED_SITE))
    await asyncio.to_thread(engine.entered.wait, 30)
    assert engine.entered.is_set()
    served.cancel(1)
    cancelled = await served.wait_answer(1)  # the model is still held: no waiting for it
    assert cancelled["error"]["code"] == REQUEST_CANCELLED

    engine.release()
    served.request(2, "textDocument/completion", _completion(GATED_SITE))
    answered = await served.wait_answer(2)
    assert answered["result"]["items"][0]["label"] == "gate_the_0()"
