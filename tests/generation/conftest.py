"""A tiny but complete model bundle trained on the synthetic set in well under a minute: tokenizer,
masked and residual transformers, length estimator and text -> pose, conditioned on frozen MiniLM
(the LaMP-conditioned path is exercised end to end in tests/test_generate_cli.py)."""

from __future__ import annotations

import pytest

from lamp_core.cli import main
from lamp_core.generation.bundle import make_bundle
from lamp_core.train.config import TrainConfig
from lamp_core.train.generation_training import train_generator
from lamp_core.train.run_config import Run
from lamp_core.train.vq_training import train_tokenizer


def _train(steps: int, batch: int = 16, lr: float = 2e-3) -> TrainConfig:
    return TrainConfig(max_steps=steps, batch_size=batch, lr=lr, warmup_steps=5, eval_every=0, checkpoint_every=0,
                       log_every=0, device="cpu", select_metric=None)


TINY_T = {"width": 64, "layers": 2, "heads": 4, "ff": 128, "dropout": 0.0}


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    assert main(["data", "synthetic", "--out", str(root / "syn"), "--n", "40", "--quiet"]) == 0
    data = root / "syn"
    vq = Run("vq", train=_train(150, 16), model={"n_codes": 32, "n_quantizers": 3,
                                                  "conv": {"width": 64, "out_dim": 64, "depth": 2}},
             loss={"window": 32})
    _, vq_dir = train_tokenizer(vq, data, root / "vq")
    inputs = {"tokenizer": str(vq_dir), "condition": "minilm"}
    parts = {"vq": vq_dir}
    for kind, model, steps in (("t2m", TINY_T, 150), ("residual", TINY_T, 60), ("length", {"hidden": 64}, 60),
                               ("pose", {"hidden": 64, "latent": 8}, 60)):
        _, parts[kind] = train_generator(Run(kind, train=_train(steps), model=model, inputs=inputs), data, root / kind)
    return make_bundle(root / "bundle", parts, name="tiny", notes={"sampling": {"guidance": 2.0}})
