"""The bundle layer: round trip, and every way a bundle is refused without running its contents."""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from codeqa_model import bundle as bundle_mod
from codeqa_model.bundle import BundleError, load_bundle, save_bundle
from codeqa_model.paths import default_bundle_dir, resolve_bundle, user_bundle_dir, user_bundles_dir
from tokenizers import Tokenizer, models, pre_tokenizers

torch.set_num_threads(1)

FIXTURE = Path(__file__).parent / "fixtures" / "inference" / "conala-train-32.json"
REPO = Path(__file__).resolve().parent.parent


def _word_tokenizer(texts: list[str]) -> Tokenizer:
    """A real word-level tokenizer over the fixture's words (special tokens first)."""
    words = sorted({w for t in texts for w in t.split()})
    vocab = {w: i for i, w in enumerate(["<pad>", "<unk>", "<s>", "</s>", *words])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tok


@pytest.fixture(scope="module")
def parts() -> dict:
    rows = json.loads(FIXTURE.read_text())
    gen = torch.Generator().manual_seed(0)
    return {
        "config": {
            "generator": {"hidden": 8, "max_src_len": 16},
            "matcher": {"hidden": 4, "threshold": 0.5},
            "engine": {"rerank_weight": 0.5},
        },
        "generator_tensors": {
            "enc.weight": torch.randn(6, 8, generator=gen),
            "dec.bias": torch.randn(8, generator=gen),
        },
        "matcher_tensors": {"out.weight": torch.randn(1, 4, generator=gen)},
        "intent_tokenizer": _word_tokenizer([r["rewritten_intent"] for r in rows]),
        "code_tokenizer": _word_tokenizer([r["snippet"] for r in rows]),
        "model_card": "# Model card\n\n| metric | value |\n|---|---|\n| BLEU | 12.3 |\n",
        "metrics": {"bleu": 12.3},
        "created": "2025-01-01T00:00:00+00:00",
    }


@pytest.fixture
def saved(tmp_path: Path, parts: dict) -> Path:
    return save_bundle(tmp_path / "b", **parts)


def _rewrite_manifest(root: Path, edit) -> None:
    manifest = json.loads((root / "manifest.json").read_text())
    edit(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest))


