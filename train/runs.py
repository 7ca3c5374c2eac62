"""The run-directory layout: every file name inside a training run, and how to read one back.

`fit-generator` and `fit-classifier` write, and `tune`, `evaluate` and `export` read, this layout:

    RUN/
      checkpoint.pt            last epoch (model, optimiser, RNG, history); `--resume` reads it
      best.pt                  weights of the best epoch so far
      metrics.jsonl            one JSON record per epoch
      intent_tokenizer.json    fit-generator only: the tokenizers, saved before epoch 1
      code_tokenizer.json
      final/                   the finished model; config.json is written last, so its
        config.json            presence means the rest is complete
        weights.safetensors
        intent_tokenizer.json  (a classifier trained on new tokenizers has them here too)
        code_tokenizer.json
        summary.json           fit-generator's report   | one of the two
        valid_metrics.json     fit-classifier's report  |

Readers accept a run directory or its `final/` directory itself. Nothing here trains, so
`tune`, `evaluate` and `export` depend on this module instead of on each other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHECKPOINT = "checkpoint.pt"
BEST = "best.pt"
METRICS = "metrics.jsonl"
FINAL = "final"
CONFIG = "config.json"
WEIGHTS = "weights.safetensors"
INTENT_TOKENIZER = "intent_tokenizer.json"
CODE_TOKENIZER = "code_tokenizer.json"
TOKENIZERS = (INTENT_TOKENIZER, CODE_TOKENIZER)
GENERATOR_REPORT = "summary.json"
CLASSIFIER_REPORT = "valid_metrics.json"
REPORTS = (CLASSIFIER_REPORT, GENERATOR_REPORT)


class RunError(FileNotFoundError):
    """A run directory lacks a file it should have; the message names the file and the fix."""


def final_dir(run: Path) -> Path:
    """`RUN/final` when it holds a config, else `run` itself (a final/ dir passed directly)."""
    run = Path(run)
    return run / FINAL if (run / FINAL / CONFIG).is_file() else run


def finished_final(run: Path) -> Path:
    """The final/ directory of a finished run; `RunError` if its config or weights are missing."""
    run = Path(run)
    final = final_dir(run)
    if not (final / CONFIG).is_file():
        where = run / FINAL / CONFIG if (run / FINAL).is_dir() else run / FINAL
        raise RunError(f"{where}: missing; is {run} a finished training run?")
    if not (final / WEIGHTS).is_file():
        raise RunError(f"{final / WEIGHTS}: missing; the run did not finish")
    return final


def tokenizer_paths(run: Path) -> tuple[Path, Path] | None:
    """The run's (intent, code) tokenizer files: its top level (where fit-generator saves them
    before epoch 1, so a run being trained reads its own) or else final/."""
    run = Path(run)
    for where in (run, run / FINAL):
        paths = (where / INTENT_TOKENIZER, where / CODE_TOKENIZER)
        if all(p.is_file() for p in paths):
            return paths
    return None


def load_tokenizers(run: Path) -> tuple[Any, Any]:
    """(intent, code) tokenizers of a run; `RunError` if it has none."""
    from codeqa_model.subword import load_tokenizer

    paths = tokenizer_paths(run)
    if paths is None:
        raise RunError(
            f"{Path(run) / FINAL / CODE_TOKENIZER}: missing (is {run} a fit-generator run?)"
        )
    return load_tokenizer(paths[0]), load_tokenizer(paths[1])


def save_tokenizers(directory: Path, tokenizers: Sequence[Any]) -> None:
    """Write (intent, code) tokenizers into `directory` atomically."""
    from codeqa_model.subword import save_tokenizer

    directory.mkdir(parents=True, exist_ok=True)
    for tok, name in zip(tokenizers, TOKENIZERS, strict=True):
        save_tokenizer(tok, directory / name)


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_config(run: Path) -> dict[str, Any]:
    """The final model's config.json; `RunError` if the run did not finish."""
    return read_json(finished_final(run) / CONFIG)


def read_report(run: Path) -> dict[str, Any]:
    """What the run reported about its final model (minus the config): {} if nothing."""
    final = final_dir(run)
    for name in REPORTS:
        if (final / name).is_file():
            return {k: v for k, v in read_json(final / name).items() if k != "config"}
    return {}


def history_path(run: Path) -> Path:
    return Path(run) / METRICS


def is_classifier_run(run: Path) -> bool:
    """Whether a finished run holds a match classifier (else a generator)."""
    config = read_config(run)
    return config.get("kind") in ("product", "baseline") and "code_vocab" in config


@dataclass(frozen=True)
class FinalParts:
    """What a run's final/ directory holds, read back."""

    config: dict[str, Any]
    tensors: dict[str, Any]
    intent_tok: Any  # None when the run saved no tokenizers (a baseline classifier)
    code_tok: Any


def read_final(run: Path) -> FinalParts:
    """Config, tensors and (if saved) tokenizers of a finished run."""
    from codeqa_model.subword import load_tokenizer
    from safetensors.torch import load_file

    final = finished_final(run)
    toks = [final / INTENT_TOKENIZER, final / CODE_TOKENIZER]
    return FinalParts(
        config=read_json(final / CONFIG),
        tensors=load_file(str(final / WEIGHTS)),
        intent_tok=load_tokenizer(toks[0]) if toks[0].is_file() else None,
        code_tok=load_tokenizer(toks[1]) if toks[1].is_file() else None,
    )


def load_generator(run: Path) -> Any:
    """The runtime `Generator` of a finished fit-generator run."""
    from codeqa_model.generator import Generator

    parts = read_final(run)
    return Generator.from_parts(parts.config, parts.tensors, parts.intent_tok, parts.code_tok)


def load_classifier(run: Path) -> tuple[str, Any]:
    """('product', Matcher) or ('baseline', (config, net)) for a finished fit-classifier run."""
    from codeqa_model.classifier import BaselineClassifier, ClassifierConfig
    from codeqa_model.matcher import Matcher

    parts = read_final(run)
    if parts.config.get("kind") == "baseline":
        cfg = ClassifierConfig.from_dict(parts.config)
        net = BaselineClassifier(cfg)
        net.load_state_dict(parts.tensors)
        return "baseline", (cfg, net.eval())
    return "product", Matcher.from_parts(
        parts.config, parts.tensors, parts.intent_tok, parts.code_tok
    )


def write_final(
    run: Path,
    *,
    config: dict[str, Any],
    tensors: dict[str, Any],
    tokenizers: Sequence[Any] | None,
    report_name: str,
    report: dict[str, Any],
) -> Path:
    """Write RUN/final atomically file by file; config.json last, so it marks completion."""
    from codeqa_model.atomic import atomic_write_bytes, atomic_write_text
    from safetensors.torch import save

    final = Path(run) / FINAL
    final.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(final / WEIGHTS, save(dict(tensors)))
    if tokenizers is not None:
        save_tokenizers(final, tokenizers)
    atomic_write_text(final / report_name, json.dumps(report, indent=1) + "\n")
    atomic_write_text(final / CONFIG, json.dumps(config, indent=1) + "\n")
    return final
