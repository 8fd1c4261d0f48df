"""``lamp eval``: every table of a bundle in one report (Markdown + JSON), resumable section by section.

Sections: text-to-motion generation on the test split (the bundle with all codebooks and with the coarse
one, plus ablation variants: bidirectional, additive bias, frozen-MiniLM conditioning), the same on the
held-out (action, style) combinations, tokenizer reconstruction, retrieval (LaMP vs a baseline) and
captioning (prefix, LaMP decoder, TM2T-like baseline, LaMP-BertScore, per-action accuracy). Each finished
section is stored under ``OUT/sections/`` with the settings that made it; a rerun with the same settings
reuses it, so an interrupted evaluation continues where it stopped. The generation numbers are measured
by the independent evaluator that ships in the bundle (``evaluator/``), so they compare across versions.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..data.layout import load_split
from ..errors import LampError
from ..formats.atomic import atomic_write_text
from ..generation.bundle import read_bundle

SECTIONS = ("generation", "generation-unseen", "tokenizer", "retrieval", "captions")
UNSEEN_SPLIT = "test_unseen_combos"


@dataclass
class SuiteConfig:
    bundle: Path
    data: Path
    out: Path
    split: str = "test"
    n: int = 128                   # captions for the generation tables
    repeats: int = 3               # generations of the whole set (the field uses 20 on a GPU)
    mm_texts: int = 8              # MultiModality: captions x mm_samples motions each
    mm_samples: int = 30
    caption_limit: int | None = 300
    bert_prompts: int = 64
    variants: dict[str, Path] = field(default_factory=dict)   # row name -> masked transformer folder
    baseline: Path | None = None   # retrieval baseline folder (lamp train baseline)
    evaluator: Path | None = None  # default: the bundle's evaluator/
    sections: tuple[str, ...] = SECTIONS
    fixtures: tuple[Path, ...] = ()

    def key(self, section: str) -> str:
        """What a stored section depends on: its own settings and the bundle's weights."""
        weights = sorted(str(p.relative_to(self.bundle)) + ":" + str(p.stat().st_size) + ":" + str(p.stat().st_mtime_ns)
                         for p in Path(self.bundle).rglob("model.safetensors"))
        d = asdict(self)
        keep = {"generation": ("split", "n", "repeats", "mm_texts", "mm_samples", "variants", "evaluator"),
                "generation-unseen": ("n", "repeats", "evaluator"), "tokenizer": ("split",),
                "retrieval": ("split", "baseline"),
                "captions": ("split", "caption_limit", "bert_prompts", "fixtures")}[section]
        blob = json.dumps({"data": str(Path(self.data).resolve()), "weights": weights,
                           **{k: str(d[k]) for k in keep}}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def evaluator_folder(cfg: SuiteConfig) -> Path:
    if cfg.evaluator:
        return Path(cfg.evaluator)
    _, parts = read_bundle(cfg.bundle)
    if "evaluator" not in parts:
        raise LampError(f"{cfg.bundle}: the bundle has no evaluator/ (lamp train evaluator; lamp bundle --evaluator); "
                        "or give --evaluator FOLDER")
    return parts["evaluator"]


def _generation(cfg: SuiteConfig, split: str, variants: dict[str, Path], repeats: int, mm_texts: int,
                md: Path, log) -> dict:
    from ..engine import Engine
    from .generation_eval import Evaluator, evaluate_generation, write_generation_report
    engine = Engine.load(cfg.bundle)
    engines = {f"{engine.name} (all codebooks)": (engine, True), f"{engine.name} (coarse codebook)": (engine, False)}
    for name, folder in variants.items():
        engines[f"{name} (coarse codebook)"] = (engine.with_masked_transformer(folder), False)
    evaluator = Evaluator(evaluator_folder(cfg))
    total = len(engines) * repeats

    def progress(done, n):
        if done == n or done % 32 == 0:
            log(f"  generated {done}/{n}")
    log(f"  {len(engines)} generators x {repeats} repeat(s) under {evaluator.model_id}; "
        f"{total * min(cfg.n, len(load_split(cfg.data, split)))} motions")
    rows = evaluate_generation(engines, evaluator, cfg.data, split, cfg.n, progress=progress, repeats=repeats,
                               mm_texts=mm_texts, mm_samples=cfg.mm_samples)
    write_generation_report(rows, md, evaluator, cfg.data, split)
    return {"rows": [asdict(r) for r in rows], "evaluator": evaluator.model_id}


def _tokenizer(cfg: SuiteConfig, md: Path, log) -> dict:
    from ..models.io import load_model
    from .vq_eval import evaluate_tokenizer
    _, parts = read_bundle(cfg.bundle)
    model, mean, std, model_id, _ = load_model(parts["vq"], expect="vq")
    report = evaluate_tokenizer(model, load_split(cfg.data, cfg.split), mean, std)
    atomic_write_text(md, "\n".join([f"# Tokenizer reconstruction on {cfg.data} ({cfg.split})", "",
                                     f"{model_id}:", "", *[f"- {line}" for line in report.lines()], ""]))
    return report.to_dict()


def _retrieval(cfg: SuiteConfig, md: Path, log) -> dict:
    from .retrieval_eval import evaluate_models, held_out_combinations, write_report
    _, parts = read_bundle(cfg.bundle)
    if "lamp" not in parts:
        raise LampError(f"{cfg.bundle}: no lamp/ to evaluate retrieval with")
    models = [parts["lamp"]] + ([Path(cfg.baseline)] if cfg.baseline else [])
    reports = evaluate_models(models, cfg.data, cfg.split)
    held = held_out_combinations(models, cfg.data) if cfg.split == "test" else None
    write_report(reports, md, cfg.data, cfg.split, held)
    return json.loads(md.with_suffix(".json").read_text())


def _captions(cfg: SuiteConfig, md: Path, log) -> dict:
    from .caption_eval import evaluate_captioners, write_caption_report
    report = evaluate_captioners(cfg.bundle, cfg.data, cfg.split, limit=cfg.caption_limit,
                                 bert_prompts=cfg.bert_prompts, fixtures=list(cfg.fixtures))
    write_caption_report(report, md)
    return json.loads(md.with_suffix(".json").read_text())


def _run_section(name: str, cfg: SuiteConfig, md: Path, log) -> dict:
    if name == "generation":
        return _generation(cfg, cfg.split, cfg.variants, cfg.repeats, cfg.mm_texts, md, log)
    if name == "generation-unseen":
        if not load_split(cfg.data, UNSEEN_SPLIT):
            raise LampError(f"{cfg.data}: no {UNSEEN_SPLIT} split")
        return _generation(cfg, UNSEEN_SPLIT, {}, cfg.repeats, 0, md, log)
    return {"tokenizer": _tokenizer, "retrieval": _retrieval, "captions": _captions}[name](cfg, md, log)


def run_suite(cfg: SuiteConfig, fresh: bool = False, log=print) -> Path:
    """Evaluate every requested section (reusing finished ones unless ``fresh``) and write OUT/eval.md + .json."""
    cfg.bundle, cfg.data, cfg.out = Path(cfg.bundle), Path(cfg.data), Path(cfg.out)
    meta, _ = read_bundle(cfg.bundle)
    unknown = set(cfg.sections) - set(SECTIONS)
    if unknown:
        raise LampError(f"unknown section(s) {sorted(unknown)}; sections are {', '.join(SECTIONS)}")
    folder = cfg.out / "sections"
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    for i, name in enumerate(cfg.sections, 1):
        done, md = folder / f"{name}.done.json", folder / f"{name}.md"
        key = cfg.key(name)
        if not fresh and done.is_file() and md.is_file():
            stored = json.loads(done.read_text())
            if stored.get("key") == key:
                log(f"[eval {i}/{len(cfg.sections)}] {name}: reusing {md} ({stored['seconds']:.0f} s when made)")
                results[name] = stored
                continue
        log(f"[eval {i}/{len(cfg.sections)}] {name} ...")
        t0 = time.time()
        try:
            data = _run_section(name, cfg, md, log)
        except LampError as e:
            log(f"[eval {i}/{len(cfg.sections)}] {name}: skipped ({e})")
            results[name] = {"skipped": str(e)}
            continue
        results[name] = {"key": key, "seconds": time.time() - t0, "data": data}
        atomic_write_text(done, json.dumps(results[name], indent=2))
        log(f"[eval {i}/{len(cfg.sections)}] {name}: {time.time() - t0:.0f} s")
    header = [f"# Evaluation of {meta.get('name', cfg.bundle.name)}", "",
              f"Bundle {cfg.bundle}, data {cfg.data} ({cfg.split}); {time.strftime('%Y-%m-%d %H:%M')} on "
              f"{platform.machine()} {platform.processor() or ''}".rstrip() + ".", ""]
    body = []
    for name in cfg.sections:
        md = folder / f"{name}.md"
        if "skipped" in results[name]:
            body += [f"## {name}", "", f"Skipped: {results[name]['skipped']}", ""]
        else:
            text = md.read_text(encoding="utf-8")
            body += ["#" + text if text.startswith("# ") else text, ""]
    out_md = cfg.out / "eval.md"
    atomic_write_text(out_md, "\n".join(header + body))
    atomic_write_text(cfg.out / "eval.json", json.dumps({"bundle": str(cfg.bundle), "name": meta.get("name"),
                                                         "data": str(cfg.data), "sections": results}, indent=2))
    return out_md
