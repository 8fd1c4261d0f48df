"""``lamp data ...``: build a corpus, build the synthetic test set, inspect captions and stats."""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from pathlib import Path

from ..errors import LampError


def _source_list(text: str) -> tuple[str, ...]:
    from .sources import ARCHIVE_SOURCES
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    bad = [s for s in names if s not in ARCHIVE_SOURCES]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown source {bad[0]!r}; expected a comma list of "
                                         f"{', '.join(ARCHIVE_SOURCES)}")
    return names


def cmd_build(args: argparse.Namespace) -> int:
    from .build import ALL_SOURCES, BuildConfig, build_dataset, format_stats
    from .clips import ClipConfig
    from .splits import SplitConfig

    sources = args.sources if args.sources is not None else (() if args.bvh_folder else ALL_SOURCES)
    cfg = BuildConfig(out=Path(args.out), sources=sources, data_dir=args.data_dir, bvh_folder=args.bvh_folder,
                      labels_csv=args.labels, cache_dir=args.cache_dir, use_cache=not args.no_cache,
                      mirror=not args.no_mirror, clip=ClipConfig(captions_per_clip=args.captions),
                      split=SplitConfig(seed=args.seed))
    t0 = time.perf_counter()
    report = build_dataset(cfg, show_progress=not args.quiet)
    print(format_stats(report.stats))
    print(f"{report.out}: built in {time.perf_counter() - t0:.0f} s (stats.json, manifest.csv inside)")
    return 0


def cmd_synthetic(args: argparse.Namespace) -> int:
    from .build import BuildConfig, format_stats, write_dataset
    from .synthetic import synthetic_takes

    if args.n < 8:
        raise LampError(f"--n must be at least 8 (a split needs a few takes), got {args.n}")
    takes = synthetic_takes(args.n, seed=args.seed)
    from .splits import SplitConfig
    cfg = BuildConfig(out=Path(args.out), sources=(), split=SplitConfig(seed=args.seed, unseen_combos=()))
    report = write_dataset(takes, [], cfg, show_progress=not args.quiet)
    print(format_stats(report.stats))
    print(f"{report.out}: synthetic dataset ({args.n} takes)")
    return 0


def _manifest_row(dataset: Path, clip_id: str) -> dict | None:
    path = dataset / "manifest.csv"
    if not path.is_file():
        return None
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["id"] == clip_id:
                return row
    return None


def cmd_captions(args: argparse.Namespace) -> int:
    from .layout import read_texts

    dataset = Path(args.dataset) if args.dataset else None
    if dataset is None:
        raise LampError("which dataset? pass --dataset DIR (or set LAMP_DATASET)")
    txt = dataset / "texts" / f"{args.id}.txt"
    if not txt.is_file():
        if not (dataset / "texts").is_dir():
            raise LampError(f"{dataset}: not a HumanML3D-layout dataset (no texts/ folder)")
        raise LampError(f"{dataset}: no clip {args.id!r} (see all.txt or manifest.csv for clip names)")
    row = _manifest_row(dataset, args.id)
    if row:
        print(f"{row['id']}  [{row['split']}]  {row['source']}: {row['source_file']} frames "
              f"{row['start_frame']}-{row['end_frame']} at {row['fps']} fps{' (mirrored)' if row['mirrored'] == '1' else ''}")
        print(f"labels: {row['labels']}   license: {row['license']}")
    for i, t in enumerate(read_texts(txt), 1):
        print(f"{i}. {t.caption}")
        if args.tokens:
            print(f"   {' '.join(t.tokens)}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from .build import format_stats
    path = Path(args.dataset) / "stats.json"
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise LampError(f"{path}: cannot read build stats ({e})") from None
    print(format_stats(stats) if args.format == "text" else json.dumps(stats, indent=2))
    return 0


def add_data_parser(sub) -> None:
    d = sub.add_parser("data", help="build and inspect training corpora (HumanML3D layout)",
                       description="Build training corpora in the HumanML3D layout from real mocap or your BVH files.")
    dsub = d.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    b = dsub.add_parser("build", help="build a corpus from ../shared/data archives and/or a BVH folder",
                        description="Build a HumanML3D-layout corpus. Default sources: all four archives in "
                                    "../shared/data; with --bvh-folder only that folder unless --sources is given.")
    b.add_argument("--out", required=True, type=Path, help="output folder (replaced atomically if built before)")
    b.add_argument("--sources", type=_source_list, default=None,
                   help="comma list of bandai-namco-1,bandai-namco-2,cmu,reactidle")
    b.add_argument("--bvh-folder", type=Path, default=None, help="a folder of your BVH files")
    b.add_argument("--labels", type=Path, default=None, help="CSV of file,caption lines for --bvh-folder")
    b.add_argument("--data-dir", type=Path, default=None, help="where the archives are (default ../shared/data)")
    b.add_argument("--cache-dir", type=Path, default=None, help="import cache (default ~/.cache/lamp-studio/data)")
    b.add_argument("--no-cache", action="store_true", help="re-import every source")
    b.add_argument("--no-mirror", action="store_true", help="skip the mirrored (M-prefixed) copies")
    b.add_argument("--captions", type=int, default=4, help="captions per clip (default 4)")
    b.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    b.set_defaults(func=cmd_build)

    s = dsub.add_parser("synthetic", help="a tiny procedural dataset for tests (seconds to build)")
    s.add_argument("--out", required=True, type=Path)
    s.add_argument("--n", type=int, default=64, help="number of takes (default 64)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_synthetic)

    c = dsub.add_parser("captions", help="show a clip's labels and captions")
    c.add_argument("id", help="clip name, e.g. bn2_walk_active_001 or Mbn2_walk_active_001")
    c.add_argument("--dataset", default=os.environ.get("LAMP_DATASET"), help="dataset folder (or $LAMP_DATASET)")
    c.add_argument("--tokens", action="store_true", help="also show the word/POS tokens")
    c.set_defaults(func=cmd_captions)

    st = dsub.add_parser("stats", help="print a built dataset's stats")
    st.add_argument("dataset")
    st.add_argument("--format", choices=("text", "json"), default="text")
    st.set_defaults(func=cmd_stats)
