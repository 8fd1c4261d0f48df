"""One training loop for every LaMP model: AdamW + warmup/cosine, AMP on CUDA, DDP under torchrun,
pickle-free atomic checkpoints, exact resume, best-checkpoint selection and a NaN guard."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from lamp_core.errors import LampError
from lamp_core.models.precision import cpu_has_bf16
from lamp_core.train import checkpoint as ckpt
from lamp_core.train.config import TrainConfig, TrainResult
from lamp_core.train.data import EpochLoader, seed_everything, seed_step, to_device
from lamp_core.train.distributed import DistContext, setup
from lamp_core.train.optim import build_optimizer, lr_factor, ordered_names

log = logging.getLogger(__name__)

LossFn = Callable[[torch.nn.Module, Any], "dict[str, torch.Tensor]"]
EvalFn = Callable[[torch.nn.Module], "dict[str, float]"]
TrainableFilter = Callable[[str, torch.nn.Parameter], bool]


def _due(step: int, every: int, final: bool) -> bool:
    return final or (every > 0 and step % every == 0)


def _accumulate(acc: dict[str, torch.Tensor], outputs: dict, gnorm: torch.Tensor, device: torch.device) -> None:
    """Sum the step's scalar outputs on the device (no sync); averaged and logged every ``log_every``."""
    scalars = {"grad_norm": gnorm}
    for k, v in outputs.items():
        if isinstance(v, (int, float)) or (isinstance(v, torch.Tensor) and v.numel() == 1):
            scalars[k] = v
    for k, v in scalars.items():
        v = torch.as_tensor(v).detach().float().to(device).reshape(())
        acc[k] = acc[k] + v if k in acc else v


@dataclass
class _Run:
    """What one ``fit`` call works with, in one place."""

    optimizer: torch.optim.Optimizer
    names: list[str]  # trainable parameter names, in the optimiser's order
    params: list[torch.nn.Parameter]
    scaler: torch.amp.GradScaler | None
    amp_dtype: torch.dtype | None
    loader: EpochLoader
    res: TrainResult
    t0: float
    data_info: dict[str, int]
    net: torch.nn.Module | None = None  # the loss module, DDP-wrapped under torchrun
    last_saved: int | None = None


class _LossModule(torch.nn.Module):
    """Runs ``loss_fn`` inside one forward, so DDP syncs gradients however loss_fn uses the model
    (any method, not only ``forward``)."""

    def __init__(self, model: torch.nn.Module, loss_fn: LossFn):
        super().__init__()
        self.model = model
        self.__dict__["loss_fn"] = loss_fn  # not registered: a loss module's own parameters are not trained

    def forward(self, batch: Any) -> dict[str, torch.Tensor]:
        return self.loss_fn(self.model, batch)


def _print_line(step: int, total: int, metrics: dict, elapsed: float, done: int) -> None:
    eta = elapsed / max(done, 1) * (total - step)
    shown = " ".join(f"{k} {v:.4g}" for k, v in metrics.items()
                     if k in ("loss", "acc", "contrastive", "matching", "generation", "motion_tokens", "reconstruction"))
    print(f"step {step}/{total} {shown} | {elapsed / 60:.1f} min, ETA {eta / 60:.1f} min", file=sys.stderr, flush=True)


