"""Run every benchmark and print a Markdown table (``--json`` for machine-readable output)."""

from __future__ import annotations

import argparse
import json

from . import bench_bvh, bench_caption, bench_generate, bench_library
from .common import machine

SUITES = {"bvh": bench_bvh, "library": bench_library, "generate": bench_generate, "caption": bench_caption}


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", choices=sorted(SUITES), action="append")
    args = ap.parse_args()
    rows = []
    for name in args.only or SUITES:
        rows += SUITES[name].run()
    info = machine()
    if args.json:
        print(json.dumps({"machine": info, "results": rows}, indent=2))
        return
    print(f"Machine: {info.get('cpu', '?')}, {info['cpus']} CPUs, Python {info['python']}, "
          f"torch threads {info.get('torch_threads', '?')}\n")
    print("| benchmark | median s | rate |\n|---|---|---|")
    for r in rows:  # a row has frames_per_s, or per_s with its unit
        rate = f"{r['frames_per_s']:,.0f} frames/s" if "frames_per_s" in r else f"{r['per_s']:,.0f} {r['unit']}"
        print(f"| {r['name']} | {r['seconds']:.4g} | {rate} |")


if __name__ == "__main__":
    main()