def _replace_file(root: Path, name: str, data: bytes) -> None:
    """Swap a file's bytes and update the manifest so only the parser can object."""
    (root / name).write_bytes(data)

    def edit(m: dict) -> None:
        m["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    _rewrite_manifest(root, edit)


# ------------------------------------------------------------------------- round trip


def test_numpy_arrays_save_as_the_same_bytes_as_torch_tensors(tmp_path: Path, parts: dict) -> None:
    """A bundle read back (numpy arrays, no torch) and saved again is the same weights file."""
    first = save_bundle(tmp_path / "t", **parts)
    b = load_bundle(first)
    again = {
        **parts,
        "generator_tensors": b.generator_tensors,
        "matcher_tensors": b.matcher_tensors,
    }
    second = save_bundle(tmp_path / "n", **again)
    for name in (bundle_mod.GENERATOR_WEIGHTS, bundle_mod.MATCHER_WEIGHTS):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_round_trip_keeps_every_part(saved: Path, parts: dict) -> None:
    b = load_bundle(saved)
    assert b.format_version == 1
    assert b.created == parts["created"]
    assert b.config == parts["config"]
    for name, tensor in parts["generator_tensors"].items():  # read back as numpy arrays
        assert np.array_equal(b.generator_tensors[name], tensor.numpy())
    assert np.array_equal(b.matcher_tensors["out.weight"], parts["matcher_tensors"]["out.weight"])
    sentence = "Concatenate elements of a list"
    assert b.intent_tokenizer.encode(sentence).ids == parts["intent_tokenizer"].encode(sentence).ids
    assert b.code_tokenizer.get_vocab() == parts["code_tokenizer"].get_vocab()
    assert b.model_card == parts["model_card"]
    assert b.metrics == {"bleu": 12.3}
    on_disk = sorted(p.name for p in saved.iterdir())
    assert on_disk == sorted([*bundle_mod.REQUIRED_FILES, "metrics.json", "manifest.json"])
    for name, entry in b.files.items():
        data = (saved / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def test_metrics_are_optional(tmp_path: Path, parts: dict) -> None:
    b = load_bundle(save_bundle(tmp_path / "b", **{**parts, "metrics": None}))
    assert b.metrics is None
    assert not (tmp_path / "b" / "metrics.json").exists()


def test_saving_twice_gives_identical_bytes(tmp_path: Path, parts: dict) -> None:
    a, b = save_bundle(tmp_path / "a", **parts), save_bundle(tmp_path / "b", **parts)
    for name in [*bundle_mod.REQUIRED_FILES, "manifest.json"]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# ------------------------------------------------------------------------- refusals


def test_other_format_version_is_refused_before_anything_else(saved: Path) -> None:
    _rewrite_manifest(saved, lambda m: m.update(format_version=2, files="a v2 layout"))
    with pytest.raises(
        BundleError, match=r"manifest\.json: bundle format version 2.*reads version 1"
    ):
        load_bundle(saved)


def test_truncated_file_is_refused(saved: Path) -> None:
    path = saved / "generator.safetensors"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(BundleError, match=r"generator\.safetensors: \d+ bytes .*truncated"):
        load_bundle(saved)


def test_wrong_checksum_is_refused(saved: Path) -> None:
    path = saved / "matcher.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # same size, one byte changed
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"matcher\.safetensors: sha256 .* does not match"):
        load_bundle(saved)


def test_missing_file_is_refused(saved: Path) -> None:
    (saved / "code_tokenizer.json").unlink()
    with pytest.raises(BundleError, match=r"code_tokenizer\.json: missing from the bundle"):
        load_bundle(saved)


def test_missing_manifest_and_missing_dir(tmp_path: Path, saved: Path) -> None:
    with pytest.raises(BundleError, match=r"nowhere: no model bundle here .*does not exist"):
        load_bundle(tmp_path / "nowhere")
    (saved / "manifest.json").unlink()
    with pytest.raises(BundleError, match=r"manifest\.json: missing"):
        load_bundle(saved)


def test_manifest_listing_unknown_file_is_refused(saved: Path) -> None:
    def edit(m: dict) -> None:
        m["files"]["../../etc/passwd"] = {"sha256": "0" * 64, "bytes": 1}

    _rewrite_manifest(saved, edit)
    with pytest.raises(BundleError, match=r"manifest\.json: lists unknown file '\.\./\.\./etc"):
        load_bundle(saved)


def test_bad_json_with_matching_checksum_names_line(saved: Path) -> None:
    _replace_file(saved, "config.json", b'{\n  "generator": {},\n  oops\n}\n')
    with pytest.raises(BundleError, match=r"config\.json: invalid JSON at line 3"):
        load_bundle(saved)


def test_config_without_engine_section_is_refused(saved: Path) -> None:
    _replace_file(saved, "config.json", json.dumps({"generator": {}, "matcher": {}}).encode())
    with pytest.raises(BundleError, match=r"config\.json: missing the 'engine' section"):
        load_bundle(saved)


class _Payload:
    """Unpickling this creates `marker`: the proof that pickle would have run code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (builtins.open, (str(self.marker), "w"))


@pytest.mark.parametrize("name", ["generator.safetensors", "matcher.safetensors"])
def test_pickle_disguised_as_weights_is_refused_and_never_runs(
    tmp_path: Path, saved: Path, name: str
) -> None:
    # The payload is live: unpickling it really does create a file.
    probe = tmp_path / "probe-ran"
    pickle.loads(pickle.dumps(_Payload(probe))).close()
    assert probe.exists()

    marker = tmp_path / "bundle-pickle-ran"
    payload = pickle.dumps(_Payload(marker))
    _replace_file(saved, name, payload)  # checksum updated: only the parser stands guard
    with pytest.raises(BundleError, match=rf"{name}: not a valid safetensors file"):
        load_bundle(saved)
    assert not marker.exists()


def test_torch_save_file_disguised_as_weights_is_refused(tmp_path: Path, saved: Path) -> None:
    legacy = tmp_path / "legacy.pt"
    torch.save({"enc.weight": torch.zeros(2)}, legacy)
    _replace_file(saved, "generator.safetensors", legacy.read_bytes())
    with pytest.raises(BundleError, match=r"generator\.safetensors: not a valid safetensors"):
        load_bundle(saved)


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: chmod 000 does not stop root; see the simulated test below",
)
def test_unreadable_file_is_refused(saved: Path) -> None:
    path = saved / "intent_tokenizer.json"
    path.chmod(0)
    try:
        with pytest.raises(BundleError, match=r"intent_tokenizer\.json: permission denied"):
            load_bundle(saved)
    finally:
        path.chmod(0o644)


def test_permission_denied_is_refused_simulated(
    monkeypatch: pytest.MonkeyPatch, saved: Path
) -> None:
    """What the OS does for a non-root user on a chmod-000 file: open() fails with EACCES."""
    real_open = os.open
    blocked = saved / "intent_tokenizer.json"

    def guarded_open(file, flags, *args, **kwargs):
        if Path(file) == blocked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    with pytest.raises(BundleError, match=r"intent_tokenizer\.json: permission denied.*chmod"):
        load_bundle(saved)


def test_fifo_in_place_of_a_file_is_refused_without_blocking(saved: Path) -> None:
    path = saved / "MODEL_CARD.md"
    path.unlink()
    os.mkfifo(path)  # opening a FIFO for reading would block until a writer came
    with pytest.raises(BundleError, match=r"MODEL_CARD\.md: not a regular file"):
        load_bundle(saved)


def test_directory_in_place_of_a_file_is_refused(saved: Path) -> None:
    path = saved / "config.json"
    path.unlink()
    path.mkdir()
    with pytest.raises(BundleError, match=r"config\.json: not a regular file"):
        load_bundle(saved)


# ------------------------------------------------------------------------- atomic writes


def test_crash_mid_write_leaves_old_bundle_intact(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, saved: Path, parts: dict
) -> None:
    before = {p.name: p.read_bytes() for p in saved.iterdir()}
    real_write = bundle_mod._write_file
    written: list[str] = []

    def failing_write(path: Path, data: bytes) -> None:
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(path.name)
        real_write(path, data)

    monkeypatch.setattr(bundle_mod, "_write_file", failing_write)
    new_parts = {**parts, "model_card": "# a different card\n"}
    with pytest.raises(OSError, match="No space left"):
        save_bundle(saved, **new_parts)
    assert {p.name: p.read_bytes() for p in saved.iterdir()} == before
    assert load_bundle(saved).model_card == parts["model_card"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # temp dir cleaned up


def test_killed_process_mid_write_leaves_old_bundle_intact(tmp_path: Path, saved: Path) -> None:
    """A hard kill (no cleanup runs) between two file writes of a replacing export."""
    before = {p.name: p.read_bytes() for p in saved.iterdir()}
    script = textwrap.dedent(
        f"""
        import os, torch
        from tokenizers import Tokenizer, models
        from codeqa_model import bundle
        real = bundle._write_file
        count = [0]
        def dying_write(path, data):
            if count[0] == 2:
                os._exit(9)
            count[0] += 1
            real(path, data)
        bundle._write_file = dying_write
        tok = Tokenizer(models.WordLevel(vocab={{"<unk>": 0}}, unk_token="<unk>"))
        bundle.save_bundle(
            {str(saved)!r},
            config={{"generator": {{}}, "matcher": {{}}, "engine": {{}}}},
            generator_tensors={{"w": torch.ones(3)}},
            matcher_tensors={{"w": torch.ones(2)}},
            intent_tokenizer=tok, code_tokenizer=tok, model_card="new",
        )
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, timeout=120)
    assert proc.returncode == 9
    assert {p.name: p.read_bytes() for p in saved.iterdir()} == before
    load_bundle(saved)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "b"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".b.tmp-")


