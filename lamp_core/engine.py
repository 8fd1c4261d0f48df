"""The Engine: a loaded model bundle and everything a user does with it.

text -> LaMP text condition -> (length) -> masked transformer: coarse tokens -> residual
transformer: fine tokens -> tokenizer decoder: 263-d features -> joints -> Motion.

Editing works on tokens: the frames to keep become known tokens, the model fills in the rest
(MoMask-style inpainting, OHMG's "poses as prompts"), and ``generation.warp`` splices the result
back so kept frames stay exactly as they were and key poses are hit exactly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .errors import LampError
from .generation.bundle import GENERATION_PARTS, read_bundle
from .generation.condition import TextConditioner
from .generation.warp import place, placement, warp_between, warp_to_keys
from .models.io import load_model
from .models.length import predict_frames
from .models.masked import generate as generate_tokens
from .models.pose import POSE_DIMS
from .models.residual import generate_residual
from .motion.features import features_to_joints
from .motion.motion import HML3D_FPS, Motion, Provenance
from .motion.skeleton import NUM_JOINTS

Progress = Callable[[float], None]
Cancel = Callable[[], bool]
MAX_SEQUENCE_SECONDS = 600.0


@dataclass(frozen=True)
class Sampling:
    """How tokens are drawn; the bundle may carry its own defaults."""
    guidance: float = 4.0            # classifier-free guidance scale of the masked transformer
    residual_guidance: float = 2.0
    steps: int = 10                  # iterative decoding steps
    temperature: float = 1.0
    topk_ratio: float = 0.9          # keep the top 10% of codes at each draw (MoMask)
    residual: bool = True            # False: decode the coarse codebook alone (faster, coarser)
    context_seconds: float = 2.0     # how much of the previous motion a continuation sees


def _seed(seed: int | None) -> int:
    return int.from_bytes(os.urandom(4), "little") if seed is None else int(seed)


def _check_pose(pose, where: str) -> np.ndarray:
    p = np.asarray(pose, dtype=np.float64)
    if p.shape != (NUM_JOINTS, 3):
        raise LampError(f"{where}: a key pose must be {NUM_JOINTS} joints x 3 coordinates, got shape {p.shape}")
    if not np.isfinite(p).all():
        raise LampError(f"{where}: the key pose has NaN or infinite coordinates")
    return p


class Engine:
    def __init__(self, vq, vq_mean, vq_std, t2m, conditioner: TextConditioner, residual=None, length=None,
                 pose=None, pose_mean=None, pose_std=None, sampling: Sampling = Sampling(), name: str = "",
                 device: str = "cpu"):
        self.vq, self.t2m, self.residual, self.length, self.pose = vq, t2m, residual, length, pose
        self.vq_mean, self.vq_std = np.asarray(vq_mean, np.float32), np.asarray(vq_std, np.float32)
        self.pose_mean, self.pose_std = pose_mean, pose_std
        self.conditioner, self.sampling, self.name, self.device = conditioner, sampling, name, device
        self.unit = vq.cfg.unit
        self.max_tokens = min(t2m.cfg.max_tokens, vq.cfg.max_frames // self.unit)
        for m in (vq, t2m, residual, length, pose):
            if m is not None:
                m.to(device).eval()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, bundle_dir: str | Path | None = None, device: str = "cpu") -> "Engine":
        """The bundle at ``bundle_dir``; with none, the default model that ships in assets/."""
        if bundle_dir is None:
            from .assets import DEFAULT_BUNDLE
            bundle_dir = DEFAULT_BUNDLE
        meta, parts = read_bundle(Path(bundle_dir))
        models = {}
        for name, folder in parts.items():
            if name in GENERATION_PARTS:       # captioners and the evaluator load on their own
                models[name] = load_model(folder, device=device, expect=name)
        vq, vq_mean, vq_std, _, _ = models["vq"]
        t2m_meta = _json(parts["t2m"])
        cond_kind = "lamp" if str(t2m_meta.get("condition", "lamp")).startswith("lamp") else "minilm"
        if cond_kind == "lamp":
            if "lamp" not in models:
                raise LampError(f"{bundle_dir}: the generators read LaMP text features but the bundle has no lamp/")
            lamp, _, _, lamp_id, _ = models["lamp"]
            lamp_id = _json(parts["lamp"]).get("stored_from", lamp_id)   # a float16 copy keeps its source's id
            conditioner = TextConditioner("lamp", lamp, lamp_id, device)
        else:
            conditioner = TextConditioner("minilm", device=device)
        pose = models.get("pose")
        defaults = {k: v for k, v in meta.get("sampling", {}).items() if k in Sampling.__dataclass_fields__}
        return cls(vq, vq_mean, vq_std, models["t2m"][0], conditioner,
                   residual=models["residual"][0] if "residual" in models else None,
                   length=models["length"][0] if "length" in models else None,
                   pose=pose[0] if pose else None, pose_mean=pose[1] if pose else None,
                   pose_std=pose[2] if pose else None, sampling=Sampling(**defaults),
                   name=meta.get("name", Path(bundle_dir).name), device=device)

    def with_masked_transformer(self, folder: str | Path) -> "Engine":
        """This engine with another masked transformer (an ablation run), read with the text features it was
        trained on; the residual stage is left out when those are not this engine's."""
        import copy
        t2m, _, _, _, _ = load_model(Path(folder), device=self.device, expect="t2m")
        cond = str(_json(Path(folder)).get("condition", ""))
        other = copy.copy(self)
        other.t2m = t2m.eval()
        if cond.startswith("minilm") and self.conditioner.kind != "minilm":
            other.conditioner = TextConditioner("minilm", device=self.device)
            other.residual = other.length = other.pose = None
        elif cond.startswith("lamp:") and cond != self.conditioner.model_id:
            raise LampError(f"{folder}: trained on the text features of {cond[5:]}, this engine's are "
                            f"{self.conditioner.model_id}")
        return other

    # ------------------------------------------------------------------ building blocks
    def condition(self, texts: Sequence[str]) -> torch.Tensor:
        return self.conditioner(list(texts))

    def _tokens_for(self, seconds: float | None, cond: torch.Tensor) -> int:
        if seconds is None:
            if self.length is None:
                return self._tokens_for(4.0, cond)
            return int(predict_frames(self.length, cond[:1])[0]) // self.unit
        return self.tokens_for_seconds(seconds)

    def tokens_for_seconds(self, seconds: float, limit: int | None = None) -> int:
        limit = self.max_tokens if limit is None else limit
        longest = limit * self.unit / HML3D_FPS
        try:
            s = float(seconds)
        except (TypeError, ValueError):
            raise LampError(f"seconds must be a number, got {seconds!r}") from None
        if not np.isfinite(s) or s <= 0:
            raise LampError(f"seconds must be a positive duration, got {seconds}")
        shortest = 2 * self.unit / HML3D_FPS
        if s < shortest or s > longest + 1e-6:
            raise LampError(f"a single generation lasts {shortest:.1f} to {longest:.1f} s, got {s:g} s; "
                            "for longer motions chain segments (Engine.sequence / lamp generate --segments)")
        return max(2, int(round(s * HML3D_FPS / self.unit)))

    def _sample(self, cond: torch.Tensor, n_tokens: int, seed: int, known: torch.Tensor | None = None,
                sampling: Sampling | None = None, progress: Progress | None = None,
                cancel: Cancel | None = None) -> torch.Tensor:
        """(B, cond_dim), N tokens, known (B, N, Q) codes or -1 -> (B, N, Q) codes (-1 in unused codebooks)."""
        s = sampling or self.sampling
        B = cond.shape[0]
        g = torch.Generator().manual_seed(seed)
        lengths = torch.full((B,), n_tokens, dtype=torch.long, device=self.device)
        Q = self.vq.cfg.n_quantizers
        if known is None:
            known = torch.full((B, n_tokens, Q), -1, dtype=torch.long)
        known = known.to(self.device)
        total = s.steps + (Q - 1 if s.residual and self.residual is not None else 0)

        def step_progress(done, _):
            if progress is not None:
                progress(done / total)

        codes0 = generate_tokens(self.t2m, cond, lengths, steps=s.steps, guidance=s.guidance,
                                 temperature=s.temperature, topk_ratio=s.topk_ratio, generator=g,
                                 known=known[..., 0], progress=step_progress, cancel=cancel)
        if s.residual and self.residual is not None:
            codes = generate_residual(self.residual, codes0, cond, lengths, guidance=s.residual_guidance,
                                      temperature=s.temperature, generator=g, cancel=cancel,
                                      topk_ratio=s.topk_ratio,
                                      progress=lambda done, _: step_progress(s.steps + done, None))
        else:
            codes = torch.full((B, n_tokens, Q), -1, dtype=torch.long, device=self.device)
            codes[..., 0] = codes0
            codes[..., 1:] = torch.where(known[..., 1:] >= 0, known[..., 1:], -1)
        fixed = known[..., 0] >= 0
        codes = torch.where(fixed[..., None], known, codes)   # known tokens keep every codebook
        if progress is not None:
            progress(1.0)
        return codes

    def encode(self, motion: Motion) -> tuple[torch.Tensor, int]:
        """A motion -> (1, N, Q) codes of its first N*4 frames at 20 fps, and N."""
        feats = motion.resample(HML3D_FPS).features if motion.n_frames > 1 else None
        if feats is None or len(feats) < self.unit:
            raise LampError(f"the motion is too short to edit ({motion.n_frames} frames; at least "
                            f"{self.unit + 1} at 20 fps)")
        n = len(feats) // self.unit
        x = (feats[: n * self.unit] - self.vq_mean) / self.vq_std
        with torch.no_grad():
            codes, _ = self.vq.encode(torch.from_numpy(x[None].astype(np.float32)).to(self.device),
                                      torch.tensor([n * self.unit], device=self.device))
        return codes, n

    @torch.no_grad()
    def decode(self, codes: torch.Tensor) -> list[np.ndarray]:
        """(B, N, Q) codes -> B joint arrays (N*4, 22, 3), root at the origin facing +Z at frame 0."""
        steps = torch.full((codes.shape[0],), codes.shape[1], dtype=torch.long, device=codes.device)
        feats = self.vq.decode(codes, steps).float().cpu().numpy() * self.vq_std + self.vq_mean
        return [features_to_joints(f) for f in feats]

    def _motion(self, joints: np.ndarray, **prov) -> Motion:
        return Motion(joints, HML3D_FPS, Provenance(model=self.name, **prov))

    # ------------------------------------------------------------------ generation
    def generate(self, text: str, seconds: float | None = None, seed: int | None = None, samples: int = 1,
                 guidance: float | None = None, sampling: Sampling | None = None,
                 progress: Progress | None = None, cancel: Cancel | None = None) -> list[Motion]:
        """``samples`` different motions for one text (the same seed gives the same motions)."""
        if not 1 <= int(samples) <= 64:
            raise LampError(f"samples must be between 1 and 64, got {samples}")
        s = sampling or self.sampling
        if guidance is not None:
            s = _with(s, guidance=_check_guidance(guidance))
        seed = _seed(seed)
        cond = self.condition([text]).expand(int(samples), -1)
        n = self._tokens_for(seconds, cond)
        codes = self._sample(cond, n, seed, sampling=s, progress=progress, cancel=cancel)
        return [self._motion(j, prompt=text, seed=seed) for j in self.decode(codes)]

    def text_to_pose(self, text: str, seed: int | None = None, samples: int = 1, temperature: float = 1.0
                     ) -> np.ndarray:
        """(samples, 22, 3) key poses for a text: root over the origin, facing +Z, feet on the floor."""
        if self.pose is None:
            raise LampError("this model bundle has no text -> pose model (pose/)")
        g = torch.Generator().manual_seed(_seed(seed))
        cond = self.condition([text]).expand(int(samples), -1)
        v = self.pose.sample(cond, temperature, g).float().cpu().numpy()        # (K, 64) normalised
        v = v * self.pose_std[POSE_DIMS] + self.pose_mean[POSE_DIMS]
        joints = np.zeros((len(v), NUM_JOINTS, 3))
        joints[:, 0, 1] = v[:, 0]
        joints[:, 1:] = v[:, 1:].reshape(-1, NUM_JOINTS - 1, 3)
        joints[..., 1] -= joints[..., 1].min(axis=1, keepdims=True)
        return joints

    # ------------------------------------------------------------------ editing
    def inpaint(self, motion: Motion, start: int, end: int, text: str, seed: int | None = None,
                sampling: Sampling | None = None, progress: Progress | None = None,
                cancel: Cancel | None = None) -> Motion:
        """Regenerate frames [start, end) of a 20 fps motion; every other frame is returned exactly."""
        m = _checked_motion(motion)
        T = m.n_frames
        if not (0 <= start < end <= T):
            raise LampError(f"the range to regenerate must satisfy 0 <= start < end <= {T} frames, got "
                            f"[{start}, {end})")
        codes, n = self.encode(m)
        s_tok, e_tok = start // self.unit, min(-(-end // self.unit), n)
        lo, hi = _window(s_tok, max(e_tok, s_tok + 1), n, self.max_tokens)
        known = codes[:, lo:hi].clone()
        known[:, s_tok - lo: max(e_tok, s_tok + 1) - lo] = -1
        cond = self.condition([text])
        seed = _seed(seed)
        new = self._sample(cond, hi - lo, seed, known=known, sampling=sampling, progress=progress, cancel=cancel)
        gen = self.decode(new)[0]                                          # frames lo*4 .. hi*4 (own frame)
        ref = max(start - 1, lo * self.unit) if start > 0 else min(end, T - 1)
        ref = min(ref, lo * self.unit + len(gen) - 1)                     # a frame the window decoded
        R, t = placement(gen[ref - lo * self.unit], m.joints[ref])
        gen = place(gen, R, t)
        mid = gen[start - lo * self.unit: end - lo * self.unit]
        if len(mid) < end - start:  # the motion's last few frames fall past the last whole token
            pad = np.repeat(mid[-1:] if len(mid) else m.joints[start - 1:start], end - start - len(mid), 0)
            mid = np.concatenate([mid, pad])
        mid = warp_between(mid, m.joints[start - 1] if start > 0 else None, m.joints[end] if end < T else None)
        out = np.concatenate([m.joints[:start], mid, m.joints[end:]]).astype(np.float32)
        out[:start], out[end:] = m.joints[:start], m.joints[end:]
        return m.replace(joints=out, provenance=m.provenance.noted(
            f"frames {start}-{end} regenerated from {text!r} (seed {seed})"))

    def continue_motion(self, motion: Motion, seconds: float, text: str, backward: bool = False,
                        seed: int | None = None, sampling: Sampling | None = None,
                        progress: Progress | None = None, cancel: Cancel | None = None) -> Motion:
        """Add ``seconds`` of motion after the end (or, ``backward``, before the start: the model fills
        tokens in front of the motion's first ones); the given frames stay exactly."""
        return self._extend(_checked_motion(motion), seconds, text, seed, sampling, progress, cancel, backward)

    def _extend(self, m: Motion, seconds, text, seed, sampling, progress, cancel, backward=False) -> Motion:
        s = sampling or self.sampling
        codes, n = self.encode(m)
        ctx = min(n, max(1, int(round(s.context_seconds * HML3D_FPS / self.unit))))
        add = self.tokens_for_seconds(seconds, limit=self.max_tokens - ctx)
        free = torch.full((1, add, codes.shape[2]), -1, dtype=torch.long, device=codes.device)
        known = torch.cat([free, codes[:, :ctx]] if backward else [codes[:, n - ctx:], free], 1)
        cond = self.condition([text])
        seed = _seed(seed)
        gen = self.decode(self._sample(cond, ctx + add, seed, known=known, sampling=s, progress=progress,
                                       cancel=cancel))[0]
        if backward:  # the generated copy of the motion's first frame lands on it; what precedes is new
            first = add * self.unit
            gen = place(gen, *placement(gen[first], m.joints[0]))
            new = warp_between(gen[:first], None, m.joints[0])
            joints = np.concatenate([new, m.joints])
        else:
            # place the generated context's end on the last encoded frame; frames the motion already has
            # past it (fewer than a token's worth) are skipped so time runs on without a stall
            last_ctx = ctx * self.unit - 1
            extra = m.n_frames - n * self.unit
            gen = place(gen, *placement(gen[last_ctx], m.joints[n * self.unit - 1]))
            new = gen[last_ctx + 1 + extra:]
            new = warp_between(new, m.joints[-1], None) if len(new) else new
            joints = np.concatenate([m.joints, new])
        how = "backward" if backward else "forward"
        return m.replace(joints=joints.astype(np.float32), provenance=m.provenance.noted(
            f"continued {how} {len(new)} frames from {text!r} (seed {seed})"))

    def bridge(self, before: Motion, after: Motion, seconds: float, text: str, seed: int | None = None,
               sampling: Sampling | None = None, progress: Progress | None = None,
               cancel: Cancel | None = None) -> Motion:
        """In-between two motions: ``seconds`` of new motion from the end of ``before`` to the start of
        ``after``; both keep every frame exactly where they are (so ``after`` is not moved)."""
        a, b = _checked_motion(before), _checked_motion(after)
        s = sampling or self.sampling
        ca, na = self.encode(a)
        cb, nb = self.encode(b)
        ctx = max(1, int(round(s.context_seconds * HML3D_FPS / self.unit)))
        ka, kb = min(na, ctx), min(nb, ctx)
        gap = self.tokens_for_seconds(seconds, limit=self.max_tokens - ka - kb)
        free = torch.full((1, gap, ca.shape[2]), -1, dtype=torch.long, device=ca.device)
        known = torch.cat([ca[:, na - ka:], free, cb[:, :kb]], 1)
        seed = _seed(seed)
        gen = self.decode(self._sample(self.condition([text]), ka + gap + kb, seed, known=known, sampling=s,
                                       progress=progress, cancel=cancel))[0]
        last_a = ka * self.unit - 1
        gen = place(gen, *placement(gen[last_a], a.joints[na * self.unit - 1]))
        extra = a.n_frames - na * self.unit       # frames of ``before`` past its last whole token
        middle = gen[last_a + 1 + extra: (ka + gap) * self.unit]
        middle = warp_between(middle, a.joints[-1], b.joints[0])
        joints = np.concatenate([a.joints, middle, b.joints]).astype(np.float32)
        return a.replace(joints=joints, provenance=Provenance(
            model=self.name, prompt=text, seed=seed,
            notes=(f"bridge of {len(middle)} frames between frames {a.n_frames - 1} and {a.n_frames + len(middle)}",)))

    def inbetween(self, key_poses: dict[int, np.ndarray] | Sequence[tuple[int, np.ndarray]], text: str,
                  seconds: float | None = None, seed: int | None = None, sampling: Sampling | None = None,
                  progress: Progress | None = None, cancel: Cancel | None = None) -> Motion:
        """A motion through key poses placed at frames (OHMG's poses as prompts): each pose becomes a known
        token the model fills around, then the motion is warped to hit every pose exactly."""
        keys = dict(key_poses)
        if not keys:
            raise LampError("inbetween needs at least one key pose")
        if seconds is None:
            n = min(self.max_tokens, max(2, -(-(max(keys) + 1) // self.unit) + 2))
        else:
            n = self.tokens_for_seconds(seconds)
        T = n * self.unit
        checked = {}
        for f, p in keys.items():
            if not isinstance(f, (int, np.integer)) or not 0 <= int(f) < T:
                raise LampError(f"key pose frame {f} is outside the motion's 0..{T - 1} frames")
            checked[int(f)] = _check_pose(p, f"key pose at frame {f}")
        known = torch.full((1, n, self.vq.cfg.n_quantizers), -1, dtype=torch.long)
        for f, p in checked.items():
            hold = Motion(np.repeat(p[None], 2 * self.unit + 1, 0).astype(np.float32), HML3D_FPS)
            c, _ = self.encode(hold)
            known[0, f // self.unit] = c[0, 0]
        cond = self.condition([text])
        seed = _seed(seed)
        gen = self.decode(self._sample(cond, n, seed, known=known, sampling=sampling, progress=progress,
                                       cancel=cancel))[0]
        first = min(checked)
        R, t = placement(gen[first], checked[first])
        joints = warp_to_keys(place(gen, R, t), checked)
        return self._motion(joints.astype(np.float32), prompt=text, seed=seed).with_provenance(
            notes=(f"through key poses at frames {sorted(checked)}",))

    def text_pose_motion(self, text: str, seconds: float | None = None, seed: int | None = None,
                         progress: Progress | None = None, cancel: Cancel | None = None) -> Motion:
        """OHMG's path: text -> a key pose -> a motion through it (the pose sits at the middle frame)."""
        seed = _seed(seed)
        n = self._tokens_for(seconds, self.condition([text]))
        pose = self.text_to_pose(text, seed=seed)[0]
        return self.inbetween({n * self.unit // 2: pose}, text, seconds=n * self.unit / HML3D_FPS, seed=seed,
                              progress=progress, cancel=cancel)

    def sequence(self, segments: Sequence[tuple[str, float]], seed: int | None = None,
                 sampling: Sampling | None = None, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> Motion:
        """One seamless motion from (text, seconds) segments: each continues from the previous one's tail."""
        segs = list(segments)
        if not segs:
            raise LampError("a sequence needs at least one (text, seconds) segment")
        total = 0.0
        for i, seg in enumerate(segs):
            if not (isinstance(seg, (tuple, list)) and len(seg) == 2):
                raise LampError(f"segment {i + 1}: expected (text, seconds), got {seg!r}")
            try:
                total += float(seg[1])
            except (TypeError, ValueError):
                raise LampError(f"segment {i + 1}: seconds must be a number, got {seg[1]!r}") from None
        if total > MAX_SEQUENCE_SECONDS:
            raise LampError(f"the segments add up to {total:g} s; the limit is {MAX_SEQUENCE_SECONDS:g} s")
        seed = _seed(seed)
        s = sampling or self.sampling
        ctx = max(1, int(round(s.context_seconds * HML3D_FPS / self.unit)))
        motion, bounds = None, []
        for i, (text, seconds) in enumerate(segs):
            def part(p, i=i):
                if progress is not None:
                    progress((i + p) / len(segs))
            try:
                if motion is None:
                    motion = self.generate(text, seconds, seed=seed, sampling=s, progress=part, cancel=cancel)[0]
                else:
                    self.tokens_for_seconds(seconds, limit=self.max_tokens - ctx)
                    motion = self._extend(motion, seconds, text, seed + i, s, part, cancel)
            except LampError as e:
                raise LampError(f"segment {i + 1} ({text!r}, {seconds} s): {e}") from None
            bounds.append(motion.n_frames)
        return motion.replace(provenance=Provenance(model=self.name, seed=seed,
                                                    prompt=" | ".join(t for t, _ in segs),
                                                    notes=(f"segment ends at frames {bounds}",)))


# ---------------------------------------------------------------------- helpers
def _json(folder: Path) -> dict:
    import json
    return json.loads((Path(folder) / "model.json").read_text())


def _with(s: Sampling, **changes) -> Sampling:
    import dataclasses
    return dataclasses.replace(s, **changes)


def _check_guidance(g) -> float:
    try:
        g = float(g)
    except (TypeError, ValueError):
        raise LampError(f"guidance must be a number, got {g!r}") from None
    if not np.isfinite(g) or not 0.0 <= g <= 20.0:
        raise LampError(f"guidance must be between 0 and 20 (1 = none, 4 = the paper's), got {g:g}")
    return g


def _checked_motion(motion) -> Motion:
    if not isinstance(motion, Motion):
        j = np.asarray(motion, dtype=np.float64)
        if j.ndim != 3 or j.shape[1:] != (NUM_JOINTS, 3):
            raise LampError(f"expected a Motion or a (frames, {NUM_JOINTS}, 3) array, got shape {j.shape}")
        if not np.isfinite(j).all():
            bad = int(np.argwhere(~np.isfinite(j).reshape(len(j), -1).all(1))[0, 0])
            raise LampError(f"the motion has NaN or infinite values (first at frame {bad})")
        motion = Motion(j.astype(np.float32), HML3D_FPS)
    if abs(motion.fps - HML3D_FPS) > 1e-6:
        motion = motion.resample(HML3D_FPS)
    return motion


def _window(lo: int, hi: int, n: int, size: int) -> tuple[int, int]:
    """A window of at most ``size`` tokens in [0, n) that holds [lo, hi), with context on both sides."""
    if hi - lo > size:
        raise LampError(f"the range is {(hi - lo) * 4 / HML3D_FPS:.1f} s; one edit regenerates at most "
                        f"{size * 4 / HML3D_FPS:.1f} s")
    a = max(0, lo - (size - (hi - lo)) // 2)
    b = min(n, a + size)
    return max(0, b - size), b
