"""`effect_evidence`: an unasked side effect of a short block, or a do-nothing placeholder; in
the combiner (`KNOWN_FEATURES`), in `codeqa-train fit-combiner --effect-weights` (weights chosen
out of fold, never fitted) and in the diagnostic's reason."""

from __future__ import annotations

import json

import pytest
from codeqa_model.combiner import KNOWN_FEATURES, Combiner, evidence_matrix
from codeqa_model.effect_evidence import (
    EFFECT_FEATURES,
    effect_reason,
    effects,
    placeholder,
    unasked_effect,
)
from codeqa_model.match_evidence import Evidence
from combiner_fits import fit_on_pairs


@pytest.mark.parametrize(
    ("intent", "code", "value"),
    [
        ("get the 3 most common items of the counter `tally`", "top = tally.clear()", 1.0),
        ("wait until the subprocess `proc` finishes", "proc.kill()", 1.0),
        ("get the current month as a number", "time.sleep(30)", 1.0),
        ("generate a random float between 0 and 1", "random.seed(0)", 1.0),
        ("count the lines in 'data.txt'", 'with open("data.txt", "w") as fh:\n    pass', 1.0),
        ("extract the zip file `path`", 'with zipfile.ZipFile(path, "w") as zf:\n    pass', 1.0),
        # under a whether-question "empty" is a state, not an effect asked for
        ("check if the list `items` is empty", "empty = items.clear()", 1.0),
        ("empty the list `items`", "items.clear()", 0.0),
        ("check whether `path` is a directory", "os.mkdir(path)\nreturn path", 1.0),
        ("copy the file 'a.txt' to 'b.txt'", 'shutil.move("a.txt", "b.txt")', 1.0),
        ("get the current working directory", 'os.chdir("/tmp")', 1.0),
        ("create the folder 'out' with its parents", 'os.makedirs("out", exist_ok=True)', 0.0),
        ("make a temporary directory", "tempfile.mkdtemp()", 0.0),
        ("rename the file 'a.txt' to 'b.txt'", 'os.rename("a.txt", "b.txt")', 0.0),
        ("move 'a.txt' into the folder 'old'", 'shutil.move("a.txt", "old")', 0.0),
        ("change the working directory to 'src'", 'os.chdir("src")', 0.0),
        # the intent asks for the effect, by the same word or another that asks for it
        ("remove the key 'a' from the dict `d`", 'd.pop("a")', 0.0),
        ("removing the last element of `xs`", "xs.pop()", 0.0),
        ("remove duplicate rows from `df`", "df = df.drop_duplicates()", 0.0),
        ("wait 2 seconds", "time.sleep(2)", 0.0),
        ("save the text `t` to 'a.txt'", 'with open("a.txt", "w") as fh:\n    fh.write(t)', 0.0),
        ("read the file 'a.txt'", 'with open("a.txt") as fh:\n    text = fh.read()', 0.0),
        # long blocks (a whole function under its summary) say nothing
        ("draw the plot", "\n".join(["a = 1"] * 7 + ["self.line.remove()"]), 0.0),
    ],
)
def test_an_effect_the_intent_does_not_ask_for(intent: str, code: str, value: float) -> None:
    assert unasked_effect(intent, code) == value


@pytest.mark.parametrize(
    ("intent", "code", "value"),
    [
        ("parse the query of the url `link`", 'print("hello")\nreturn link', 1.0),
        ("exit the program with status 1", 'print("hello")', 1.0),
        ("get the mean of `xs`", '    print("todo")\n    result = None\n    return result', 1.0),
        # printing is asked for, or the printed text is the intent's
        ("print hello", 'print("hello")', 0.0),
        ("greet the user with 'hi there'", 'print("hi there")', 0.0),
        # anything else done makes it no placeholder
        ("get the mean of `xs`", 'print("hello")\nreturn sum(xs) / len(xs)', 0.0),
        ("get the mean of `xs`", "print(xs)", 0.0),
        ("get the mean of `xs`", "return (", 0.0),
    ],
)
def test_a_block_that_only_prints_a_placeholder(intent: str, code: str, value: float) -> None:
    assert placeholder(intent, code) == value


def test_reasons_name_the_call_or_the_placeholder() -> None:
    assert effect_reason("get the keys of `d`", "d.clear()") == (
        "calls d.clear, which deletes; the intent asks for no such thing"
    )
    assert effect_reason("count the lines in 'a.txt'", 'open("a.txt", "w")') == (
        "open() opens a file for writing; the intent asks for no write"
    )
    assert effect_reason("get the mean of `xs`", 'print("hello")\nreturn xs') == (
        "only prints 'hello'; nothing here does what the intent says"
    )
    assert effect_reason("get the mean of `xs`", "m = sum(xs) / len(xs)") is None


EVIDENCE = Evidence({"os.getcwd": {"current": 1.0}}, {"current": 2.0}, ["os"])


def test_the_combiner_lowers_a_pair_with_an_unasked_effect() -> None:
    names = ["values_missing", *EFFECT_FEATURES]
    assert set(EFFECT_FEATURES) <= set(KNOWN_FEATURES)
    pairs = [("get the keys of `d`", "d.clear()"), ("get the keys of `d`", "[k for k in d]")]
    assert evidence_matrix(pairs, names, EVIDENCE).tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    assert effects(*pairs[0]) == [1.0, 0.0]
    data = {
        "format": 1,
        "features": ["matcher_logit", *names],
        "weights": [1.0, 0.0, -3.0, -2.0],
        "bias": 0.0,
        "threshold": 0.3,
        "evidence": EVIDENCE.to_dict(),
    }
    wrong, right = Combiner.from_bytes(json.dumps(data).encode()).probs(pairs, [0.6, 0.6])
    assert wrong < 0.3 < right


def test_fit_combiner_chooses_a_fixed_weight_per_effect(tmp_path, monkeypatch) -> None:
    from codeqa_train import fit_combiner

    pairs = [
        (f"get the keys of the dict `d{i}`", f"keys = [k for k in d{i}]", f"d{i}.clear()")
        for i in range(80)
    ]
    flags = ["--effect-weights", "0,2,4", "--features", "known"]
    assert not set(EFFECT_FEATURES) & set(fit_combiner.feature_names("all", False))
    result, _ = fit_on_pairs(tmp_path, monkeypatch, pairs, "hard", flags)
    combiner, report = result["combiner"], result["report"]
    # the placeholder never fires here: it gets no weight and is left out of the combiner
    assert combiner["features"][-1] == "unasked_effect" and combiner["weights"][-1] == -2.0
    assert "placeholder" not in combiner["features"]
    assert report["effect_weights"]["unasked_effect"]["fires"]["conala"] == {
        "label 0": 1.0,
        "label 1": 0.0,
    }
    assert report["effect_weights"]["placeholder"]["weight"] == 0
