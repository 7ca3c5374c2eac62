"""CoNaLa BLEU against hand-worked cases and sacrebleu; ROC/PR-AUC on worked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sacrebleu
from codeqa_train.metrics import (
    accuracy,
    best_of_k_bleu,
    compute_bleu,
    corpus_bleu,
    exact_match,
    pr_auc,
    roc_auc,
    sentence_bleu,
    tokenize_for_bleu_eval,
)


def test_tokenizer_splits_non_word_camel_case_and_normalises_quotes() -> None:
    assert tokenize_for_bleu_eval('df.groupBy("a")') == [
        "df", ".", "group", "By", "(", "`", "a", "`", ")",
    ]  # fmt: skip
    assert tokenize_for_bleu_eval("x = 'a'") == tokenize_for_bleu_eval('x = "a"')
    # digits and underscores stay inside words; only lower→Upper is a camel hump
    assert tokenize_for_bleu_eval("my_var2 HTTPServer") == ["my_var2", "HTTPServer"]
    assert tokenize_for_bleu_eval("  a\n\tb  ") == ["a", "b"]


def test_bleu_one_sentence_hand_worked() -> None:
    # a b c d x vs a b c d e: p1=4/5 p2=3/4 p3=2/3 p4=1/2, equal lengths so BP=1
    res = compute_bleu([[list("abcde")]], [list("abcdx")])
    assert res.precisions == pytest.approx((4 / 5, 3 / 4, 2 / 3, 1 / 2))
    assert res.brevity_penalty == 1.0
    assert res.bleu == pytest.approx((4 / 5 * 3 / 4 * 2 / 3 * 1 / 2) ** 0.25)
    assert res.bleu == pytest.approx(0.668740304976422)


def test_bleu_brevity_penalty_hand_worked() -> None:
    # every n-gram of the 4-token hypothesis is in the 6-token reference: BP = exp(1 - 6/4)
    res = compute_bleu([[list("abcdef")]], [list("abcd")])
    assert res.precisions == (1.0, 1.0, 1.0, 1.0)
    assert res.ratio == pytest.approx(4 / 6)
    assert res.bleu == pytest.approx(math.exp(-0.5))


def test_bleu_without_smoothing_is_zero_when_any_order_has_no_match() -> None:
    # an exact 3-token copy has no 4-grams at all: CoNaLa's BLEU is 0, not 1
    assert compute_bleu([[list("abc")]], [list("abc")]).bleu == 0.0
    # clipping: "a a a a" against "a b c d" matches one unigram, no bigram
    res = compute_bleu([[list("abcd")]], [list("aaaa")])
    assert res.precisions[0] == pytest.approx(1 / 4)
    assert res.precisions[1] == 0.0
    assert res.bleu == 0.0


def test_bleu_is_pooled_over_the_corpus_not_averaged() -> None:
    refs = [[list("abcd")], [list("xyzw")]]
    hyps = [list("abcd"), list("xyqw")]
    # p1=(4+3)/8 p2=(3+1)/6 p3=(2+0)/4 p4=(1+0)/2
    assert compute_bleu(refs, hyps).bleu == pytest.approx((7 / 8 * 4 / 6 * 2 / 4 * 1 / 2) ** 0.25)


def test_smoothing_adds_one_to_counts() -> None:
    res = compute_bleu([[list("abc")]], [list("abc")], smooth=True)
    assert res.precisions == pytest.approx((4 / 4, 3 / 3, 2 / 2, 1 / 1))
    assert res.bleu == pytest.approx(1.0)


def test_corpus_bleu_on_code_strings() -> None:
    ref = "os.path.join(a, b)"
    assert corpus_bleu([ref], [ref]) == pytest.approx(1.0)
    assert corpus_bleu([ref], ["print(x)"]) == 0.0


def test_bleu_matches_sacrebleu_on_pre_tokenized_text() -> None:
    refs = [
        "df.groupBy('a').sum()",
        "os.path.join(base, name)",
        "sorted(d.items(), key=lambda x: x[1])",
    ]
    hyps = ["df.groupby('a').sum()", "os.path.join(name, base)", "sorted(d.items())"]
    ours = corpus_bleu(refs, hyps)
    theirs = sacrebleu.corpus_bleu(
        [" ".join(tokenize_for_bleu_eval(h)) for h in hyps],
        [[" ".join(tokenize_for_bleu_eval(r)) for r in refs]],
        tokenize="none",
        smooth_method="none",
        force=True,
    )
    assert ours > 0
    assert ours * 100 == pytest.approx(theirs.score, abs=1e-9)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="2 reference lists but 1"):
        compute_bleu([[["a"]], [["b"]]], [["a"]])
    with pytest.raises(ValueError, match="references are all empty"):
        compute_bleu([[[]]], [["a"]])


def test_exact_match_compares_bleu_tokens() -> None:
    assert exact_match(["f('a')", "g(x)"], ['f( "a" )', "g(y)"]) == 0.5


def test_best_of_k_picks_per_example_then_scores_corpus() -> None:
    refs = ["os.path.join(a, b)", "sorted(x, reverse=True)"]
    cands = [["print(a)", "os.path.join(a, b)"], ["sorted(x, reverse=True)", "x.sort()"]]
    bleu, picks = best_of_k_bleu(refs, cands)
    assert picks == ["os.path.join(a, b)", "sorted(x, reverse=True)"]
    assert bleu == pytest.approx(1.0)
    assert bleu >= corpus_bleu(refs, [c[0] for c in cands])
    assert sentence_bleu(refs[0], "") == 0.0


def test_ranking_metrics_hand_worked_and_errors() -> None:
    y = np.array([1, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.3, 0.1])
    assert roc_auc(y, s) == pytest.approx(3 / 4)  # 3 of 4 pos/neg pairs ordered right
    assert pr_auc(y, s) == pytest.approx(0.5 * 1.0 + 0.5 * 2 / 3)
    assert accuracy(y, s, threshold=0.5) == pytest.approx(2 / 4)  # 0.8 and 0.3 are wrong
    # ties: one threshold, counted ½ by ROC-AUC; all tied gives the positive share as AP
    assert roc_auc(np.array([1, 0, 0]), np.array([0.5, 0.5, 0.1])) == pytest.approx(3 / 4)
    assert pr_auc(np.array([1, 0, 0]), np.array([0.5, 0.5, 0.5])) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="both positive and negative"):
        roc_auc(np.array([1, 1]), np.array([0.2, 0.3]))
