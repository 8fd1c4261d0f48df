"""The TM2T-like baseline captioner on a tiny config: it learns three code sequences -> three captions
and greedy and beam decoding write them back word for word; decoding is deterministic and blind to
whatever lies past a clip's end; MiniLM's frozen word table is neither trained nor saved, and a saved
model reloads to the same log-probabilities."""

from __future__ import annotations

import pytest
import torch
from safetensors import safe_open

from lamp_core.captioning.decoding import beam_search, greedy
from lamp_core.models.caption_seq2seq import (
    BOS,
    EOS,
    Seq2SeqCaptioner,
    Seq2SeqCaptionerConfig,
    caption_loss,
    minilm_word_table,
)
from lamp_core.models.io import WEIGHTS, load_model, save_model
from lamp_core.text.minilm import load_tokenizer

CAPTIONS = ["a person walks forward slowly.", "someone jumps up and down twice.",
            "the man waves his right hand above his head."]
N_CODES, MAX_TOKENS = 16, 8
CODES = torch.tensor([[3, 1, 4, 1, 5, 9, -1, -1],
                      [2, 7, 1, 8, -1, -1, -1, -1],
                      [9, 9, 2, 6, 5, -1, -1, -1]])
N_TOKENS = torch.tensor([6, 4, 5])
MAX_LEN = 20


def _tiny(**kw) -> Seq2SeqCaptionerConfig:
    base = {"n_codes": N_CODES, "max_tokens": MAX_TOKENS, "width": 32, "layers": 1, "heads": 2, "ff": 64,
            "dropout": 0.0, "max_text_tokens": 24}
    return Seq2SeqCaptionerConfig(**{**base, **kw})


