"""LaMP on tiny synthetic data: the text path is MiniLM exactly, padding never changes an output,
hard negatives never include the positive, every loss goes down with finite gradients, and a short
fit retrieves each clip from its own caption."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from lamp_core.data.synthetic import synthetic_motion
from lamp_core.data.torch_dataset import Collate
from lamp_core.models.conv import ConvConfig
from lamp_core.models.io import load_model, save_model
from lamp_core.models.lamp import LaMP, LaMPConfig
from lamp_core.models.lamp_losses import lamp_losses, positives_mask, sample_hard_negatives
from lamp_core.retrieval import LaMPEncoder
from lamp_core.text.minilm import load_tokenizer, model_dir

# The full MiniLM text side (cut-down random or two-layer ones learn the contrastive task far
# slower) with a small motion encoder and short clips.
SMALL_CFG = LaMPConfig(max_frames=64, conv=ConvConfig(width=64, out_dim=64, depth=1), dropout=0.0)
N_CODES = 16
CLIPS = [("walk", "a person walks forward."), ("jump", "someone jumps up in place."),
         ("wave-left-hand", "a man waves his left hand."), ("squat", "a woman squats down and stands up."),
         ("kick-right", "a figure kicks with the right leg."), ("run", "a person runs fast."),
         ("raise-up-both-hands", "someone raises both arms overhead."), ("idle", "a man stands idle.")]


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer()


def _clip_features(n=8, frames=64, seed=0) -> list[np.ndarray]:
    return [synthetic_motion(c, seed=seed + i, seconds=4.0).features[:frames] for i, (c, _) in enumerate(CLIPS[:n])]


def _norm(feats: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    allf = np.concatenate(feats)
    return allf.mean(0).astype(np.float32), (allf.std(0) + 0.05).astype(np.float32)


def _batch(tokenizer, n=8, frames=64, seed=0):
    feats = _clip_features(n, frames, seed)
    mean, std = _norm(feats)
    items = [{"feats": torch.from_numpy(((f - mean) / std).astype(np.float32)), "length": len(f), "caption": cap,
              "index": i} for i, (f, (_, cap)) in enumerate(zip(feats, CLIPS))]
    return Collate(tokenizer)(items)


def test_text_path_is_minilm(tokenizer):
    from transformers import BertModel
    model = LaMP(SMALL_CFG).eval()
    hf = BertModel.from_pretrained(str(model_dir()), local_files_only=True).eval()
    t = tokenizer(["a person walks forward.", "someone waves the left hand happily, then jumps twice"],
                  padding=True, return_tensors="pt")
    with torch.no_grad():
        ours = model.text_states(t["input_ids"], t["attention_mask"].bool())
        theirs = hf(**t).last_hidden_state
    valid = t["attention_mask"].bool()
    assert (ours - theirs)[valid].abs().max() < 1e-4


def test_padding_never_changes_outputs(tokenizer):
    torch.manual_seed(0)
    model = LaMP(SMALL_CFG).eval()
    b = _batch(tokenizer, n=2)
    feats, lengths = b["feats"][:, :40], torch.tensor([40, 28])
    longer = torch.cat([feats, torch.randn(2, 24, 263) * 50], 1)  # garbage in 24 extra padded frames
    longer[1, 28:40] = torch.randn(12, 263) * 50                  # and in the second clip's own padding
    with torch.no_grad():
        a = model.query_embeddings(*model.encode_motion(feats, lengths))
        c = model.query_embeddings(*model.encode_motion(longer, lengths))
        alone = model.query_embeddings(*model.encode_motion(feats[1:, :28], lengths[1:]))
    assert torch.allclose(a, c, atol=1e-5) and torch.allclose(a[1:], alone, atol=1e-5)
    ids, valid = b["ids"], b["valid"]
    padded_ids = torch.cat([ids, torch.randint(1000, 2000, (2, 5))], 1)
    padded_valid = torch.cat([valid, torch.zeros(2, 5, dtype=torch.bool)], 1)
    with torch.no_grad():
        assert torch.allclose(model.text_embedding(ids, valid), model.text_embedding(padded_ids, padded_valid), atol=1e-5)


def test_hard_negatives_never_include_a_positive():
    g = torch.Generator().manual_seed(0)
    captions = ["a person walks.", "a person walks", "someone jumps.", "a man waves.", "A person  walks."]
    pos = positives_mask(captions)
    assert pos[0, 1] and pos[0, 4] and not pos[0, 2]
    sim = torch.eye(5) * 10 + pos.float() * 5  # positives are by far the most similar: the official code picks them
    for _ in range(200):
        idx, has = sample_hard_negatives(sim, pos, g)
        assert has.all() and not pos[torch.arange(5), idx].any()
    idx, has = sample_hard_negatives(torch.zeros(2, 2), torch.ones(2, 2, dtype=torch.bool), g)
    assert not has.any()  # nothing but positives: no negative, rather than a wrong one


@pytest.fixture(scope="module")
def fitted(tokenizer):
    """A small LaMP (full MiniLM text side, small motion encoder, a motion-token head) fitted for 40
    steps on 8 clips, with the losses of every step and a check that every gradient was finite."""
    torch.manual_seed(0)
    model = LaMP(dataclasses.replace(SMALL_CFG, n_codes=N_CODES))
    batch = _batch(tokenizer)
    # motion-token targets: a fixed code sequence per clip, -1 past a shorter clip's end
    batch["codes"] = (torch.arange(8)[:, None] * 3 + torch.arange(16)[None]) % N_CODES
    batch["codes"][0, 12:] = -1
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-4)
    g = torch.Generator().manual_seed(0)
    history, finite = [], True
    for _ in range(40):
        out = lamp_losses(model, batch, generator=g)
        opt.zero_grad()
        out["loss"].backward()
        finite &= all(bool(torch.isfinite(p.grad).all()) for p in model.parameters() if p.grad is not None)
        opt.step()
        history.append({k: v.item() for k, v in out.items()})
    return model.eval(), history, finite


def test_every_loss_decreases_with_finite_gradients(fitted):
    model, history, finite = fitted
    assert finite
    for k in ("contrastive", "contrastive_mean", "matching", "generation", "motion_tokens"):
        assert np.mean([h[k] for h in history[-3:]]) < history[0][k], k
    assert model.embeddings.word.weight.grad is None  # MiniLM's word embeddings stay frozen


def test_text_predicts_motion_tokens_and_conditions_generation(fitted, tokenizer):
    model, history, _ = fitted
    assert history[-1]["motion_tokens_acc"] > history[0]["motion_tokens_acc"]
    batch = _batch(tokenizer)
    with torch.no_grad():
        cond, queries = model.text_condition(batch["ids"], batch["valid"])
        logits = model.motion_token_logits(batch["ids"], batch["valid"])
    assert cond.shape == (8, model.shape.hidden) and queries.shape == (8, model.cfg.n_query, model.shape.hidden)
    assert logits.shape == (8, model.cfg.n_query, N_CODES)
    with pytest.raises(ValueError, match="without a tokenizer"):
        LaMP(SMALL_CFG).text_condition(batch["ids"], batch["valid"])


def test_short_fit_retrieves_each_clip_from_its_caption(fitted, tmp_path):
    model = fitted[0]
    feats = _clip_features()
    mean, std = _norm(feats)
    save_model(model, mean, std, tmp_path / "m")
    enc = LaMPEncoder.load(tmp_path / "m")
    vectors = enc.embed_features(feats)
    for i, (_, caption) in enumerate(CLIPS):
        assert enc.text_to_motion(caption, vectors, top=1)[0][0] == i, caption
    hits = enc.text_to_motion(CLIPS[2][1], vectors, top=3)
    reranked = enc.rerank(CLIPS[2][1], hits, [feats[i] for i, _ in hits])
    assert sorted(h[0] for h in reranked) == sorted(h[0] for h in hits)
    _, _, _, mid, kind = load_model(tmp_path / "m")
    assert kind == "lamp" and mid == enc.model_id


def test_saved_model_leaves_out_minilm_word_embeddings(tmp_path):
    from safetensors import safe_open
    save_model(LaMP(SMALL_CFG), np.zeros(263), np.ones(263), tmp_path / "m")
    with safe_open(str(tmp_path / "m" / "model.safetensors"), "pt") as f:
        keys = set(f.keys())
    assert "embeddings.word.weight" not in keys and "layers.0.self_attn.query.weight" in keys


def test_retrieval_metrics_follow_the_protocol():
    from lamp_core.eval.retrieval import evaluate, ranks
    sim = np.eye(4) + 0.1
    sim[0, 1] = 2.0   # text 1 prefers motion 0; motion 0 prefers text 1
    t2m, m2t = ranks(sim)
    assert list(t2m) == [1, 2, 1, 1] and list(m2t) == [2, 1, 1, 1]
    rep = evaluate(np.eye(100) + np.random.default_rng(0).normal(0, 0.01, (100, 100)), batch=32, repeats=20)
    assert rep.protocol["t2m"]["R@1"][0] == 100.0 and rep.full["m2t"]["MedR"] == 1.0 and rep.repeats == 20
    rnd = evaluate(np.random.default_rng(1).normal(size=(320, 320)), batch=32, repeats=20)
    assert 0 < rnd.protocol["t2m"]["R@1"][0] < 10  # chance is 1/32 = 3.1%


def test_lora_lamp_ships_only_its_adapters_and_reloads_exactly(tokenizer, tmp_path):
    cfg = dataclasses.replace(SMALL_CFG, lora_rank=4)
    model = LaMP(cfg)
    full = LaMP(SMALL_CFG)
    batch = _batch(tokenizer)
    with torch.no_grad():   # adapters start at zero: the text path is still exactly MiniLM
        assert torch.allclose(model.text_states(batch["ids"], batch["valid"]),
                              full.text_states(batch["ids"], batch["valid"]), atol=1e-5)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable < 0.5 * sum(p.numel() for p in full.parameters() if p.requires_grad)
    out = lamp_losses(model, batch)
    out["loss"].backward()
    assert model.layers[0].self_attn.query.weight.grad is None          # MiniLM's matrices stay frozen
    assert model.layers[0].self_attn.query.lora_a.grad is not None
    with torch.no_grad():
        model.layers[0].self_attn.query.lora_b.add_(0.01)                 # a trained adapter
    save_model(model, np.zeros(263), np.ones(263), tmp_path / "lora")
    loaded, *_ = load_model(tmp_path / "lora", expect="lamp")
    from safetensors.numpy import load_file
    saved = load_file(str(tmp_path / "lora" / "model.safetensors"))
    assert not any(k.endswith("self_attn.query.weight") for k in saved)   # frozen weights are re-read, not saved
    model.eval()
    with torch.no_grad():
        assert torch.allclose(model.text_embedding(batch["ids"], batch["valid"]),
                              loaded.text_embedding(batch["ids"], batch["valid"]), atol=1e-5)


def test_a_model_refuses_other_minilm_weights_than_it_was_trained_on(tmp_path):
    import json

    from lamp_core.errors import LampError
    save_model(LaMP(SMALL_CFG), np.zeros(263), np.ones(263), tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert len(meta["text_model_sha256"]) == 16
    load_model(tmp_path / "m")
    meta["text_model_sha256"] = "0" * 16
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    with pytest.raises(LampError, match="other MiniLM weights"):
        load_model(tmp_path / "m")
