"""The generator networks: presets, loss, copy mechanism, beam search (tiny sizes, CPU)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from codeqa_model import seq2seq
from codeqa_model.numpy_decoder import NumpyStep, decoder_weights
from codeqa_model.seq2seq import (
    BOS,
    EOS,
    PAD,
    GeneratorConfig,
    Seq2Seq,
    banned_tokens,
    beam_search,
    count_parameters,
)

torch.set_num_threads(1)


def test_baseline_preset_is_the_research_configuration() -> None:
    cfg = GeneratorConfig.named("baseline")
    assert (cfg.hidden, cfg.src_vocab_size, cfg.tgt_vocab_size) == (100, 5000, 5000)
    assert (cfg.max_src_len, cfg.max_tgt_len) == (35, 50)
    assert cfg.freeze_embeddings and not cfg.bidirectional
    assert (cfg.attention, cfg.copy, cfg.beam_size, cfg.tokenization) == ("none", False, 1, "word")


def test_product_preset_and_dict_round_trip() -> None:
    cfg = GeneratorConfig.named("product", hidden=64, out_dim=32, emb_dim=32)
    assert cfg.bidirectional and cfg.copy and cfg.attention == "luong"
    assert GeneratorConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown generator config keys"):
        GeneratorConfig.from_dict({**cfg.to_dict(), "colour": 1})
    with pytest.raises(ValueError, match="unknown generator preset"):
        GeneratorConfig.named("huge")
    with pytest.raises(ValueError, match="copy needs attention"):
        GeneratorConfig(attention="none", copy=True)


def test_frozen_embeddings_are_not_trainable() -> None:
    cfg = GeneratorConfig.named("baseline", src_vocab_size=30, tgt_vocab_size=30)
    model = Seq2Seq(cfg)
    counts = count_parameters(model)
    assert counts["total"] - counts["trainable"] == 2 * 30 * cfg.emb_dim


def _copy_task(n: int, vocab: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
    """Target = source reversed; source ids 4..vocab-1, target vocabulary only 4..9 plus ext."""
    lens = torch.randint(2, 6, (n,), generator=gen)
    src = torch.zeros(n, 5, dtype=torch.long)
    tgt_in = torch.zeros(n, 6, dtype=torch.long)
    tgt_out = torch.zeros(n, 6, dtype=torch.long)
    for i, length in enumerate(lens.tolist()):
        seq = torch.randint(4, vocab, (length,), generator=gen)
        src[i, :length] = seq
        rev = seq.flip(0)
        tgt_in[i, 0] = BOS
        tgt_in[i, 1 : length + 1] = rev
        tgt_out[i, :length] = rev
        tgt_out[i, length] = EOS
    return {"src": src, "src_len": lens, "tgt_in": tgt_in, "tgt_out": tgt_out, "src_map": src}


@pytest.fixture(scope="module")
def copy_model() -> Seq2Seq:
    """A product model trained on the reversal task (target vocab 10, source 16; see below)."""
    torch.manual_seed(0)
    cfg = GeneratorConfig(
        src_vocab_size=16,
        tgt_vocab_size=10,
        emb_dim=32,
        out_dim=32,
        hidden=64,
        dropout=0.0,
        max_src_len=5,
        max_tgt_len=8,
    )
    model = Seq2Seq(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    gen = torch.Generator().manual_seed(1)
    first = None
    for _ in range(150):
        batch = _copy_task(64, 16, gen)
        loss = model(**batch)
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first / 5
    return model.eval()


def test_copy_model_learns_to_copy_ids_outside_its_vocabulary(copy_model: Seq2Seq) -> None:
    # Target vocab has 10 ids, the source 16: ids 10..15 can only be produced by copying, as
    # extended ids (the source map sends each source position to its own id).
    src = [12, 5, 15, 7]
    hyps = beam_search(copy_model, src, src_map=src, n_ext=6, k=3, max_len=8)
    assert hyps[0].ids == (7, 15, 5, 12)
    assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
    greedy = beam_search(copy_model, src, src_map=src, n_ext=6, k=1, max_len=8)
    assert len(greedy) == 1 and greedy[0].ids == hyps[0].ids


def _step_logprob(model: Seq2Seq, src: list[int], ids: tuple[int, ...], n_ext: int) -> float:
    """Log-probability of `ids` scored one token at a time with the batched `Seq2Seq.step`."""
    src_t = torch.tensor([src])
    enc, keys, state = model.encode(src_t, torch.tensor([len(src)]))
    map_t = src_t if model.cfg.copy else None
    prev, total = torch.tensor([BOS]), 0.0
    with torch.no_grad():
        for tok in ids:
            logp, state = model.step(prev, state, enc, keys, src_t != PAD, map_t, n_ext)
            total += logp[0, tok].item()
            prev = torch.tensor([tok])
    return total


def test_beam_scores_agree_with_the_batched_decoding_step(copy_model: Seq2Seq) -> None:
    # beam_search has its own single-source step; every hypothesis it returns must carry the
    # log-probability the training-side `Seq2Seq.step` gives the same ids (+ </s> if finished).
    src = [12, 5, 15, 7, 11]
    hyps = beam_search(copy_model, src, src_map=src, n_ext=6, k=4, max_len=5)
    assert len(hyps) == 4
    for hyp in hyps:
        ids = hyp.ids + ((EOS,) if len(hyp.ids) < 5 else ())
        assert abs(_step_logprob(copy_model, src, ids, 6) - hyp.logprob) < 1e-4


def test_banned_tokens_are_the_followers_of_the_last_n_minus_1_ids() -> None:
    assert banned_tokens([7, 8, 9, 7, 8], 3) == [9]  # 7 8 was followed by 9
    assert banned_tokens([7, 8, 7, 9, 7], 2) == [8, 9]
    assert banned_tokens([7, 8, 9], 2) == []  # 9 never came before
    assert banned_tokens([7, 8, 7], 4) == []  # shorter than n: nothing can repeat
    assert banned_tokens([7, 7, 7], 0) == []  # the rule off
    assert banned_tokens([4, 5, 4], 1) == [4, 5, 4]  # n = 1: every id used so far


def _looping_model() -> Seq2Seq:
    """A product model rigged to emit id 4 forever: a constant output bias, the copy gate open."""
    cfg = GeneratorConfig(
        src_vocab_size=12, tgt_vocab_size=12, emb_dim=8, out_dim=8, hidden=8, dropout=0.0
    )
    model = Seq2Seq(cfg).eval()
    with torch.no_grad():
        model.out.weight.zero_()  # tied: the target embeddings are zero too
        model.out.bias.fill_(-10.0)
        model.out.bias[4] = 10.0
        model.out.bias[5] = 5.0
        model.out.bias[EOS] = 0.0
        model.gate.weight.zero_()
        model.gate.bias.fill_(30.0)  # p(vocab) ~ 1: copying plays no part
    return model


def test_repeat_rule_blocks_the_token_that_would_repeat_an_ngram() -> None:
    model = _looping_model()
    src = [6, 7, 8]
    loop = beam_search(model, src, src_map=src, k=1, max_len=6)
    assert loop[0].ids == (4, 4, 4, 4, 4, 4)
    # n = 2: after 4 4 the bigram (4, 4) exists, so 4 is banned and 5 comes next; after
    # 4 4 5 4 both followers of 4 are banned and </s> is the best id left.
    ruled = beam_search(model, src, src_map=src, k=1, max_len=6, no_repeat_ngram=2)
    assert ruled[0].ids == (4, 4, 5, 4)
    assert ruled == beam_search(model, src, src_map=src, k=1, max_len=6, no_repeat_ngram=2)
    # A wider beam obeys the rule in every hypothesis it returns.
    for hyp in beam_search(model, src, src_map=src, k=4, max_len=6, no_repeat_ngram=2):
        bigrams = list(zip(hyp.ids, hyp.ids[1:], strict=False))
        assert len(bigrams) == len(set(bigrams)), hyp.ids


def test_repeat_rule_changes_nothing_when_no_ngram_can_repeat(copy_model: Seq2Seq) -> None:
    # Greedy reversal of distinct ids: no id repeats, so with n = 2 no token is ever banned.
    src = [12, 5, 15, 7]
    off = beam_search(copy_model, src, src_map=src, n_ext=6, k=1, max_len=8)
    on = beam_search(copy_model, src, src_map=src, n_ext=6, k=1, max_len=8, no_repeat_ngram=2)
    assert on == off and on[0].ids == (7, 15, 5, 12)
    again = beam_search(copy_model, src, src_map=src, n_ext=6, k=1, max_len=8, no_repeat_ngram=2)
    assert again == on  # deterministic


def test_repeat_rule_default_reaches_configs_written_before_it() -> None:
    old = GeneratorConfig().to_dict()
    del old["no_repeat_ngram"]  # a config.json from before the field existed
    assert GeneratorConfig.from_dict(old).no_repeat_ngram == GeneratorConfig().no_repeat_ngram > 0
    assert GeneratorConfig.named("baseline").no_repeat_ngram == 0  # the research setting
    with pytest.raises(ValueError, match="no_repeat_ngram must be >= 0"):
        GeneratorConfig(no_repeat_ngram=-1)


def test_baseline_loss_ignores_padding() -> None:
    torch.manual_seed(0)
    cfg = GeneratorConfig.named("baseline", src_vocab_size=20, tgt_vocab_size=20, emb_dim=8)
    cfg = GeneratorConfig.from_dict({**cfg.to_dict(), "hidden": 8, "out_dim": 8})
    model = Seq2Seq(cfg).eval()
    src = torch.tensor([[5, 6, 7]])
    tgt_in = torch.tensor([[BOS, 8, 9]])
    tgt_out = torch.tensor([[8, 9, EOS]])
    base = model(src, torch.tensor([3]), tgt_in, tgt_out)
    padded = model(
        src,
        torch.tensor([3]),
        torch.cat([tgt_in, torch.tensor([[PAD, PAD]])], 1),
        torch.cat([tgt_out, torch.tensor([[PAD, PAD]])], 1),
    )
    assert torch.allclose(base, padded, atol=1e-6)


def test_beam_search_respects_max_len_and_rejects_bad_input() -> None:
    cfg = GeneratorConfig(src_vocab_size=12, tgt_vocab_size=12, emb_dim=16, out_dim=16, hidden=16)
    model = Seq2Seq(cfg).eval()
    hyps = beam_search(model, [4, 5, 6], src_map=[4, 5, 6], k=4, max_len=3)
    assert 1 <= len(hyps) <= 4
    assert all(len(h.ids) <= 3 for h in hyps)
    assert all(EOS not in h.ids and BOS not in h.ids for h in hyps)
    with pytest.raises(ValueError, match="non-empty"):
        beam_search(model, [], k=2)
    with pytest.raises(ValueError, match="k must be"):
        beam_search(model, [4], src_map=[4], k=0)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_encoder_states_do_not_depend_on_batch_padding(bidirectional: bool) -> None:
    cfg = GeneratorConfig(
        src_vocab_size=30,
        tgt_vocab_size=30,
        emb_dim=16,
        out_dim=16,
        hidden=32,
        dropout=0.0,
        bidirectional=bidirectional,
    )
    model = Seq2Seq(cfg).eval()
    padded, _, (h, c) = model.encode(
        torch.tensor([[5, 6, 7, 8, 9], [10, 11, 12, PAD, PAD]]), torch.tensor([5, 3])
    )
    alone, _, (h1, c1) = model.encode(torch.tensor([[10, 11, 12]]), torch.tensor([3]))
    assert torch.allclose(padded[1, :3], alone[0], atol=1e-6)
    assert torch.allclose(h[:, 1], h1[:, 0], atol=1e-6)
    assert torch.allclose(c[:, 1], c1[:, 0], atol=1e-6)


@pytest.mark.parametrize("preset", ["baseline", "product"])
def test_step_by_step_decoding_scores_match_teacher_forcing(preset: str) -> None:
    torch.manual_seed(3)
    cfg = GeneratorConfig.named(
        preset, src_vocab_size=20, tgt_vocab_size=20, emb_dim=16, hidden=16, out_dim=16
    )
    cfg = GeneratorConfig.from_dict({**cfg.to_dict(), "dropout": 0.0, "tie_embeddings": False})
    model = Seq2Seq(cfg).eval()
    src = torch.tensor([[5, 6, 7, 8]])
    target = [9, 10, 11, EOS]
    copy_map = src if cfg.copy else None
    nll = model(
        src,
        torch.tensor([4]),
        torch.tensor([[BOS, *target[:-1]]]),
        torch.tensor([target]),
        copy_map,
    )
    enc, keys, state = model.encode(src, torch.tensor([4]))
    prev, total = torch.tensor([BOS]), 0.0
    with torch.no_grad():
        for tok in target:
            logp, state = model.step(prev, state, enc, keys, src != PAD, copy_map, 0)
            total -= logp[0, tok].item()
            prev = torch.tensor([tok])
    assert abs(total / len(target) - nll.item()) < 1e-4


def _numpy_step(model: Seq2Seq, src: list[int], n_ext: int) -> tuple[Any, Any, Any]:
    """The beam's numpy step for `src`, its one-beam state, and the torch encoding."""
    src_t = torch.tensor([src])
    with torch.inference_mode():
        encoded = model.encode(src_t, torch.tensor([len(src)]))
        step, state = seq2seq._stepper(model, src, src if model.cfg.copy else None, n_ext)
    assert isinstance(step, NumpyStep)
    return step, state, encoded