def _tokens():
    enc = load_tokenizer()(CAPTIONS, padding=True, return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"].bool()


def _text(ids: list[int]) -> str:
    return load_tokenizer().decode(ids, skip_special_tokens=True)


def _step(model, codes=CODES, n_tokens=N_TOKENS):
    memory, pad = model.encode(codes, n_tokens)
    return lambda ids, rows: model.next_logprobs(memory, pad, ids, rows)


@pytest.fixture(scope="module")
def trained() -> Seq2SeqCaptioner:
    torch.manual_seed(0)
    model = Seq2SeqCaptioner(_tiny())
    ids, valid = _tokens()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    model.train()
    for _ in range(300):
        out = caption_loss(model, CODES, N_TOKENS, ids, valid)
        opt.zero_grad()
        out["loss"].backward()
        opt.step()
        if out["acc"] == 1.0 and out["loss"] < 1.5:  # label smoothing 0.1 over 30522 words: floor 1.36
            break
    return model.eval()


def test_learns_three_captions_and_decoding_writes_them_back(trained):
    ids, valid = _tokens()
    assert caption_loss(trained, CODES, N_TOKENS, ids, valid)["acc"] == 1.0
    step = _step(trained)
    assert [_text(h.ids) for h in greedy(step, 3, BOS, EOS, MAX_LEN)] == CAPTIONS
    beams = beam_search(step, 3, BOS, EOS, MAX_LEN, width=3)
    assert [_text(b[0].ids) for b in beams] == CAPTIONS
    assert all(len(b) == 3 for b in beams)


def test_frozen_word_table_is_minilms_and_not_trained(trained):
    assert not trained.word.weight.requires_grad
    assert torch.equal(trained.word.weight, minilm_word_table())


def test_greedy_is_deterministic_and_blind_to_padding(trained):
    step = _step(trained)
    first = greedy(step, 3, BOS, EOS, MAX_LEN)
    assert greedy(step, 3, BOS, EOS, MAX_LEN) == first
    # more -1 columns (past max_tokens too), and garbage codes after each clip's end
    wider = torch.cat([CODES, torch.full((3, 5), -1)], 1)
    garbage = torch.where(CODES < 0, torch.randint(0, N_CODES, CODES.shape), CODES)
    prefixes = torch.tensor([[BOS, 1037], [BOS, 2619], [BOS, 1996]])
    rows = torch.arange(3)
    ref = _step(trained)(prefixes, rows)
    for codes in (wider, garbage):
        lp = _step(trained, codes)(prefixes, rows)
        torch.testing.assert_close(lp, ref, atol=1e-5, rtol=1e-5)
        again = greedy(_step(trained, codes), 3, BOS, EOS, MAX_LEN)
        assert [h.ids for h in again] == [h.ids for h in first]
        assert [h.logprob for h in again] == pytest.approx([h.logprob for h in first], abs=1e-4)


def test_prefixes_pick_their_clip_through_rows(trained):
    memory, pad = trained.encode(CODES, N_TOKENS)
    prefixes = torch.tensor([[BOS, 1037], [BOS, 1037], [BOS, 2619]])
    together = trained.next_logprobs(memory, pad, prefixes, torch.tensor([2, 0, 2]))
    for i, row in enumerate((2, 0, 2)):
        alone = trained.next_logprobs(memory[row:row + 1], pad[row:row + 1], prefixes[i:i + 1], torch.tensor([0]))
        torch.testing.assert_close(together[i:i + 1], alone, atol=1e-5, rtol=1e-5)
    assert torch.allclose(together.exp().sum(-1), torch.ones(3), atol=1e-4)


def test_loss_ignores_caption_padding():
    torch.manual_seed(1)
    model = Seq2SeqCaptioner(_tiny(pretrained_words=False)).eval()
    ids, valid = _tokens()
    ref = caption_loss(model, CODES, N_TOKENS, ids, valid)
    padded = torch.cat([ids, torch.full((3, 4), 7)], 1)  # garbage (not even [PAD]) after the end
    got = caption_loss(model, CODES, N_TOKENS, padded, torch.cat([valid, torch.zeros(3, 4, dtype=torch.bool)], 1))
    torch.testing.assert_close(got["loss"], ref["loss"], atol=1e-5, rtol=1e-5)
    assert got["acc"] == ref["acc"]
    with pytest.raises(ValueError, match="start token"):
        caption_loss(model, CODES, N_TOKENS, ids[:, 1:], valid[:, 1:])


def test_save_skips_the_word_table_and_reloads_identically(trained, tmp_path):
    save_model(trained, None, None, tmp_path)
    with safe_open(str(tmp_path / WEIGHTS), "pt") as f:
        saved = set(f.keys())
    assert "word.weight" not in saved and "word_bias" in saved
    assert saved == set(trained.state_dict()) - trained.frozen_names()
    assert (tmp_path / WEIGHTS).stat().st_size < 1_000_000  # the 30522 x 384 table alone is 47 MB
    loaded, mean, std, _, kind = load_model(tmp_path, expect="caption-baseline")
    assert kind == "caption-baseline" and mean is None and std is None
    assert loaded.cfg == trained.cfg
    prefixes = torch.tensor([[BOS, 1037, 2711], [BOS, 2619, 14523], [BOS, 1996, 2158]])
    with torch.no_grad():
        a = _step(trained)(prefixes, torch.arange(3))
        b = _step(loaded)(prefixes, torch.arange(3))
    assert torch.equal(a, b)
    assert greedy(_step(loaded), 3, BOS, EOS, MAX_LEN) == greedy(_step(trained), 3, BOS, EOS, MAX_LEN)


def test_random_word_table_is_saved_with_the_model(tmp_path):
    torch.manual_seed(2)
    model = Seq2SeqCaptioner(_tiny(pretrained_words=False)).eval()
    assert model.frozen_names() == set()
    save_model(model, None, None, tmp_path)
    loaded = load_model(tmp_path)[0]
    assert torch.equal(loaded.word.weight, model.word.weight)


def test_rejects_inputs_it_cannot_read():
    model = Seq2SeqCaptioner(_tiny(pretrained_words=False)).eval()
    with pytest.raises(ValueError, match="max_tokens"):
        model.encode(torch.zeros(1, MAX_TOKENS + 1, dtype=torch.long), torch.tensor([MAX_TOKENS + 1]))
    with pytest.raises(ValueError, match="n_codes"):
        model.encode(torch.tensor([[N_CODES]]), torch.tensor([1]))
    with pytest.raises(ValueError, match="at least one"):
        model.encode(torch.tensor([[-1, -1]]), torch.tensor([2]))
    memory, pad = model.encode(CODES, N_TOKENS)
    with pytest.raises(ValueError, match="max_text_tokens"):
        model.next_logprobs(memory, pad, torch.full((1, 25), BOS), torch.tensor([0]))
    with pytest.raises(ValueError, match="divisible"):
        _tiny(width=30, heads=4)


def test_config_round_trips():
    cfg = _tiny(pretrained_words=False)
    assert Seq2SeqCaptionerConfig.from_dict(cfg.to_dict()) == cfg
    assert Seq2SeqCaptionerConfig.from_dict({**cfg.to_dict(), "from_a_newer_version": 1}) == cfg
