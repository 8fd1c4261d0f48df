"""The ``lamp`` command line. Each subcommand is a thin shell over lamp_core; every failure exits
non-zero with one line that says what went wrong."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import LampError


def _frame_range(text: str) -> tuple[int, int]:
    try:
        a, b = text.split(":")
        return int(a), int(b)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected START:END frame numbers, got {text!r}") from None


def _positive_fps(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of frames per second, got {text!r}") from None
    if not (0.1 <= v <= 1000):
        raise argparse.ArgumentTypeError(f"fps must be between 0.1 and 1000, got {v:g}")
    return v


def cmd_convert(args: argparse.Namespace) -> int:
    from .export import RIG_OPTIONS
    from .formats import read, write
    from .formats.bvh import prepare_for_export

    src, dst = Path(args.input), Path(args.output)
    if dst.exists() and src.exists() and src.resolve() == dst.resolve():
        raise LampError(f"{dst}: output would overwrite the input; choose another name")
    motion = read(src)
    out_motion = prepare_for_export(motion, args.fps, args.in_place, args.range)
    suffix = dst.suffix.lower()
    if suffix in RIG_OPTIONS:  # these writers resample on their rig (rotations), not positions
        extra = {k: getattr(args, k) for k in RIG_OPTIONS[suffix] if getattr(args, k) is not None}
        out = write(motion, dst, fps=args.fps, in_place=args.in_place, frame_range=args.range, **extra)
    else:
        out = write(out_motion, dst, features=args.features, fps=out_motion.fps)
    print(f"{out}: {out_motion.n_frames} frames at {out_motion.fps:g} fps ({out_motion.duration:.2f} s) "
          f"from {src.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lamp", description="LaMP Studio core: text-to-motion, retrieval, captioning.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("convert", help="convert between motion formats (BVH, FBX, glTF, SMPL .npz, HumanML3D .npy)",
                       description="Convert a motion file. Input: any humanoid BVH or FBX, SMPL/SMPL+H/SMPL-X "
                                   "parameter .npz (AMASS), HumanML3D joints (T,22,3) or features (T,263) .npy. "
                                   "Output: SMPL-22 BVH; FBX 7.4 (skeleton, --body for the skinned body); "
                                   ".glb/.gltf (skinned body, --no-body for the skeleton); SMPL parameter .npz "
                                   "(Z up, like AMASS); or .npy joints in metres at 20 fps (features with --features).")
    c.add_argument("input")
    c.add_argument("output")
    c.add_argument("--fps", type=_positive_fps, default=None, help="output frame rate (BVH default: 20)")
    c.add_argument("--in-place", action="store_true", help="remove root motion over the ground")
    c.add_argument("--rest", choices=("tpose", "apose"), default="tpose", help="BVH/FBX/glTF rest pose")
    c.add_argument("--names", choices=("smpl", "mixamo"), default="smpl", help="BVH/FBX/glTF joint names")
    c.add_argument("--units", choices=("m", "cm"), default="m", help="BVH length unit")
    c.add_argument("--range", type=_frame_range, default=None, metavar="START:END", help="frames to keep (20 fps)")
    c.add_argument("--features", action="store_true", help=".npy output holds 263-d HumanML3D features")
    c.add_argument("--body", action=argparse.BooleanOptionalAction, default=None,
                   help="FBX/glTF: include the skinned body mesh (default: glTF yes, FBX no)")
    c.set_defaults(func=cmd_convert)

    from .bench_commands import add_bench_parser
    from .body_commands import add_body_parser
    from .caption_commands import add_caption_parser
    from .data.commands import add_data_parser
    from .generate_commands import add_generate_parsers
    from .model_commands import add_model_parsers
    add_data_parser(sub)
    add_model_parsers(sub)
    add_generate_parsers(sub)
    add_caption_parser(sub)
    add_bench_parser(sub)
    add_body_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (LampError, ValueError, OSError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        name = " ".join(filter(None, [args.command, getattr(args, "data_command", None),
                                      getattr(args, "eval_command", None), getattr(args, "action", None)]))
        print(f"lamp {name}: error: {msg}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"lamp {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
