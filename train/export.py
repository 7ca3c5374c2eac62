"""`codeqa-train export`: turn a generator run and a classifier run into one model bundle.

Reads each run's `final/` directory (`config.json`, `weights.safetensors`, tokenizers), checks
that the weights build the runtime `Generator` and `Matcher` and that both runs share one pair of
tokenizers, writes the model card, then saves the bundle atomically and reads it back to verify.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from codeqa_model.bundle import (
    FORMAT_VERSION,
    GENERATOR_WEIGHTS,
    MATCHER_WEIGHTS,
    BundleError,
    load_bundle,
    save_bundle,
)
from codeqa_model.inference import DEFAULT_RERANK_WEIGHT
from codeqa_model.paths import user_bundle_dir
from codeqa_train import runs
from safetensors import SafetensorError
from safetensors.torch import load_file
from tokenizers import Tokenizer

DATA_SOURCES = """\
- CoNaLa v1.1, curated and mined pairs (Yin et al., "Learning to Mine Aligned Code and
  Natural Language Pairs from Stack Overflow", MSR 2018). No licence upstream; Stack Overflow
  content, treated as CC BY-SA 4.0.
- StaQC manually annotated Python pairs via CodeXGLUE (Yao et al., "StaQC: A Systematically
  Mined Question-Code Dataset from Stack Overflow", WWW 2018). CC BY 4.0; CodeXGLUE: C-UDA.
- Django pseudo-code dataset (Oda et al., ASE 2015). MIT.
- Embeddings only: a CodeSearchNet Python sample via CodeXGLUE (Husain et al., 2019; C-UDA, code
  under its own licences) and the Python standard library source (PSF licence).

Which of these a run used, how many pairs each gave, every pair dropped and why, and where each
CoNaLa test question found in the training sources was removed is in the curation report,
`docs/results/curation.md` in the codeqa-lsp source tree (written by `codeqa-train data
--report-md`; the same page is `report.md` beside the curated data). No CoNaLa test question is
trained on.
"""


class ExportError(Exception):
    """An export input is missing or inconsistent; the message names the file."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--generator",
        type=Path,
        metavar="RUN_DIR",
        help="run directory of `codeqa-train fit-generator` (reads RUN_DIR/final)",
    )
    parser.add_argument(
        "--classifier",
        type=Path,
        metavar="RUN_DIR",
        help="run directory of `codeqa-train fit-classifier` (reads RUN_DIR/final)",
    )
    parser.add_argument(
        "--from-bundle",
        type=Path,
        metavar="DIR",
        help="instead of the two runs: an exported bundle whose networks, tokenizers, training "
        "history and knowledge files are kept; --extra-file replaces a knowledge file of the "
        "same name, --tuning/--card/--metrics replace theirs (a new combiner or index without "
        "retraining)",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="DIR", help="bundle directory to write")
    where.add_argument(
        "--name",
        metavar="NAME",
        help="write the user bundle NAME under the platformdirs user data dir",
    )
    parser.add_argument(
        "--card",
        type=Path,
        metavar="RESULTS_MD",
        help="evaluation results (Markdown) to put in the model card",
    )
    parser.add_argument(
        "--metrics",
        type=Path,
        metavar="JSON",
        help="evaluation metrics (JSON object) to store as metrics.json",
    )
    parser.add_argument(
        "--command", metavar="TEXT", help="the training command(s) to record in the model card"
    )
    parser.add_argument(
        "--extra-file",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="optional knowledge file shipped in the bundle under its own name "
        "(e.g. out/knowledge/api_table.json); repeatable",
    )
    parser.add_argument(
        "--tuning",
        type=Path,
        metavar="JSON",
        help="`codeqa-train tune` output: its knob values go into the bundle config, with the "
        "validation figure that chose each (engine.chosen_by) and a model-card section",
    )
    parser.add_argument(
        "--rerank-weight",
        type=float,
        default=None,
        metavar="W",
        help="matcher weight in the suggestion rerank, in [0, 1] (default: the "
        f"metrics file's 'rerank_weight', else {DEFAULT_RERANK_WEIGHT})",
    )


def run(args: argparse.Namespace) -> int:
    out = args.out if args.out is not None else user_bundle_dir(args.name)
    runs_given = (args.generator is not None, args.classifier is not None)
    if runs_given != ((args.from_bundle is None,) * 2):
        print(
            "codeqa-train export: error: give --generator and --classifier, or --from-bundle",
            file=sys.stderr,
        )
        return 2
    common = {
        "out_dir": out,
        "card": args.card,
        "metrics_file": args.metrics,
        "command": args.command,
        "extra_files": args.extra_file,
        "tuning_file": args.tuning,
    }
    try:
        if args.from_bundle is not None:
            path = reexport(args.from_bundle, **common)
        else:
            path = export(
                generator_run=args.generator,
                classifier_run=args.classifier,
                rerank_weight=args.rerank_weight,
                **common,
            )
    except (ExportError, BundleError) as exc:
        print(f"codeqa-train export: error: {exc}", file=sys.stderr)
        return 1
    bundle = load_bundle(path)
    total = sum(entry["bytes"] for entry in bundle.files.values())
    print(f"wrote bundle {path} ({len(bundle.files)} files, {total / 1e6:.2f} MB)")
    return 0


def export(
    *,
    generator_run: Path,
    classifier_run: Path,
    out_dir: Path,
    card: Path | None = None,
    metrics_file: Path | None = None,
    command: str | None = None,
    rerank_weight: float | None = None,
    extra_files: Sequence[Path] = (),
    tuning_file: Path | None = None,
) -> Path:
    """Build, check and atomically write the bundle; returns its directory."""
    gen_config, gen_tensors = _read_final(generator_run)
    cls_config, cls_tensors = _read_final(classifier_run)
    intent_tok, code_tok = _read_tokenizers(generator_run, classifier_run)
    evaluation = _read_json_object(metrics_file) if metrics_file else {}
    weight = _choose_weight(rerank_weight, evaluation, metrics_file)
    results_md = _read_text(card) if card else None
    extras = {path.name: _read_bytes(path) for path in extra_files}

    _check_builds(
        gen_config,
        gen_tensors,
        cls_config,
        cls_tensors,
        intent_tok,
        code_tok,
        generator_run,
        classifier_run,
    )
    training = {
        "generator": _last_epoch(generator_run),
        "matcher": _last_epoch(classifier_run),
    }
    validation = {"generator": _run_report(generator_run), "matcher": _run_report(classifier_run)}
    metrics = {"evaluation": evaluation, "validation": validation, "training": training}
    config = {"generator": gen_config, "matcher": cls_config, "engine": {"rerank_weight": weight}}
    if tuning_file is not None:
        config = _apply_tuning(config, tuning_file, rerank_weight)
    model_card = render_model_card(
        config=config,
        gen_tensors=gen_tensors,
        cls_tensors=cls_tensors,
        results_md=results_md,
        training=training,
        command=command,
        runs={"generator": generator_run, "classifier": classifier_run},
    )
    path = save_bundle(
        out_dir,
        config=config,
        generator_tensors=gen_tensors,
        matcher_tensors=cls_tensors,
        intent_tokenizer=intent_tok,
        code_tokenizer=code_tok,
        model_card=model_card,
        metrics=metrics,
        extra_files=extras,
    )
    load_bundle(path)  # what we wrote must read back
    return path


def reexport(
    source: Path,
    *,
    out_dir: Path,
    card: Path | None = None,
    metrics_file: Path | None = None,
    command: str | None = None,
    extra_files: Sequence[Path] = (),
    tuning_file: Path | None = None,
) -> Path:
    """A bundle with `source`'s networks and tokenizers, its knowledge files with `extra_files`
    in place of those of the same name, and the new tuning, card and evaluation; atomically
    written and read back."""
    bundle = load_bundle(source)
    extras = {**bundle.extra_files, **{p.name: _read_bytes(p) for p in extra_files}}
    old = bundle.metrics or {}
    evaluation = _read_json_object(metrics_file) if metrics_file else old.get("evaluation", {})
    config = json.loads(json.dumps(bundle.config))
    if tuning_file is not None:
        config = _apply_tuning(config, tuning_file, None)
    training = old.get("training", {})
    metrics = {**old, "evaluation": evaluation}
    model_card = render_model_card(
        config=config,
        gen_tensors={k: torch.from_numpy(v) for k, v in bundle.generator_tensors.items()},
        cls_tensors={k: torch.from_numpy(v) for k, v in bundle.matcher_tensors.items()},
        results_md=_read_text(card) if card else None,
        training=training,
        command=command,
        runs={
            "generator": Path(source) / GENERATOR_WEIGHTS,
            "classifier": Path(source) / MATCHER_WEIGHTS,
        },
        exported_with=["--from-bundle", str(source)],
    )
    path = save_bundle(
        out_dir,
        config=config,
        generator_tensors=bundle.generator_tensors,
        matcher_tensors=bundle.matcher_tensors,
        intent_tokenizer=bundle.intent_tokenizer,
        code_tokenizer=bundle.code_tokenizer,
        model_card=model_card,
        metrics=metrics,
        extra_files=extras,
    )
    load_bundle(path)  # what we wrote must read back
    return path


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the extra file ({exc.strerror or exc})") from None


def _read_final(run_dir: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    try:
        final = runs.finished_final(run_dir)
    except runs.RunError as exc:
        raise ExportError(str(exc)) from None
    config = _read_json_object(final / runs.CONFIG)
    weights = final / runs.WEIGHTS
    try:
        tensors = load_file(weights)
    except (SafetensorError, OSError, ValueError) as exc:
        raise ExportError(f"{weights}: not a readable safetensors file ({exc})") from None
    return config, tensors


def _read_tokenizers(generator_run: Path, classifier_run: Path) -> tuple[Tokenizer, Tokenizer]:
    """The generator run's tokenizers; the classifier run's, if it has any, must be the same."""
    paths = runs.tokenizer_paths(generator_run)
    if paths is None:
        raise ExportError(f"{Path(generator_run) / runs.FINAL / runs.INTENT_TOKENIZER}: missing")
    others = runs.tokenizer_paths(classifier_run) or (None, None)
    loaded: list[Tokenizer] = []
    for path, other in zip(paths, others, strict=True):
        tok = _parse_tokenizer(path)
        if other is not None and _parse_tokenizer(other).to_str() != tok.to_str():
            raise ExportError(
                f"{other}: differs from {path}; train the classifier with "
                f"`--tokenizers {generator_run}` so both models share one vocabulary"
            )
        loaded.append(tok)
    return loaded[0], loaded[1]


def _parse_tokenizer(path: Path) -> Tokenizer:
    try:
        return Tokenizer.from_str(_read_text(path))
    except ExportError:
        raise
    except Exception as exc:  # the Rust library raises a bare Exception on bad JSON
        raise ExportError(f"{path}: not a tokenizer JSON ({exc})") from None


def _read_text(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read ({exc})") from None


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path}: invalid JSON at line {exc.lineno} ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ExportError(f"{path}: expected a JSON object")
    return data


def _run_report(run_dir: Path) -> dict[str, Any]:
    """What the run reported about its final model: fit-classifier's `valid_metrics.json` or
    fit-generator's `summary.json` (minus the config, which the bundle holds already)."""
    for name in runs.REPORTS:
        path = runs.final_dir(run_dir) / name
        if path.is_file():
            return {k: v for k, v in _read_json_object(path).items() if k != "config"}
    return {}


def _choose_weight(flag: float | None, evaluation: dict[str, Any], source: Path | None) -> float:
    weight = flag if flag is not None else evaluation.get("rerank_weight", DEFAULT_RERANK_WEIGHT)
    if not isinstance(weight, int | float) or not 0.0 <= weight <= 1.0:
        where = "--rerank-weight" if flag is not None else f"{source}: rerank_weight"
        raise ExportError(f"{where} must be a number in [0, 1], got {weight!r}")
    return float(weight)


def _apply_tuning(
    config: dict[str, Any], tuning_file: Path, rerank_weight: float | None
) -> dict[str, Any]:
    """The config with `codeqa-train tune`'s knobs; an explicit --rerank-weight still wins, and
    its `chosen_by` entry then says so."""
    from codeqa_train.tune import TuningError, apply_tuning, read_tuning

    try:
        config = apply_tuning(config, read_tuning(tuning_file))
    except TuningError as exc:
        raise ExportError(str(exc)) from None
    if rerank_weight is not None:
        config["engine"]["rerank_weight"] = rerank_weight
        config["engine"]["chosen_by"]["rerank_weight"] = {"set_by": "export --rerank-weight"}
    return config


def _check_builds(
    gen_config: dict[str, Any],
    gen_tensors: dict[str, torch.Tensor],
    cls_config: dict[str, Any],
    cls_tensors: dict[str, torch.Tensor],
    intent_tok: Tokenizer,
    code_tok: Tokenizer,
    generator_run: Path,
    classifier_run: Path,
) -> None:
    """Refuse to export weights the runtime classes cannot rebuild."""
    from codeqa_model.generator import Generator
    from codeqa_model.matcher import Matcher

    for cls, config, tensors, run_dir in (
        (Generator, gen_config, gen_tensors, generator_run),
        (Matcher, cls_config, cls_tensors, classifier_run),
    ):
        try:
            cls.from_parts(config, tensors, intent_tok, code_tok)
        except (ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise ExportError(
                f"{runs.final_dir(run_dir)}: config.json and weights.safetensors do not build a "
                f"{cls.__name__} ({exc})"
            ) from None


def _last_epoch(run_dir: Path) -> dict[str, Any]:
    """The run's last `metrics.jsonl` record plus its epoch count ({} if the run kept none)."""
    path = runs.history_path(run_dir)
    if not path.is_file():
        return {}
    records = []
    for lineno, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ExportError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
    return {"epochs": len(records), **records[-1]} if records else {}


def render_model_card(
    *,
    config: dict[str, Any],
    gen_tensors: dict[str, torch.Tensor],
    cls_tensors: dict[str, torch.Tensor],
    results_md: str | None,
    training: dict[str, dict[str, Any]],
    command: str | None,
    runs: dict[str, Path],
    exported_with: list[str] | None = None,
) -> str:
    """The bundle's MODEL_CARD.md: what the models are, how good, how made, from what data."""

    def params(tensors: dict[str, torch.Tensor]) -> str:
        return f"{sum(t.numel() for t in tensors.values()):,}"

    def settings(section: dict[str, Any]) -> str:
        return ", ".join(f"`{k}={v}`" for k, v in sorted(section.items()))

    lines = [
        "# codeqa-lsp model bundle",
        "",
        f"Bundle format version {FORMAT_VERSION}. Generator: LSTM encoder–decoder that turns an",
        "English intent into Python; matcher: classifier giving the calibrated probability that",
        "code does what an intent says. Suggestions are the generator's beam reranked with",
        f"`(1 - w) * beam share + w * match probability`, w = {config['engine']['rerank_weight']}.",
        "",
        "| model | parameters | settings |",
        "|---|---|---|",
        f"| generator | {params(gen_tensors)} | {settings(config['generator'])} |",
        f"| matcher | {params(cls_tensors)} | {settings(config['matcher'])} |",
        "",
        *_tuning_section(config),
        "## Results",
        "",
        results_md.strip() if results_md else "Not evaluated: no `--card` results were given.",
        "",
        "## Training",
        "",
        "| run | directory | epochs | last epoch |",
        "|---|---|---|---|",
    ]
    for role, run_dir in runs.items():
        rec = training["generator" if role == "generator" else "matcher"]
        last = ", ".join(f"{k}={_fmt(v)}" for k, v in rec.items() if k != "epochs") or "—"
        lines.append(f"| {role} | `{run_dir}` | {rec.get('epochs', '—')} | {last} |")
    lines += [
        "",
        "Command:",
        "",
        "```sh",
        command.strip() if command else "# not recorded (pass --command to codeqa-train export)",
        "```",
        "",
        "Exported with: `codeqa-train export "
        + shlex.join(
            exported_with
            or ["--generator", str(runs["generator"]), "--classifier", str(runs["classifier"])]
        )
        + " …`",
        "",
        "## Data sources and licences",
        "",
        DATA_SOURCES,
    ]
    return "\n".join(lines)


def _tuning_section(config: dict[str, Any]) -> list[str]:
    """Model-card lines: each shipped knob, its value, and the validation figure that chose it."""
    from codeqa_train.tune import SECTION

    chosen_by = config["engine"].get("chosen_by")
    if not chosen_by:
        return []
    lines = [
        "## Knobs chosen on validation",
        "",
        "Chosen by `codeqa-train tune` on validation splits only (the test split is read only "
        "by `codeqa-train evaluate`). Values are in `config.json`; each knob's full grid is in "
        "`engine.chosen_by`.",
        "",
        "| knob | value | chosen by | split | figure |",
        "|---|---|---|---|---|",
    ]
    for name, why in chosen_by.items():
        value = _fmt(config.get(SECTION.get(name, "engine"), {}).get(name, "—"))
        if "split" not in why:
            lines.append(f"| `{name}` | {value} | {why.get('set_by', '—')} | — | — |")
            continue
        target = f" (target {why['target']})" if "target" in why else ""
        figure = f"{why['value']}{target}"
        lines.append(f"| `{name}` | {value} | {why['metric']} | {why['split']} | {figure} |")
    return [*lines, ""]


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
