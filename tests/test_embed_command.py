"""`codeqa-train embed` end to end on the small CoNaLa fixture, with tiny sizes so it runs fast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from codeqa_train.cli import main
from codeqa_train.embed.command import VARIANTS
from codeqa_train.embed.io import load_embedding, load_meta

torch.set_num_threads(1)

FIXTURE = Path(__file__).parent / "fixtures" / "embed" / "data"
TEST_ONLY_TOKENS = ("SIGUSR1", "fromhex", "myList")  # appear only in the fixture's test split


def _dev_tree(root: Path) -> Path:
    root.mkdir()
    (root / "files.py").write_text(
        "import json\n"
        "def load(path):\n"
        "    with open(path) as fh:\n"
        "        return json.load(fh)\n"
        "def collect(items):\n"
        "    out = []\n"
        "    for item in items:\n"
        "        out.append(item)\n"
        "    return out\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def emb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("embed")
    out = tmp / "emb"
    argv = [
        "embed", "--data", str(FIXTURE), "--out", str(out), "--dim", "8", "--min-count", "2",
        "--glove-epochs", "5", "--glove-batch", "256", "--w2v-epochs", "2", "--workers", "1",
        "--threads", "1", "--dev-root", str(_dev_tree(tmp / "dev")), "--dev-max-tokens", "1000",
    ]  # fmt: skip
    assert main(argv) == 0
    return out


def test_writes_all_variants_loadable(emb_dir: Path) -> None:
    for variant in VARIANTS:
        vocab, vectors = load_embedding(emb_dir / variant)
        assert vectors.shape == (len(vocab), 8)
        assert np.isfinite(vectors).all()
        meta = load_meta(emb_dir / variant)
        assert meta["variant"] == variant and meta["dim"] == 8 and meta["tokens"] > 0
        assert meta["training_seconds"] >= 0


def test_code_and_intent_vocabularies(emb_dir: Path) -> None:
    code_vocab, _ = load_embedding(emb_dir / "w2v-current")
    glove_vocab, _ = load_embedding(emb_dir / "glove-current")
    intent_vocab, _ = load_embedding(emb_dir / "intent-w2v")
    assert {"(", "open", "append", "json"} <= set(code_vocab)
    assert set(glove_vocab) == set(code_vocab)  # one vocabulary per corpus for both algorithms
    dev_w2v, _ = load_embedding(emb_dir / "w2v-dev")
    dev_glove, _ = load_embedding(emb_dir / "glove-dev")
    assert set(dev_w2v) == set(dev_glove) and len(dev_w2v) > len(code_vocab)
    assert {"list", "file", "json"} <= set(intent_vocab) and "<nl>" not in intent_vocab
    for vocab in (code_vocab, intent_vocab):
        assert not set(TEST_ONLY_TOKENS) & set(vocab)


def test_dev_variants_add_the_development_corpus(emb_dir: Path) -> None:
    current = load_meta(emb_dir / "glove-current")
    dev = load_meta(emb_dir / "glove-dev")
    assert dev["dev_files"] == 1
    # hand-counted: 9 logical lines, 53 tokens with <indent>/<dedent>, the 8 <nl> cut away
    assert dev["tokens"] == current["tokens"] + 53
    assert dev["sequences"] == current["sequences"] + 9
    dev_vocab, _ = load_embedding(emb_dir / "w2v-dev")
    assert "out" in dev_vocab and "fh" in dev_vocab  # twice in the dev tree, never in the fixture
    assert "collect" not in dev_vocab  # once only: below --min-count 2
    assert len(dev["losses"]) == 5 and dev["losses"][-1] < dev["losses"][0]


def test_neighbour_table_saved(emb_dir: Path) -> None:
    table = json.loads((emb_dir / "neighbours.json").read_text(encoding="utf-8"))
    assert list(table) == list(VARIANTS)
    for variant in ("w2v-current", "glove-current", "w2v-dev", "glove-dev"):
        assert list(table[variant]) == ["open", "json", "(", "append"]
        found = table[variant]["open"]
        assert len(found) == 5 and all(tok != "open" for tok, _ in found)
        sims = [sim for _, sim in found]
        assert sims == sorted(sims, reverse=True) and all(-1.0 <= s <= 1.0 for s in sims)
    assert list(table["intent-w2v"]) == ["open", "json", "(", "append"]


def test_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["embed", "--data", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "no generator/ directory" in capsys.readouterr().err
    argv = ["embed", "--data", str(FIXTURE), "--out", str(tmp_path / "o"), "--dim", "0"]
    assert main(argv) == 2
    assert "--dim must be at least 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
