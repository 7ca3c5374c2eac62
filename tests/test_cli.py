"""The command line contract: transports, usage errors (exit 2), and `check`'s core.

Model-backed runs of `suggest` and `check` are in tests/lsp/test_cli_model.py; here the
`check` core is wired to `EngineDouble`, a hand-written test double of the Engine protocol.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from codeqa_model.inference import Suggestion

from codeqa_lsp import __version__
from codeqa_lsp.check import (
    SourceError,
    check_source,
    check_sources,
    expand_paths,
    has_scored_blocks,
    read_source,
    read_sources,
)
from codeqa_lsp.cli import build_parser, main

FIXTURES = Path(__file__).parent / "fixtures" / "lsp"


class EngineDouble:
    """Scores 0.9 when the intent's first word appears in the code, else 0.1."""

    threshold = 0.5

    def __init__(self) -> None:
        self.info: dict = {}
        self.suggest_calls = 0
        self.contexts: list = []

    def score(self, pairs):
        return [0.9 if i.split()[0].lower() in c.lower() else 0.1 for i, c in pairs]

    def suggest(self, intent, k=5, context=None):
        self.suggest_calls += 1
        self.contexts.append(context)
        return [Suggestion(f"{intent.split()[0].lower()}(x)", 0.8)]


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codeqa_lsp", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


def test_version_and_server_imports_never_import_torch() -> None:
    done = _run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"codeqa-lsp {__version__}"
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, codeqa_lsp.cli, codeqa_lsp.intents, codeqa_lsp.server;"
            "print('torch' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.strip() == "False", probe.stderr


