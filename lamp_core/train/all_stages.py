"""``lamp train all``: every model of a bundle, in dependency order, into one folder, then the bundle.

Each stage trains into ``OUT/<stage>`` from ``CONFIGS/<stage>.toml`` (per-kind defaults when the file is
missing) and is finished when ``OUT/<stage>/model`` holds its export and ``OUT/<stage>/DONE`` is written;
a rerun skips finished stages and continues an interrupted one from its last checkpoint. Everything the
stages print also goes to ``OUT/train-all.log``. Under torchrun the process group is made once for all
stages (torch cannot re-create a destroyed one), every rank trains, rank 0 exports, and the ranks wait
for each other between stages, since a stage reads the models the one before exported.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import LampError
from .distributed import setup
from .run_config import CAPTION_KINDS, RETRIEVAL_KINDS, load_run


@dataclass(frozen=True)
class Stage:
    kind: str
    inputs: tuple[str, ...] = ()   # run inputs read from earlier stages: "tokenizer" (vq), "lamp"


STAGES = (
    Stage("vq"),
    Stage("lamp", ("tokenizer",)),
    Stage("t2m", ("tokenizer", "lamp")),
    Stage("residual", ("tokenizer", "lamp")),
    Stage("length", ("tokenizer", "lamp")),
    Stage("pose", ("tokenizer", "lamp")),
    Stage("captioner", ("lamp",)),
    Stage("caption-baseline", ("tokenizer",)),
    Stage("evaluator"),
)
STAGE_NAMES = tuple(s.kind for s in STAGES)
SOURCE = {"tokenizer": "vq", "lamp": "lamp"}   # input name -> the stage that makes it
DONE = "DONE"


def trainer_for(kind: str):
    """The train function of a model kind: (run, data_dir, out_dir) -> (TrainResult, model folder)."""
    if kind in RETRIEVAL_KINDS:
        from .retrieval_training import train_retrieval_model
        return train_retrieval_model
    if kind == "vq":
        from .vq_training import train_tokenizer
        return train_tokenizer
    if kind in CAPTION_KINDS:
        from .caption_training import train_captioner
        return train_captioner
    from .generation_training import train_generator
    return train_generator


class _Tee:
    """Writes to the console and the log file alike."""

    def __init__(self, stream, log):
        self.stream, self.log = stream, log

    def write(self, text: str) -> int:
        self.log.write(text)
        self.log.flush()
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()
        self.log.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


@contextlib.contextmanager
def _logged(path: Path, enabled: bool):
    if not enabled:
        yield
        return
    with open(path, "a", encoding="utf-8") as log, contextlib.redirect_stdout(_Tee(sys.stdout, log)), \
            contextlib.redirect_stderr(_Tee(sys.stderr, log)):
        yield


def stage_done(out: Path, kind: str) -> bool:
    return (out / kind / DONE).is_file() and (out / kind / "model" / "model.json").is_file()


def plan(only: list[str] | None, skip: list[str] | None) -> list[Stage]:
    for name in (only or []) + (skip or []):
        if name not in STAGE_NAMES:
            raise LampError(f"unknown stage {name!r}; stages are {', '.join(STAGE_NAMES)}")
    return [s for s in STAGES if (not only or s.kind in only) and s.kind not in (skip or [])]


def train_all(data: Path, out: Path, configs: Path | None = None, only: list[str] | None = None,
              skip: list[str] | None = None, device: str = "auto", steps: int | None = None,
              bundle_name: str = "lamp-studio", int8: bool = True) -> Path | None:
    """Train the planned stages into ``out`` and put everything finished into ``out/bundle``."""
    data, out = Path(data), Path(out)
    if not (data / "train.txt").is_file():
        raise LampError(f"{data}: not a HumanML3D-layout corpus (no train.txt); build one with 'lamp data build'")
    stages = plan(only, skip)
    ctx = setup(device)                        # one process group for every stage under torchrun
    try:
        if ctx.is_main:
            out.mkdir(parents=True, exist_ok=True)
        ctx.barrier()
        with _logged(out / "train-all.log", ctx.is_main):
            for stage in stages:
                _run_stage(stage, data, out, configs, device, steps, ctx)
            bundle = _bundle(out, bundle_name, int8) if ctx.is_main else None
        ctx.barrier()
        return bundle
    finally:
        ctx.close()


def _run_stage(stage: Stage, data: Path, out: Path, configs: Path | None, device: str, steps: int | None, ctx):
    if stage_done(out, stage.kind):
        if ctx.is_main:
            print(f"[train all] {stage.kind}: done already ({out / stage.kind / 'model'})", flush=True)
        return
    inputs = {}
    for name in stage.inputs:
        src = out / SOURCE[name] / "model"
        if not (src / "model.json").is_file():
            raise LampError(f"stage {stage.kind} needs the {SOURCE[name]} stage's model ({src}); train it first")
        inputs[name] = str(src)
    config = configs / f"{stage.kind}.toml" if configs else None
    if config is not None and not config.is_file():
        config = None
    run = load_run(stage.kind, config, inputs=inputs, max_steps=steps, device=device)
    if ctx.is_main:
        print(f"[train all] {stage.kind}: {run.train.max_steps} steps, batch {run.train.batch_size}, "
              f"config {config or 'built-in defaults'}, {time.strftime('%Y-%m-%d %H:%M:%S')}", flush=True)
    t0 = time.time()
    result, folder = trainer_for(stage.kind)(run, data, out / stage.kind)
    ctx.barrier()                              # rank 0 has exported before anyone reads the model
    if ctx.is_main:
        (out / stage.kind / DONE).write_text(json.dumps({"steps": result.steps, "seconds": round(time.time() - t0),
                                                         "device": str(ctx.device), "world_size": ctx.world_size}))
        print(f"[train all] {stage.kind}: finished in {(time.time() - t0) / 60:.1f} min -> {folder}", flush=True)


def _bundle(out: Path, name: str, int8: bool) -> Path | None:
    from ..generation.bundle import PARTS, REQUIRED, make_bundle
    parts = {k: out / k / "model" for k in PARTS if stage_done(out, k)}
    if not all(k in parts for k in REQUIRED):
        print(f"[train all] no bundle yet: {', '.join(k for k in REQUIRED if k not in parts)} not trained", flush=True)
        return None
    folder = make_bundle(out / "bundle", parts, name=name, weights="int8" if int8 else None)
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"[train all] bundle {folder}: {', '.join(sorted(parts))} ({size / 1e6:.1f} MB)", flush=True)
    return folder
