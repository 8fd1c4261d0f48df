"""A model bundle: one folder per model (model.json + model.safetensors) and ``bundle.json`` saying
what the parts are and that they were trained together. ``Engine.load`` needs nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..errors import LampError
from ..formats.atomic import atomic_write_text

PARTS = ("lamp", "vq", "t2m", "residual", "length", "pose", "captioner", "caption-baseline", "evaluator")
GENERATION_PARTS = ("lamp", "vq", "t2m", "residual", "length", "pose")   # what Engine.load reads
REQUIRED = ("vq", "t2m")
BUNDLE = "bundle.json"
BUNDLE_VERSION = 1


def _meta(folder: Path) -> dict:
    try:
        return json.loads((folder / "model.json").read_text())
    except (OSError, ValueError) as e:
        raise LampError(f"{folder}: not a model folder (model.json): {e}") from None


def check_parts(parts: dict[str, Path]) -> None:
    """Every generator must have been trained on this tokenizer and this text condition."""
    missing = [p for p in REQUIRED if p not in parts]
    if missing:
        raise LampError(f"a bundle needs {', '.join(REQUIRED)}; missing {', '.join(missing)}")
    metas = {name: _meta(Path(f)) for name, f in parts.items()}
    for name, meta in metas.items():
        expect = "vq" if name == "vq" else name
        if meta.get("kind") != expect:
            raise LampError(f"{parts[name]}: holds a {meta.get('kind')!r} model, expected {expect!r}")
    vq_id = _model_id(Path(parts["vq"]))
    lamp_id = _model_id(Path(parts["lamp"])) if "lamp" in parts else None
    if "captioner" in metas and metas["captioner"].get("lamp") != lamp_id:
        raise LampError(f"{parts['captioner']}: reads the queries of {metas['captioner'].get('lamp')}, "
                        f"the bundle's LaMP is {lamp_id}")
    for name in ("t2m", "residual", "length", "pose", "caption-baseline"):
        if name not in metas:
            continue
        meta = metas[name]
        if meta.get("tokenizer") and meta["tokenizer"] != vq_id:
            raise LampError(f"{parts[name]}: trained on tokenizer {meta['tokenizer']}, the bundle's is {vq_id}")
        cond = meta.get("condition", "")
        if cond.startswith("lamp:") and cond != f"lamp:{lamp_id}":
            raise LampError(f"{parts[name]}: trained on text features of {cond[5:]}, the bundle's LaMP is {lamp_id}")


def _model_id(folder: Path) -> str:
    import hashlib
    kind = _meta(folder)["kind"]
    return f"{kind}-{hashlib.sha256((folder / 'model.safetensors').read_bytes()).hexdigest()[:16]}"


def make_bundle(out: Path, parts: dict[str, Path], name: str = "lamp-studio", notes: dict | None = None,
                half: bool = False, weights: str | None = None) -> Path:
    """Copy the model folders into ``out`` (refusing a non-empty folder that is not a bundle).
    ``weights``: float32 (as trained), float16 (``half``) or int8 (large matrices, see quantize.py);
    they are widened back to float32 on loading."""
    weights = weights or ("float16" if half else "float32")
    out = Path(out)
    parts = {k: Path(v) for k, v in parts.items() if v is not None}
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise LampError(f"unknown bundle part(s) {sorted(unknown)}; known: {', '.join(PARTS)}")
    check_parts(parts)
    if out.exists() and any(out.iterdir()) and not (out / BUNDLE).is_file():
        raise LampError(f"{out}: exists and is not a bundle; refusing to write into it")
    out.mkdir(parents=True, exist_ok=True)
    for part, src in parts.items():
        dst = out / part
        dst.mkdir(exist_ok=True)
        shutil.copyfile(src / "model.json", dst / "model.json")
        if weights != "float32":
            _save_compressed(src / "model.safetensors", dst / "model.safetensors", weights)
            meta = _meta(src)  # the id the other parts were trained against, before compression
            meta["stored_from"] = _model_id(src)
            atomic_write_text(dst / "model.json", json.dumps(meta, indent=2))
        else:
            shutil.copyfile(src / "model.safetensors", dst / "model.safetensors")
    atomic_write_text(out / BUNDLE, json.dumps({"format": "lamp-bundle", "version": BUNDLE_VERSION, "name": name,
                                                 "parts": sorted(parts), "weights": weights,
                                                 **(notes or {})}, indent=2))
    return out


def _save_compressed(src: Path, dst: Path, weights: str) -> None:
    from safetensors.torch import load_file, save_file

    from ..models.quantize import compress
    save_file(compress(load_file(str(src)), weights), str(dst), metadata={"stored_as": weights})


def read_bundle(folder: Path) -> tuple[dict, dict[str, Path]]:
    folder = Path(folder)
    try:
        meta = json.loads((folder / BUNDLE).read_text())
    except FileNotFoundError:
        raise LampError(f"{folder}: not a model bundle (no {BUNDLE}); build one with 'lamp bundle'") from None
    except (OSError, ValueError) as e:
        raise LampError(f"{folder / BUNDLE}: unreadable ({e})") from None
    if meta.get("format") != "lamp-bundle":
        raise LampError(f"{folder / BUNDLE}: not a lamp-bundle file")
    if int(meta.get("version", 0)) > BUNDLE_VERSION:
        raise LampError(f"{folder}: bundle version {meta['version']} is newer than this LaMP Studio reads "
                        f"({BUNDLE_VERSION}); update LaMP Studio")
    parts = {p: folder / p for p in meta.get("parts", []) if (folder / p / "model.json").is_file()}
    missing = [p for p in REQUIRED if p not in parts]
    if missing:
        raise LampError(f"{folder}: the bundle lacks {', '.join(missing)}")
    return meta, parts
