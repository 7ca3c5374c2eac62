"""The running server under hostile traffic: random documents and edits, malformed requests, soak.

One real server subprocess (stdio) per module, on a tiny real bundle trained from the
fixture rows, driven by the benchmark's own client. Assertions are on health and
correctness (answers, error codes, ranges inside the document), never on timing.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from codeqa_model.retrieval import RetrievalIndex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_models import DATA, read_jsonl, save_tiny_bundle, train_tiny

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` lives at the repo root

from bench.harness import ServerThread
from bench.soak import returned_ranges, soak
from bench.textdoc import TextMirror, range_inside

torch.set_num_threads(1)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # With a retrieval index over the tiny training pairs, as shipped bundles have: the server
    # offers no code that does not parse, and the tiny generator alone rarely writes any.
    rows = read_jsonl(DATA / "generator" / "train.jsonl")
    index = RetrievalIndex.from_pairs([(r["intent"], r["snippet"], "conala") for r in rows])
    return save_tiny_bundle(
        train_tiny(),
        tmp_path_factory.mktemp("hardening") / "tiny",
        extra_files={"retrieval.json": index.to_json().encode()},
    )


@pytest.fixture(scope="module")
def server(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    workdir = tmp_path_factory.mktemp("ws")
    command = [sys.executable, "-m", "codeqa_lsp", "--stdio", "--model", str(bundle)]
    thread = ServerThread(command, cwd=workdir, initialization_options={"debounceMs": 0})
    uri = (workdir / "warm.py").as_uri()
    thread.call(lambda c: c.open(uri, "# intent: sort list `a`\n"))
    first = thread.run(thread.client.completion(uri, 0, 23))
    assert first is not None and first["items"], "the tiny bundle should answer a completion"
    yield thread
    assert thread.close() == 0


_uris = (f"file:///hardening/doc{i}.py" for i in itertools.count())


def _healthy(server: ServerThread) -> None:
    """Alive, and a fresh document's intent gets suggestions whose edit range fits the line."""
    uri = next(_uris)
    intent_line = "# intent: get the size of file `path`"
    text = f"import os\n{intent_line}\n"
    server.call(lambda c: c.open(uri, text))
    result = server.run(server.client.completion(uri, 1, len(intent_line)))
    assert server.client.alive
    assert result is not None and result["items"]
    for rng in returned_ranges(result):
        assert range_inside(TextMirror(text), rng)


# ---------------------------------------------------------------------- malformed requests


def test_unknown_method_is_a_method_not_found_error(server: ServerThread) -> None:
    response = server.run(server.client.call({"method": "codeqa/nope", "params": {}}))
    assert response["error"]["code"] == -32601
    _healthy(server)


@pytest.mark.parametrize(
    ("method", "position"),
    [
        ("textDocument/completion", {"line": 10**6, "character": 0}),
        ("textDocument/completion", {"line": 1, "character": 10**6}),
        ("textDocument/hover", {"line": 10**6, "character": 10**6}),
        ("textDocument/hover", {"line": 2**31 - 1, "character": 2**31 - 1}),
    ],
)
def test_positions_out_of_range_get_empty_results(
    server: ServerThread, method: str, position: dict
) -> None:
    uri = next(_uris)
    server.call(lambda c: c.open(uri, "# intent: reverse list `a`\nb = a[::-1]\n"))
    params = {"textDocument": {"uri": uri}, "position": position}
    assert server.run(server.client.request(method, params)) is None
    _healthy(server)


def test_unopened_documents_get_empty_results(server: ServerThread) -> None:
    doc = {"uri": "file:///never/opened.py"}
    pos = {"line": 0, "character": 0}
    rng = {"start": pos, "end": pos}
    client = server.client
    assert (
        server.run(
            client.request("textDocument/completion", {"textDocument": doc, "position": pos})
        )
        is None
    )
    assert (
        server.run(client.request("textDocument/hover", {"textDocument": doc, "position": pos}))
        is None
    )
    actions = {"textDocument": doc, "range": rng, "context": {"diagnostics": []}}
    assert server.run(client.request("textDocument/codeAction", actions)) == []
    report = server.run(client.request("textDocument/diagnostic", {"textDocument": doc}))
    assert report == {"kind": "full", "items": []}
    _healthy(server)


def test_broken_json_and_unknown_notifications_are_survived(server: ServerThread) -> None:
    def send_garbage(c) -> None:
        c.send(b"{this is not json")
        c.send(b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {}}')
        c.notify("codeqa/noSuchNotification", {"a": 1})
        c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///x.py"}})
        c.notify("$/cancelRequest", {"id": 123456})

    server.call(send_garbage)
    _healthy(server)


MALFORMED = [
    {"method": "textDocument/completion", "params": {"textDocument": {"uri": "file:///a.py"}}},
    {"method": "textDocument/completion", "params": {"textDocument": {}, "position": "here"}},
    {"method": "textDocument/hover", "params": [1, 2, 3]},
    {"method": "textDocument/hover"},
    {
        "method": "textDocument/completion",
        "params": {
            "textDocument": {"uri": "file:///a.py"},
            "position": {"line": -1, "character": 0},
        },
    },
    {
        "method": "textDocument/completion",
        "params": {
            "textDocument": {"uri": "file:///a.py"},
            "position": {"line": "a", "character": 0},
        },
    },
    {"method": "textDocument/codeAction", "params": {"textDocument": {"uri": "file:///a.py"}}},
]


