"""The executable evaluation: its problem files, the sandbox, API hit and scoring."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from codeqa_train.exec_eval import problems as problem_files
from codeqa_train.exec_eval.apis import api_hit, references
from codeqa_train.exec_eval.command import exec_markdown
from codeqa_train.exec_eval.problems import (
    CATEGORIES,
    Problem,
    ProblemError,
    load_problems,
)
from codeqa_train.exec_eval.runner import Candidate, evaluate_candidates, score
from codeqa_train.exec_eval.sandbox import Outcome, run_snippet
from codeqa_train.exec_eval.systems import TfidfTopK, echo_candidates

TEST = load_problems(problem_files.TEST_FILE)
VALID = load_problems(problem_files.VALID_FILE)


def _problem(setup: str = "", check: str = "assert True", **kw: object) -> Problem:
    fields: dict = {"id": "files-999", "category": "files", "intent": "x", "reference": "None"}
    fields.update(kw)
    return Problem(setup=setup, check=check, apis=("x",), **fields)


# -- the problem files ----------------------------------------------------------------------------


def test_problem_files_are_big_enough_and_cover_every_category() -> None:
    assert len(TEST) >= 150
    assert 45 <= len(VALID) <= 200
    for split in (TEST, VALID):
        assert set(Counter(p.category for p in split)) == set(CATEGORIES)
    assert all(p.id.startswith("v-") for p in VALID)
    assert not any(p.id.startswith("v-") for p in TEST)


def _words(intent: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", intent.lower()))


def test_validation_intents_are_not_test_intents() -> None:
    """Sibling intents are fine ("round up" / "round down"), the same task reworded is not: a
    validation intent worded like a test intent must expect other APIs."""
    for v in VALID:
        words = _words(v.intent)
        for t in TEST:
            near = len(words & _words(t.intent)) / len(words | _words(t.intent)) >= 0.7
            assert not near or set(v.apis) != set(t.apis), (v.intent, t.intent)


def test_intents_quote_their_inputs_as_users_do() -> None:
    """Every input the harness binds is named in the intent in back-ticks."""
    for p in [*TEST, *VALID]:
        for name in p.inputs:
            assert f"`{name}`" in p.intent, (p.id, name)


def test_every_reference_uses_one_of_its_expected_apis() -> None:
    """The `apis` list names what a right answer calls: the reference answer among them."""
    for p in [*TEST, *VALID]:
        assert api_hit(p.reference, p.apis, p.imports), (p.id, p.reference, p.apis)


def test_problem_loader_rejects_malformed_files(tmp_path: Path) -> None:
    good = {
        "id": "files-001",
        "category": "files",
        "intent": "i",
        "setup": "",
        "check": "assert True",
        "apis": ["os.getcwd"],
        "reference": "1",
    }
    bad_cases = [
        ({**good, "category": "cooking"}, "unknown category"),
        ({**good, "apis": []}, "at least one API"),
        ({**good, "inputs": "path"}, "list of strings"),
        ({**good, "reference": " "}, "reference"),
        ({**good, "id": "files1"}, "is not"),
        ({**good, "more": [{"setup": ""}]}, "more"),
        ({**good, "more": {"setup": "", "check": ""}}, "more"),
    ]
    for record, message in bad_cases:
        path = tmp_path / "p.jsonl"
        path.write_text(json.dumps(record) + "\n")
        with pytest.raises(ProblemError, match=message):
            load_problems(path)
    path = tmp_path / "dup.jsonl"
    path.write_text((json.dumps(good) + "\n") * 2)
    with pytest.raises(ProblemError, match="duplicate"):
        load_problems(path)


@pytest.mark.slow
def test_every_reference_passes_and_an_empty_snippet_fails_everywhere() -> None:
    """Each harness can pass (its reference does) and can fail (a snippet that does nothing)."""
    problems = [*TEST, *VALID]
    candidates = [[Candidate(p.reference), Candidate("None")] for p in problems]
    _, outcomes = evaluate_candidates(problems, candidates, k=2)
    failing_refs = [
        (p.id, o[0]) for p, o in zip(problems, outcomes, strict=True) if not o[0].passed
    ]
    assert failing_refs == []
    passing_none = [p.id for p, o in zip(problems, outcomes, strict=True) if o[1].passed]
    assert passing_none == []


_YES_NO = re.compile(r"result is (True|False)|bool\(result\)|assert not result")


def _yes_no_problems() -> list[Problem]:
    return [p for p in [*TEST, *VALID] if _YES_NO.search(p.check)]


def test_yes_no_problems_have_a_case_with_the_other_answer() -> None:
    """One input cannot tell a yes/no answer from a test of another property: `s.isdigit()`
    "passes" "check if string `s` is valid json" when that input is not all digits (that the
    other case has the other answer is `test_no_constant_answer_passes_a_yes_no_problem`)."""
    yes_no = _yes_no_problems()
    assert len(yes_no) >= 20
    assert [p.id for p in yes_no if len(p.cases()) < 2] == []


@pytest.mark.slow
def test_no_constant_answer_passes_a_yes_no_problem() -> None:
    yes_no = _yes_no_problems()
    constants = [[Candidate("True"), Candidate("False"), Candidate("1"), Candidate("0")]] * len(
        yes_no
    )
    metrics, outcomes = evaluate_candidates(yes_no, constants, k=4)
    assert metrics["pass@4"] == 0.0, [
        p.id for p, o in zip(yes_no, outcomes, strict=True) if any(x.passed for x in o)
    ]


@pytest.mark.slow
def test_handing_back_an_input_unchanged_passes_no_problem() -> None:
    """A harness that accepts the input itself (`list(result)` for "split `s` into a list of
    characters" accepted `s`) cannot tell an answer from no work."""
    with_inputs = [p for p in [*TEST, *VALID] if p.inputs]
    candidates = [[Candidate(p.inputs[0])] for p in with_inputs]
    _, outcomes = evaluate_candidates(with_inputs, candidates, k=1)
    assert [p.id for p, o in zip(with_inputs, outcomes, strict=True) if o[0].passed] == []


def test_a_snippet_must_pass_every_case() -> None:
    p = _problem(
        "n = 4",
        "assert result is True",
        inputs=("n",),
        more=(("n = 5", "assert result is False"),),
    )
    assert run_snippet(p, "n % 2 == 0").passed
    assert run_snippet(p, "n > 0").status == "fail"  # right on the first input only
    assert run_snippet(p, "n % 2 == 1").status == "fail"


@pytest.mark.slow
def test_another_problems_reference_fails_a_sample() -> None:
    """Wrong but working code (the next problem's reference) fails."""
    sample = TEST[::7]
    shifted = [[Candidate(TEST[(TEST.index(p) + 1) % len(TEST)].reference)] for p in sample]
    metrics, _ = evaluate_candidates(sample, shifted, k=1)
    assert metrics["pass@1"] == 0.0


# -- the sandbox ----------------------------------------------------------------------------------


def test_result_is_the_last_expression_or_the_last_assignment() -> None:
    p = _problem("xs = [3, 1, 2]", "assert result == [1, 2, 3]", inputs=("xs",))
    assert run_snippet(p, "sorted(xs)").passed
    assert run_snippet(p, "out = sorted(xs)").passed
    assert run_snippet(p, "if True:\n    out = sorted(xs)\nprint(out)").passed  # print gives None
    assert run_snippet(p, "out = list(xs)\nout.sort()").passed  # so does a mutating call
    assert run_snippet(p, "out = sorted(xs)\nlen(out)").status == "fail"  # a value is the result
    assert run_snippet(p, "for _ in range(1):\n    out = sorted(xs)").passed
    assert run_snippet(p, "xs").status == "fail"
    in_place = _problem("xs = [3, 1, 2]", "assert result_or('xs') == [1, 2, 3]", inputs=("xs",))
    assert run_snippet(in_place, "xs.sort()").passed
    assert run_snippet(in_place, "xs = sorted(xs)").passed
    assert run_snippet(in_place, "sorted(xs)").passed
    assert run_snippet(in_place, "xs.reverse()").status == "fail"


def test_stdout_is_captured_for_the_check() -> None:
    p = _problem(check="assert stdout == 'hi\\n'")
    assert run_snippet(p, "print('hi')").passed
    assert not run_snippet(p, "'hi'").passed


def test_statuses_name_what_went_wrong() -> None:
    p = _problem("x = 1", "assert result == 2", inputs=("x",))
    assert run_snippet(p, "x + 1").passed
    assert run_snippet(p, "x +").status == "syntax_error"
    outcome = run_snippet(p, "undefined_name")
    assert (outcome.status, outcome.error) == ("runtime_error", "NameError")
    assert run_snippet(p, "x").status == "fail"
    assert run_snippet(p, "None").status == "fail"
    assert run_snippet(_problem("raise KeyError"), "1").status == "setup_error"
    assert run_snippet(_problem(check="result.nope"), "1").status == "check_error"


def test_only_declared_inputs_and_the_files_imports_reach_the_snippet() -> None:
    p = _problem("import json\nsecret = 1\nvalue = 2", "assert result == '2'", inputs=("value",))
    assert run_snippet(p, "json.dumps(value)").error == "NameError"
    assert run_snippet(p, "str(secret)").error == "NameError"
    assert run_snippet(p, "import json\njson.dumps(value)").passed
    assert run_snippet(p, "json.dumps(value)", ("import json",)).passed
    with_import = _problem("value = 2", "assert result == '2'", inputs=("value",))
    with_import = Problem(**{**with_import.__dict__, "imports": ("import json",)})
    assert run_snippet(with_import, "json.dumps(value)").passed


def test_each_run_has_its_own_working_directory() -> None:
    p = _problem(check="import os\nassert not os.path.exists('left.txt')")
    assert run_snippet(p, "open('other.txt', 'w').close()").passed
    assert run_snippet(p, "open('left.txt', 'w').close()").status == "fail"
    assert run_snippet(p, "1").passed  # the previous run's file is gone


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    snippet = (
        "import subprocess\n"
        f"child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "while True:\n    pass"
    )
    # The loop never ends, so the verdict is "timeout" at any load; the timeout is long enough
    # that even a starved machine spawns the grandchild and writes its pid first.
    outcome = run_snippet(_problem(), snippet, timeout=10.0)
    assert outcome.status == "timeout"
    pid = int(pid_file.read_text())
    stat = Path(f"/proc/{pid}/stat")

    def dead() -> bool:  # gone, or at most a zombie waiting for init to reap it
        try:
            return stat.read_text().split(") ")[1].startswith("Z")
        except (FileNotFoundError, ProcessLookupError):
            return True

    # SIGKILL went to the group before run_snippet returned; on a loaded machine the grandchild
    # may not have been scheduled to die yet (seen in CI: state R, reparented to init). Wait for
    # it; the deadline only bounds a failure (a grandchild never signalled keeps sleeping 60 s).
    deadline = time.monotonic() + 20.0
    while not dead() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dead()


def test_memory_limit_stops_a_runaway_allocation() -> None:
    outcome = run_snippet(_problem(), "x = bytearray(4 << 30)")
    assert outcome.status == "runtime_error" and outcome.error == "MemoryError"


def test_the_sandbox_sees_installed_packages_but_not_the_project() -> None:
    p = _problem()
    assert run_snippet(p, "import codeqa_train").error == "ModuleNotFoundError"
    assert run_snippet(p, "import numpy").passed  # installed packages work, as for a user
    env_check = _problem(check="import os\nassert 'PYTHONPATH' not in os.environ")
    assert run_snippet(env_check, "1").passed


# -- API hit and scoring --------------------------------------------------------------------------


def test_api_hit_resolves_imports_and_methods() -> None:
    assert api_hit("os.path.join(a, b)", ["os.path.join"])
    assert api_hit("from os import path\npath.join(a, b)", ["os.path.join"])
    assert api_hit("c.Counter(x)", ["collections.Counter"], ["import collections as c"])
    assert api_hit(
        "Counter(x).most_common(3)", ["collections.Counter"], ["from collections import Counter"]
    )
    assert api_hit("Counter(x).most_common(3)", [".most_common"])
    assert api_hit("sorted(xs)", ["sorted"])
    assert api_hit("os.sep", ["os.sep"])
    assert not api_hit("os.listdir('.')", ["os.getcwd"])
    assert not api_hit("x.sort()", ["sorted"])
    assert not api_hit("os.path.join(", ["os.path.join"])  # does not parse
    paths, attrs = references("open(p).read()")
    assert "open" in paths and "read" in attrs


def test_score_counts_top1_and_any_of_top_k() -> None:
    probs = [_problem(id=f"files-00{i}", category=c) for i, c in enumerate(["files", "math"])]
    probs = [Problem(**{**p.__dict__, "apis": ("os.getcwd",)}) for p in probs]
    cands = [
        [Candidate("os.getcwd()"), Candidate("x")],
        [Candidate("y"), Candidate("os.getcwd()")],
    ]
    outs = [
        [Outcome("pass"), Outcome("fail")],
        [Outcome("runtime_error", "NameError"), Outcome("pass")],
    ]
    m = score(probs, cands, outs, k=2)
    assert m["top1_runtime_errors"] == {"NameError": 1}
    assert (m["pass@1"], m["pass@2"], m["api_hit@1"], m["api_hit@2"]) == (50.0, 100.0, 50.0, 100.0)
    assert m["by_category"]["math"] == {"n": 1, "pass@1": 0.0, "pass@2": 100.0}
    assert m["top1_status"] == {"pass": 1, "runtime_error": 1}


def test_exec_markdown_shows_every_row_and_the_target() -> None:
    metrics = {"pass@1": 12.0, "pass@5": 20.0, "api_hit@1": 40.0, "api_hit@5": 60.0}
    metrics |= {
        "top1_status": {"pass": 3, "runtime_error": 2},
        "top1_runtime_errors": {"NameError": 2},
    }
    rows = [
        {"name": "TF-IDF", "kind": "trivial", "exec": {**metrics, "pass@1": 8.0}},
        {"name": "engine", "kind": "engine", "exec": metrics},
    ]
    table = exec_markdown(rows, "validation", 52)
    assert "| engine | engine | 12.0 | 20.0 | 40.0 | 60.0 |" in table
    assert "(8.0 → 30.0)" in table
    assert "- engine, top-1: pass 3, runtime_error 2 (NameError 2)." in table


def test_trivial_rows_echo_and_retrieve_top_k() -> None:
    p = _problem(intent="sort list `xs` in reverse order")
    assert echo_candidates([p]) == [[Candidate("sort list `xs` in reverse order")]]
    pool = (
        ["sort list `l` in reverse", "open file 'f'", "reverse a string `s`"],
        ["l.sort(reverse=True)", "open('f')", "s[::-1]"],
    )
    plain = TfidfTopK(*pool).candidates([p], k=2)
    assert plain == [[Candidate("l.sort(reverse=True)"), Candidate("s[::-1]")]]
    filled = TfidfTopK(*pool, slots=True).candidates([p], k=1)
    assert filled == [[Candidate("xs.sort(reverse=True)")]]


def test_engine_rows_pass_the_files_context_and_carry_imports() -> None:
    from codeqa_model.context import SourceContext
    from codeqa_model.inference import Suggestion
    from codeqa_train.exec_eval.systems import engine_candidates

    seen: list[SourceContext | None] = []

    class FakeEngine:
        def suggest(self, intent: str, k: int = 5, context: SourceContext | None = None):
            seen.append(context)
            return [Suggestion("shutil.copy(src, dst)", 0.9, imports=("import shutil",))]

    [copy] = [p for p in TEST if p.intent == "copy file `src` to `dst`"]
    cands = engine_candidates(FakeEngine(), [copy], k=5)
    assert cands == [[Candidate("shutil.copy(src, dst)", ("import shutil",))]]
    assert seen[0] is not None and seen[0].module_for("os") == "os"
    assert seen[0].binds("src") and seen[0].binds("dst")
    metrics, _ = evaluate_candidates([copy], cands, k=5)
    assert metrics["pass@1"] == 100.0 and metrics["api_hit@1"] == 100.0
    bare, _ = evaluate_candidates([copy], [[Candidate("shutil.copy(src, dst)")]], k=5)
    assert bare["pass@1"] == 0.0 and bare["top1_status"] == {"runtime_error": 1}


def test_evaluate_adds_the_executable_table(tmp_path: Path) -> None:
    """Every row kind on a few TEST problems: trivial rows, the engine built from a generator
    and a classifier run, and the bare generator (tiny one-epoch runs on the fixture)."""
    import argparse

    from codeqa_train import evaluate
    from tiny_models import fit_tiny_runs

    gen, cls = fit_tiny_runs(tmp_path)
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    data = Path(__file__).parent / "fixtures" / "models" / "data"
    argv = ["--data", str(data), "--out", str(tmp_path / "eval"), "--pool-sources", "conala"]
    argv += ["--generator", str(gen), "--classifier", str(cls), "--exec", "--limit", "4"]
    assert evaluate.run(parser.parse_args([*argv, "--no-plots", "--threads", "1"])) == 0
    results = json.loads((tmp_path / "eval" / "results.json").read_text())
    kinds = {r["name"]: r["kind"] for r in results["exec_rows"]}
    assert kinds == {
        "echo the intent": "trivial",
        "TF-IDF nearest intent": "trivial",
        "TF-IDF nearest intent, slots filled": "trivial",
        "product engine (the runs as exported)": "engine",
        "product generator": "generator",
    }
    assert all(r["exec"]["n"] == 4 for r in results["exec_rows"])
    table = (tmp_path / "eval" / "results.md").read_text()
    assert "Executable set, test split (4 hand-written problems" in table
    assert "| echo the intent | trivial | 0.0 | 0.0 | 0.0 | 0.0 |" in table
    assert "| product generator | generator |" in table


def test_exec_eval_command_reads_validation_only(tmp_path: Path) -> None:
    from codeqa_train.cli import main

    assert main(["exec-eval", "--no-tfidf", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "exec_results.json").read_text())
    assert results["split"] == "valid" and results["n"] == len(VALID)
    [row] = results["rows"]
    assert row["name"] == "echo the intent" and row["exec"]["pass@1"] == 0.0
    assert [p["id"] for p in row["problems"]] == [p.id for p in VALID]
    assert "validation split" in (tmp_path / "exec_results.md").read_text()
