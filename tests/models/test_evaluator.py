"""The independent evaluator: embeddings that do not depend on padding or batch neighbours, a saved
model that loads back the same and stays small, and contrastive training that actually learns."""

from __future__ import annotations

import numpy as np
import torch

from lamp_core.cli import main
from lamp_core.models.evaluator import EvaluatorConfig, MotionTextEvaluator, evaluator_losses
from lamp_core.models.io import load_model, save_model
from tests.conftest import tiny_train

SMALL = EvaluatorConfig(text_hidden=16, motion_hidden=24, embed_dim=16, dropout=0.0, pretrained_words=False)


def _model(seed: int = 0) -> MotionTextEvaluator:
    torch.manual_seed(seed)
    return MotionTextEvaluator(SMALL).eval()


def test_motion_embedding_ignores_padding_and_neighbours():
    m = _model()
    short = torch.randn(1, 40, 263)
    padded = torch.cat([short, torch.randn(1, 60, 263)], 1)   # garbage past the end
    batch = torch.cat([padded, torch.randn(1, 100, 263)])
    with torch.no_grad():
        alone = m.motion_embedding(short, torch.tensor([40]))
        together = m.motion_embedding(batch, torch.tensor([40, 100]))
    torch.testing.assert_close(alone[0], together[0], atol=1e-5, rtol=1e-5)
    assert torch.allclose(together.norm(dim=-1), torch.ones(2), atol=1e-5)


def test_text_embedding_ignores_padding():
    m = _model()
    ids = torch.tensor([[101, 1037, 2711, 7365, 102, 0, 0], [101, 1037, 2711, 3216, 2830, 1012, 102]])
    valid = ids != 0
    with torch.no_grad():
        both = m.text_embedding(ids, valid)
        first = m.text_embedding(ids[:1, :5], valid[:1, :5])
    torch.testing.assert_close(both[0], first[0], atol=1e-5, rtol=1e-5)


def test_save_load_round_trip_keeps_embeddings(tmp_path):
    m = _model(3)
    mean, std = np.zeros(263, np.float32), np.ones(263, np.float32)
    save_model(m, mean, std, tmp_path / "ev")
    back, mean2, std2, model_id, kind = load_model(tmp_path / "ev")
    assert kind == "evaluator" and model_id.startswith("evaluator-")
    x = torch.randn(2, 32, 263)
    with torch.no_grad():
        torch.testing.assert_close(back.motion_embedding(x, torch.tensor([32, 20])),
                                   m.motion_embedding(x, torch.tensor([32, 20])))


def test_pretrained_word_table_is_not_saved(tmp_path):
    m = MotionTextEvaluator(EvaluatorConfig(text_hidden=16, motion_hidden=24, embed_dim=16))
    save_model(m, np.zeros(263), np.ones(263), tmp_path / "ev")
    size = (tmp_path / "ev" / "model.safetensors").stat().st_size
    assert size < 1_000_000, f"{size} bytes: the 30522 x 384 MiniLM table must not be stored"
    back, *_ = load_model(tmp_path / "ev")
    assert torch.equal(back.word.weight, m.word.weight)


def test_contrastive_training_separates_pairs():
    """Eight motions, each with its own caption: a few dozen steps make every pair its own best match."""
    torch.manual_seed(0)
    m = MotionTextEvaluator(SMALL)
    feats = torch.randn(8, 32, 263)
    lengths = torch.full((8,), 32)
    ids = torch.tensor([[101, 2000 + i, 3000 + i, 102] for i in range(8)])
    batch = {"feats": feats, "lengths": lengths, "ids": ids, "valid": ids != 0,
             "captions": [f"caption {i}" for i in range(8)]}
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=3e-3)
    first = float(evaluator_losses(m, batch)["loss"])
    for _ in range(60):
        loss = evaluator_losses(m, batch)["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
    m.eval()
    with torch.no_grad():
        sim = m.motion_embedding(feats, lengths) @ m.text_embedding(ids, ids != 0).T
    assert float(loss) < first / 2
    assert (sim.argmax(1) == torch.arange(8)).all()


def test_lamp_train_evaluator_on_the_synthetic_set(tiny_models, tmp_path):
    cfg = tmp_path / "ev.toml"
    cfg.write_text(tiny_train(3) + "[model]\nmax_frames = 64\ntext_hidden = 16\nmotion_hidden = 24\n"
                   "embed_dim = 16\npretrained_words = false\n")
    assert main(["train", "evaluator", "--data", str(tiny_models / "syn"), "--out", str(tmp_path / "ev"),
                 "--config", str(cfg)]) == 0
    model, mean, std, _, kind = load_model(tmp_path / "ev" / "model")
    assert kind == "evaluator" and mean.shape == (263,) and std.shape == (263,)
