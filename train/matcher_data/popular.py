"""Popular API-swap negatives: a call replaced by a sibling people actually call.

`apis.api_swap` picks a sibling uniformly, so `os.getcwd()` mostly becomes `os.fchown()` or
`os.getpgid()`, names no one would write under "get the current working directory". The wrong
code people write (and issue 11's examples: `os.listdir` for `os.getcwd`, `os.path.dirname` for
`os.path.basename`) uses a *popular* sibling. Here the sibling is drawn in proportion to how
often the training positives call that name, so the matcher trains on the swaps it meets.

`python -m codeqa_train.matcher_data.popular --data IN --out OUT` copies a built matcher-data
folder and adds, to its train split only, one such negative (kind `api-swap`) for about
`--rate` of the train positives; valid and test files are copied unchanged, so figures on them
compare with the input's. Counts come from the train positives only.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codeqa_train.matcher_data.apis import ApiTable, find_calls, replace_span


def call_counts(snippets: Iterable[str]) -> Counter[str]:
    """How many snippets call each last name part (`listdir`, `split`, `len`)."""
    counts: Counter[str] = Counter()
    for code in snippets:
        calls, _ = find_calls(code)
        counts.update({c.name for c in calls})
    return counts


def popular_swap(
    code: str, table: ApiTable, counts: Mapping[str, int], rng: random.Random
) -> str | None:
    """`code` with one call's name replaced by a sibling drawn in proportion to its count in
    `counts` (siblings never called count nothing); None when no call has a called sibling."""
    calls, aliases = find_calls(code)
    options = []
    for call in calls:
        siblings = [s for s in table.siblings(call, aliases) if counts.get(s, 0) > 0]
        if siblings:
            options.append((call, siblings))
    if not options:
        return None
    call, siblings = rng.choice(options)
    pick = rng.choices(siblings, weights=[counts[s] for s in siblings])[0]
    return replace_span(code, call, pick)


def added_negatives(
    rows: Sequence[dict[str, Any]],
    table: ApiTable,
    rate: float,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """One popular swap (kind `api-swap`, label 0) for about `rate` of the positive `rows`."""
    positives = [r for r in rows if r["label"] == 1]
    counts = call_counts(r["snippet"] for r in positives)
    out = []
    for row in positives:
        if rng.random() >= rate:
            continue
        code = popular_swap(row["snippet"], table, counts, rng)
        if code and code.strip() != row["snippet"].strip():
            out.append({**row, "snippet": code, "label": 0, "kind": "api-swap"})
    return out


def api_table(apidocs: Path, mined: Sequence[Path]) -> ApiTable:
    """The sibling table `build` makes, from the same API docs and mined pairs."""
    from codeqa_train.matcher_data import sources as src

    docs = list(src.apidocs(apidocs)) if apidocs.is_file() else []
    for path in mined:
        docs += src.mined(path)
    return ApiTable(src.api_names(docs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeqa_train.matcher_data.popular")
    parser.add_argument("--data", type=Path, required=True, help="a built matcher-data folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--apidocs", type=Path, default=Path("../shared/data/apidocs/python-docs.jsonl")
    )
    parser.add_argument("--mined", type=Path, action="append", default=[])
    parser.add_argument("--rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    source, target = args.data / "classifier", args.out / "classifier"
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.jsonl"):
        if path.name != "train.jsonl":
            shutil.copyfile(path, target / path.name)
    with open(source / "train.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    table = api_table(args.apidocs, args.mined)
    extra = added_negatives(rows, table, args.rate, random.Random(args.seed))
    with open(target / "train.jsonl", "w", encoding="utf-8") as handle:
        for row in [*rows, *extra]:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    report = {"input": str(args.data), "rate": args.rate, "seed": args.seed, "added": len(extra)}
    (args.out / "report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
