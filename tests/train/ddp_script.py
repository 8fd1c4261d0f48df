"""Run by test_trainer under ``torchrun --nproc_per_node 2`` (gloo on CPU); not a test module itself.

``own <out>``: the Trainer creates and destroys the process group; each rank writes its parameter hashes
before and after training to ``<out>/hash_<rank>.txt``.
``shared <out>``: the script owns the group and calls fit twice: first a run whose loss turns NaN on rank 1
only (every rank must stop with a LampError, not hang: ``nan_<rank>.txt``), then a normal run.
"""

from __future__ import annotations

import faulthandler
import os
import sys

import torch
import torch.distributed as dist
from tiny_task import NoisyLinearSet, TinyNet, mse_loss, param_hash, tiny_config

from lamp_core.errors import LampError
from lamp_core.train import Trainer, seed_everything

CFG = dict(max_steps=6, eval_every=0, checkpoint_every=0, log_every=2)


def nan_on_rank1_at_step3(model, batch, calls={"n": 0}):  # noqa: B006  (a per-process call counter)
    calls["n"] += 1
    out = mse_loss(model, batch)
    if calls["n"] == 3 and os.environ["RANK"] == "1":
        out["loss"] = out["loss"] + float("nan")
    return out


def train_and_hash(out: str, rank: int) -> None:
    seed_everything(100 + rank)  # deliberately different inits: DDP must start every rank from rank 0's
    model = TinyNet(batchnorm=False)
    init = param_hash(model)
    result = Trainer(model, NoisyLinearSet(), mse_loss, os.path.join(out, "run"), tiny_config(**CFG)).fit()
    with open(os.path.join(out, f"hash_{rank}.txt"), "w") as f:
        f.write(f"{init} {param_hash(model)} {result.steps} {os.environ['WORLD_SIZE']}\n")


def main(mode: str, out: str) -> None:
    faulthandler.enable(all_threads=True)  # a crashing rank says where
    faulthandler.dump_traceback_later(100, exit=True)  # a hung rank says where, then exits
    torch.set_num_threads(1)
    rank = int(os.environ["RANK"])
    if mode == "own":
        train_and_hash(out, rank)
        with open(os.path.join(out, f"group_{rank}.txt"), "w") as f:
            f.write(str(dist.is_initialized()))
        return
    dist.init_process_group("gloo")
    try:
        Trainer(TinyNet(batchnorm=False), NoisyLinearSet(), nan_on_rank1_at_step3, os.path.join(out, "nan"),
                tiny_config(**CFG)).fit()
        message = "no error"
    except LampError as e:
        message = str(e)
    with open(os.path.join(out, f"nan_{rank}.txt"), "w") as f:
        f.write(message)
    train_and_hash(out, rank)  # the group survives a stopped run and is reused
    assert dist.is_initialized()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