@pytest.mark.parametrize("copy", [True, False])
def test_the_numpy_step_computes_what_the_torch_step_does(copy: bool) -> None:
    """The beam steps in numpy; its distribution and next state must be `Seq2Seq.step`'s up to
    float rounding, for a copy model (probabilities) and one without the gate (log-probs),
    with a <pad> in the source (masked out of the attention) and an extended id as input."""
    torch.manual_seed(5)
    cfg = GeneratorConfig(
        src_vocab_size=16,
        tgt_vocab_size=10,
        emb_dim=8,
        out_dim=8,
        hidden=12,
        dropout=0.0,
        copy=copy,
    )
    model = Seq2Seq(cfg).eval()
    src = [12, 5, PAD, 7, 12]
    n_ext = 6 if copy else 0
    step, (h, c), (enc, keys, state) = _numpy_step(model, src, n_ext)
    prev = [BOS, 3, 12 if copy else 4, 4]
    rows = len(prev)
    h, c = np.repeat(h, rows, 0), np.repeat(c, rows, 0)
    state = (state[0].expand(-1, rows, -1), state[1].expand(-1, rows, -1))
    src_t = torch.tensor([src])
    with torch.inference_mode():
        want, (want_h, want_c) = model.step(
            torch.tensor(prev),
            state,
            enc.expand(rows, -1, -1),
            keys.expand(rows, -1, -1),
            (src_t != PAD).expand(rows, -1),
            src_t.expand(rows, -1) if copy else None,
            n_ext,
        )
    got, (got_h, got_c) = step(np.asarray(prev), (h, c))
    expected = want.exp() if copy else want
    assert got.shape == tuple(want.shape)
    assert np.allclose(got, expected.numpy(), atol=1e-6)
    assert np.allclose(got_h, want_h[0].numpy(), atol=1e-6)
    assert np.allclose(got_c, want_c[0].numpy(), atol=1e-6)


