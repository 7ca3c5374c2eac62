"""The generator networks: presets, loss, copy mechanism, beam search (tiny sizes, CPU)."""

from __future__ import annotations

import pytest
import torch

from model.seq2seq import (
    BOS,
    EOS,
    PAD,
    GeneratorConfig,
    Seq2Seq,
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


def test_copy_model_learns_to_copy_ids_outside_its_vocabulary() -> None:
    # Target vocab has 10 ids, the source 16: ids 10..15 can only be produced by copying, as
    # extended ids (the source map sends each source position to its own id).
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
    model.eval()
    src = [12, 5, 15, 7]
    hyps = beam_search(model, src, src_map=src, n_ext=6, k=3, max_len=8)
    assert hyps[0].ids == (7, 15, 5, 12)
    assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
    greedy = beam_search(model, src, src_map=src, n_ext=6, k=1, max_len=8)
    assert len(greedy) == 1 and greedy[0].ids == hyps[0].ids


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
