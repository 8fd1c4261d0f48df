"""The length estimator: a short fit learns a toy condition -> length map, and every prediction is
a whole number of motion tokens within the frames the generator can produce."""

from __future__ import annotations

import torch

from lamp_core.models.length import (
    LengthEstimator,
    LengthEstimatorConfig,
    bins_to_frames,
    frames_to_bins,
    length_loss,
    predict_frames,
)

COND = 16
CFG = LengthEstimatorConfig(cond_dim=COND, hidden=64, dropout=0.0)


def test_fit_learns_a_toy_length_map():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    cond = torch.randn(8, COND, generator=g)
    frames = torch.tensor([40, 196, 4, 120, 64, 88, 160, 20])
    model = LengthEstimator(CFG)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(100):
        out = length_loss(model, cond, frames)
        opt.zero_grad()
        out["loss"].backward()
        assert torch.isfinite(torch.nn.utils.clip_grad_norm_(model.parameters(), float("inf")))
        opt.step()
        losses.append(out["loss"].item())
    assert losses[-1] < 0.2 * losses[0]
    assert torch.equal(predict_frames(model.eval(), cond), frames)


def test_predictions_are_whole_tokens_within_the_frame_range():
    torch.manual_seed(0)
    model = LengthEstimator(CFG).eval()
    cond = torch.randn(64, COND) * 5
    for out in (predict_frames(model, cond),
                predict_frames(model, cond, sample=True, generator=torch.Generator().manual_seed(0))):
        assert out.dtype == torch.long and out.shape == (64,)
        assert (out % 4 == 0).all() and (out >= 4).all() and (out <= 196).all()


def test_sampled_lengths_are_reproducible_from_the_generator_and_vary():
    torch.manual_seed(0)
    model = LengthEstimator(CFG).eval()
    cond = torch.randn(64, COND)
    run = lambda seed: predict_frames(model, cond, sample=True, generator=torch.Generator().manual_seed(seed))
    assert torch.equal(run(3), run(3))
    assert not torch.equal(run(3), run(4))


def test_frames_map_to_bins_of_whole_tokens():
    assert CFG.n_bins == 49 and LengthEstimatorConfig().n_bins == 49
    frames = torch.tensor([1, 4, 7, 8, 195, 196, 250])
    bins = frames_to_bins(CFG, frames)
    assert bins.tolist() == [0, 0, 0, 1, 47, 48, 48]
    assert bins_to_frames(CFG, bins).tolist() == [4, 4, 4, 8, 192, 196, 196]


def test_config_round_trips_and_ignores_unknown_keys():
    d = CFG.to_dict()
    assert LengthEstimatorConfig.from_dict(d) == CFG
    assert LengthEstimatorConfig.from_dict({**d, "bins": 3}) == CFG
