"""``lamp generate`` and ``lamp bundle``: thin shells over the Engine and generation.bundle."""

from __future__ import annotations

import json
from pathlib import Path

from .assets import DEFAULT_BUNDLE
from .errors import LampError



def read_segments(path: Path) -> list[tuple[str, float]]:
    """A segments file: JSON (a list of {"text", "seconds"}) or text lines ``SECONDS TEXT`` (# comments)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LampError(f"{path}: cannot read the segments file ({e})") from None
    if path.suffix.lower() == ".json":
        try:
            items = json.loads(raw)
        except ValueError as e:
            raise LampError(f"{path}: not valid JSON ({e})") from None
        if not isinstance(items, list):
            raise LampError(f"{path}: expected a list of {{\"text\": ..., \"seconds\": ...}} objects")
        out = []
        for i, it in enumerate(items):
            if not isinstance(it, dict) or "text" not in it or "seconds" not in it:
                raise LampError(f"{path}: item {i + 1} needs \"text\" and \"seconds\"")
            out.append((str(it["text"]), _seconds(it["seconds"], f"{path}: item {i + 1}")))
        return out
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, text = line.partition(" ")
        if not text.strip():
            raise LampError(f"{path}:{n}: expected 'SECONDS TEXT', e.g. '3.5 a person walks forward'")
        out.append((text.strip(), _seconds(head, f"{path}:{n}")))
    if not out:
        raise LampError(f"{path}: no segments (lines of 'SECONDS TEXT')")
    return out


def _seconds(v, where: str) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise LampError(f"{where}: seconds must be a number, got {v!r}") from None


def _outputs(out: Path, n: int) -> list[Path]:
    from .formats import writable_suffixes
    if out.suffix.lower() not in writable_suffixes():
        raise LampError(f"{out}: the output must end in one of {', '.join(writable_suffixes())}")
    if n == 1:
        return [out]
    return [out.with_name(f"{out.stem}_{k + 1}{out.suffix}") for k in range(n)]


def cmd_generate(args) -> int:
    from .engine import Engine, Sampling
    from .motion.foot_cleanup import cleanup_feet
    if (args.text is None) == (args.segments is None):
        raise LampError("give either a TEXT to generate or --segments FILE")
    segments = read_segments(args.segments) if args.segments else None
    paths = _outputs(Path(args.out), 1 if segments else args.samples)
    engine = Engine.load(args.model or DEFAULT_BUNDLE, device=args.device)
    sampling = Sampling(**{**engine.sampling.__dict__, "residual": not args.coarse,
                           **({"steps": args.steps} if args.steps else {})})
    if segments:
        motions = [engine.sequence(segments, seed=args.seed, sampling=sampling)]
    else:
        motions = engine.generate(args.text, seconds=args.seconds, seed=args.seed, samples=args.samples,
                                  guidance=args.guidance, sampling=sampling)
    for motion, path in zip(motions, paths):
        if not args.no_foot_lock:
            motion = cleanup_feet(motion)
        motion.save(path)
        p = motion.provenance
        print(f"{path}: {motion.n_frames} frames ({motion.duration:.1f} s at {motion.fps:g} fps), seed {p.seed}")
    return 0


def cmd_bundle(args) -> int:
    from .generation.bundle import PARTS, make_bundle
    parts = {name: getattr(args, name.replace("-", "_")) for name in PARTS
             if getattr(args, name.replace("-", "_")) is not None}
    notes = {}
    if args.guidance is not None:
        notes["sampling"] = {"guidance": args.guidance}
    out = make_bundle(Path(args.out), parts, name=args.name, notes=notes, half=args.half,
                      weights="int8" if args.int8 else None)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{out}: bundle of {', '.join(sorted(parts))} ({size / 1e6:.1f} MB)")
    return 0


def add_generate_parsers(sub) -> None:
    g = sub.add_parser("generate", help="text -> motion (BVH, FBX, glTF, SMPL .npz or HumanML3D .npy)")
    g.add_argument("text", nargs="?", help="what the motion should be, e.g. 'a person walks forward'")
    g.add_argument("--segments", type=Path, help="a file of 'SECONDS TEXT' lines (or JSON): one long motion")
    g.add_argument("--seconds", type=float, default=None, help="duration (default: estimated from the text)")
    g.add_argument("--seed", type=int, default=None, help="same seed, same motion (default: random, printed)")
    g.add_argument("--samples", type=int, default=1, help="how many different motions (OUT_1, OUT_2, ...)")
    g.add_argument("--guidance", type=float, default=None, help="classifier-free guidance (default: the model's)")
    g.add_argument("--steps", type=int, default=None, help="decoding steps (default 10)")
    g.add_argument("--coarse", action="store_true", help="skip the residual stage (faster, coarser)")
    g.add_argument("--no-foot-lock", action="store_true", help="keep foot sliding as generated")
    g.add_argument("--model", type=Path, default=None, help=f"model bundle (default {DEFAULT_BUNDLE})")
    g.add_argument("--device", default="cpu")
    g.add_argument("-o", "--out", required=True, type=Path, help="OUT.bvh or OUT.npy")
    g.set_defaults(func=cmd_generate)

    from .generation.bundle import PARTS
    b = sub.add_parser("bundle", help="put trained model folders together as one model bundle")
    for name in PARTS:
        b.add_argument(f"--{name}", type=Path, default=None, help=f"the {name} model folder (…/model)")
    b.add_argument("--name", default="lamp-studio")
    b.add_argument("--guidance", type=float, default=None, help="default guidance stored with the bundle")
    b.add_argument("--half", action="store_true", help="store weights as float16 (half the size)")
    b.add_argument("--int8", action="store_true", help="large matrices as int8 with per-row scales, the rest "
                                                      "float16 (a quarter of the size)")
    b.add_argument("--out", required=True, type=Path)
    b.set_defaults(func=cmd_bundle)
