"""Classifier networks: shapes, padding invariance, calibration and threshold arithmetic."""

from __future__ import annotations

import pytest
import torch

from model.classifier import (
    LEXICAL_FEATURES,
    BaselineClassifier,
    ClassifierConfig,
    MatchClassifier,
    build_classifier,
    calibrate,
    masked_max,
    masked_mean,
    threshold_for_false_alarms,
)

torch.set_num_threads(1)


def _product(**kw: object) -> MatchClassifier:
    torch.manual_seed(0)
    cfg = ClassifierConfig(intent_vocab=50, code_vocab=60, emb_dim=8, hidden=8, **kw)
    return MatchClassifier(cfg).eval()


def test_masked_pooling_ignores_padding() -> None:
    x = torch.tensor([[[1.0], [3.0], [100.0]]])
    mask = torch.tensor([[True, True, False]])
    assert masked_mean(x, mask).item() == 2.0
    assert masked_max(x, mask).item() == 3.0
    empty = torch.zeros(1, 3, dtype=torch.bool)
    assert masked_max(x, empty).item() == 0.0


def test_product_logits_do_not_depend_on_padding() -> None:
    net = _product()
    intent = torch.tensor([[5, 6, 7]])
    code = torch.tensor([[8, 9]])
    lex = torch.rand(1, len(LEXICAL_FEATURES))
    short = net(intent, code, lex)
    padded = net(torch.tensor([[5, 6, 7, 0, 0]]), torch.tensor([[8, 9, 0, 0, 0, 0]]), lex)
    assert short.shape == (1,)
    assert torch.allclose(short, padded, atol=1e-5)


def test_product_batch_rows_are_independent() -> None:
    net = _product()
    intents = torch.tensor([[5, 6, 7], [11, 12, 0]])
    codes = torch.tensor([[8, 9, 10, 0], [13, 14, 15, 16]])
    lex = torch.rand(2, len(LEXICAL_FEATURES))
    both = net(intents, codes, lex)
    second = net(torch.tensor([[11, 12]]), torch.tensor([[13, 14, 15, 16]]), lex[1:])
    assert torch.allclose(both[1:], second, atol=1e-5)


def test_lexical_features_are_required_when_configured() -> None:
    with pytest.raises(ValueError, match="lexical"):
        _product()(torch.tensor([[5]]), torch.tensor([[6]]))
    plain = _product(use_lexical=False, use_alignment=False)
    assert plain(torch.tensor([[5]]), torch.tensor([[6]])).shape == (1,)


def test_baseline_is_the_seed_architecture() -> None:
    cfg = ClassifierConfig(kind="baseline", intent_dim=10, code_dim=12)
    net = build_classifier(cfg)
    assert isinstance(net, BaselineClassifier)
    linears = [m for m in net.mlp if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (22, 100), (100, 50), (50, 25), (25, 1),
    ]  # fmt: skip
    drops = [m.p for m in net.mlp if isinstance(m, torch.nn.Dropout)]
    assert drops == [0.5, 0.5, 0.5]
    assert net.eval()(torch.rand(3, 10), torch.rand(3, 12)).shape == (3,)


def test_config_round_trip_and_unknown_keys() -> None:
    cfg = ClassifierConfig(intent_vocab=5, code_vocab=6, threshold=0.3, extra={"a": "b"})
    assert ClassifierConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown classifier config keys: bogus"):
        ClassifierConfig.from_dict({"bogus": 1})
    with pytest.raises(ValueError, match="unknown classifier kind"):
        build_classifier(ClassifierConfig(kind="other"))


def test_platt_calibration_recovers_a_known_link() -> None:
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(4000, generator=gen) * 3
    true_a, true_b = 0.5, -1.0
    y = torch.bernoulli(torch.sigmoid(true_a * z + true_b), generator=gen)
    a, b = calibrate(z, y)
    assert a == pytest.approx(true_a, abs=0.1)
    assert b == pytest.approx(true_b, abs=0.15)


def test_threshold_flags_the_stated_share_of_true_matches() -> None:
    probs = torch.linspace(0.01, 1.0, 100)
    t = threshold_for_false_alarms(probs, 0.05)
    assert (probs < t).float().mean().item() == pytest.approx(0.05, abs=0.011)
    with pytest.raises(ValueError, match="false-alarm rate"):
        threshold_for_false_alarms(probs, 0.0)
