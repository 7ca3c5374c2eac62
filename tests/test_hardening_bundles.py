"""End to end: the server started on a broken bundle says why and keeps answering.

Each bundle is a real tiny bundle damaged one way (truncated weights, another format version,
a wrong checksum, unreadable permissions, a pickle disguised as safetensors). The server must
send one `window/showMessage` error naming the file and the fault, run no code from the
bundle, and still answer requests (empty completions, code actions, hover).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from tiny_models import save_tiny_bundle, train_tiny

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` lives at the repo root

from bench.harness import ServerThread

torch.set_num_threads(1)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_bundle(train_tiny(), tmp_path_factory.mktemp("bundles") / "good")


def _manifest(root: Path) -> dict:
    return json.loads((root / "manifest.json").read_text())


def _relist(root: Path, name: str) -> None:
    """Make the manifest agree with the file again, so only its content is wrong."""
    manifest = _manifest(root)
    data = (root / name).read_bytes()
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (root / "manifest.json").write_text(json.dumps(manifest))


def truncate(root: Path) -> None:
    path = root / "generator.safetensors"
    path.write_bytes(path.read_bytes()[:100])


def wrong_version(root: Path) -> None:
    manifest = _manifest(root)
    manifest["format_version"] = 99
    (root / "manifest.json").write_text(json.dumps(manifest))


def wrong_checksum(root: Path) -> None:
    path = root / "matcher.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # same size, different bytes
    path.write_bytes(bytes(data))


def unreadable(root: Path) -> None:
    (root / "generator.safetensors").chmod(0)


class _Bomb:
    """Unpickling this runs `touch MARKER`: the proof a loader executed bundle content."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def pickle_as_weights(root: Path) -> None:
    path = root / "generator.safetensors"
    path.write_bytes(pickle.dumps(_Bomb(root.parent / f"{root.name}.EXECUTED")))
    _relist(root, "generator.safetensors")


CASES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "truncated": (truncate, ("generator.safetensors", "truncated")),
    "wrong version": (wrong_version, ("manifest.json", "format version 99")),
    "wrong checksum": (wrong_checksum, ("matcher.safetensors", "sha256")),
    "unreadable": (unreadable, ("generator.safetensors", "permission denied")),
    "pickle as weights": (pickle_as_weights, ("generator.safetensors", "safetensors")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_server_on_a_broken_bundle_says_why_and_keeps_answering(
    case: str, good_bundle: Path, tmp_path: Path
) -> None:
    if case == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads files without permission bits")
    damage, expected = CASES[case]
    bundle = tmp_path / "broken"
    shutil.copytree(good_bundle, bundle)
    damage(bundle)
    command = [sys.executable, "-m", "codeqa_lsp", "--stdio", "--model", str(bundle)]
    server = ServerThread(command, cwd=tmp_path)
    try:
        shown = server.run(
            server.client.wait_for(
                "window/showMessage", lambda p: p.get("type") == 1, timeout=60.0
            ),
        )
        message = shown.params["message"]
        for fragment in expected:
            assert fragment in message, message
        uri = (tmp_path / "a.py").as_uri()
        server.call(lambda c: c.open(uri, "# intent: sort list `a`\nb = sorted(a)\n"))
        client = server.client
        pos = {"line": 0, "character": 23}
        completion = server.run(client.completion(uri, 0, 23))
        assert completion is None or completion.get("items") == []
        hover = {"textDocument": {"uri": uri}, "position": pos}
        assert server.run(client.request("textDocument/hover", hover)) is None
        action = {
            "textDocument": {"uri": uri},
            "range": {"start": pos, "end": pos},
            "context": {"diagnostics": []},
        }
        assert server.run(client.request("textDocument/codeAction", action)) == []
        assert client.alive
        assert not (tmp_path / "broken.EXECUTED").exists(), "bundle content was executed"
        assert len([n for n in client.received("window/showMessage")]) == 1  # said once
    finally:
        assert server.close() == 0
