"""``lamp body build`` (generate LaMP Studio's SMPL-format body into assets/body) and ``lamp body
info`` (what a body model holds; ``--model`` points at a user's own SMPL / SMPL-X file or folder)."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import LampError


def cmd_body_build(args) -> int:
    from .body.build import build_body, save_body
    from .body.model import DEFAULT_BODY

    log = (lambda *_: None) if args.quiet else (lambda m: print(f"lamp body build: {m}", file=sys.stderr))
    out = save_body(build_body(step=args.step, density=args.density, log=log), args.out or DEFAULT_BODY)
    print(f"{out}: {out.stat().st_size / 1e6:.2f} MB")
    return 0


def cmd_body_info(args) -> int:
    from .body.model import ENV_VAR, load_body

    try:
        body = load_body(args.model, gender=args.gender)
    except ImportError as e:  # a user's pickle that needs chumpy, etc.
        raise LampError(f"cannot read the body model: {e}") from None
    except FileNotFoundError as e:
        raise LampError(str(e)) from None
    print(f"source: {body.source}")
    print(f"vertices: {body.n_vertices}, faces: {len(body.faces)}, joints: {len(body.parents)}, "
          f"shape coefficients: {0 if body.shapedirs is None else body.shapedirs.shape[-1]}, "
          f"pose correctives: {'yes' if body.posedirs is not None else 'no'}")
    print(f"rest height: {body.height:.3f} m (set {ENV_VAR} or pass --model to use another body)")
    return 0


def add_body_parser(sub) -> None:
    b = sub.add_parser("body", help="the SMPL-format body: build ours, inspect one",
                       description="LaMP Studio's generated SMPL-format body, or your own SMPL / SMPL-X model.")
    bs = b.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = bs.add_parser("build", help="generate assets/body/lamp_body_neutral.npz (about a minute)")
    p.add_argument("--out", type=Path, default=None, help="output .npz (default assets/body/lamp_body_neutral.npz)")
    p.add_argument("--step", type=float, default=0.007, help="sampling grid step in metres (default 0.007)")
    p.add_argument("--density", type=float, default=1.0, help="vertex density factor (default 1: ~8k vertices)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_body_build)
    p = bs.add_parser("info", help="vertex, joint and shape counts and rest height of a body model")
    p.add_argument("--model", type=Path, default=None,
                   help="body model file or folder: our .npz, or a SMPL / SMPL+H / SMPL-X model as smplx.create "
                        "reads it (default: $LAMP_BODY_MODEL, else the generated body)")
    p.add_argument("--gender", choices=("neutral", "male", "female"), default="neutral")
    p.set_defaults(func=cmd_body_info)
