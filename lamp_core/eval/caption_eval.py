"""``lamp eval captions``: how well each captioner of a bundle describes held-out clips.

Per captioner (prefix, LaMP's own decoder, the TM2T-like baseline): BLEU-1/4, ROUGE-L, CIDEr and
BERTScore of the top beam caption against all of the clip's captions, and content accuracy: does the
top caption name the clip's action (walk, run, wave, bow...)? Plus LaMP-BertScore: generate a motion
from a test caption, caption it back, and score that against the prompt.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..captioning.captioner import Captioner, DecodeOptions
from ..captioning.metrics import BERTSCORE_MODEL, bert_score, caption_metrics
from ..data.layout import load_split
from ..data.manifest import action_class, rows_for
from ..errors import LampError
from ..formats.atomic import atomic_write_text

# The action words a caption must use for a content label (any of them; stems match inflections).
CONTENT_WORDS = {
    "walk": ("walk",), "walk-turn-left": ("walk", "turn"), "walk-turn-right": ("walk", "turn"),
    "walk-left": ("walk",), "walk-right": ("walk",), "walk-back": ("walk", "backward", "back"),
    "run": ("run", "jog", "sprint"), "dash": ("dash", "sprint", "run"),
    "raise-up-right-hand": ("rais", "lift", "put"), "raise-up-left-hand": ("rais", "lift", "put"),
    "raise-up-both-hands": ("rais", "lift", "put"),
    "wave-right-hand": ("wav",), "wave-left-hand": ("wav",), "wave-both-hands": ("wav",),
    "bye": ("wav", "bye", "goodbye"), "byebye": ("wav", "bye", "goodbye"),
    "bow": ("bow",), "guide": ("guid", "gestur", "show", "point", "way"), "respond": ("respond", "answer", "rais"),
    "call": ("call", "beckon", "wav"), "punch": ("punch",), "kick": ("kick",), "slash": ("slash", "sword"),
    "jump": ("jump", "hop", "leap"), "hop": ("hop", "jump", "leap"), "squat": ("squat", "crouch"), "kick-left": ("kick",), "kick-right": ("kick",),
    "idle": ("stand", "idle", "still", "wait"),
}
SIDES = {"left": "left", "right": "right", "both": "both"}


def names_action(caption: str, content: str) -> bool:
    """True when the caption uses one of the content's action words (word starts, so 'waves' counts)."""
    words = re.findall(r"[a-z]+", caption.lower())
    return any(w.startswith(stem) for stem in CONTENT_WORDS[content] for w in words)


def names_side(caption: str, content: str) -> bool | None:
    """For one-sided labels (…-left-hand, walk-turn-right): is that side named and the other not?"""
    side = next((s for s in ("left", "right", "both") if s in content.split("-")), None)
    if side is None:
        return None
    words = set(re.findall(r"[a-z]+", caption.lower()))
    others = {"left", "right", "both"} - {side}
    return side in words and not (words & others)


@dataclass
class CaptionerReport:
    name: str
    metrics: dict[str, float]
    content_accuracy: float | None
    side_accuracy: float | None
    per_content: dict[str, float]
    seconds_per_clip: float
    examples: list[dict] = field(default_factory=list)


@dataclass
class CaptionReport:
    bundle: str
    data: str
    split: str
    clips: int
    beams: int
    bertscore_model: str
    captioners: list[CaptionerReport]
    lamp_bertscore: dict | None = None
    fixtures: list[dict] = field(default_factory=list)


def evaluate_captioner(captioner: Captioner, feats: list[np.ndarray], references: list[list[str]],
                       contents: list[str] | None, beams: int = 5, names: list[str] | None = None) -> CaptionerReport:
    t0 = time.perf_counter()
    tops = [c[0].text if c else "" for c in captioner.caption_features(feats, DecodeOptions(beams=beams, n_best=1))]
    elapsed = (time.perf_counter() - t0) / max(1, len(feats))
    metrics = caption_metrics([t or "-" for t in tops], references)
    acc = side = None
    per: dict[str, float] = {}
    if contents:
        scored = [(c, names_action(t, c)) for t, c in zip(tops, contents) if c in CONTENT_WORDS]
        if scored:
            acc = float(np.mean([ok for _, ok in scored]))
            for label in sorted({c for c, _ in scored}):
                per[label] = float(np.mean([ok for c, ok in scored if c == label]))
        sides = [names_side(t, c) for t, c in zip(tops, contents) if c in CONTENT_WORDS]
        sides = [s for s in sides if s is not None]
        side = float(np.mean(sides)) if sides else None
    rng = np.random.default_rng(0)
    pick = rng.choice(len(tops), size=min(8, len(tops)), replace=False)
    examples = [{"clip": names[i] if names else i, "caption": tops[i], "reference": references[i][0]} for i in sorted(pick)]
    return CaptionerReport(captioner.name, metrics, acc, side, per, elapsed, examples)


def lamp_bertscore(bundle: Path, captioner: Captioner, prompts: list[str], seconds: list[float], seed: int = 0) -> dict:
    """Generate from each prompt, caption the motion, BERTScore (F1) of caption vs prompt."""
    from ..engine import Engine
    engine = Engine.load(bundle)
    feats = [engine.generate(p, seconds=s, seed=seed + i)[0].features for i, (p, s) in enumerate(zip(prompts, seconds))]
    caps = [c[0].text if c else "" for c in captioner.caption_features(feats, DecodeOptions(n_best=1))]
    score = bert_score([c or "-" for c in caps], [[p] for p in prompts])
    return {"prompts": len(prompts), "lamp_bertscore_f1": score["f1"],
            "examples": [{"prompt": p, "caption": c} for p, c in list(zip(prompts, caps))[:6]]}


