"""The engine runs the static API check on its ranked candidates: failing code is never top-1
while something passes and is flagged; passing code carries the imports the file lacks; a bundle's
`api_table.json` feeds the checker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codeqa_model.api_check import ApiChecker
from codeqa_model.api_table import ApiTable
from codeqa_model.bundle import API_TABLE, BundleError, load_bundle
from codeqa_model.context import SourceContext
from codeqa_model.generator import Candidate
from codeqa_model.inference import Engine, Suggestion, check_suggestions

TABLE = ApiTable(
    {
        "os": {"getcwd": ["f", ""], "listdir": ["f", "path=..."]},
        "shutil": {"copy2": ["f", "src, dst, *, follow_symlinks=..."]},
    }
)


class _Generator:
    def __init__(self, codes: list[str]) -> None:
        self.codes = codes

    def generate(self, intent: str, k: int = 5) -> list[Candidate]:
        # Earlier codes get higher beam scores.
        return [Candidate(c, -float(i), (), -float(i)) for i, c in enumerate(self.codes)]


class _Matcher:
    threshold = 0.5

    def score(self, pairs, batch_size: int = 256):
        return [0.5 for _ in pairs]


def _engine(codes: list[str], table: ApiTable | None = TABLE) -> Engine:
    return Engine(_Generator(codes), _Matcher(), checker=ApiChecker(table))  # type: ignore[arg-type]


def test_failing_candidate_is_never_top1_and_is_flagged() -> None:
    engine = _engine(["os.copy(src, dst)", "shutil.copy2(src, dst)", "shutil.copy2(src"])
    context = SourceContext.from_source("import os\n")
    got = engine.suggest("copy file `src` to `dst`", 5, context)
    codes = [s.code for s in got]
    assert codes == ["shutil.copy2(src, dst)", "os.copy(src, dst)"]  # no code that won't parse
    assert got[0].ok and got[0].imports == ("import shutil",)
    assert not got[1].ok and got[1].problem == "module 'os' has no attribute 'copy'"
    assert _engine(["shutil.copy2(src"]).suggest("copy file `src` to `dst`", 5, context) == []


def test_passing_candidate_in_a_file_that_imports_needs_nothing() -> None:
    engine = _engine(["os.getcwd()", "os.getcwd('x')"])
    got = engine.suggest(
        "get the current working directory", 5, SourceContext.from_source("import os")
    )
    assert got[0] == Suggestion("os.getcwd()", got[0].score, (), (), None)
    assert got[1].problem and "positional" in got[1].problem


def test_k_counts_passing_candidates_first() -> None:
    engine = _engine(["nosuch(a)", "os.getcwd()", "os.listdir('.')"])
    got = engine.suggest("list", 2, SourceContext.from_source("import os"))
    assert [s.code for s in got] == ["os.getcwd()", "os.listdir('.')"]


def test_suggestions_spell_modules_as_the_file_does() -> None:
    table = ApiTable({"os.path": {"join": ["f", "a, *p"]}, "numpy": {"fix": ["f", "x"]}})
    engine = _engine(["numpy.fix(x)", "os.path.join(a, b)"], table)
    # the file's alias: no second `import numpy`
    got = engine.suggest(
        "round `x` toward zero `a` `b`", 5, SourceContext.from_source("import numpy as n")
    )
    assert (got[0].code, got[0].imports) == ("n.fix(x)", ())
    # nothing imported: the usual alias, whose import line the completion adds
    got = engine.suggest("round `x` toward zero `a` `b`", 5, SourceContext.EMPTY)
    assert (got[0].code, got[0].imports) == ("np.fix(x)", ("import numpy as np",))
    # a name the file binds to a module's member
    got = engine.suggest("join `a` `b`", 5, SourceContext.from_source("from os import path"))
    joined = [(s.code, s.imports) for s in got if "join" in s.code]
    assert joined == [("path.join(a, b)", ())]


def test_check_suggestions_keeps_rank_order_within_groups() -> None:
    ranked = [Suggestion("bad1()", 0.9), Suggestion("len(x)", 0.8), Suggestion("bad2()", 0.7)]
    out = check_suggestions(ranked, ApiChecker(TABLE), "length of `x`", SourceContext.EMPTY, 5)
    assert [s.code for s in out] == ["len(x)", "bad1()", "bad2()"]
    assert [s.ok for s in out] == [True, False, False]


def _table_bytes() -> bytes:
    return json.dumps(TABLE.to_json()).encode()


def test_engine_from_bundle_reads_the_api_table(tmp_path: Path, monkeypatch) -> None:
    """`from_bundle` parses `api_table.json` when present; a bad one is a BundleError."""
    import codeqa_model.inference as inference

    class _Built:
        @classmethod
        def from_parts(cls, *args):
            return cls()

    monkeypatch.setattr(inference, "_build", lambda *a, **k: _Built())
    bundle = _fake_bundle(tmp_path, {API_TABLE: _table_bytes()})
    engine = Engine.from_bundle(bundle)
    assert engine.info["api_table"] is True
    assert engine.checker.table is not None and engine.checker.table.has_module("shutil")
    no_table = Engine.from_bundle(_fake_bundle(tmp_path / "old", {}))
    assert no_table.info["api_table"] is False and no_table.checker.table is None
    with pytest.raises(BundleError, match="not an API table"):
        Engine.from_bundle(_fake_bundle(tmp_path / "bad", {API_TABLE: b"[1, 2]"}))


def _fake_bundle(root: Path, extra: dict[str, bytes]):
    import torch
    from codeqa_model.bundle import save_bundle
    from tokenizers import Tokenizer, models

    tok = Tokenizer(models.WordLevel(vocab={"<pad>": 0, "<unk>": 1}, unk_token="<unk>"))
    path = save_bundle(
        root / "b",
        config={"generator": {}, "matcher": {}, "engine": {"rerank_weight": 0.5}},
        generator_tensors={"w": torch.ones(1)},
        matcher_tensors={"w": torch.ones(1)},
        intent_tokenizer=tok,
        code_tokenizer=tok,
        model_card="# c\n",
        extra_files=extra,
    )
    return load_bundle(path)