def test_replacing_a_bundle_swaps_in_the_new_one(saved: Path, parts: dict) -> None:
    save_bundle(saved, **{**parts, "model_card": "# second\n"})
    assert load_bundle(saved).model_card == "# second\n"
    assert sorted(p.name for p in saved.parent.iterdir()) == ["b"]


def test_refuses_to_replace_a_directory_that_is_not_a_bundle(tmp_path: Path, parts: dict) -> None:
    home_like = tmp_path / "home"
    home_like.mkdir()
    (home_like / "notes.txt").write_text("precious")
    with pytest.raises(BundleError, match=r"home: a non-empty directory without manifest\.json"):
        save_bundle(home_like, **parts)
    assert (home_like / "notes.txt").read_text() == "precious"


# ------------------------------------------------------------------------- paths


def test_bundle_locations(tmp_path: Path) -> None:
    assert default_bundle_dir() == REPO / "model" / "default"
    assert resolve_bundle(None) == default_bundle_dir()
    assert resolve_bundle("") == default_bundle_dir()
    assert resolve_bundle("mine") == user_bundles_dir() / "mine"
    assert resolve_bundle(tmp_path) == tmp_path
    assert resolve_bundle("./rel/dir") == Path("rel/dir")
    assert user_bundles_dir().parts[-2:] == ("codeqa-lsp", "bundles")
    for bad in ("..", "a/b", "", "-x", "x" * 65):
        with pytest.raises(ValueError, match="bad bundle name"):
            user_bundle_dir(bad)
