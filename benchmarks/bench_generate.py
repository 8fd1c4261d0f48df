"""Text -> 196-frame motion on 2 CPU threads, with and without the residual stage (median of 10 runs
after 2 warm-ups), and the process' peak memory.

Uses the bundle in $LAMP_BENCH_BUNDLE or assets/models/default when there is one; otherwise the same
architectures as configs/*.toml with untrained weights (speed does not depend on the weights).
The time covers the whole Engine.generate call: text features, length given (9.8 s), 10 decoding
steps with classifier-free guidance, the residual codebooks, the tokenizer decoder and joints.
"""

from __future__ import annotations

import os
import resource
import tomllib
from pathlib import Path

import torch

from .common import median_time

REPO = Path(__file__).resolve().parents[1]


def _model_cfg(name: str) -> dict:
    return tomllib.loads((REPO / "configs" / f"{name}.toml").read_text()).get("model", {})


def untrained_engine():
    from lamp_core.engine import Engine
    from lamp_core.generation.condition import TextConditioner
    from lamp_core.models.lamp import LaMP, LaMPConfig
    from lamp_core.models.length import LengthEstimator
    from lamp_core.models.vq import VQConfig
    from lamp_core.train.generation_training import build_generator
    from lamp_core.train.vq_training import build_tokenizer
    vq = build_tokenizer(_model_cfg("vq"))
    vq_cfg: VQConfig = vq.cfg
    lamp_cfg = {k: v for k, v in _model_cfg("lamp-cpu").items() if k != "conv"}
    lamp = LaMP(LaMPConfig(**lamp_cfg, n_codes=vq_cfg.n_codes))
    t2m = build_generator("t2m", _model_cfg("t2m"), vq_cfg, 384)
    res = build_generator("residual", _model_cfg("residual"), vq_cfg, 384)
    zeros = torch.zeros(263).numpy()
    return Engine(vq, zeros, zeros + 1, t2m, TextConditioner("lamp", lamp, "untrained"), residual=res,
                  length=LengthEstimator(), name="untrained")


def run() -> list[dict]:
    from lamp_core.engine import Engine, Sampling
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        bundle = os.environ.get("LAMP_BENCH_BUNDLE") or (REPO / "assets" / "models" / "default")
        trained = (Path(bundle) / "bundle.json").is_file()
        engine = Engine.load(bundle) if trained else untrained_engine()
        what = f"bundle {engine.name}" if trained else "untrained, configs/*.toml sizes"
        rows = []
        for residual in (True, False):
            s = Sampling(**{**engine.sampling.__dict__, "residual": residual})
            t = median_time(lambda: engine.generate("a person walks forward and waves", seconds=9.8, seed=0,
                                                    sampling=s), repeats=10, warmup=2)
            stage = "with residual" if residual else "coarse codebook only"
            rows.append({"name": f"text -> 196-frame motion, {stage} (2 threads, {what})", "seconds": t,
                         "per_s": 196 / t, "unit": "frames/s"})
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append({"name": f"generation: peak memory of the process {peak_mb:,.0f} MB (RSS)", "seconds": 0.0,
                     "per_s": peak_mb, "unit": "MB"})
        return rows
    finally:
        torch.set_num_threads(threads)
