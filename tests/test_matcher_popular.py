"""`codeqa_train.matcher_data.popular`: API swaps drawn from the siblings people call."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from codeqa_train.matcher_data.apis import ApiTable
from codeqa_train.matcher_data.popular import added_negatives, call_counts, main, popular_swap

TABLE = ApiTable(["os.getcwd", "os.listdir", "os.fchown", "os.getpgid", "os.path.basename",
                  "os.path.dirname", "os.path.getsize"])  # fmt: skip


def test_call_counts_count_snippets_calling_each_name() -> None:
    counts = call_counts(["os.listdir(p)\nos.listdir(q)", "n = len(os.listdir(p))", "x = 1"])
    assert counts == Counter({"listdir": 2, "len": 1})


def test_popular_swap_draws_only_siblings_that_are_called() -> None:
    rng = random.Random(0)
    counts = {"listdir": 5, "getcwd": 3, "dirname": 2}
    seen = {popular_swap("cwd = os.getcwd()", TABLE, counts, rng) for _ in range(30)}
    assert seen == {"cwd = os.listdir()"}  # fchown and getpgid are siblings no one called
    swapped = popular_swap("name = os.path.basename(p)", TABLE, counts, rng)
    assert swapped == "name = os.path.dirname(p)"
    assert popular_swap("cwd = os.getcwd()", TABLE, {"getcwd": 4}, rng) is None


def test_popular_swap_follows_the_counts() -> None:
    rng = random.Random(1)
    counts = {"listdir": 90, "getpgid": 10}
    drawn = Counter(popular_swap("os.getcwd()", TABLE, counts, rng) for _ in range(400))
    assert drawn["os.listdir()"] > 5 * drawn["os.getpgid()"] > 0


def test_added_negatives_are_labelled_swaps_of_positives_at_the_rate() -> None:
    rows = [
        {"qid": "a", "intent": "list the folder", "snippet": "os.listdir(p)", "label": 1},
        {"qid": "b", "intent": "current dir", "snippet": "os.getcwd()", "label": 1},
        {"qid": "b", "intent": "current dir", "snippet": "os.fchown()", "label": 0},
    ]
    extra = added_negatives(rows, TABLE, 1.0, random.Random(0))
    assert {(r["qid"], r["snippet"], r["label"], r["kind"]) for r in extra} == {
        ("a", "os.getcwd(p)", 0, "api-swap"),
        ("b", "os.listdir()", 0, "api-swap"),
    }
    assert added_negatives(rows, TABLE, 0.0, random.Random(0)) == []


def test_main_adds_to_train_only_and_copies_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "in" / "classifier"
    source.mkdir(parents=True)
    train = [{"qid": "a", "intent": "i", "snippet": s, "label": 1, "kind": "positive"}
             for s in ("os.listdir(p)", "os.getcwd()")]  # fmt: skip
    (source / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in train))
    (source / "valid.jsonl").write_text(json.dumps(train[0]) + "\n")
    docs = tmp_path / "docs.jsonl"
    docs.write_text("")
    out = tmp_path / "out"
    assert main(["--data", str(tmp_path / "in"), "--out", str(out), "--apidocs", str(docs)]) == 0
    assert (out / "classifier" / "valid.jsonl").read_text() == json.dumps(train[0]) + "\n"
    written = (out / "classifier" / "train.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in written[:2]] == train
    assert json.loads((out / "report.json").read_text())["added"] == len(written) - 2