def test_the_numpy_weights_follow_in_place_updates() -> None:
    """The numpy copies are made once per model: a training step (an in-place update) must
    never leave the beam reading old weights."""
    copy_model = Seq2Seq(
        GeneratorConfig(src_vocab_size=8, tgt_vocab_size=8, emb_dim=8, out_dim=8, hidden=8)
    )
    before = decoder_weights(copy_model)
    assert decoder_weights(copy_model) is before
    with torch.no_grad():
        copy_model.combine.bias.add_(1.0)
    assert np.array_equal(
        decoder_weights(copy_model).combine_b, copy_model.combine.bias.detach().numpy()
    )
    with torch.no_grad():
        copy_model.combine.bias.sub_(1.0)
    assert np.array_equal(
        decoder_weights(copy_model).combine_b, copy_model.combine.bias.detach().numpy()
    )


@pytest.mark.parametrize("n", [3, 8, 40])
def test_the_beams_best_extensions_are_those_of_the_full_log_probabilities(
    copy_model: Seq2Seq, n: int
) -> None:
    """`top` puts only each row's best few in log space; it must pick the same extensions,
    with the same scores, as the log of every entry would (banned pairs never win)."""
    src = [12, 5, 15, 7, 11]
    step, (h, c), _ = _numpy_step(copy_model, src, 6)
    prev = [BOS, 3, 12, 4]
    state = (np.repeat(h, 4, 0), np.repeat(c, 4, 0))
    live = [-0.5, -1.25, -2.0, -3.5]
    banned = ([0, 0, 2], [3, 12, 5])
    scores, flat, width, _ = step.top(prev, state, live, n, banned)
    probs, _ = step(np.asarray(prev), state)
    logp = np.log(probs + np.float32(1e-12))
    logp[banned[0], banned[1]] = -np.inf
    full = (logp + np.asarray(live, dtype=np.float32)[:, None]).ravel()
    want = np.sort(full)[::-1][: min(n, full.size)]
    assert width == 16 and np.array_equal(np.asarray(scores, dtype=np.float32), want)
    # equal scores may come in either order (the copy model gives many tokens p = 0): each
    # extension must carry its own score, and banned pairs never come out
    assert all(full[i] == np.float32(s) for i, s in zip(flat, scores, strict=True))
    assert len(set(flat)) == len(flat)
    assert all(divmod(i, width) not in {(0, 3), (0, 12), (2, 5)} for i in flat)
