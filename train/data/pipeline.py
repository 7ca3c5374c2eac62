"""The whole curation run: load every given source, apply the steps in order, build the splits and
classifier pairs, and describe it all in a `Report`. No file is written here (see `output`)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, fields
from itertools import pairwise
from pathlib import Path

from codeqa_model.code_tokens import tokenize_code
from codeqa_train.data import curate
from codeqa_train.data.clean import line_count
from codeqa_train.data.conala import load_conala_json, load_conala_mined
from codeqa_train.data.django import load_django
from codeqa_train.data.errors import BadInput
from codeqa_train.data.negatives import classifier_pairs
from codeqa_train.data.records import Pair, QuestionId
from codeqa_train.data.report import Report, percentiles, row_label
from codeqa_train.data.similarity import intent_words
from codeqa_train.data.staqc import load_staqc_annotated, load_staqc_iids, load_staqc_pickles

FORMAT_VERSION = 1
SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class Inputs:
    """Paths of the raw sources; None means the source is not used."""

    conala_train: Path
    conala_test: Path
    conala_curated: Path | None = None
    conala_mined: Path | None = None
    staqc_code: Path | None = None
    staqc_title: Path | None = None
    staqc_annotated_train: Path | None = None
    staqc_annotated_dev: Path | None = None
    staqc_iids: Path | None = None
    django_anno: Path | None = None
    django_code: Path | None = None


@dataclass(frozen=True)
class Settings:
    """Every curation knob (the command line's defaults live here)."""

    seed: int = 13
    min_prob: float = 0.5
    max_staqc_lines: int = 5
    dup_threshold: float = 0.5
    test_intent_threshold: float = 0.9
    valid_fraction: float = 0.1
    hard_max_similarity: float = 0.9
    negative_max_code_similarity: float = 0.8
    dedup_ignore_intents: bool = False
    skip_bad: bool = False
    classifier_django: bool = False


@dataclass
class Curated:
    """Everything one run produces: output file name → records, and the report (`report.json`)."""

    files: dict[str, object]
    report: Report


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load(inputs: Inputs, bad: BadInput) -> tuple[list[Pair], list[Pair], list[Pair]]:
    """(training positives, annotated negatives, CoNaLa test) in a fixed source order."""
    positives = list(load_conala_json(inputs.conala_train, "conala", bad))
    test = list(load_conala_json(inputs.conala_test, "conala", bad, id_prefix="conala-test"))
    negatives: list[Pair] = []
    if inputs.conala_curated:
        positives += load_conala_json(inputs.conala_curated, "conala-curated", bad)
    if inputs.conala_mined:
        positives += load_conala_mined(inputs.conala_mined, bad)
    if inputs.staqc_iids:
        iids = load_staqc_iids(inputs.staqc_iids, bad)
        for split, path in (
            ("train", inputs.staqc_annotated_train),
            ("dev", inputs.staqc_annotated_dev),
        ):
            if path:
                for pair, label in load_staqc_annotated(path, split, iids, bad):
                    (positives if label == 1 else negatives).append(pair)
    if inputs.staqc_code and inputs.staqc_title:
        positives += load_staqc_pickles(inputs.staqc_code, inputs.staqc_title, bad)
    if inputs.django_anno and inputs.django_code:
        positives += load_django(inputs.django_anno, inputs.django_code, bad)
    return positives, negatives, test


def _is_django(qid: QuestionId) -> bool:
    return isinstance(qid, str) and qid.startswith("django:")


def _lengths(pairs: list[Pair]) -> dict[str, dict[str, float]]:
    return {
        "intent_words": percentiles([len(intent_words(p.intent)) for p in pairs]),
        "snippet_tokens": percentiles([len(tokenize_code(p.snippet)) for p in pairs]),
        "snippet_lines": percentiles([line_count(p.snippet) for p in pairs]),
    }


def run_pipeline(inputs: Inputs, settings: Settings) -> Curated:
    """Steps 1–6 of the issue, in order, each counted in the report."""
    bad = BadInput(skip=settings.skip_bad)
    report = Report()
    positives, negatives, test = _load(inputs, bad)
    test_qids = {p.qid for p in test}
    leaks = LeakTracker(test_qids, len(test))

    def count(step: str) -> None:
        report.count(step, positives, negatives)
        leaks.count(step, positives, negatives)

    count("loaded")
    positives, negatives = curate.drop_empty(positives), curate.drop_empty(negatives)
    count("non-empty")

    positives = curate.filter_min_prob(positives, settings.min_prob)
    count("min-prob")

    positives = curate.clean_staqc(positives, settings.max_staqc_lines)
    negatives = curate.clean_staqc(negatives, settings.max_staqc_lines)
    count("staqc-lines")

    positives = curate.dedup_per_question(
        positives, settings.dup_threshold, ignore_intents=settings.dedup_ignore_intents
    )
    count("dedup")

    positives = curate.remove_test_qids(positives, test_qids)
    negatives = curate.remove_test_qids(negatives, test_qids)
    count("test-qid")

    threshold = settings.test_intent_threshold
    positives = curate.remove_test_intents(positives, test, threshold)
    negatives = curate.remove_test_intents(negatives, test, threshold)
    count("test-intent")

    valid_qids = curate.split_by_question(
        [p.qid for p in positives + negatives], settings.valid_fraction, settings.seed, _is_django
    )
    generator = {
        "train": [p for p in positives if p.qid not in valid_qids],
        "valid": [p for p in positives if p.qid in valid_qids],
        "test": test,
    }
    extra_negatives = {
        "train": [p for p in negatives if p.qid not in valid_qids],
        "valid": [p for p in negatives if p.qid in valid_qids],
        "test": [],
    }
    report.count("train", generator["train"], extra_negatives["train"])
    report.count("valid", generator["valid"], extra_negatives["valid"])

    files: dict[str, object] = {}
    classifier_counts: dict[str, dict[str, int]] = {}
    for split in SPLITS:
        files[f"generator/{split}.jsonl"] = [p.to_json() for p in generator[split]]
        usable = [p for p in generator[split] if settings.classifier_django or p.source != "django"]
        pairs, missing = classifier_pairs(
            usable,
            extra_negatives[split],
            seed=hash_seed(settings.seed, split),
            max_similarity=settings.hard_max_similarity,
            max_code_similarity=settings.negative_max_code_similarity,
        )
        files[f"classifier/{split}.jsonl"] = [p.to_json() for p in pairs]
        kinds: dict[str, int] = {"positive": 0, "random": 0, "hard": 0}
        for pair in pairs:
            kinds[pair.kind] += 1
        classifier_counts[split] = {**kinds, "negatives_not_found": missing}

    report.extra.update(
        {
            "format": FORMAT_VERSION,
            "settings": asdict(settings),
            "inputs": {
                f.name: {"path": str(path), "sha256": _sha256(path)}
                for f in fields(inputs)
                if (path := getattr(inputs, f.name)) is not None
            },
            "leakage_removed": {
                "test_qid": _drop(report, "dedup", "test-qid"),
                "test_intent": _drop(report, "test-qid", "test-intent"),
            },
            "conala_test_questions": leaks.to_json(),
            "generator": {split: len(generator[split]) for split in SPLITS},
            "classifier": classifier_counts,
            "valid_questions": len(valid_qids),
            "lengths": {split: _lengths(generator[split]) for split in SPLITS},
            "bad_input_skipped": dict(sorted(bad.counts.items())),
            "bad_input_examples": bad.examples,
        }
    )
    return Curated(files, report)


class LeakTracker:
    """Rows of CoNaLa test questions inside the training sources, counted after every step.

    `leakage_removed.test_qid` counts only what the test-qid step drops; rows of test questions
    that an earlier step removed for another reason (de-duplication, mostly) are counted here,
    so the report can say how many test-question rows and ids the sources held and where each
    left.
    """

    def __init__(self, test_qids: set[QuestionId], test_rows: int) -> None:
        self.test_qids = test_qids
        self.test_rows = test_rows
        self.steps: dict[str, Counter[str]] = {}
        self.ids_found: dict[str, set[QuestionId]] = {}

    def count(self, step: str, positives: list[Pair], negatives: list[Pair]) -> None:
        counter: Counter[str] = Counter()
        for pairs, negative in ((positives, False), (negatives, True)):
            for pair in pairs:
                if pair.qid in self.test_qids:
                    counter[row_label(pair, negative)] += 1
                    if not self.steps:
                        self.ids_found.setdefault(row_label(pair, negative), set()).add(pair.qid)
        self.steps[step] = counter

    def to_json(self) -> dict[str, object]:
        names = list(self.steps)
        first = self.steps[names[0]] if names else Counter()
        removed = {
            after: sum(self.steps[before].values()) - sum(self.steps[after].values())
            for before, after in pairwise(names)
        }
        return {
            "test_rows": self.test_rows,
            "test_ids": len(self.test_qids),
            "rows_found": sum(first.values()),
            "ids_found": len(set().union(*self.ids_found.values())),
            "rows_found_by_source": dict(sorted(first.items())),
            "ids_found_by_source": {k: len(v) for k, v in sorted(self.ids_found.items())},
            "removed_by_step": removed,
            "rows_left": sum(self.steps[names[-1]].values()) if names else 0,
        }


def hash_seed(seed: int, split: str) -> int:
    """A per-split seed, so adding rows to one split never changes another split's negatives."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{split}".encode()).digest()[:8], "big")


def _drop(report: Report, before: str, after: str) -> dict[str, int]:
    rows = report.rows()
    return {
        row: report.counts[before].get(row, 0) - report.counts[after].get(row, 0) for row in rows
    }