class Trainer:
    """Trains ``model`` on ``train_set`` by minimising ``loss_fn(model, batch)["loss"]``.

    ``loss_fn`` gets the unwrapped model and a batch already on the device; the other scalar entries it
    returns are averaged over ranks and logged. ``eval_fn(model)`` runs on rank 0 only, in eval mode under
    ``torch.no_grad``. ``trainable_filter(name, param)`` picks the parameters to optimise and save; the others
    are frozen (``requires_grad=False``) and modules made only of frozen parameters stay in eval mode, so
    their dropout is off and their norm statistics do not drift.
    """

    def __init__(self, model: torch.nn.Module, train_set: torch.utils.data.Dataset, loss_fn: LossFn,
                 out_dir: str | Path, config: TrainConfig, collate_fn: Callable | None = None,
                 eval_fn: EvalFn | None = None, saved_config: dict | None = None,
                 trainable_filter: TrainableFilter | None = None):
        self.model, self.train_set, self.loss_fn = model, train_set, loss_fn
        self.out_dir, self.config = Path(out_dir), config
        self.collate_fn, self.eval_fn, self.trainable_filter = collate_fn, eval_fn, trainable_filter
        self.saved_config = dict(saved_config or {})
        self.log_lines = True  # print a progress line per log when stderr is not a terminal
        if config.select_metric is not None and eval_fn is None:
            raise LampError(f"select_metric={config.select_metric!r} needs an eval_fn")
        try:
            json.dumps(self.saved_config)
        except (TypeError, ValueError) as e:
            raise LampError(f"saved_config must be JSON-serialisable: {e}") from e

    # ------------------------------------------------------------------ setup
    def _freeze(self) -> list[tuple[str, torch.nn.Parameter]]:
        named = []
        for name, p in self.model.named_parameters():
            keep = p.requires_grad and (self.trainable_filter is None or bool(self.trainable_filter(name, p)))
            p.requires_grad_(keep)
            if keep:
                named.append((name, p))
        if not named:
            raise LampError("nothing to train: every parameter is frozen (check trainable_filter)")
        return named

    def _train_mode(self) -> None:
        self.model.train()
        for mod in self.model.modules():
            ps = list(mod.parameters())
            if ps and not any(p.requires_grad for p in ps):
                mod.eval()

    def _amp(self, device: torch.device) -> tuple[torch.dtype | None, torch.amp.GradScaler | None]:
        if not self.config.amp:
            return None, None
        if device.type == "cpu":  # bf16 autocast only where the CPU has native bf16 (else it is slower)
            return (torch.bfloat16, None) if cpu_has_bf16() else (None, None)
        if device.type != "cuda":
            return None, None
        if torch.cuda.is_bf16_supported():
            return torch.bfloat16, None
        return torch.float16, torch.amp.GradScaler("cuda")

    # ------------------------------------------------------------------ main loop
    def fit(self) -> TrainResult:
        """Train to ``max_steps`` (continuing from ``out_dir/last.safetensors`` when present).

        Under torchrun the process group is created here and destroyed after a successful run (not after an
        error: peers may be inside a collective, and tearing down would hang). torch cannot re-create a
        destroyed group in the same process, so a script that calls ``fit`` more than once under torchrun
        should call ``torch.distributed.init_process_group`` itself; the trainer then uses and keeps it.
        """
        ctx = setup(self.config.device)
        run = self._prepare(ctx)
        try:
            self._loop(ctx, run)
        finally:
            # Drop the DDP wrapper now: collected late, it can outlive the process group and abort the
            # interpreter at exit (seen with gloo on torch 2.13).
            run.net = None
            if ctx.enabled:
                gc.collect()
        ctx.barrier()
        ctx.close()
        res = run.res
        res.elapsed_s = time.time() - run.t0
        if res.best_step is not None:
            res.best_path = self.out_dir / ckpt.BEST
        return res

    def _prepare(self, ctx: DistContext) -> _Run:
        """Freeze, build the optimiser and data order, resume if there is a checkpoint, wrap for DDP."""
        cfg, out, t0 = self.config, self.out_dir, time.time()
        seed_everything(cfg.seed)
        named = self._freeze()
        self.model.to(ctx.device)
        self._trainable_ids = {id(p) for _, p in named}
        optimizer = build_optimizer(self.model, named, cfg, ctx.device)
        amp_dtype, scaler = self._amp(ctx.device)
        loader = EpochLoader(self.train_set, cfg.batch_size, cfg.seed, ctx.rank, ctx.world_size, self.collate_fn,
                             cfg.num_workers, pin_memory=ctx.device.type == "cuda")
        res = TrainResult(steps=0, start_step=0, out_dir=out, last_path=out / ckpt.LAST,
                          config_path=out / ckpt.CONFIG, metrics_path=out / ckpt.METRICS)
        run = _Run(optimizer=optimizer, names=ordered_names(optimizer, named), params=[p for _, p in named],
                   scaler=scaler, amp_dtype=amp_dtype, loader=loader, res=res, t0=t0,
                   data_info={"steps_per_epoch": loader.steps_per_epoch, "world_size": ctx.world_size,
                              "batch_size": cfg.batch_size, "dataset_len": len(self.train_set)})  # type: ignore
        self._best_value: float | None = None
        self._maybe_resume(run)
        if ctx.is_main:
            out.mkdir(parents=True, exist_ok=True)
            self._write_config(ctx)
            ckpt.truncate_metrics(out / ckpt.METRICS, res.start_step)  # lines logged after the checkpoint
        ctx.barrier()  # every rank has read the checkpoint before rank 0 may overwrite it
        run.net = _LossModule(self.model, self.loss_fn)
        if ctx.enabled:
            ids = [ctx.device.index] if ctx.device.type == "cuda" else None
            run.net = DistributedDataParallel(run.net, device_ids=ids,
                                              find_unused_parameters=cfg.ddp_find_unused_parameters)
        return run

    def _loop(self, ctx: DistContext, run: _Run) -> None:
        cfg, res = self.config, run.res
        step = res.steps = res.start_step
        run.last_saved = step if step > 0 else None
        if step >= cfg.max_steps:
            return
        self._train_mode()
        acc: dict[str, torch.Tensor] = {}
        count, window_t = 0, time.time()
        bar = tqdm(total=cfg.max_steps, initial=step, unit="step", dynamic_ncols=True,
                   disable=not (ctx.is_main and sys.stderr.isatty()))
        with bar:
            for epoch, batch in run.loader.batches(step):
                batch = to_device(batch, ctx.device)
                seed_step(cfg.seed, ctx.rank, step)
                for g in run.optimizer.param_groups:
                    g["lr"] = cfg.lr * lr_factor(step, cfg)
                with torch.autocast(ctx.device.type, dtype=run.amp_dtype) if run.amp_dtype else contextlib.nullcontext():
                    outputs = run.net(batch)  # type: ignore[misc]
                loss = self._loss_of(outputs)
                bad = ~torch.isfinite(loss.detach())
                if ctx.any(bad):  # every rank stops at the same step instead of hanging in a collective
                    what = f"the loss is {loss.item()}" if bad.item() else "another rank's loss is not finite"
                    self._stop(step, what, run.last_saved, ctx)
                gnorm = self._backward_and_step(loss, run, step, ctx)
                step = res.steps = step + 1
                _accumulate(acc, outputs, gnorm, ctx.device)
                count += 1
                bar.update(1)
                final = step == cfg.max_steps
                if _due(step, cfg.log_every, final):
                    res.train_metrics = self._log(ctx, step, epoch, acc, count, window_t, run)
                    acc, count, window_t = {}, 0, time.time()
                    bar.set_postfix(loss=f"{res.train_metrics.get('loss', float('nan')):.4g}")
                    if bar.disable and ctx.is_main and self.log_lines:  # no terminal (nohup, CI): a plain line
                        _print_line(step, cfg.max_steps, res.train_metrics, time.time() - run.t0,
                                    step - res.start_step)
                if self.eval_fn is not None and ctx.is_main and _due(step, cfg.eval_every, final):
                    res.eval_metrics = self._evaluate(step, res)
                if _due(step, cfg.checkpoint_every, final):
                    if ctx.is_main:
                        self._save(step, run)
                    run.last_saved = step
                if final:
                    return

    # ------------------------------------------------------------------ pieces
    def _backward_and_step(self, loss: torch.Tensor, run: _Run, step: int, ctx: DistContext) -> torch.Tensor:
        """Backward, clip, update; returns the gradient norm (before clipping). Stops on non-finite grads
        (fp16 excepted: the loss scaler skips those steps by design)."""
        optimizer, scaler, params = run.optimizer, run.scaler, run.params
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
        else:
            loss.backward()
        if self.config.grad_clip is not None:
            gnorm = torch.nn.utils.clip_grad_norm_(params, self.config.grad_clip)
        else:
            gnorm = torch.nn.utils.get_total_norm([p.grad for p in params if p.grad is not None])
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
            return gnorm
        if not torch.isfinite(gnorm):  # gradients are all-reduced, so every rank agrees
            self._stop(step, f"the gradient norm is {gnorm.item()}", run.last_saved, ctx)
        optimizer.step()
        return gnorm

    @staticmethod
    def _loss_of(outputs: Any) -> torch.Tensor:
        if not isinstance(outputs, dict) or "loss" not in outputs:
            raise LampError(f"loss_fn must return a dict with a 'loss' tensor, got {type(outputs).__name__}")
        loss = outputs["loss"]
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            raise LampError("loss_fn's 'loss' must be a scalar tensor")
        return loss.reshape(())

    def _stop(self, step: int, what: str, last_saved: int | None, ctx: DistContext) -> None:
        where = f" on rank {ctx.rank}" if ctx.enabled else ""
        kept = (f"the last good checkpoint (step {last_saved}) in {self.out_dir} is untouched"
                if last_saved is not None else "no checkpoint was written")
        raise LampError(f"training stopped at step {step + 1}{where}: {what}; nothing was saved for this step, "
                        f"{kept}. Lower the learning rate, check the data, or resume after fixing it.")

    def _maybe_resume(self, run: _Run) -> None:
        out, res = self.out_dir, run.res
        if not any((out / n).exists() for n in (ckpt.LAST, ckpt.RESUME_JSON, ckpt.RESUME_TENSORS)):
            return
        info = ckpt.load_resume(out, run.optimizer, run.names)
        ckpt.load_trainable(self.model, out / ckpt.LAST)
        if run.scaler is not None and info.get("scaler"):
            run.scaler.load_state_dict(info["scaler"])
        best = info.get("best") or {}
        self._best_value, res.best_metric, res.best_step = best.get("value"), best.get("value"), best.get("step")
        res.start_step = int(info["step"])
        if info.get("data") != run.data_info:
            log.warning("resuming %s with a different data layout (%s, was %s): batches will not match an "
                        "uninterrupted run", out, run.data_info, info.get("data"))
        log.info("resuming %s from step %d", out, res.start_step)

    def _write_config(self, ctx: DistContext) -> None:
        path = self.out_dir / ckpt.CONFIG
        new = {"train": self.config.to_dict(), "saved": self.saved_config, "world_size": ctx.world_size}
        if path.is_file():
            try:
                old = json.loads(path.read_text())
            except json.JSONDecodeError:
                old = {}
            diff = {k for k in new["train"] if old.get("train", {}).get(k) != new["train"][k]}
            if diff:
                log.warning("%s: training config changed since the last run: %s", path, sorted(diff))
        ckpt.write_json(path, new)

    def _log(self, ctx: DistContext, step: int, epoch: int, acc: dict[str, torch.Tensor], count: int,
             window_t: float, run: _Run) -> dict[str, float]:
        keys = sorted(acc)
        vec = ctx.mean(torch.stack([acc[k] for k in keys]) / max(1, count))
        vals = dict(zip(keys, (float(v) for v in vec.tolist())))
        if not ctx.is_main:
            return vals
        now = time.time()
        record = {"kind": "train", "step": step, "epoch": epoch, "lr": run.optimizer.param_groups[0]["lr"], **vals,
                  "steps_per_s": count / max(now - window_t, 1e-9), "elapsed_s": now - run.t0}
        ckpt.append_metrics(self.out_dir / ckpt.METRICS, record)
        log.info("step %d: %s", step, " ".join(f"{k}={v:.4g}" for k, v in vals.items()))
        return vals

    def _evaluate(self, step: int, res: TrainResult) -> dict[str, float]:
        cfg = self.config
        self.model.eval()
        try:
            with torch.no_grad():
                raw = self.eval_fn(self.model)  # type: ignore[misc]
        finally:
            self._train_mode()
        metrics = {}
        for k, v in (raw or {}).items():
            try:
                metrics[k] = float(v)
            except (TypeError, ValueError):
                log.warning("eval metric %r is not a number (%r); not logged", k, v)
        ckpt.append_metrics(self.out_dir / ckpt.METRICS, {"kind": "eval", "step": step, **metrics})
        if cfg.select_metric is not None:
            if cfg.select_metric not in metrics:
                raise LampError(f"select_metric {cfg.select_metric!r} is not among the eval metrics "
                                f"{sorted(metrics)}")
            v, best = metrics[cfg.select_metric], self._best_value
            better = math.isfinite(v) and (best is None or (v > best if cfg.select_mode == "max" else v < best))
            if better:
                self._best_value, res.best_metric, res.best_step = v, v, step
                ckpt.save_tensors(self.out_dir / ckpt.BEST, self._weights(),
                                  {"step": step, "metric": cfg.select_metric, "value": repr(v)})
        return metrics

    def _weights(self) -> dict[str, torch.Tensor]:
        return ckpt.trainable_state(self.model, self._trainable_ids)

    def _save(self, step: int, run: _Run) -> None:
        ckpt.save_tensors(self.out_dir / ckpt.LAST, self._weights(), {"step": step})
        res, best = run.res, None
        if res.best_step is not None:
            best = {"metric": self.config.select_metric, "value": res.best_metric, "step": res.best_step}
        ckpt.save_resume(self.out_dir, step, run.optimizer, run.names,
                         {"best": best, "data": run.data_info,
                          "scaler": run.scaler.state_dict() if run.scaler else None,
                          "rng": {"scheme": "derived from (seed, rank, step) and (seed, epoch, sample)",
                                  "seed": self.config.seed}})
