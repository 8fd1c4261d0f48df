"""Build the example motion library that ships in assets/library/ (default.sqlite + README.md + ids.txt).

Why: `lamp retrieve` and `lamp library list` must work on a fresh install, before the user has a
library of their own, so a few hundred clips of the training corpus ship with the model (under 4 MB
of the 40 MB asset budget). The pick is reproducible: the same corpus and --seed give the same clips.

    python scripts/build_default_library.py --corpus data/corpus        # a `lamp data build` folder

What it picks, from the corpus' unmirrored clips (a mirrored copy adds nothing to browse), for every
(source, action): up to MAX_PER_ACTION clips spread round-robin over its styles (over its takes where
the source has no style labels, as CMU and ReActIdle, whose long takes are cut into windows), at most
PER_GROUP[source] per style or take, distinct takes first; all draws from random.Random(seed).
Every clip keeps its corpus id (as its name), its captions, source file, licence and split; the
vectors are computed with the shipped LaMP model from the stored (decoded) motions, so they are exactly
what `lamp library reembed` would store. The file is left in rollback-journal mode and VACUUMed: it is
read through an immutable connection, which ignores a WAL.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lamp_core.data.layout import read_texts
from lamp_core.data.manifest import read_manifest
from lamp_core.library import LibraryItem, MotionLibrary
from lamp_core.motion import Motion, Provenance

PER_GROUP = {"bandai-namco-1": 1, "bandai-namco-2": 2, "cmu": 1, "reactidle": 1}  # clips per style (or take)
DEFAULT_PER_GROUP = 1
MAX_PER_ACTION = 14  # clips per (source, action): keeps walks and idling from filling the budget
MIN_FRAMES = 24  # shorter clips are too short to browse (and to embed well)
MAX_BYTES = 4_000_000

ATTRIBUTION = {
    "bandai-namco": ("CC BY-NC 4.0, non-commercial use only", (
        '"Motion data: Bandai Namco Research Motion Dataset, Bandai Namco Research Inc., CC BY-NC 4.0, '
        'https://github.com/BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset" (licence: '
        "https://creativecommons.org/licenses/by-nc/4.0/). Changed: retargeted to the SMPL-22 skeleton, "
        "resampled to 20 fps, cut to clips of at most 9.8 s; captions written from the content/style labels.")),
    "cmu": ("free for research and commercial use; do not resell the data", (
        "Data from the CMU Graphics Lab Motion Capture Database, mocap.cs.cmu.edu; the database was "
        "created with funding from NSF EIA-0196217.")),
    "reactidle": ("MIT", "ReActIdle (Enekoassets/ReActIdle), Copyright (c) 2025 [RSAIT]; the MIT licence text is below."),
}

MIT = """MIT License

Copyright (c) 2025 [RSAIT]

Permission is hereby granted, free of charge, to any person obtaining a copy
of this dataset and associated documentation files (the "Dataset"), to deal
in the Dataset without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Dataset, and to permit persons to whom the Dataset is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Dataset.

THE DATASET IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE DATASET OR THE USE OR OTHER DEALINGS IN THE
DATASET."""


def action(row: dict) -> str:
    """The clip's action label (corpora built before the action column have only content)."""
    return row.get("action") or row.get("content") or "unlabelled"


def family(source: str) -> str:
    return "bandai-namco" if source.startswith("bandai-namco") else source


def distinct_takes_first(members: list[dict]) -> list[dict]:
    """The first clip of each take, then the second of each, ... (stable within each round)."""
    seen: Counter = Counter()
    rounds = []
    for r in members:
        seen[r.get("take") or r["id"]] += 1
        rounds.append(seen[r.get("take") or r["id"]])
    return [r for _, r in sorted(zip(rounds, members), key=lambda x: x[0])]