@pytest.mark.parametrize("message", MALFORMED)
def test_ill_typed_requests_get_a_json_rpc_error(server: ServerThread, message: dict) -> None:
    try:
        response = server.run(server.client.call(message, timeout=2.0), timeout=10.0)
    finally:
        _healthy(server)  # whatever the answer, the server must still be up and correct
    # `call` resolves only on a response carrying the request's own id
    assert response["error"]["code"] == -32602


# ---------------------------------------------------------------------- soak


def test_soak_of_mixed_requests_ends_healthy(server: ServerThread) -> None:
    result = server.run(
        soak(server.client, next(_uris), 2_000, seed=7, malformed_timeout=3.0), timeout=600
    )
    assert result.error == ""
    assert result.alive
    assert result.bad_ranges == []
    answered = sum(v for k, v in result.outcomes.items() if k.startswith(("completion", "hover")))
    assert answered > 500 and result.outcomes["edit"] > 300
    assert result.outcomes["unknown method: error -32601"] > 0
    _healthy(server)


# ---------------------------------------------------------------------- random edits

# Characters Python's str.splitlines treats as line breaks but LSP does not are left out here:
# they have their own test below.
_TEXT = st.text(
    st.characters(
        blacklist_categories=["Cs"], blacklist_characters="\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    ),
    max_size=40,
)
_PIECES = st.one_of(
    _TEXT,
    st.sampled_from(["\n", "\r\n", "\t", "😀", "# intent: sort `a`\n", "    x = 1\n", "b" * 3000]),
)
_DOCUMENT = st.lists(_PIECES, max_size=12).map("".join)


@st.composite
def _edits(draw, count: int = 6) -> list[tuple[float, float, float, float, str]]:
    """Edits as fractions of the document (line, column, span), resolved against the mirror."""
    return [
        (
            draw(st.floats(0, 1)),
            draw(st.floats(0, 1)),
            draw(st.floats(0, 1)),
            draw(st.floats(0, 1)),
            draw(_PIECES),
        )
        for _ in range(draw(st.integers(1, count)))
    ]


def _resolve(mirror: TextMirror, edit: tuple[float, float, float, float, str]) -> dict:
    fl, fc, fspan, fc2, text = edit
    lines = mirror.lines
    a_line = min(len(lines) - 1, int(fl * len(lines)))
    b_line = min(len(lines) - 1, a_line + int(fspan * 2))
    a = mirror.position(a_line, int(fc * len(lines[a_line])))
    b = mirror.position(b_line, int(fc2 * len(lines[b_line])))
    if (b["line"], b["character"]) < (a["line"], a["character"]):
        a, b = b, a
    return {"range": {"start": a, "end": b}, "text": text}


def _probe(server: ServerThread, uri: str, mirror: TextMirror, version: int) -> None:
    """Append an intent line by an incremental edit; the server must see it where we do."""
    lines = mirror.lines
    end = mirror.position(len(lines) - 1, len(lines[-1]))
    change = {"range": {"start": end, "end": end}, "text": "\n# intent: probe list `q`"}
    mirror.apply(change)
    server.call(lambda c: c.change(uri, version, [change]))
    line = len(mirror.lines) - 1
    hover = server.run(
        server.client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": 3}},
        )
    )
    assert hover is not None, "the server does not see the probe line where the client put it"
    assert hover["range"] == {
        "start": {"line": line, "character": 0},
        "end": {"line": line, "character": len("# intent: probe list `q`")},
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_DOCUMENT, edits=_edits(), probe_at=st.floats(0, 1))
def test_random_documents_and_edits_keep_the_server_in_step(
    server: ServerThread, text: str, edits: list, probe_at: float
) -> None:
    uri = next(_uris)
    mirror = TextMirror(text)
    server.call(lambda c: c.open(uri, text))
    version = 1
    for edit in edits:
        change = _resolve(mirror, edit)
        mirror.apply(change)
        version += 1
        server.call(lambda c, ch=change, v=version: c.change(uri, v, [ch]))
        lines = mirror.lines
        line = min(len(lines) - 1, int(probe_at * len(lines)))
        pos = mirror.position(line, int(probe_at * len(lines[line])))
        for method in ("textDocument/completion", "textDocument/hover"):
            answer = server.run(
                server.client.request(method, {"textDocument": {"uri": uri}, "position": pos})
            )
            for rng in returned_ranges(answer):
                assert range_inside(mirror, rng), (method, pos, rng)
    _probe(server, uri, mirror, version + 1)
    server.call(lambda c: c.notify("textDocument/didClose", {"textDocument": {"uri": uri}}))
    assert server.client.alive


@pytest.mark.parametrize("odd_break", ["\x0c", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e", "\x85"])
def test_edits_after_characters_lsp_does_not_count_as_breaks(
    server: ServerThread, odd_break: str
) -> None:
    uri = next(_uris)
    text = f"a = 1{odd_break}# page\nb = 2\n"
    mirror = TextMirror(text)
    server.call(lambda c: c.open(uri, text))
    _probe(server, uri, mirror, 2)
