"""The masked transformer on tiny configs: each attention mode hides (or fails to hide) exactly what
it should, padding never changes an output, a short fit on a toy dataset is generated back, and
generation is reproducible, keeps known tokens, reports progress and can be cancelled."""

from __future__ import annotations

import pytest
import torch

from lamp_core.errors import Cancelled, LampError
from lamp_core.models.masked import (
    MaskedTransformer,
    MaskedTransformerConfig,
    generate,
    guided_logits,
    masked_loss,
)

B, N, CODES, COND = 8, 12, 16, 16
LENGTHS = torch.tensor([12, 10, 8, 12, 9, 11, 12, 7])


def _cfg(**kw) -> MaskedTransformerConfig:
    base = {"n_codes": CODES, "max_tokens": N + 4, "width": 64, "layers": 2, "heads": 4, "ff": 128,
            "dropout": 0.0, "cond_dim": COND, "cond_drop": 0.1}
    return MaskedTransformerConfig(**{**base, **kw})


def _model(attention="causal", seed=0) -> MaskedTransformer:
    torch.manual_seed(seed)
    return MaskedTransformer(_cfg(attention=attention)).eval()


def _toy(seed=0):
    """8 condition vectors, each with its own fixed code sequence (a deterministic cond -> codes map)."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(B, COND, generator=g), torch.randint(0, CODES, (B, N), generator=g)


@pytest.fixture(scope="module")
def fitted():
    torch.manual_seed(0)
    model = MaskedTransformer(_cfg(attention="causal"))
    cond, codes = _toy()
    g = torch.Generator().manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses, grads_finite = [], True
    for _ in range(300):
        out = masked_loss(model, codes, LENGTHS, cond, generator=g)
        opt.zero_grad()
        out["loss"].backward()
        grads_finite &= bool(torch.isfinite(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)))
        opt.step()
        losses.append(out["loss"].item())
    return model.eval(), cond, codes, losses, grads_finite


def _valid() -> torch.Tensor:
    return torch.arange(N)[None] < LENGTHS[:, None]


def _changed_before(attention: str, j: int) -> tuple[bool, bool]:
    """Change the token at position j; report whether logits at positions < j and > j changed."""
    model = _model(attention)
    cond, codes = _toy()
    lengths = torch.full((B,), N)
    other = codes.clone()
    other[:, j] = (codes[:, j] + 1) % CODES
    with torch.no_grad():
        a, b = model(codes, cond, lengths), model(other, cond, lengths)
    before = not torch.allclose(a[:, :j], b[:, :j], atol=1e-6)
    after = not torch.allclose(a[:, j + 1:], b[:, j + 1:], atol=1e-6)
    return before, after


def test_causal_mode_never_lets_a_token_see_later_ones():
    before, after = _changed_before("causal", 6)
    assert not before and after


def test_bidirectional_mode_sees_later_tokens():
    before, after = _changed_before("bidirectional", 6)
    assert before and after


def test_additive_mode_leaks_later_tokens_like_the_official_code():
    # the official code passes a 0/1 float matrix as attn_mask: added to the logits, it only
    # down-weights later tokens, so "causal" there is not causal at all
    before, after = _changed_before("additive", 6)
    assert before and after


@pytest.mark.parametrize("attention", ["bidirectional", "causal", "additive"])
def test_padding_never_changes_outputs_at_valid_positions(attention):
    model = _model(attention)
    cond, codes = _toy()
    codes[~_valid()] = 0
    garbage = codes.clone()
    garbage[~_valid()] = torch.randint(0, CODES + 2, (int((~_valid()).sum()),))
    longer = torch.cat([garbage, torch.randint(0, CODES + 2, (B, 3))], 1)  # 3 more padded steps
    with torch.no_grad():
        ref = model(codes, cond, LENGTHS)
        for ids in (garbage, longer):
            out = model(ids, cond, LENGTHS)[:, :N]
            assert torch.allclose(out[_valid()], ref[_valid()], atol=1e-5)


def test_condition_changes_the_prediction_and_a_dropped_one_does_not_depend_on_it():
    model = _model("bidirectional")
    cond, codes = _toy()
    drop = torch.ones(B, dtype=torch.bool)
    with torch.no_grad():
        assert not torch.allclose(model(codes, cond, LENGTHS), model(codes, cond * 2, LENGTHS))
        assert torch.allclose(model(codes, cond, LENGTHS, drop), model(codes, cond * 2, LENGTHS, drop))


def test_guidance_is_uncond_plus_scale_times_cond_minus_uncond():
    model = _model("causal")
    cond, codes = _toy()
    with torch.no_grad():
        c = model(codes, cond, LENGTHS)
        u = model(codes, cond, LENGTHS, torch.ones(B, dtype=torch.bool))
        guided = guided_logits(model, (codes, cond, LENGTHS), 3.0)
        plain = guided_logits(model, (codes, cond, LENGTHS), 1.0)
    assert torch.allclose(guided, u + 3.0 * (c - u), atol=1e-4)
    assert torch.allclose(plain, c, atol=1e-6)


def test_loss_is_reproducible_from_the_generator():
    model = _model("causal")
    cond, codes = _toy()
    a = masked_loss(model, codes, LENGTHS, cond, generator=torch.Generator().manual_seed(5))["loss"]
    b = masked_loss(model, codes, LENGTHS, cond, generator=torch.Generator().manual_seed(5))["loss"]
    c = masked_loss(model, codes, LENGTHS, cond, generator=torch.Generator().manual_seed(6))["loss"]
    assert a.item() == b.item() and a.item() != c.item()


def test_fit_lowers_the_loss_with_finite_gradients(fitted):
    _, _, _, losses, grads_finite = fitted
    assert grads_finite
    first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
    assert last < 0.3 * first, (first, last)


def test_generate_reproduces_the_fitted_codes(fitted):
    model, cond, codes, _, _ = fitted
    out = generate(model, cond, LENGTHS, steps=10, guidance=1.0, temperature=1.0,
                   generator=torch.Generator().manual_seed(1))
    assert out.shape == (B, N)
    acc = (out == codes)[_valid()].float().mean().item()
    assert acc >= 0.9, acc


@pytest.mark.parametrize("attention", ["bidirectional", "causal", "additive"])
def test_same_seed_same_motion_different_seed_different_motion(attention):
    model = _model(attention)
    cond, _ = _toy()
    run = lambda seed: generate(model, cond, LENGTHS, generator=torch.Generator().manual_seed(seed))
    a = run(0)
    assert torch.equal(a, run(0))
    assert not torch.equal(a, run(1))


def test_known_tokens_are_returned_unchanged_and_padding_is_zero(fitted):
    model, cond, codes, _, _ = fitted
    known = torch.full((B, N), -1)
    keep = torch.rand(B, N, generator=torch.Generator().manual_seed(3)) < 0.4
    other = (codes + 5) % CODES  # codes the model would never produce on its own
    known[keep] = other[keep]
    out = generate(model, cond, LENGTHS, known=known, generator=torch.Generator().manual_seed(0))
    assert torch.equal(out[keep & _valid()], other[keep & _valid()])
    assert (out[~_valid()] == 0).all()
    assert ((out >= 0) & (out < CODES)).all()


def test_progress_is_reported_each_step_and_cancel_stops_the_job():
    model = _model("causal")
    cond, _ = _toy()
    calls = []
    generate(model, cond, LENGTHS, steps=7, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k, 7) for k in range(1, 8)]

    asked, calls = [], []
    with pytest.raises(Cancelled) as e:
        generate(model, cond, LENGTHS, steps=7, progress=lambda d, t: calls.append(d),
                 cancel=lambda: asked.append(1) or len(asked) > 3)
    assert isinstance(e.value, LampError)
    assert calls == [1, 2, 3]


def test_config_round_trips_and_ignores_unknown_keys():
    cfg = _cfg(attention="additive")
    d = cfg.to_dict()
    assert MaskedTransformerConfig.from_dict(d) == cfg
    assert MaskedTransformerConfig.from_dict({**d, "from_the_future": 1}) == cfg
    assert (cfg.mask_id, cfg.pad_id) == (CODES, CODES + 1)
    with pytest.raises(ValueError):
        _cfg(attention="sideways")
