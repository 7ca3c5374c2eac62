"""Positive pairs per source, each tagged with the group (package / question) it is split by.

- CoNaLa (curated `generator/{train,valid}.jsonl`, sources conala and conala-curated).
- StaQC human labels read raw from `staqc-annotated/`, with question ids from `staqc_iids.tsv`:
  StaQC split by snippet, so 570 questions sit in both train and dev; every train row whose
  question is also in dev (or in CoNaLa test) is dropped, and dev is only ever an evaluation set.
- API documentation (`apidocs/python-docs.jsonl`): the first doc sentence → the call.
- Mined docstring/function pairs (`codeqa-train mine`'s function-pairs file, when given).

Packages are assigned to train / valid / test by a stable hash of their name, so a held-out
package's functions are never seen in training.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SPLITS = ("train", "valid", "test")
_WITH_ARGS = re.compile(r"\s*With arguments? .*$")
_JUNK = re.compile(r"^(These|This function is|See |Deprecated|New in|Changed in|Availability|Note)")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)`\]])\s*\.\s+(?=[A-Z(])")


@dataclass(frozen=True)
class Source:
    """One positive pair: `qid` groups pairs that answer the same question (never negatives of
    each other); `group` is what the split is by (a package, or the pair's question)."""

    qid: str
    intent: str
    code: str
    source: str
    group: str


def split_of(group: str, valid: float = 0.12, test: float = 0.12) -> str:
    """'train' / 'valid' / 'test' for a group name, by a stable hash (same on every machine)."""
    h = int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "valid" if h < valid else "test" if h < valid + test else "train"


def first_sentence(text: str) -> str:
    """The doc text's first sentence, without the apidocs' "With arguments ..." tail."""
    text = _WITH_ARGS.sub("", " ".join(text.split()))
    text = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    text = re.sub(r"\s+([,.;:)])", r"\1", text)
    return re.sub(r"\(\s+", "(", text).rstrip(" .")


def read_jsonl(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def conala(data: Path, split: str, drop_qids: set[str]) -> list[Source]:
    """CoNaLa pairs of the curated generator split (`train` or `valid`)."""
    from codeqa_train.data.curated import curated_dir

    out = []
    for row in read_jsonl(curated_dir(data, "generator") / f"{split}.jsonl"):
        if row.get("source") not in ("conala", "conala-curated") or str(row["qid"]) in drop_qids:
            continue
        qid = f"so:{row['qid']}"
        out.append(Source(qid, row["intent"], row["snippet"], "conala", qid))
    return out


@dataclass(frozen=True)
class StaqcRow:
    qid: str
    intent: str
    code: str
    label: int


def staqc(shared: Path, split: str) -> list[StaqcRow]:
    """StaQC annotated rows of `split` ('train' or 'dev') with their question ids."""
    base = shared / "staqc-annotated"
    key = {"train": "train", "dev": "valid"}[split]
    ids: dict[int, str] = {}
    with (base / "staqc_iids.tsv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            if rec["split"] in (key, split):
                ids[int(rec["idx"])] = rec["question_id"]
    rows = json.loads((base / f"{split}_staqc.json").read_text(encoding="utf-8"))
    return [
        StaqcRow(f"so:{ids[r['idx']]}", r["doc"], r["code"], int(r["label"]))
        for r in rows
        if r["idx"] in ids
    ]


def staqc_question_ids(shared: Path) -> dict[str, set[str]]:
    """Question ids ('so:N') per StaQC split, read from the derived index."""
    out: dict[str, set[str]] = {"train": set(), "dev": set()}
    with (shared / "staqc-annotated" / "staqc_iids.tsv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            out["dev" if rec["split"] in ("valid", "dev") else "train"].add(
                f"so:{rec['question_id']}"
            )
    return out


def apidocs(path: Path, max_forms: int = 2) -> list[Source]:
    """(first doc sentence, call) per documented API, its `max_forms` shortest call forms;
    grouped by the top-level module (or the instance name the docs use, e.g. `loop`)."""
    forms: dict[str, list[tuple[str, str]]] = {}
    for row in read_jsonl(path):
        snippet = row["snippet"].strip()
        if snippet.startswith("@"):
            continue
        name = snippet.split("(", 1)[0]
        intent = first_sentence(row["intent"])
        if len(intent.split()) < 3 or "." not in name or _JUNK.match(intent):
            continue
        forms.setdefault(name, []).append((intent, snippet))
    out = []
    for name, items in forms.items():
        items = sorted(set(items), key=lambda t: len(t[1]))[:max_forms]
        for intent, snippet in items:
            out.append(Source(f"api:{name}", intent, snippet, "apidocs", name.split(".")[0]))
    return out


def mined(path: Path) -> list[Source]:
    """Mined `{"intent","code","package","module","qualname"}` rows (docstring sentence → body
    or call), grouped by package."""
    out = []
    for row in read_jsonl(path):
        intent, code = row.get("intent", "").strip(), row.get("code", "").rstrip()
        if not intent or not code:
            continue
        module = str(row.get("module", ""))
        qid = f"fn:{module}.{row.get('qualname', '')}"
        out.append(Source(qid, intent, code, "mined", package_group(row.get("package"), module)))
    return out


def package_group(package: str | None, module: str) -> str:
    """What a mined pair is held out with: its top-level module for the standard library (a
    collection of packages: `json`, `email`, ...) — the same group its API docs get — and the
    first two module levels elsewhere (`pandas.io`), so one big package is not one split."""
    parts = module.split(".")
    if not package or package == "stdlib":
        return parts[0]
    return ".".join(parts[:2])


def api_names(sources: Iterable[Source]) -> list[str]:
    """Dotted API names documented or mined (for the sibling table)."""
    names = []
    for s in sources:
        if s.qid.startswith("api:"):
            names.append(s.qid[4:])
        elif s.qid.startswith("fn:") and "." in s.qid[3:]:
            names.append(s.qid[3:])
    return names


# Modules whose documentation the shipped matcher carries for explanations (`model.explain`):
# the everyday ones, so the bundle stays small.
EXPLAIN_MODULES = frozenset(
    [
        "os",
        "os.path",
        "shutil",
        "json",
        "re",
        "datetime",
        "datetime.datetime",
        "datetime.date",
        "datetime.timedelta",
        "time",
        "random",
        "math",
        "csv",
        "subprocess",
        "pathlib",
        "pathlib.Path",
        "glob",
        "collections",
        "itertools",
        "functools",
        "string",
        "str",
        "list",
        "dict",
        "set",
        "bytes",
        "sys",
        "urllib.request",
        "urllib.parse",
        "hashlib",
        "gzip",
        "zipfile",
        "tarfile",
        "pickle",
        "statistics",
        "operator",
        "logging",
        "tempfile",
        "uuid",
        "base64",
        "io",
        "heapq",
        "bisect",
        "copy",
        "textwrap",
        "calendar",
        "sqlite3",
        "fnmatch",
    ]
)


def api_docs(path: Path, modules: frozenset[str] = EXPLAIN_MODULES) -> dict[str, str]:
    """{dotted name: first doc sentence} for APIs of `modules` and the builtins (first
    documented sentence wins; the apidocs list each API once per argument form)."""
    import builtins

    bare = {n for n in dir(builtins) if n.islower() and not n.startswith("_")}
    rows = list(read_jsonl(path))
    # a bare name (`len`) is documented by several modules; the builtins section is the one
    # around `abs`, so among bare rows the nearest to it wins
    anchor = next((i for i, r in enumerate(rows) if r["snippet"].startswith("abs(")), 0)
    best: dict[str, tuple[int, str]] = {}
    for i, row in enumerate(rows):
        name = row["snippet"].strip().split("(", 1)[0]
        module = name.rpartition(".")[0]
        if not (module in modules or (not module and name in bare)):
            continue
        sentence = first_sentence(row["intent"])
        if len(sentence.split()) < 3 or _JUNK.match(sentence):
            continue
        rank = abs(i - anchor) if not module else i
        if name not in best or rank < best[name][0]:
            best[name] = (rank, sentence[:140])
    return {name: text for name, (_, text) in sorted(best.items())}