def pick(rows: list[dict], seed: int, sources: set[str] | None = None) -> list[dict]:
    """The reproducible subset described in the module docstring, in (source, action, style, id) order."""
    rows = [r for r in rows if r.get("mirrored", "0") in ("0", "", "False", "false")
            and int(r["end_frame"]) - int(r["start_frame"]) >= MIN_FRAMES
            and (sources is None or r["source"] in sources)]
    styled = {r["source"] for r in rows if r.get("style")}
    groups: dict[tuple, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in sorted(rows, key=lambda r: r["id"]):
        key = r.get("style", "") if r["source"] in styled else r.get("take") or r["id"]
        groups[(r["source"], action(r))][key].append(r)
    rng = random.Random(seed)
    chosen = []
    for (source, _), by_key in sorted(groups.items()):
        keys = sorted(by_key)
        rng.shuffle(keys)  # which styles/takes come first when the action's cap is reached
        queues = []
        for k in keys:
            members = by_key[k][:]
            rng.shuffle(members)
            queues.append(distinct_takes_first(members)[:PER_GROUP.get(source, DEFAULT_PER_GROUP)])
        spread = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]  # round-robin
        chosen += spread[:MAX_PER_ACTION]
    return sorted(chosen, key=lambda r: (r["source"], action(r), r.get("style", ""), r["id"]))


def item(corpus: Path, row: dict) -> LibraryItem:
    joints = np.load(corpus / "new_joints" / f"{row['id']}.npy", allow_pickle=False).astype(np.float32)
    captions = [t.caption for t in read_texts(corpus / "texts" / f"{row['id']}.txt")]
    take = row.get("take") or row["id"]
    notes = [f"corpus clip {row['id']} ({row['split']} split)", f"action: {action(row)}",
             f"frames {row['start_frame']}-{row['end_frame']} of take {take} at {row.get('fps') or 20} fps"]
    if row.get("style"):
        notes.append(f"style: {row['style']}")
    prov = Provenance(source=row.get("source_file") or row["source"], license=row.get("license") or None,
                      caption=captions[0] if captions else None, notes=tuple(notes))
    return LibraryItem(Motion(joints, float(row.get("fps") or 20), prov), name=row["id"], captions=captions)


def finish(path: Path) -> None:
    """Rollback-journal mode (read-only readers ignore a WAL) and no free pages."""
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("VACUUM")
    finally:
        con.close()


