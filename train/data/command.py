"""`codeqa-train data`: curate raw CoNaLa / StaQC / Django files into `OUT/v1/` (docs/DESIGN.md)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from codeqa_model.atomic import atomic_write_text
from codeqa_train.data.errors import DataError
from codeqa_train.data.output import publish_version
from codeqa_train.data.pipeline import FORMAT_VERSION, Inputs, Settings, run_pipeline
from codeqa_train.data.report import curation_markdown

# --shared-data fills these in when the file exists. StaQC pickles are deliberately absent:
# unpickling runs code, so they are only ever read from paths given explicitly.
SHARED_LAYOUT = {
    "conala_train": "conala/conala-train.json",
    "conala_test": "conala/conala-test.json",
    "conala_curated": "conala-curated/conala-all.json",
    "conala_mined": "conala/conala-mined.jsonl",
    "staqc_annotated_train": "staqc-annotated/train_staqc.json",
    "staqc_annotated_dev": "staqc-annotated/dev_staqc.json",
    "staqc_iids": "staqc-annotated/staqc_iids.tsv",
    "django_anno": "django/all.anno",
    "django_code": "django/all.code",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Settings()
    src = parser.add_argument_group("inputs (explicit paths win over --shared-data)")
    src.add_argument(
        "--shared-data",
        type=Path,
        metavar="DIR",
        help="fill in every input found under DIR laid out like ../shared/data "
        "(never the StaQC pickles)",
    )
    src.add_argument("--conala-train", type=Path, metavar="P", help="CoNaLa train JSON")
    src.add_argument(
        "--conala-test",
        type=Path,
        metavar="P",
        help="CoNaLa test JSON: the test split, and removed from all training sources",
    )
    src.add_argument("--conala-curated", type=Path, metavar="P", help="seed's conala-all.json")
    src.add_argument("--conala-mined", type=Path, metavar="P", help="CoNaLa-mined JSON lines")
    src.add_argument(
        "--staqc-code",
        type=Path,
        metavar="P",
        help="StaQC pickle question_id -> code. PICKLES RUN CODE WHEN LOADED: only "
        "files named here are unpickled (encoding latin1); pass only files you trust",
    )
    src.add_argument(
        "--staqc-title",
        type=Path,
        metavar="P",
        help="StaQC pickle question_id -> title (same warning as --staqc-code)",
    )
    src.add_argument(
        "--staqc-annotated-train", type=Path, metavar="P", help="CodeXGLUE train_staqc.json"
    )
    src.add_argument("--staqc-annotated-dev", type=Path, metavar="P", help="dev_staqc.json")
    src.add_argument(
        "--staqc-iids",
        type=Path,
        metavar="P",
        help="staqc_iids.tsv (question ids of the annotated rows; required with them)",
    )
    src.add_argument("--django-anno", type=Path, metavar="P", help="Django all.anno")
    src.add_argument("--django-code", type=Path, metavar="P", help="Django all.code")
    src.add_argument("--no-django", action="store_true", help="leave the Django pairs out")

    knobs = parser.add_argument_group("curation")
    knobs.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help=f"output directory; writes DIR/v{FORMAT_VERSION}/ atomically",
    )
    knobs.add_argument(
        "--report-md",
        type=Path,
        metavar="FILE",
        help="also write the curation report (OUT/vN/report.md) to FILE, e.g. "
        "docs/results/curation.md",
    )
    knobs.add_argument("--seed", type=int, default=defaults.seed, help="split and negatives seed")
    knobs.add_argument(
        "--min-prob",
        type=float,
        default=defaults.min_prob,
        help="keep mined pairs with prob >= this (default %(default)s)",
    )
    knobs.add_argument(
        "--max-staqc-lines",
        type=int,
        default=defaults.max_staqc_lines,
        help="keep cleaned StaQC snippets of at most this many lines (%(default)s)",
    )
    knobs.add_argument(
        "--dup-threshold",
        type=float,
        default=defaults.dup_threshold,
        help="per question, drop snippets with code-token cosine >= this (%(default)s)",
    )
    knobs.add_argument(
        "--dedup-ignore-intents",
        action="store_true",
        help="dedup by code alone even between CoNaLa pairs whose annotators wrote different "
        "intents (off: those are kept as distinct lessons)",
    )
    knobs.add_argument(
        "--test-intent-threshold",
        type=float,
        default=defaults.test_intent_threshold,
        help="drop training intents with TF-IDF cosine >= this to a test intent (%(default)s)",
    )
    knobs.add_argument(
        "--valid-fraction",
        type=float,
        default=defaults.valid_fraction,
        help="fraction of question ids in valid (%(default)s)",
    )
    knobs.add_argument(
        "--hard-max-similarity",
        type=float,
        default=defaults.hard_max_similarity,
        help="hard negatives come from intents with cosine below this (%(default)s)",
    )
    knobs.add_argument(
        "--negative-max-code-similarity",
        type=float,
        default=defaults.negative_max_code_similarity,
        help="a negative's snippet must have code-token cosine below this with the positive's, "
        "so a renamed copy of the right answer is never labelled wrong (%(default)s)",
    )
    knobs.add_argument(
        "--classifier-django",
        action="store_true",
        help="also build classifier pairs from Django lines (off: pseudo-code is not "
        "the intent style the classifier judges)",
    )
    knobs.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip and count malformed records instead of stopping at the first",
    )


def _inputs(args: argparse.Namespace, parser_error) -> Inputs:
    paths = {name: getattr(args, name) for name in SHARED_LAYOUT}
    paths.update(staqc_code=args.staqc_code, staqc_title=args.staqc_title)
    if args.shared_data:
        for name, relative in SHARED_LAYOUT.items():
            candidate = args.shared_data / relative
            if paths[name] is None and candidate.is_file():
                paths[name] = candidate
    if args.no_django:
        paths.update(django_anno=None, django_code=None)
    for first, second in (("staqc_code", "staqc_title"), ("django_anno", "django_code")):
        if (paths[first] is None) != (paths[second] is None):
            parser_error(
                f"--{first.replace('_', '-')} and --{second.replace('_', '-')} go together"
            )
    annotated = paths["staqc_annotated_train"] or paths["staqc_annotated_dev"]
    if annotated and paths["staqc_iids"] is None:
        parser_error("--staqc-annotated-* need --staqc-iids (question ids for leakage and splits)")
    if paths["conala_train"] is None or paths["conala_test"] is None:
        parser_error("--conala-train and --conala-test are required (or --shared-data)")
    return Inputs(**paths)


def _check_settings(settings: Settings, parser_error) -> None:
    for name in (
        "min_prob",
        "dup_threshold",
        "test_intent_threshold",
        "hard_max_similarity",
        "negative_max_code_similarity",
    ):
        if not 0.0 <= getattr(settings, name) <= 1.0:
            parser_error(f"--{name.replace('_', '-')} must be within [0, 1]")
    if not 0.0 <= settings.valid_fraction < 1.0:
        parser_error("--valid-fraction must be within [0, 1)")
    if settings.max_staqc_lines < 1:
        parser_error("--max-staqc-lines must be at least 1")


def run(args: argparse.Namespace) -> int:
    def parser_error(message: str) -> None:
        print(f"codeqa-train data: error: {message}", file=sys.stderr)
        raise SystemExit(2)

    inputs = _inputs(args, parser_error)
    settings = Settings(
        seed=args.seed,
        min_prob=args.min_prob,
        max_staqc_lines=args.max_staqc_lines,
        dup_threshold=args.dup_threshold,
        dedup_ignore_intents=args.dedup_ignore_intents,
        test_intent_threshold=args.test_intent_threshold,
        valid_fraction=args.valid_fraction,
        hard_max_similarity=args.hard_max_similarity,
        negative_max_code_similarity=args.negative_max_code_similarity,
        skip_bad=args.skip_bad,
        classifier_django=args.classifier_django,
    )
    _check_settings(settings, parser_error)
    started = time.perf_counter()
    try:
        curated = run_pipeline(inputs, settings)
    except DataError as exc:
        print(f"codeqa-train data: error: {exc}", file=sys.stderr)
        return 1
    report = curated.report.to_json()
    page = curation_markdown(report)
    files = {**curated.files, "report.json": report, "report.md": page}
    final = publish_version(args.out, FORMAT_VERSION, files)
    if args.report_md is not None:
        args.report_md.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(args.report_md, page)
    print(curated.report.table())
    print()
    leaks = {kind: sum(counts.values()) for kind, counts in report["leakage_removed"].items()}
    test = report["conala_test_questions"]
    print(
        f"leaked pairs removed: by test question id {leaks['test_qid']}, "
        f"by near-duplicate test intent {leaks['test_intent']}; the sources held "
        f"{test['rows_found']} rows of {test['ids_found']}/{test['test_ids']} test question ids, "
        f"{test['rows_left']} left"
    )
    for split, kinds in report["classifier"].items():
        print(f"classifier {split}: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    if report["bad_input_skipped"]:
        print(f"skipped bad records: {report['bad_input_skipped']}")
    print(f"wrote {final} in {time.perf_counter() - started:.1f}s")
    return 0
