"""train/sync_index.py: mined entries a newer mine lacks leave the index, the ones it adds
join it; every other entry keeps its score and the learned retriever its weights."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
from codeqa_model.api_retriever import RETRIEVER_FILE, ApiRetriever
from codeqa_model.retrieval import RETRIEVAL_FILE, RetrievalIndex
from codeqa_train.cli import main
from codeqa_train.fit_retriever import FitConfig, fit
from codeqa_train.sync_index import mined_entries, subset, synced

PAIRS = [
    ("get unique elements of `xs` keeping their order", "list(dict.fromkeys(xs))", "conala"),
    ("remove duplicates from list `items`", "list(set(items))", "conala"),
    ("List unique elements, preserving order. With arguments `iterable`.",
     "importlib.metadata.unique_everseen(iterable)", "mined"),
    ("Return the directory name of pathname `path`.", "os.path.dirname(path)", "mined"),
    ("Recursive directory creation function. With arguments `name`.", "os.makedirs(name)",
     "mined"),
    ("create directory `p` with its parents", "os.makedirs(p, exist_ok=True)", "conala"),
]  # fmt: skip
# the newer mine: the private helper is gone, an operation and another dirname row are new
MINED = [
    PAIRS[3],
    PAIRS[4],
    ("`x` to the power `y`", "x ** y", "mined"),
    ("Returns the directory component of a pathname `p`.", "os.path.dirname(p)", "mined"),
]


def _index() -> RetrievalIndex:
    index = RetrievalIndex.from_pairs(PAIRS, scheme="bm25")
    retriever = fit(index, {}, ["mined"], FitConfig(dim=8, epochs=20, batch=4, lr=0.05))
    return RetrievalIndex(index.entries, "bm25", learned=dataclasses.replace(retriever, weight=0.3))


def _write_mined(path: Path) -> Path:
    rows = [{"intent": i, "snippet": s, "source": "stdlib"} for i, s, _ in MINED]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_stale_mined_entries_go_and_new_ones_come_after_the_rest(tmp_path: Path) -> None:
    index = _index()
    out = synced(index, mined_entries(_write_mined(tmp_path / "gen.jsonl"), "mined"), "mined")
    codes = [e.code for e in out.entries]
    assert codes == [e.code for i, e in enumerate(index.entries) if i != 2] + [
        "var_0 ** var_1",
        "os.path.dirname(var_0)",
    ]
    assert out.learned is not None and index.learned is not None
    # an added entry points at the APIs it calls that the retriever knows; an operation at none
    learned = out.learned
    apis = [
        [learned.api_names[a] for a in learned.entry_api[s:e] if a < len(learned.api_names)]
        for s, e in zip(learned.entry_ptr[:-1], learned.entry_ptr[1:], strict=True)
    ]
    assert apis[-1] == ["os.path.dirname"] and apis[-2] == []
    hit = out.search("raise var_0 to the power 3", 1)
    assert out.entries[hit[0][0]].code == "var_0 ** var_1"


def test_kept_entries_score_as_before() -> None:
    index = _index()
    keep = [0, 1, 3, 4, 5]
    pruned = subset(index, keep)
    assert [e.code for e in pruned.entries] == [index.entries[i].code for i in keep]
    assert pruned.learned is not None and index.learned is not None
    assert np.array_equal(pruned.learned.words, index.learned.words)
    before = index.learned.entry_scores(["unique", "element", "order"])
    after = pruned.learned.entry_scores(["unique", "element", "order"])
    assert before is not None and after is not None
    assert np.allclose(after, before[keep])
    top = pruned.search("unique elements of var_0 in order", 1)
    assert pruned.entries[top[0][0]].code == "list(dict.fromkeys(var_0))"


def test_command_writes_an_index_that_loads_with_its_retriever(tmp_path: Path) -> None:
    index = _index()
    assert index.learned is not None
    src = tmp_path / "index"
    src.mkdir()
    (src / RETRIEVAL_FILE).write_text(index.to_json(), encoding="utf-8")
    (src / RETRIEVER_FILE).write_bytes(index.learned.to_bytes())
    out = tmp_path / "synced"
    mined = _write_mined(tmp_path / "gen.jsonl")
    assert main(["sync-index", "--index", str(src), "--mined", str(mined), "--out", str(out)]) == 0
    learned = ApiRetriever.from_bytes((out / RETRIEVER_FILE).read_bytes())
    done = RetrievalIndex.from_json((out / RETRIEVAL_FILE).read_bytes(), learned)
    assert len(done) == len(index) - 1 + 2
    assert all("unique_everseen" not in e.code for e in done.entries)
    report = json.loads((out / "sync_report.json").read_text(encoding="utf-8"))
    assert (report["dropped"], report["added"]) == (1, 2)
