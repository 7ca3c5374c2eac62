"""Assemble the matcher's train / valid / test pairs from the sources and the rewrites.

Per positive, within its own split: a `random` negative (another question's code), a `hard`
one (the nearest other intent's code, `data.negatives.hard_negative_indices`), and where they
apply an `api-swap` (a call replaced by a sibling API), a `literal` (a value the intent names
changed), a `line-drop` / `line-add` (multi-line code with a working line removed or a foreign
one inserted) and `slot-swap` (this intent's names in another question's code). StaQC adds its
real `staqc` negatives. Then `user_form` rewrites about a third of all pairs, whatever their
label, into how code sits in a file (`name = ...`, a trailing `return name`, a `def` around it),
and `returned_form` about 15% of the train/valid pairs into a function's `return EXPR` (the test
files keep the forms they had).

Test files (read by `codeqa-train evaluate` only): `test-packages.jsonl` — pairs of held-out
packages with hard, random and API-swap negatives; `test-staqc-dev.jsonl` — StaQC dev as labelled
(raw snippets), minus questions that are CoNaLa test questions.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from codeqa_train.matcher_data import sources as src
from codeqa_train.matcher_data.apis import ApiTable, api_swap
from codeqa_train.matcher_data.perturb import (
    add_line,
    drop_line,
    perturb_literal,
    returned_form,
    user_form,
)

MAX_LINES = 30


@dataclass(frozen=True)
class Row:
    qid: str
    intent: str
    snippet: str
    label: int
    kind: str
    source: str

    def to_json(self) -> dict:
        return {
            "qid": self.qid,
            "intent": self.intent,
            "snippet": self.snippet,
            "label": self.label,
            "kind": self.kind,
            "source": self.source,
        }


def _clip_lines(code: str, limit: int = MAX_LINES) -> str:
    lines = code.rstrip().split("\n")
    return "\n".join(lines[:limit])


def negatives_for(
    positives: Sequence[src.Source],
    table: ApiTable,
    rng: random.Random,
    kinds: frozenset[str],
) -> list[Row]:
    """Positives and their negatives (see the module docstring), from `positives` only."""
    from codeqa_train.data.negatives import hard_negative_indices
    from codeqa_train.data.records import Pair

    pairs = [
        Pair(str(i), p.qid, p.source, p.intent, p.intent, p.code) for i, p in enumerate(positives)
    ]
    hard = hard_negative_indices(pairs, max_similarity=0.7) if "hard" in kinds else []
    out: list[Row] = []
    n = len(positives)
    for i, p in enumerate(positives):
        out.append(Row(p.qid, p.intent, p.code, 1, "positive", p.source))

        def neg(code: str | None, kind: str, p: src.Source = p) -> None:
            if code and code.strip() != p.code.strip():
                out.append(Row(p.qid, p.intent, code, 0, kind, p.source))

        if "random" in kinds and n > 1:
            for _ in range(10):
                other = positives[rng.randrange(n)]
                if other.qid != p.qid and other.code != p.code:
                    neg(other.code, "random")
                    break
        if hard and hard[i] is not None:
            neg(positives[hard[i]].code, "hard")
        if "api-swap" in kinds:
            neg(api_swap(p.code, table, rng), "api-swap")
        if "literal" in kinds:
            neg(perturb_literal(p.intent, p.code, rng), "literal")
        if "line-drop" in kinds and "\n" in p.code.strip():
            neg(drop_line(p.code, rng), "line-drop")
        if "line-add" in kinds and n > 1 and rng.random() < 0.5:
            neg(add_line(p.code, positives[rng.randrange(n)].code, rng), "line-add")
    return out


def slot_swaps(rows: Sequence[Row], per_positive: int, seed: int) -> list[Row]:
    from codeqa_train.fit_classifier import LabelledPair, slot_swap_negatives

    pos = [LabelledPair(r.intent, r.snippet, 1, "positive", r.qid) for r in rows if r.label == 1]
    source = {r.qid: r.source for r in rows}
    return [
        Row(p.qid, p.intent, p.snippet, 0, "slot-swap", source.get(p.qid, ""))
        for p in slot_swap_negatives(pos, per_positive, seed)
    ]


def with_user_forms(rows: Sequence[Row], rate: float, rng: random.Random) -> list[Row]:
    """About `rate` of the rows (either label) rewritten by `user_form`."""
    return [
        replace(r, snippet=user_form(r.snippet, rng)) if rng.random() < rate else r for r in rows
    ]


def with_returned_forms(rows: Sequence[Row], rate: float, rng: random.Random) -> list[Row]:
    """About `rate` of the rows (either label) rewritten by `returned_form` where it applies."""
    out = []
    for r in rows:
        form = returned_form(r.snippet) if rng.random() < rate else None
        out.append(r if form is None else replace(r, snippet=form))
    return out


def build(args: argparse.Namespace) -> dict[str, list[Row]]:
    rng = random.Random(args.seed)
    shared = args.shared_data
    staqc_ids = src.staqc_question_ids(shared)
    conala_test = {
        f"so:{r['question_id']}"
        for r in json.loads((shared / "conala" / "conala-test.json").read_text(encoding="utf-8"))
    }
    held = staqc_ids["dev"] | conala_test  # never trained on, never validated on
    drop = {q[3:] for q in staqc_ids["dev"]}

    by_split: dict[str, list[src.Source]] = {s: [] for s in src.SPLITS}
    by_split["train"] += src.conala(args.data, "train", drop)
    by_split["valid"] += src.conala(args.data, "valid", drop)
    all_docs: list[src.Source] = []
    if args.apidocs and args.apidocs.is_file():
        all_docs += src.apidocs(args.apidocs)
    for path in args.mined or []:
        all_docs += src.mined(path)
    for s in all_docs:
        s = replace(s, code=_clip_lines(s.code))
        by_split[src.split_of(f"pkg:{s.group}")].append(s)
    table = ApiTable(src.api_names(all_docs))

    staqc_rows: dict[str, list[src.StaqcRow]] = {"train": [], "valid": []}
    for r in src.staqc(shared, "train"):
        if r.qid in held:
            continue
        staqc_rows["valid" if src.split_of(r.qid, 0.15, 0.0) == "valid" else "train"].append(r)

    kinds = frozenset(args.kinds.split(","))
    out: dict[str, list[Row]] = {}
    for split in ("train", "valid"):
        rows = negatives_for(by_split[split], table, rng, kinds)
        for r in staqc_rows[split]:
            kind = "positive" if r.label else "staqc"
            rows.append(Row(r.qid, r.intent, r.code, r.label, kind, "staqc"))
        sq = [
            src.Source(r.qid, r.intent, r.code, "staqc", r.qid)
            for r in staqc_rows[split]
            if r.label
        ]
        rows += [r for r in negatives_for(sq, table, rng, kinds - {"hard"}) if r.label == 0]
        if "slot-swap" in kinds:
            rows += slot_swaps(rows, args.slot_swap if split == "train" else 1, args.seed + 1)
        out[split] = with_user_forms(rows, args.user_form_rate, rng)
        if args.return_form_rate > 0:  # its own generator: the other rows stay as they were
            returned = random.Random(f"{args.seed}:{split}:return")
            out[split] = with_returned_forms(out[split], args.return_form_rate, returned)
    test = negatives_for(
        by_split["test"],
        table,
        random.Random(args.seed + 7),
        frozenset({"random", "hard", "api-swap"}),
    )
    out["test-packages"] = with_user_forms(test, args.user_form_rate, random.Random(args.seed + 8))
    out["test-staqc-dev"] = [
        Row(r.qid, r.intent, r.code, r.label, "positive" if r.label else "staqc", "staqc")
        for r in src.staqc(shared, "dev")
        if r.qid not in conala_test
    ]
    return out


def write(out_dir: Path, splits: dict[str, list[Row]]) -> dict:
    from codeqa_model.atomic import atomic_write_text

    target = out_dir / "classifier"
    target.mkdir(parents=True, exist_ok=True)
    report = {}
    for name, rows in splits.items():
        text = "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in rows)
        atomic_write_text(target / f"{name}.jsonl", text)
        report[name] = {
            "kinds": dict(Counter(r.kind for r in rows)),
            "sources": dict(Counter(r.source for r in rows if r.label == 1)),
        }
    atomic_write_text(out_dir / "report.json", json.dumps(report, indent=1) + "\n")
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--data", type=Path, default=Path("out/data"), help="output of `codeqa-train data`")
    a("--shared-data", type=Path, default=Path("../shared/data"))
    a("--apidocs", type=Path, default=None, help="apidocs/python-docs.jsonl (default: in shared)")
    a("--mined", type=Path, action="append", help="mined function-pairs JSON lines (repeatable)")
    a("--out", type=Path, default=Path("out/matcher-data"))
    a("--kinds", default="random,hard,api-swap,literal,line-drop,line-add,slot-swap")
    a("--slot-swap", type=int, default=2, help="slot-swap negatives per train positive")
    a("--user-form-rate", type=float, default=0.35)
    a(
        "--return-form-rate",
        type=float,
        default=0.15,
        help="share of train/valid rows (either label) made a function's `return EXPR` "
        "(0: the data of matchers before 2026-12-02's fourth session)",
    )
    a("--seed", type=int, default=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeqa_train.matcher_data")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.apidocs is None:
        args.apidocs = args.shared_data / "apidocs" / "python-docs.jsonl"
    report = write(args.out, build(args))
    for name, info in report.items():
        print(f"{name}: {info['kinds']} positives by source {info['sources']}")
    return 0
