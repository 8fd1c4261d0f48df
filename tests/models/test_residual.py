"""The residual transformer on tiny configs: it only sees the codebooks coarser than the one it
predicts, padding never changes an output, and a short fit on toy data (codebook q a function of
codebook 0) is generated back, with codebook 0 passed through unchanged."""

from __future__ import annotations

import pytest
import torch

from lamp_core.errors import Cancelled
from lamp_core.models.residual import (
    ResidualTransformer,
    ResidualTransformerConfig,
    generate_residual,
    residual_loss,
)

B, N, Q, CODES, COND = 8, 10, 4, 16, 16
LENGTHS = torch.tensor([10, 8, 6, 10, 7, 9, 10, 5])


def _cfg(**kw) -> ResidualTransformerConfig:
    base = {"n_codes": CODES, "n_quantizers": Q, "max_tokens": N + 4, "width": 64, "layers": 2, "heads": 4,
            "ff": 128, "dropout": 0.0, "cond_dim": COND, "cond_drop": 0.2}
    return ResidualTransformerConfig(**{**base, **kw})


def _valid() -> torch.Tensor:
    return torch.arange(N)[None] < LENGTHS[:, None]


def _toy(seed=0):
    """Random codebook 0; codebook q = (3 * code0 + 5 * q) mod CODES at each position."""
    g = torch.Generator().manual_seed(seed)
    cond = torch.randn(B, COND, generator=g)
    code0 = torch.randint(0, CODES, (B, N), generator=g)
    codes = torch.stack([(3 * code0 + 5 * q) % CODES if q else code0 for q in range(Q)], -1)  # (B, N, Q)
    return cond, codes


def _model(seed=0) -> ResidualTransformer:
    torch.manual_seed(seed)
    return ResidualTransformer(_cfg()).eval()


@pytest.fixture(scope="module")
def fitted():
    torch.manual_seed(0)
    model = ResidualTransformer(_cfg())
    g = torch.Generator().manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses, grads_finite = [], True
    for step in range(120):
        cond, codes = _toy(seed=step % 16)  # fresh codebook-0 sequences: the rule must be learned
        out = residual_loss(model, codes, LENGTHS, cond, generator=g)
        opt.zero_grad()
        out["loss"].backward()
        grads_finite &= bool(torch.isfinite(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)))
        opt.step()
        losses.append(out["loss"].item())
    return model.eval(), losses, grads_finite


@pytest.mark.parametrize("q", [1, 2, 3])
def test_prediction_of_codebook_q_never_sees_codebooks_q_and_finer(q):
    model = _model()
    cond, codes = _toy()
    other = codes.clone()
    other[..., q:] = (codes[..., q:] + 7) % CODES
    coarser = codes.clone()
    coarser[..., q - 1] = (codes[..., q - 1] + 7) % CODES
    qs = torch.full((B,), q)
    with torch.no_grad():
        ref = model(codes, qs, cond, LENGTHS)
        assert torch.allclose(model(other, qs, cond, LENGTHS), ref, atol=1e-6)
        assert not torch.allclose(model(coarser, qs, cond, LENGTHS), ref, atol=1e-6)


def test_padding_never_changes_outputs_at_valid_positions():
    model = _model()
    cond, codes = _toy()
    qs = torch.tensor([1, 2, 3, 1, 2, 3, 1, 2])
    garbage = codes.clone()
    garbage[~_valid()] = CODES + 1  # out-of-range ids past the length are never looked up
    longer = torch.cat([garbage, torch.full((B, 3, Q), -1)], 1)
    with torch.no_grad():
        ref = model(codes, qs, cond, LENGTHS)
        for c in (garbage, longer):
            assert torch.allclose(model(c, qs, cond, LENGTHS)[:, :N][_valid()], ref[_valid()], atol=1e-5)


def test_fit_lowers_the_loss_with_finite_gradients(fitted):
    _, losses, grads_finite = fitted
    assert grads_finite
    first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
    assert last < 0.3 * first, (first, last)


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_generate_residual_reproduces_the_rule_and_keeps_codebook_0(fitted, temperature):
    model, _, _ = fitted
    cond, codes = _toy(seed=99)  # codebook-0 sequences never seen in training
    out = generate_residual(model, codes[..., 0], cond, LENGTHS, temperature=temperature,
                            generator=torch.Generator().manual_seed(0))
    assert out.shape == (B, N, Q) and out.dtype == torch.long
    assert torch.equal(out[..., 0][_valid()], codes[..., 0][_valid()])
    acc = (out[..., 1:] == codes[..., 1:])[_valid()].float().mean().item()
    assert acc >= 0.9, acc
    assert (out[~_valid()] == 0).all()


def test_sampling_is_reproducible_from_the_generator():
    model = _model()
    cond, codes = _toy()
    run = lambda seed: generate_residual(model, codes[..., 0], cond, LENGTHS,
                                         generator=torch.Generator().manual_seed(seed))
    assert torch.equal(run(0), run(0))
    assert not torch.equal(run(0), run(1))


def test_cancel_raises_before_the_next_codebook():
    model = _model()
    cond, codes = _toy()
    asked = []
    with pytest.raises(Cancelled):
        generate_residual(model, codes[..., 0], cond, LENGTHS, cancel=lambda: asked.append(1) or len(asked) > 1)
    assert len(asked) == 2


def test_config_round_trips_and_ignores_unknown_keys():
    cfg = _cfg()
    d = cfg.to_dict()
    assert ResidualTransformerConfig.from_dict(d) == cfg
    assert ResidualTransformerConfig.from_dict({**d, "share_weights": True}) == cfg
    assert ResidualTransformerConfig.from_dict({}) == ResidualTransformerConfig()
