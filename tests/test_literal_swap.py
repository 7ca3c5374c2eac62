"""`match_evidence.literal_swap`: a quoted file name, path or URL of the intent written as another
one; in the combiner (`KNOWN_FEATURES`) and in `codeqa-train fit-combiner
--literal-swap-weights`, whose weight is chosen out of fold, never fitted."""

from __future__ import annotations

import json

import pytest
from codeqa_model.combiner import KNOWN_FEATURES, Combiner, evidence_matrix
from codeqa_model.match_evidence import Evidence, literal_shape, literal_swap
from combiner_fits import fit_on_pairs


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("plot.png", "file"),
        ("data/2024 report.xlsx", "file"),
        ("C:\\logs\\app.log", "file"),
        ("https://example.com/a?b=1", "url"),
        ("/var/tmp/", "path"),
        ("utf-8", None),
        ("w", None),
        ("age", None),
        ("hello world.", None),
    ],
)
def test_shapes(value: str, shape: str | None) -> None:
    assert literal_shape(value) == shape


@pytest.mark.parametrize(
    ("intent", "code", "swap"),
    [
        ("save the figure `fig` as 'plot.png'", 'fig.savefig("plot.pdf")', 1.0),
        ("read the settings file 'config.ini'", 'parser.read("setup.cfg")', 1.0),
        ("download 'https://a.org/x.csv'", 'urlretrieve("https://b.org/y.csv")', 1.0),
        # the intent's own file is there, or what stands beside a missing one is no file name
        ("save the figure `fig` as 'plot.png'", 'fig.savefig("plot.png", dpi=100)', 0.0),
        ("append 'x' to 'log.txt'", 'open("out.txt", "a").write("x")', 1.0),
        ("read 'data.csv' as utf-8", 'open(path, encoding="utf-8").read()', 0.0),
        ("sort `people` by the key 'age'", 'people.sort(key=lambda p: p["name"])', 0.0),
        ("copy 'a.txt' to 'b.txt'", 'shutil.copy("a.txt", "c.txt")', 1.0),
        # a literal the intent itself says is not a swap
        ("rename 'a.txt' to 'b.txt'", 'os.rename("b.txt", "b.txt")', 0.0),
        ("open the file", 'open("x.txt")', 0.0),
    ],
)
def test_a_file_name_written_as_another(intent: str, code: str, swap: float) -> None:
    assert literal_swap(intent, code) == swap


EVIDENCE = Evidence({"os.getcwd": {"current": 1.0}}, {"current": 2.0}, ["os"])


def test_the_combiner_lowers_a_pair_with_a_swapped_file_name() -> None:
    names = ["values_missing", "literal_swap"]
    assert "literal_swap" in KNOWN_FEATURES
    data = {
        "format": 1,
        "features": ["matcher_logit", *names],
        "weights": [1.0, 0.0, -4.0],
        "bias": 0.0,
        "threshold": 0.3,
        "evidence": EVIDENCE.to_dict(),
    }
    combiner = Combiner.from_bytes(json.dumps(data).encode())
    intent = "save the figure `fig` as 'plot.png'"
    pairs = [(intent, 'fig.savefig("plot.pdf")'), (intent, 'fig.savefig("plot.png")')]
    assert evidence_matrix(pairs, names, EVIDENCE)[:, 1].tolist() == [1.0, 0.0]
    wrong, right = combiner.probs(pairs, [0.6, 0.6])
    assert wrong < combiner.threshold <= right


def test_fit_combiner_chooses_a_fixed_weight_for_the_literal_swap(tmp_path, monkeypatch) -> None:
    from codeqa_train import fit_combiner

    pairs = [
        (
            f"save the figure `fig` as 'plot{i}.png'",
            f'fig.savefig("plot{i}.png")',
            f'fig.savefig("plot{i}.pdf")',
        )
        for i in range(80)
    ]
    flags = ["--literal-swap-weights", "0,2,4", "--features", "known"]
    assert "literal_swap" not in fit_combiner.feature_names("all", False)
    result, rows = fit_on_pairs(tmp_path, monkeypatch, pairs, "literal", flags)
    combiner, report = result["combiner"], result["report"]
    # `known` cannot tell the blocks apart (no call has a profile); 2 already flags every swap:
    # the smaller weight wins the tie
    assert combiner["features"][-1] == "literal_swap" and combiner["weights"][-1] == -2.0
    assert report["literal_swap_weight"]["fires"]["conala"] == {"label 0": 1.0, "label 1": 0.0}
    loaded = Combiner.from_bytes(json.dumps(combiner).encode())
    wrong, right = loaded.probs(
        [(rows[0]["intent"], rows[1]["snippet"]), (rows[0]["intent"], rows[0]["snippet"])],
        [0.6, 0.6],
    )
    assert wrong < loaded.threshold <= right
