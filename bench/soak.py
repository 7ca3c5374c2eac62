"""A soak of mixed requests against one open document: the server must stay up and correct.

Well-formed requests (completion, hover, code actions, pulled diagnostics) alternate with
incremental edits (unicode, CRLF, tabs, very long lines, deletions) and malformed traffic:
unknown methods, out-of-range positions, unopened documents, missing fields, wrong types,
broken JSON. Well-formed requests are awaited one by one and every range they return is
checked against the client's copy of the document; malformed ones are fired without waiting
(a server that never answers them must not stall the soak) and collected at the end.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.lsp_client import LspClient, ResponseError, ServerExited
from bench.textdoc import TextMirror, range_inside

__all__ = ["MALFORMED", "SoakResult", "returned_ranges", "soak"]

_SNIPPETS = ("x", "é", "😀", "\t", "\r\n", "\n", "    ", "# intent: sort list `a`\n", "a" * 3000)
_START_TEXT = (
    "import os\n\n# intent: get the size of file `path`\nsize = os.path.getsize(path)\n\n"
    "# intent: reverse the list `items`\n"
)
MALFORMED: tuple[tuple[str, dict[str, Any]], ...] = (
    ("unknown method", {"method": "codeqa/noSuchMethod", "params": {}}),
    ("missing position", {"method": "textDocument/completion", "params": {"textDocument": {}}}),
    ("params not an object", {"method": "textDocument/hover", "params": [1, 2, 3]}),
    (
        "wrong types",
        {
            "method": "textDocument/completion",
            "params": {"textDocument": {"uri": 5}, "position": {"line": "a", "character": None}},
        },
    ),
    (
        "negative position",
        {
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "{uri}"}, "position": {"line": -1, "character": -5}},
        },
    ),
)


@dataclass
class SoakResult:
    requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    bad_ranges: list[str] = field(default_factory=list)
    unanswered: Counter[str] = field(default_factory=Counter)
    alive: bool = False
    error: str = ""
    seconds: float = 0.0


def returned_ranges(result: Any) -> list[dict[str, Any]]:
    """Every LSP range inside a completion list, hover, code-action list or report."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            rng = value.get("range")
            if isinstance(rng, dict) and "start" in rng and "end" in rng:
                found.append(rng)
            for key, item in value.items():
                if key != "range":
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(result)
    return found


def _random_edit(rng: random.Random, mirror: TextMirror) -> dict[str, Any]:
    lines = mirror.lines
    a_line = rng.randrange(len(lines))
    b_line = min(len(lines) - 1, a_line + rng.choice((0, 0, 0, 1, 2)))
    a = mirror.position(a_line, rng.randint(0, len(lines[a_line])))
    b = mirror.position(b_line, rng.randint(0, len(lines[b_line])))
    if (b["line"], b["character"]) < (a["line"], a["character"]):
        a, b = b, a
    text = "" if rng.random() < 0.25 else rng.choice(_SNIPPETS)
    return {"range": {"start": a, "end": b}, "text": text}


def _position(rng: random.Random, mirror: TextMirror, out_of_range: bool) -> dict[str, int]:
    lines = mirror.lines
    if out_of_range:
        return {"line": len(lines) + rng.randint(0, 10**6), "character": rng.randint(0, 10**6)}
    line = rng.randrange(len(lines))
    return mirror.position(line, rng.randint(0, len(lines[line])))


async def soak(
    client: LspClient,
    uri: str,
    n: int,
    seed: int = 0,
    answer_timeout: float = 60.0,
    malformed_timeout: float = 5.0,
) -> SoakResult:
    """Send `n` mixed messages about `uri` (opened here); see the module docstring."""
    rng = random.Random(seed)
    result = SoakResult()
    mirror = TextMirror(_START_TEXT)
    version = 1
    client.open(uri, mirror.text, version)
    fired: list[tuple[str, asyncio.Task[dict[str, Any]]]] = []
    started = time.perf_counter()
    try:
        for _ in range(n):
            roll = rng.random()
            doc = {"uri": uri}
            if roll < 0.25:
                change = _random_edit(rng, mirror)
                version += 1
                mirror.apply(change)
                client.change(uri, version, [change])
                result.outcomes["edit"] += 1
                continue
            if roll < 0.33:
                name, message = rng.choice(MALFORMED)
                message = _with_uri(message, uri)
                fired.append((name, asyncio.ensure_future(client.call(message, malformed_timeout))))
                result.requests += 1
                continue
            if roll < 0.35:
                client.send(b'{"jsonrpc": "2.0", "id": 1, "method": ')  # not JSON at all
                client.notify("codeqa/noSuchNotification", {"x": 1})
                client.notify("$/cancelRequest", {"id": 10**9})
                result.outcomes["garbage"] += 1
                continue
            out_of_range = roll < 0.40
            pos = _position(rng, mirror, out_of_range)
            kind = rng.choice(("completion", "completion", "hover", "codeAction", "diagnostic"))
            if kind == "codeAction":
                params = {
                    "textDocument": doc,
                    "range": {"start": pos, "end": pos},
                    "context": {"diagnostics": []},
                }
            elif kind == "diagnostic":
                params = {"textDocument": doc}
            else:
                params = {"textDocument": doc, "position": pos}
            label = f"{kind}{' (out of range)' if out_of_range else ''}"
            result.requests += 1
            try:
                answer = await client.request(f"textDocument/{kind}", params, answer_timeout)
            except ResponseError as exc:
                result.outcomes[f"{label}: error {exc.code}"] += 1
                continue
            result.outcomes[f"{label}: {'empty' if not answer else 'answer'}"] += 1
            for rng_ in returned_ranges(answer):
                if not range_inside(mirror, rng_):
                    result.bad_ranges.append(f"{label} at {pos}: {rng_}")
        for name, task in fired:
            try:
                response = await task
            except TimeoutError:
                result.unanswered[name] += 1
                continue
            code = response.get("error", {}).get("code") if "error" in response else None
            result.outcomes[f"{name}: {'error ' + str(code) if code else 'result'}"] += 1
    except ServerExited as exc:
        result.error = str(exc)
    finally:
        for _name, task in fired:
            task.cancel()
        result.seconds = time.perf_counter() - started
        result.alive = client.alive
    return result


def _with_uri(message: dict[str, Any], uri: str) -> dict[str, Any]:
    params = message.get("params")
    if isinstance(params, dict) and params.get("textDocument", {}).get("uri") == "{uri}":
        params = {**params, "textDocument": {"uri": uri}}
        return {**message, "params": params}
    return message
