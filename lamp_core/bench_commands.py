"""``lamp bench``: run the benchmark suites on this machine and print a Markdown table (or JSON),
headed by the CPU, core and thread counts the numbers depend on."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from .bench import SUITES, run_suites


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of threads, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"threads must be at least 1, got {v}")
    return v


def machine_line(info: dict, date: str) -> str:
    usable = info.get("cpus_usable", info["cpus"])
    cores = f"{info['cpus']} cores" + (f" ({usable} usable)" if usable != info["cpus"] else "")
    return (f"Machine: {info['cpu']}, {cores}, torch threads {info['torch_threads']}, "
            f"Python {info['python']}, torch {info['torch']}; {date}")


def _num(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def _median(s: float) -> str:
    return f"{s:.3g} s" if s >= 1 else f"{s * 1000:.3g} ms"


def markdown(info: dict, rows: list[dict], date: str) -> str:
    out = [machine_line(info, date), "", "| suite | benchmark | median | rate |", "|---|---|---|---|"]
    for r in rows:
        if "skipped" in r:
            cells = (f"skipped: {r['skipped']}", "")
        elif "seconds" in r:
            cells = (_median(r["seconds"]), f"{_num(r['per_s'])} {r['unit']}")
        else:
            cells = ("", f"{_num(r['value'])} {r['unit']}")
        out.append(f"| {r['suite']} | {r['name']} | {cells[0]} | {cells[1]} |")
    return "\n".join(out)


def cmd_bench(args: argparse.Namespace) -> int:
    import torch

    from .bench.common import machine
    saved = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        info = machine()
        date = datetime.datetime.now().astimezone().isoformat(timespec="minutes")
        names = [s for s in SUITES if s in (args.only or SUITES)]
        print(machine_line(info, date), file=sys.stderr)
        rows = run_suites(names, quick=args.quick, bundle=args.model,
                          progress=lambda n: print(f"lamp bench: running {n} ...", file=sys.stderr, flush=True))
    finally:
        torch.set_num_threads(saved)
    if args.json:
        print(json.dumps({"machine": info, "date": date, "quick": args.quick, "results": rows}, indent=2))
    else:
        print(markdown(info, rows, date))
    return 0


def add_bench_parser(sub) -> None:
    b = sub.add_parser("bench", help="speed benchmarks on this machine (Markdown table or JSON)",
                       description="Time generation (196 frames, with and without the residual stage), "
                                   "retrieval over 1k/10k/100k clips, captioning a 10 s clip and BVH "
                                   "import/export; medians after warm-up.")
    b.add_argument("--json", action="store_true", help="print the machine and the results as JSON")
    b.add_argument("--only", nargs="+", action="extend", choices=SUITES, metavar="SUITE",
                   help=f"run only these suites ({', '.join(SUITES)}; default all)")
    b.add_argument("--quick", action="store_true", help="fewer repeats, retrieval at 1k and 10k clips only")
    b.add_argument("--threads", type=_positive_int, default=None,
                   help="torch threads (default: torch's current setting, printed in the header)")
    b.add_argument("--model", type=Path, default=None,
                   help="model bundle for generation and captioning (default assets/models/default)")
    b.set_defaults(func=cmd_bench)
