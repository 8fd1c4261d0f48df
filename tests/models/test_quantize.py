"""Shipped weights in float16 or int8 come back as float32 close to what was trained: within half a
step of each row's int8 scale, normalisation stats exact, training-only statistics dropped."""

from __future__ import annotations

import pytest
import torch

from lamp_core.models.quantize import SCALE, compress, expand


def _weights():
    g = torch.Generator().manual_seed(0)
    return {"big.weight": torch.randn(512, 256, generator=g) * torch.linspace(0.01, 3, 512)[:, None],
            "small.bias": torch.randn(256, generator=g), "feature_mean": torch.randn(263, generator=g).double().float(),
            "codebook.code_sum": torch.randn(512, 256, generator=g), "steps": torch.arange(3)}


def test_int8_rows_stay_within_half_a_step_of_their_scale():
    w = _weights()
    stored = compress(w, "int8")
    assert stored["big.weight"].dtype == torch.int8 and ("big.weight" + SCALE) in stored
    assert stored["small.bias"].dtype == torch.float16
    assert "codebook.code_sum" not in stored                      # EMA statistics are for training only
    back = expand(stored)
    step = w["big.weight"].abs().amax(1, keepdim=True) / 127
    assert ((back["big.weight"] - w["big.weight"]).abs() <= 0.5 * step * 1.01 + 1e-6).all()
    assert torch.equal(back["feature_mean"], w["feature_mean"]) and torch.equal(back["steps"], w["steps"])
    assert SCALE not in "".join(back)


def test_float16_and_float32_storage():
    w = _weights()
    half = expand(compress(w, "float16"))
    assert half["big.weight"].dtype == torch.float16 and torch.allclose(half["big.weight"].float(), w["big.weight"],
                                                                        rtol=1e-3, atol=1e-4)
    assert torch.equal(expand(compress(w, "float32"))["big.weight"], w["big.weight"])
    with pytest.raises(ValueError, match="int8"):
        compress(w, "int4")
