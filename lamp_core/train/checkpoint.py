"""Checkpoints without pickle: tensors in safetensors, everything else in JSON, each file replaced atomically.

A run directory holds ``last.safetensors`` / ``best.safetensors`` (trainable weights only, so frozen
pretrained parts are not copied), ``resume.safetensors`` + ``resume.json`` (optimiser moments, schedule step,
best metric, data position), ``config.json`` and ``metrics.jsonl``. The three "last" files are written in
that order and each carries the step, so a crash between them is detected instead of resuming from a mix.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from lamp_core.errors import LampError
from lamp_core.formats.atomic import atomic_write_text

LAST, BEST = "last.safetensors", "best.safetensors"
RESUME_TENSORS, RESUME_JSON = "resume.safetensors", "resume.json"
CONFIG, METRICS = "config.json", "metrics.jsonl"
FORMAT = "lamp-train-resume/1"


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, allow_nan=True) + "\n")


def save_tensors(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any] | None = None) -> None:
    """safetensors via a temp file in the same folder and os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        # own, contiguous CPU copies: safetensors refuses tensors that share storage (views, tied buffers)
        cpu = {k: (v.detach().cpu() if v.is_cuda else v.detach().clone()).contiguous() for k, v in tensors.items()}
        save_file(cpu, tmp, metadata={k: str(v) for k, v in (meta or {}).items()})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_meta(path: Path) -> dict[str, str]:
    with safe_open(str(path), framework="pt") as f:
        return dict(f.metadata() or {})


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The user's module inside DistributedDataParallel / torch.compile wrappers."""
    while True:
        if isinstance(model, torch.nn.parallel.DistributedDataParallel):
            model = model.module
        elif isinstance(getattr(model, "_orig_mod", None), torch.nn.Module):
            model = model._orig_mod
        else:
            return model


def trainable_state(model: torch.nn.Module, trainable_ids: set[int]) -> dict[str, torch.Tensor]:
    """Trainable parameters plus the persistent buffers that belong with them.

    A buffer (BatchNorm statistics, an EMA codebook) is kept when the nearest module above it that owns
    parameters has a trainable one, or when no module above it owns any; buffers of frozen parts are not.
    """
    params = dict(model.named_parameters())  # de-duplicated: a tied weight is saved once
    out = {n: p for n, p in params.items() if id(p) in trainable_ids}
    all_params = {n for n, _ in model.named_parameters(remove_duplicate=False)}
    owns: dict[str, bool | None] = {}  # module name -> has trainable params (None: has no params)
    for name, mod in model.named_modules():
        ps = list(mod.parameters())
        owns[name] = any(id(p) in trainable_ids for p in ps) if ps else None
    for key, value in model.state_dict(keep_vars=True).items():
        if key in all_params or not isinstance(value, torch.Tensor):
            continue
        parts = key.split(".")[:-1]
        decision = None
        while decision is None:
            decision = owns.get(".".join(parts))
            if not parts:
                break
            parts.pop()
        if decision is None or decision:
            out[key] = value
    return out


def load_trainable(model: torch.nn.Module, path: str | Path, strict_missing: bool = False) -> list[str]:
    """Load a weights checkpoint into ``model``; returns the model keys the file did not have.

    Keys the model lacks, or shapes that differ, are errors (a wrong file or a changed architecture);
    missing keys are expected (frozen pretrained parts are not saved) unless ``strict_missing``.
    """
    path = Path(path)
    if not path.is_file():
        raise LampError(f"{path}: no such checkpoint")
    model = unwrap(model)
    try:
        state = load_file(str(path))
    except Exception as e:  # safetensors raises its own error types for damaged files
        raise LampError(f"{path}: not a readable safetensors file ({e})") from e
    own = model.state_dict()
    unexpected = sorted(k for k in state if k not in own)
    if unexpected:
        raise LampError(f"{path}: {len(unexpected)} weights the model does not have, e.g. {unexpected[:5]}")
    bad = [f"{k} {tuple(v.shape)} vs {tuple(own[k].shape)}" for k, v in state.items() if v.shape != own[k].shape]
    if bad:
        raise LampError(f"{path}: weight shapes differ from the model: {bad[:5]}")
    missing = sorted(k for k in own if k not in state)
    if strict_missing and missing:
        raise LampError(f"{path}: lacks {len(missing)} weights of the model, e.g. {missing[:5]}")
    model.load_state_dict(state, strict=False)
    return missing


