"""`codeqa-train`: one entry point, one module per sub-command.

Each sub-command module exposes `add_arguments(parser)` and `run(args) -> int`. Modules are
imported only when their sub-command runs, so `codeqa-train data` never pays for torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

COMMANDS: dict[str, tuple[str, str]] = {
    "data": (
        "codeqa_train.data.command",
        "curate raw CoNaLa/StaQC/Django data into splits",
    ),
    "embed": (
        "codeqa_train.embed.command",
        "train word2vec and GloVe token embeddings",
    ),
    "fit-generator": ("codeqa_train.fit_generator", "train the seq2seq generator"),
    "fit-classifier": ("codeqa_train.fit_classifier", "train the intent/code match classifier"),
    "fit-combiner": (
        "codeqa_train.fit_combiner",
        "combine the matcher with API evidence (fitted and thresholded on validation)",
    ),
    "tune": ("codeqa_train.tune", "choose the bundle's knobs on validation splits"),
    "evaluate": ("codeqa_train.evaluate", "BLEU / exact match / ROC-AUC on the CoNaLa test set"),
    "export": ("codeqa_train.export", "write a model bundle (safetensors + JSON + model card)"),
    "retrieval": ("codeqa_train.retrieval_index", "build the retrieval index (pairs + API docs)"),
    "sync-index": (
        "codeqa_train.sync_index",
        "bring a built index's doc entries in line with a newer mine",
    ),
    "mine": ("codeqa_train.knowledge.command", "mine Python API knowledge (docs, stdlib, PyPI)"),
    "exec-eval": ("codeqa_train.exec_eval.command", "pass@k / API hit, executable validation set"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeqa-train", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    warnings.filterwarnings("ignore", category=SyntaxWarning)  # parsing generated code, not ours
    if not argv or argv[0] not in COMMANDS:
        build_parser().parse_args(argv)  # prints usage / error and exits
        return 2
    name, rest = argv[0], argv[1:]
    module_name, help_text = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"codeqa-train {name}", description=help_text)
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