def evaluate_captioners(bundle: Path, data: Path, split: str = "test", beams: int = 5, limit: int | None = None,
                        bert_prompts: int = 64, fixtures: list[Path] | None = None,
                        kinds: tuple[str, ...] = ("prefix", "lamp", "baseline")) -> CaptionReport:
    entries = load_split(data, split)
    if not entries:
        raise LampError(f"{data}: the {split} split has no clips")
    if limit and limit < len(entries):   # evenly spaced: the split is sorted by source and action
        entries = [entries[i] for i in np.linspace(0, len(entries) - 1, limit).round().astype(int)]
    feats = [e.features for e in entries]
    refs = [[t.caption for t in e.texts] for e in entries]
    rows = rows_for(data, [e.name for e in entries])
    contents = [action_class(r) for r in rows] if rows else None   # CMU clips count too (jump, hop, walk)
    reports, prefix = [], None
    for kind in kinds:
        try:
            cap = Captioner.load(bundle, kind=kind)
        except LampError as e:
            print(f"skipping the {kind} captioner: {e}")
            continue
        print(f"captioning {len(feats)} {split} clips with {cap.name} (beam {beams})...")
        reports.append(evaluate_captioner(cap, feats, refs, contents, beams, [e.name for e in entries]))
        if kind == "prefix":
            prefix = cap
    if not reports:
        raise LampError(f"{bundle}: no captioner in the bundle (lamp train captioner; lamp bundle --captioner)")
    best = prefix or Captioner.load(bundle, kind="lamp")
    lbs = None
    if bert_prompts:
        pick = entries[: bert_prompts] if len(entries) <= bert_prompts else [
            entries[i] for i in np.linspace(0, len(entries) - 1, bert_prompts).round().astype(int)]
        print(f"LaMP-BertScore: generating {len(pick)} motions and captioning them...")
        lbs = lamp_bertscore(bundle, best, [e.texts[0].caption for e in pick], [len(e.features) / 20 for e in pick])
    fx = []
    for f in fixtures or []:
        timed = best.caption_file(f)
        fx.append({"file": str(f), "captions": [t.to_dict() for t in timed]})
    return CaptionReport(str(bundle), str(data), split, len(entries), beams, BERTSCORE_MODEL, reports, lbs, fx)


def write_caption_report(report: CaptionReport, out: Path) -> Path:
    out = Path(out)
    path = out if out.suffix == ".md" else out / "captions.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = ("bleu_1", "bleu_4", "rouge_l", "cider", "bertscore_f1")
    lines = [f"# Captioning: {report.bundle} on {report.data} ({report.split}, {report.clips} clips, beam {report.beams})",
             "", "| captioner | BLEU-1 | BLEU-4 | ROUGE-L | CIDEr | BERTScore F1 | action named | side right | s/clip |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report.captioners:
        m = r.metrics
        acc = f"{100 * r.content_accuracy:.1f}%" if r.content_accuracy is not None else "-"
        side = f"{100 * r.side_accuracy:.1f}%" if r.side_accuracy is not None else "-"
        lines.append(f"| {r.name} | " + " | ".join(f"{m[k]:.3f}" for k in keys) + f" | {acc} | {side} | {r.seconds_per_clip:.3f} |")
    lines += ["", f"BLEU/ROUGE-L/CIDEr follow the COCO caption toolkit's definitions; BERTScore uses {report.bertscore_model} "
              "(the only language model available offline), so its values compare only within this project. "
              "'action named': the top caption uses an action word of the clip's label (walk, run, wave, bow...); "
              "'side right': for one-sided labels, the caption names that side and no other."]
    if report.captioners and report.captioners[0].per_content:
        labels = sorted(report.captioners[0].per_content)
        lines += ["", "## Action named, per label", "", "| label | " + " | ".join(r.name for r in report.captioners) + " |",
                  "|---|" + "---|" * len(report.captioners)]
        for label in labels:
            lines.append(f"| {label} | " + " | ".join(f"{100 * r.per_content.get(label, float('nan')):.0f}%"
                                                   for r in report.captioners) + " |")
    if report.lamp_bertscore:
        lb = report.lamp_bertscore
        lines += ["", "## LaMP-BertScore", "", f"{lb['prompts']} test captions -> generated motion -> top caption -> "
                  f"BERTScore F1 against the prompt: **{lb['lamp_bertscore_f1']:.3f}**", ""]
        lines += [f"- \"{e['prompt']}\" -> \"{e['caption']}\"" for e in lb["examples"]]
    for r in report.captioners:
        lines += ["", f"## Examples: {r.name}", ""] + [f"- {e['clip']}: \"{e['caption']}\" (a reference: \"{e['reference']}\")"
                                                    for e in r.examples]
    if report.fixtures:
        lines += ["", "## Files from skeletons the model never saw", ""]
        for f in report.fixtures:
            lines.append(f"- {Path(f['file']).name}: " + "; ".join(
                f"{c['start']:.1f}–{c['end']:.1f} s: {c['captions'][0]['text'] if c['captions'] else ''}" for c in f["captions"]))
    atomic_write_text(path, "\n".join(lines) + "\n")
    atomic_write_text(path.with_suffix(".json"), json.dumps(asdict(report), indent=2))
    return path