def test_parser_accepts_the_documented_server_flags() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["--stdio", "--clientProcessId=4242", "--model", "/m", "--log-file", "l"]
    )
    assert args.stdio and args.client_process_id == 4242 and args.model == "/m"
    tcp = parser.parse_args(["--tcp", "--host", "0.0.0.0", "--port", "9000"])
    assert tcp.tcp and tcp.host == "0.0.0.0" and tcp.port == 9000
    sub = parser.parse_args(["check", "a.py", "b.py", "--threshold", "0.3", "--format", "json"])
    assert sub.paths == ["a.py", "b.py"] and sub.threshold == 0.3 and sub.format == "json"
    sug = parser.parse_args(["suggest", "copy a file", "-k", "3", "--model", "mine"])
    assert sug.intent == "copy a file" and sug.k == 3 and sug.model == "mine"


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no transport, no command
        ["--stdio", "--tcp"],
        ["suggest"],
        ["suggest", "   "],
        ["suggest", "x", "-k", "0"],
        ["suggest", "x", "--format", "xml"],
        ["check"],
        ["check", "a.py", "--threshold", "1.5"],
        ["--bogus"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert capsys.readouterr().out == ""  # errors go to stderr only


def test_missing_model_is_a_clear_error_with_exit_2(tmp_path: Path) -> None:
    done = _run("check", str(FIXTURES / "sample.py"), "--model", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert "could not load the model" in done.stderr and str(tmp_path / "nope") in done.stderr
    assert done.stdout == ""


def test_suggest_file_with_no_intents_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "intents.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    done = _run("suggest", "--file", str(empty))
    assert done.returncode == 2 and "no intents" in done.stderr


# ---------------------------------------------------------------- check core


def test_check_source_one_result_per_block_in_file_order() -> None:
    engine = EngineDouble()
    text = (FIXTURES / "sample.py").read_text(encoding="utf-8")
    results = check_source("sample.py", text, engine, threshold=0.5)
    assert [r.line for r in results] == sorted(r.line for r in results)
    assert all(r.path == "sample.py" for r in results)
    by_intent = {r.intent.split()[0].lower(): r for r in results}
    assert set(by_intent) >= {"sort", "get", "map"}
    # suggestions only for mismatches: generation is the expensive part
    assert engine.suggest_calls == sum(r.mismatch for r in results) > 0
    # each suggestion is asked with what the file above the block imports and binds
    assert all(("os", "os") in c.imports and "examples" in c.names for c in engine.contexts)
    for result in results:
        assert result.mismatch == (result.score < 0.5)
        assert (result.suggestion != "") == result.mismatch
        record = result.as_json()
        assert set(record) == {
            "path", "line", "intent", "code", "score", "mismatch", "suggestion", "reason"
        }  # fmt: skip
        assert record["reason"] is None  # this double has no `explain`
        json.dumps(record)


def test_check_text_line_is_linter_style() -> None:
    results = check_source(
        "f.py", "x = 0\n    # intent: copy `a`\n    b = a\n", EngineDouble(), 0.5
    )
    (result,) = results
    assert result.line == 2 and result.column == 5 and result.mismatch
    line = result.as_text(0.5)
    assert line.startswith("f.py:2:5: code may not match its intent: match score 0.10")
    assert "suggestion: copy(x)" in line


def test_check_says_why_where_the_engine_can() -> None:
    class Explaining(EngineDouble):
        def explain(self, intent, code):
            return "calls b; the intent asks for copy" if "copy" in intent else None

    text = "# intent: copy `a`\nb = a\n\n# intent: move `a`\nb = a\n\n# intent: b it\nb = 1\n"
    copy, move, ok = check_source("f.py", text, Explaining(), 0.5)
    assert copy.reason == "calls b; the intent asks for copy" and copy.as_json()["reason"]
    assert "(calls b; the intent asks for copy); suggestion: copy(x)" in copy.as_text(0.5)
    assert move.mismatch and move.reason is None
    assert move.as_text(0.5).endswith("for intent 'move `a`'; suggestion: move(x)")
    assert not ok.mismatch and ok.reason is None  # a match is not explained


def test_non_utf8_file_is_reported_and_others_still_checked(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.py"
    bad.write_bytes("# intent: grüße\nx = 1\n".encode("latin-1"))
    good = tmp_path / "good.py"
    good.write_text("# intent: print it\nprint(1)\n", encoding="utf-8")
    sources, errors = read_sources([bad, good, tmp_path / "gone.py"])
    assert [path for path, _ in sources] == [good]
    results = check_sources(sources, EngineDouble(), 0.5)
    assert [r.path for r in results] == [str(good)]
    assert [str(e) for e in errors] == [
        f"{bad}:1: not UTF-8 (byte 0xfc at offset 12); skipped",
        f"{tmp_path / 'gone.py'}: no such file",
    ]


def test_read_source_strips_a_bom_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf# intent: x\n")
    assert read_source(path) == "# intent: x\n"
    with pytest.raises(SourceError, match="no such file"):
        read_source(tmp_path / "missing.py")


def test_expand_paths_walks_directories_and_skips_venvs(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "b.py").write_text("", encoding="utf-8")
    (tmp_path / "a.py").write_text("", encoding="utf-8")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "c.py").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    found = expand_paths([str(tmp_path)])
    assert found == [tmp_path / "a.py", tmp_path / "pkg" / "b.py"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_message(conn: socket.socket) -> dict:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += conn.recv(4096)
    return json.loads(body[:length])


def test_tcp_transport_answers_initialize() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "codeqa_lsp", "--tcp", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        with conn:
            body = json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            ).encode()
            conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            reply = _read_message(conn)
        assert reply["id"] == 1
        assert reply["result"]["serverInfo"] == {"name": "codeqa-lsp", "version": __version__}
        caps = reply["result"]["capabilities"]
        assert caps["completionProvider"] is not None and caps["hoverProvider"]
        assert caps["diagnosticProvider"]["identifier"] == "codeqa"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert out == b""  # nothing on stdout: logs go to stderr


def test_check_without_intent_blocks_never_loads_the_model(tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text("x = 1  # intent: a trailing comment is no intent\n# intent: open\n")
    assert not has_scored_blocks([(plain, plain.read_text())])
    # a model path that cannot load: exit 0 shows it was never needed
    done = _run("check", str(plain), "--format", "json", "--model", str(tmp_path / "none"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