def readme(chosen: list[dict], model_id: str, size: int, seed: int, corpus: Path) -> str:
    per_source = Counter(r["source"] for r in chosen)
    per_action = defaultdict(Counter)
    for r in chosen:
        per_action[r["source"]][action(r)] += 1
    styles = {s: len({r.get("style") for r in chosen if r["source"] == s and r.get("style")}) for s in per_source}
    splits = ", ".join(f"{k} {v}" for k, v in sorted(Counter(r["split"] for r in chosen).items()))
    minutes = sum(int(r["end_frame"]) - int(r["start_frame"]) for r in chosen) / 20 / 60
    table = ["| source | clips | styles | actions (clips) | licence |", "|---|---|---|---|---|"]
    for s in sorted(per_source):
        acts = ", ".join(f"{a} {n}" for a, n in sorted(per_action[s].items()))
        lic = ATTRIBUTION.get(family(s), ("see the clips' license column",))[0]
        table.append(f"| {s} | {per_source[s]} | {styles[s] or '-'} | {acts} | {lic} |")
    credits = [f"- **{key}** ({lic}): {text}" for key, (lic, text) in ATTRIBUTION.items()]
    intro = (
        f"{len(chosen)} motion-capture clips ({minutes:.1f} min, {size / 1e6:.1f} MB) that `lamp retrieve` and "
        "`lamp library list` search while you have no library of your own (the file named by `LAMP_LIBRARY`, else "
        "`$XDG_DATA_HOME/lamp-studio/library.sqlite`, i.e. `~/.local/share/lamp-studio/library.sqlite`). It is "
        "opened read-only and never changed; the first `lamp library add` creates your library as a copy of it "
        "(`--empty` starts an empty one instead).")
    vectors = (
        f"Vectors: model `{model_id}` (`assets/models/default/lamp`). Retraining that model changes its id; "
        "rebuild this file then (below), or searches with the new model are refused.")
    contents = (
        f"Splits in the corpus it was built from (`{corpus.name}`): {splits}. It is for browsing, not a benchmark: "
        "most clips were seen in training, so do not evaluate on it. The clip ids are in `ids.txt`. Each clip's "
        "name is its corpus id; its licence and source file are stored in its row (`MotionLibrary.get`; `lamp "
        "retrieve --json` shows the source), its split, frame range, action and style in its provenance notes "
        "(`MotionLibrary.motion(id).provenance`).")
    licences = (
        "The library mixes licences; each clip carries its own in the `license` column. **Because of the "
        "Bandai-Namco clips the file as a whole is for non-commercial use only** (as are the shipped model "
        "weights). A library without Bandai-Namco data: rebuild with `--sources cmu,reactidle` (the shipped "
        "model weights stay non-commercial either way).")
    how = (
        f"It takes unmirrored clips of at least {MIN_FRAMES} frames: for every (source, action) up to "
        f"{MAX_PER_ACTION} clips, spread round-robin over the action's styles (over its takes for CMU and "
        f"ReActIdle, which have no style labels), at most {PER_GROUP['bandai-namco-1']} per style in "
        f"Bandai-Namco dataset 1, {PER_GROUP['bandai-namco-2']} in dataset 2, {PER_GROUP['cmu']} per CMU take "
        f"and {PER_GROUP['reactidle']} per ReActIdle take, distinct takes first, drawn with the seed; it imports "
        "them with their captions, embeds them with the shipped LaMP model, switches the file to rollback-journal "
        "mode and VACUUMs it. Motions use the library's own codec (0.1 mm fixed point, delta-coded, deflated); "
        "vectors are float32. `scripts/build_default_library.py --help` lists the options.")
    built_from = (f"From a corpus made by `lamp data build` over `../shared/data` (the takes the shipped model "
                  f"was trained on), with seed {seed}:")
    rebuild = ["```bash", "lamp data build --out data/corpus",
               f"python scripts/build_default_library.py --corpus data/corpus --seed {seed}", "```"]
    return "\n".join([
        "# The example motion library (default.sqlite)", "", intro, "", vectors, "", "## What is in it", "",
        *table, "", contents, "", "## Licences and attribution", "", licences, "", *credits, "",
        "```", MIT, "```", "", "## How it was built, and rebuilding it", "",
        built_from, "", *rebuild, "", how, ""])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a `lamp data build` folder (manifest.csv, new_joints/, texts/)")
    ap.add_argument("--out", type=Path, default=REPO / "assets" / "library" / "default.sqlite")
    ap.add_argument("--model", type=Path, default=REPO / "assets" / "models" / "default" / "lamp")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sources", default=None, help="comma-separated sources to take (default: all)")
    args = ap.parse_args(argv)

    from lamp_core.retrieval import LaMPEncoder
    rows = read_manifest(args.corpus)
    if rows is None:
        sys.exit(f"{args.corpus}: no manifest.csv (build the corpus with `lamp data build`)")
    chosen = pick(list(rows.values()), args.seed, set(args.sources.split(",")) if args.sources else None)
    enc = LaMPEncoder.load(args.model)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    with MotionLibrary.open(tmp) as lib:
        lib.add_many((item(args.corpus, r) for r in chosen), batch=128)
        embedded = lib.reembed(enc, progress=lambda what, done, total: print(f"  embedded {done}/{total}", end="\r"))
        print()
        if embedded != len(lib) or lib.check():
            sys.exit(f"{tmp}: {len(lib) - embedded} clips not embedded; problems: {lib.check()}")
    finish(tmp)
    tmp.replace(args.out)
    size = args.out.stat().st_size
    (args.out.parent / "ids.txt").write_text("".join(r["id"] + "\n" for r in chosen))
    (args.out.parent / "README.md").write_text(readme(chosen, enc.model_id, size, args.seed, args.corpus))
    print(f"{args.out}: {len(chosen)} clips, {size:,} bytes, vectors of {enc.model_id}")
    if size > MAX_BYTES:
        print(f"warning: over the {MAX_BYTES:,}-byte budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