def save_resume(out_dir: Path, step: int, optimizer: torch.optim.Optimizer, names: list[str],
                extra: dict[str, Any]) -> None:
    """Optimiser state keyed by parameter name (tensors -> safetensors, the rest -> JSON), then the JSON
    that commits the checkpoint."""
    sd = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for idx, st in sd["state"].items():
        for key, value in st.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{names[idx]}|{key}"] = value
            else:
                scalars.setdefault(names[idx], {})[key] = value
    groups = []
    for g in sd["param_groups"]:
        g = {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()}
        g["params"] = [names[i] for i in g["params"]]
        groups.append(g)
    save_tensors(out_dir / RESUME_TENSORS, tensors, {"step": step, "format": FORMAT})
    write_json(out_dir / RESUME_JSON, {"format": FORMAT, "step": step, "param_groups": groups,
                                        "state_scalars": scalars, **extra})


def load_resume(out_dir: Path, optimizer: torch.optim.Optimizer, names: list[str]) -> dict[str, Any]:
    """Restore the optimiser from ``resume.*`` and return the JSON (step, best, data position, ...)."""
    js_path, ts_path, w_path = out_dir / RESUME_JSON, out_dir / RESUME_TENSORS, out_dir / LAST
    for p in (js_path, ts_path, w_path):
        if not p.is_file():
            raise LampError(f"{out_dir}: cannot resume, {p.name} is missing (delete the folder to start over)")
    info = json.loads(js_path.read_text())
    if info.get("format") != FORMAT:
        raise LampError(f"{js_path}: unknown checkpoint format {info.get('format')!r}")
    step = int(info["step"])
    steps = {p.name: read_meta(p).get("step") for p in (ts_path, w_path)}
    if any(s != str(step) for s in steps.values()):
        raise LampError(f"{out_dir}: checkpoint files disagree on the step ({RESUME_JSON}: {step}, {steps}); "
                        "a save was interrupted, restore them or delete the folder to start over")
    saved = [n for g in info["param_groups"] for n in g["params"]]
    if saved != names:
        changed = sorted(set(saved) ^ set(names))
        raise LampError(f"{out_dir}: the trainable parameters differ from the checkpoint's "
                        f"(e.g. {changed[:5] or 'their order'}); was the trainable filter changed?")
    index = {n: i for i, n in enumerate(names)}
    tensors = load_file(str(ts_path))
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        name, field = key.rsplit("|", 1)
        state.setdefault(index[name], {})[field] = value
    for name, fields in info["state_scalars"].items():
        state.setdefault(index[name], {}).update(fields)
    groups = []
    for g in info["param_groups"]:
        g = dict(g, params=[index[n] for n in g["params"]])
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
        groups.append(g)
    optimizer.load_state_dict({"state": state, "param_groups": groups})
    return info


def append_metrics(path: Path, record: dict[str, Any]) -> None:
    """One JSON line per log/eval; non-finite floats become null so every line is strict JSON."""
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(clean) + "\n")
        f.flush()


def truncate_metrics(path: Path, step: int) -> None:
    """On resume, drop lines logged after the checkpoint (they will be logged again) and any torn line."""
    if not path.is_file():
        return
    keep = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if int(rec.get("step", 0)) <= step:
            keep.append(line)
    atomic_write_text(path, "".join(k + "\n" for k in keep))
