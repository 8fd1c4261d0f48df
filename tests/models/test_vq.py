"""The residual VQ tokenizer: padding never changes codes, dead codes come back, more codebooks
reconstruct better, a short fit on synthetic motions gets the joints within centimetres, and the
folder it is saved to loads back to the same codes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lamp_core.data.layout import Entry
from lamp_core.data.synthetic import SYNTHETIC_CONTENTS, synthetic_motion
from lamp_core.eval.vq_eval import evaluate_tokenizer
from lamp_core.models.conv import ConvConfig
from lamp_core.models.io import load_model, save_model
from lamp_core.models.vq import RVQVAE, EMACodebook, VQConfig, vq_losses

TINY = VQConfig(conv=ConvConfig(width=64, out_dim=32, depth=2, dropout=0.0), n_codes=32, n_quantizers=3,
                quantizer_dropout=0.2, ema_decay=0.9)


def _features(n=8, seconds=4.0):
    return [synthetic_motion(c, seed=i, seconds=seconds).features.astype(np.float32)
            for i, c in enumerate(SYNTHETIC_CONTENTS[:n])]


def _norm(feats):
    allf = np.concatenate(feats)
    return allf.mean(0).astype(np.float32), (allf.std(0) + 0.05).astype(np.float32)


def _batch(feats, mean, std, frames=64):
    x = torch.stack([torch.from_numpy((f[:frames] - mean) / std) for f in feats])
    return {"feats": x, "lengths": torch.full((len(feats),), frames)}


@pytest.fixture(scope="module")
def fitted():
    """A tiny tokenizer fitted for 300 steps on 8 synthetic motions (a few seconds on a CPU)."""
    torch.manual_seed(0)
    feats = _features()
    mean, std = _norm(feats)
    model = RVQVAE(TINY)
    opt = torch.optim.AdamW(model.parameters(), 2e-3)
    g = torch.Generator().manual_seed(0)
    losses = []
    for step in range(300):
        starts = torch.randint(0, 64 - 32 + 1, (1,), generator=g).item()
        batch = _batch([f[starts:] for f in feats], mean, std, frames=32)
        out = vq_losses(model, batch, generator=g)
        opt.zero_grad()
        out["loss"].backward()
        assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
        opt.step()
        losses.append(float(out["reconstruction"]))
    return model.eval(), feats, mean, std, losses


def test_reconstruction_improves_and_joints_come_back_within_centimetres(fitted):
    model, feats, mean, std, losses = fitted
    assert np.mean(losses[-20:]) < 0.4 * np.mean(losses[:20])
    entries = [Entry(name=str(i), features=f) for i, f in enumerate(feats)]
    rep = evaluate_tokenizer(model, entries, mean, std)
    assert rep.frames == sum(len(f) // 4 * 4 for f in feats)
    assert rep.mpjpe_local_mm < 60, rep.lines()
    assert rep.usage[0] > 2 / TINY.n_codes  # more than one code in use


def test_more_codebooks_reconstruct_better(fitted):
    model, feats, mean, std, _ = fitted
    batch = _batch(feats, mean, std)
    with torch.no_grad():
        codes, steps = model.encode(batch["feats"], batch["lengths"])
        errs = [float((model.decode(codes[..., :q], steps) - batch["feats"]).abs().mean())
                for q in range(1, TINY.n_quantizers + 1)]
    assert errs[-1] < errs[0]


def test_decode_of_encode_is_the_forward_pass(fitted):
    model, feats, mean, std, _ = fitted
    batch = _batch(feats, mean, std)
    with torch.no_grad():
        recon, codes, _ = model(batch["feats"], batch["lengths"])
        codes2, steps = model.encode(batch["feats"], batch["lengths"])
        assert torch.equal(codes, codes2)
        assert torch.allclose(model.decode(codes2, steps), recon, atol=1e-5)
    assert codes.shape == (len(feats), 16, TINY.n_quantizers)
    assert int(codes.min()) >= 0 and int(codes.max()) < TINY.n_codes


def test_padding_never_changes_codes_or_reconstruction(fitted):
    model, feats, mean, std, _ = fitted
    short = _batch(feats[:2], mean, std, frames=40)
    padded = torch.cat([short["feats"], torch.randn(2, 24, short["feats"].shape[-1]) * 5], 1)
    with torch.no_grad():
        c1, s1 = model.encode(short["feats"], short["lengths"])
        c2, s2 = model.encode(padded, short["lengths"])
        assert torch.equal(s1, s2)
        assert torch.equal(c1, c2[:, : c1.shape[1]])
        assert (c2[:, c1.shape[1]:] == -1).all()  # padding gets no codes
        assert torch.allclose(model.decode(c1, s1), model.decode(c2, s2)[:, :40], atol=1e-5)


def test_dead_codes_are_reseeded_from_the_data():
    torch.manual_seed(0)
    book = EMACodebook(8, 4, decay=0.5)
    data = torch.randn(64, 4) + 10.0  # far from anything
    book.update(data, book.nearest(data))           # first call: codes start at data rows
    book.codes[3] = -100.0                          # a code nobody will pick
    book.code_sum[3] = -100.0
    for _ in range(10):
        book.update(data, book.nearest(data))
    assert (book.codes - 10.0).abs().max() < 6.0    # every code, the dead one included, lives near the data
    assert (book.code_count >= 1.0).all() or (book.code_count > 0).all()


def test_saved_tokenizer_loads_back_to_the_same_codes(fitted, tmp_path):
    model, feats, mean, std, _ = fitted
    save_model(model, mean, std, tmp_path / "vq")
    loaded, m2, s2, model_id, kind = load_model(tmp_path / "vq", expect="vq")
    assert kind == "vq" and model_id.startswith("vq-")
    np.testing.assert_array_equal(m2, mean)
    batch = _batch(feats, mean, std)
    with torch.no_grad():
        assert torch.equal(model.encode(batch["feats"], batch["lengths"])[0],
                           loaded.encode(batch["feats"], batch["lengths"])[0])


def test_config_round_trips():
    assert VQConfig.from_dict(TINY.to_dict()) == TINY
    assert TINY.unit == 4 and TINY.code_dim == 32
