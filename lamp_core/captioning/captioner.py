"""Motion -> words: n-best captions with scores for any clip, timed captions for long ones.

Three decoders behind one interface, all reading the same motion features:
- ``prefix``: LaMP's motion-reading queries prefix a causal LM (the stronger, dedicated captioner);
- ``lamp``: LaMP's own motion-grounded decoder (its generation loss, trained with LaMP);
- ``baseline``: the TM2T-like sequence-to-sequence model over the tokenizer's coarse codes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import LampError, MotionFormatError
from ..models.io import load_model
from ..motion import Motion
from . import decoding
from .inputs import coarse_codes, lamp_motion, lamp_queries

KINDS = ("prefix", "lamp", "baseline")
MIN_FRAMES = 8          # 0.4 s at 20 fps: two motion tokens
FPS = 20.0


@dataclass(frozen=True)
class Caption:
    text: str
    score: float        # length-normalised log-probability (higher is more likely)


@dataclass(frozen=True)
class TimedCaption:
    start: float        # seconds
    end: float
    captions: tuple[Caption, ...]   # n-best, best first

    @property
    def text(self) -> str:
        return self.captions[0].text if self.captions else ""

    def to_dict(self) -> dict:
        return {"start": round(self.start, 2), "end": round(self.end, 2),
                "captions": [{"text": c.text, "score": round(c.score, 4)} for c in self.captions]}


@dataclass(frozen=True)
class DecodeOptions:
    method: str = "beam"       # beam | greedy | sample
    beams: int = 5
    n_best: int = 3
    max_len: int = 32
    temperature: float = 1.0
    top_k: int = 0
    seed: int = 0

    def __post_init__(self):
        if self.method not in ("beam", "greedy", "sample"):
            raise LampError(f"decoding method must be beam, greedy or sample, not {self.method!r}")
        if self.beams < 1 or self.n_best < 1:
            raise LampError(f"beams and n_best must be at least 1 (got {self.beams}, {self.n_best})")


def timed_windows(n_frames: int, max_frames: int, window: int) -> list[tuple[int, int]]:
    """One window for a clip the model sees whole; else equal windows of at most ``window`` frames
    (and never more than the model sees)."""
    if n_frames <= max_frames:
        return [(0, n_frames)]
    k = math.ceil(n_frames / min(window, max_frames))
    bounds = np.linspace(0, n_frames, k + 1).round().astype(int)
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))


class Captioner:
    def __init__(self, kind: str, lamp, mean: np.ndarray, std: np.ndarray, head=None, tokenizer_model=None,
                 name: str = "captioner", device: str = "cpu"):
        if kind not in KINDS:
            raise LampError(f"captioner kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.kind, self.name, self.device = kind, name, device
        self.lamp = lamp.to(device).eval() if lamp is not None else None
        self.mean, self.std = np.asarray(mean, np.float32), np.asarray(std, np.float32)
        self.head = head.to(device).eval() if head is not None else None
        self.tokenizer_model = tokenizer_model   # (vq model, mean, std) for the baseline
        if kind == "prefix" and self.head is not None:
            self._merge_lora()
        from ..text.minilm import load_tokenizer
        self.words = self.head.tokenizer if kind == "prefix" else load_tokenizer()
        self.max_frames = lamp.cfg.max_frames if lamp is not None else tokenizer_model[0].cfg.max_frames

    def _merge_lora(self) -> None:
        """Inference only: fold the LoRA updates into the LM's weights (one matmul per layer, not three)."""
        lm = self.head.lm
        if hasattr(lm, "merge_and_unload"):
            self.head.lm = lm.merge_and_unload()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, bundle: Path, kind: str = "prefix", device: str = "cpu") -> "Captioner":
        """From a model bundle: ``lamp`` + ``captioner`` (prefix), ``lamp`` (lamp), or ``vq`` +
        ``caption-baseline`` (baseline)."""
        from ..generation.bundle import read_bundle
        meta, parts = read_bundle(Path(bundle))
        need = {"prefix": ("lamp", "captioner"), "lamp": ("lamp",), "baseline": ("vq", "caption-baseline")}[kind]
        missing = [p for p in need if p not in parts]
        if missing:
            raise LampError(f"{bundle}: the bundle has no {' or '.join(missing)} model, which the {kind} captioner "
                            "needs (train it with 'lamp train captioner' and add it with 'lamp bundle')")
        head = {"prefix": parts.get("captioner"), "baseline": parts.get("caption-baseline"), "lamp": None}[kind]
        return cls.from_folders(kind, lamp=parts.get("lamp"), head=head, tokenizer=parts.get("vq"),
                                name=f"{meta.get('name', 'bundle')}:{kind}", device=device)

    @classmethod
    def from_folders(cls, kind: str, lamp: Path | None = None, head: Path | None = None, tokenizer: Path | None = None,
                     name: str = "captioner", device: str = "cpu") -> "Captioner":
        lamp_model = mean = std = head_model = tok = None
        if kind in ("prefix", "lamp"):
            lamp_model, mean, std, _, _ = load_model(lamp, expect="lamp")
        if kind == "prefix":
            head_model, _, _, _, _ = load_model(head, expect="captioner")
        if kind == "baseline":
            head_model, _, _, _, _ = load_model(head, expect="caption-baseline")
            vq, mean, std, _, _ = load_model(tokenizer, expect="vq")
            tok = (vq.to(device).eval(), mean, std)
        return cls(kind, lamp_model, mean, std, head_model, tok, name, device)

    # ------------------------------------------------------------------ decoding
    def _step(self, feats: list[np.ndarray]):
        """(step function, bos, eos) for a batch of raw feature clips (each <= max_frames)."""
        if self.kind == "baseline":
            vq, mean, std = self.tokenizer_model
            codes, counts = coarse_codes(vq, mean, std, feats)
            mem, pad = self.head.encode(torch.from_numpy(codes).to(self.device), torch.from_numpy(counts).to(self.device))
            return (lambda ids, rows: self.head.next_logprobs(mem, pad, ids, rows)), 101, 102
        if self.kind == "prefix":
            from ..models.caption_prefix import CachedStep
            q = torch.from_numpy(lamp_queries(self.lamp, self.mean, self.std, feats)).to(self.device)
            return CachedStep(self.head, self.head.prefix(q)), self.head.bos, self.head.eos
        from ..models.lamp import DEC_TOKEN_ID
        motion, keep = lamp_motion(self.lamp, self.mean, self.std, feats)
        lamp = self.lamp

        def step(ids, rows):
            valid = torch.ones_like(ids, dtype=torch.bool)
            states = lamp.fused_states(motion[rows], keep[rows], ids, valid, causal=True)[:, lamp.cfg.n_query:]
            return F.log_softmax(lamp.lm_logits(states[:, -1]).float(), -1)
        return step, DEC_TOKEN_ID, 102

    @torch.no_grad()
    def caption_features(self, feats: list[np.ndarray], options: DecodeOptions = DecodeOptions(),
                         batch: int = 16) -> list[list[Caption]]:
        """n-best captions for raw 263-d feature clips of at most ``max_frames`` frames each."""
        out: list[list[Caption]] = []
        for s in range(0, len(feats), batch):
            chunk = [np.asarray(f, np.float32) for f in feats[s:s + batch]]
            step, bos, eos = self._step(chunk)
            n = len(chunk)
            if options.method == "greedy":
                hyps = [[h] for h in decoding.greedy(step, n, bos, eos, options.max_len)]
            elif options.method == "beam":
                hyps = decoding.beam_search(step, n, bos, eos, options.max_len, width=options.beams,
                                            n_best=min(options.n_best, options.beams))
            else:
                hyps = decoding.sample(step, n, bos, eos, options.max_len, n_samples=options.n_best,
                                       temperature=options.temperature, top_k=options.top_k, seed=options.seed)
            out.extend(self._texts(h) for h in hyps)
        return out

    def _texts(self, hyps) -> list[Caption]:
        seen, caps = set(), []
        for h in hyps:
            text = self.words.decode(h.ids, skip_special_tokens=True).strip()
            if text and text not in seen:
                seen.add(text)
                caps.append(Caption(text, float(h.score)))
        return caps

    # ------------------------------------------------------------------ motions and files
    def caption(self, motion: Motion, options: DecodeOptions = DecodeOptions(), window_seconds: float = 4.0,
                source: str | Path = "motion") -> list[TimedCaption]:
        """Timed captions: one for a clip the model sees whole (<= ~10 s), else one per window of
        ``window_seconds``, with neighbours that read the same merged into one span."""
        too_short = MotionFormatError(source, f"too short to caption: {motion.duration:.2f} s "
                                              f"({motion.n_frames} frame(s)); need at least {MIN_FRAMES / FPS:.1f} s of motion")
        if motion.duration * FPS < MIN_FRAMES:
            raise too_short
        try:
            feats = motion.features
        except ValueError as e:
            raise MotionFormatError(source, f"cannot caption it: {e}") from None
        if len(feats) < MIN_FRAMES:
            raise too_short
        spans = timed_windows(len(feats), self.max_frames, max(MIN_FRAMES, int(round(window_seconds * FPS))))
        results = self.caption_features([feats[a:b] for a, b in spans], options)
        timed: list[TimedCaption] = []
        for (a, b), caps in zip(spans, results):
            if timed and caps and timed[-1].text == caps[0].text:
                timed[-1] = TimedCaption(timed[-1].start, b / FPS, timed[-1].captions)
            else:
                timed.append(TimedCaption(a / FPS, b / FPS, tuple(caps)))
        return timed

    def caption_file(self, path: str | Path, options: DecodeOptions = DecodeOptions(),
                     window_seconds: float = 4.0) -> list[TimedCaption]:
        from ..formats import read
        return self.caption(read(path), options, window_seconds, source=path)


def format_timed(timed: list[TimedCaption]) -> str:
    """'a person walks forward.' for one span; '0.0–4.0 s: ...; 4.0–8.0 s: ...' for several."""
    if len(timed) == 1:
        return timed[0].text
    return "; ".join(f"{t.start:.1f}–{t.end:.1f} s: {t.text.rstrip('.')}" for t in timed)
