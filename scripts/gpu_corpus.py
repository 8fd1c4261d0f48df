"""Carry a built corpus to a training machine that cannot read ../shared/data, in ~12 MB instead of 1 GB.

``pack`` keeps what the features are made of: each unmirrored clip's canonical joints (``new_joints``) at
1 mm, delta-coded over time and xz-compressed, plus texts, manifest, split lists and stats. ``unpack``
rebuilds the HumanML3D layout from them: mirrored clips by mirroring the joints (exact to 1e-4 m), and
features with the same ``joints_to_features`` as ``lamp data build``. Because ``new_joints`` stops one
frame before the features' last frame, every rebuilt clip is one frame (0.05 s) shorter than the
original; Mean/Std are recomputed over the rebuilt train split. Good for training, not for reporting:
evaluate on the original corpus.

    python scripts/gpu_corpus.py pack /tmp/lamp-corpus2 corpus.pack
    python scripts/gpu_corpus.py unpack corpus.pack /tmp/corpus     (on the training machine)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import lzma
import tarfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

KEEP = ("manifest.csv", "stats.json", "train.txt", "val.txt", "test.txt", "train_val.txt", "all.txt",
        "test_unseen_combos.txt")


def pack(corpus: Path, out: Path) -> None:
    names = [n for n in (corpus / "all.txt").read_text().split() if not n.startswith("M")]
    arrays = [np.load(corpus / "new_joints" / f"{n}.npy") for n in names]
    mm = [np.round(a.astype(np.float64) * 1000).astype(np.int32) for a in arrays]
    if max(int(np.abs(a).max()) for a in mm) >= 2 ** 15:
        raise SystemExit("joints beyond +-32 m: cannot pack at 1 mm in int16")
    deltas = np.concatenate([np.concatenate([a[:1], np.diff(a, axis=0)]) for a in mm]).astype(np.int16)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        def add(name: str, data: bytes):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        add("joints_mm_delta.i16", deltas.tobytes())
        add("clips.json", json.dumps({"names": names, "frames": [len(a) for a in arrays]}).encode())
        for f in KEEP:
            if (corpus / f).is_file():
                add(f, (corpus / f).read_bytes())
        texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((corpus / "texts").glob("*.txt"))}
        add("texts.json", json.dumps(texts).encode())
    out.write_bytes(lzma.compress(buf.getvalue(), preset=6 | lzma.PRESET_EXTREME))
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB for {len(names)} clips")


def _features(item: tuple[str, np.ndarray]) -> tuple[str, np.ndarray, np.ndarray]:
    from lamp_core.motion.features import joints_to_features
    name, joints = item
    return name, joints, joints_to_features(joints, canonical=False).astype(np.float32)


def unpack(pack_file: Path, out: Path, workers: int = 8) -> None:
    from lamp_core.data.layout import write_split  # noqa: F401  (fails early if lamp_core is missing)
    from lamp_core.motion import Motion
    from lamp_core.motion.features import group_std
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(pack_file.read_bytes()))) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    clips = json.loads(files["clips.json"])
    deltas = np.frombuffer(files["joints_mm_delta.i16"], np.int16).reshape(-1, 22, 3).astype(np.int64)
    for sub in ("new_joints", "new_joint_vecs", "texts"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    items, start = [], 0
    for name, n in zip(clips["names"], clips["frames"]):
        joints = np.cumsum(deltas[start:start + n], axis=0) / 1000.0
        start += n
        items += [(name, joints), ("M" + name, Motion(joints).mirror().joints)]
    train = set((files["train.txt"]).decode().split())
    total, total_sq, n_train = np.zeros(263), np.zeros(263), 0
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    with pool or contextlib.nullcontext():
        for name, joints, feats in (pool.map(_features, items, chunksize=32) if pool else map(_features, items)):
            np.save(out / "new_joints" / f"{name}.npy", joints[:-1].astype(np.float32))
            np.save(out / "new_joint_vecs" / f"{name}.npy", feats)
            if name in train:
                total += feats.sum(0)
                total_sq += (feats.astype(np.float64) ** 2).sum(0)
                n_train += len(feats)
    mean = total / n_train
    std = group_std(np.sqrt(np.maximum(total_sq / n_train - mean ** 2, 0.0)))
    std[std < 1e-8] = 1.0
    np.save(out / "Mean.npy", mean.astype(np.float32))
    np.save(out / "Std.npy", std.astype(np.float32))
    for f in KEEP:
        if f in files:
            (out / f).write_bytes(files[f])
    for stem, text in json.loads(files["texts.json"]).items():
        (out / "texts" / f"{stem}.txt").write_text(text, encoding="utf-8")
    print(f"{out}: {len(items)} clips rebuilt ({n_train} train frames)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("corpus", type=Path)
    p.add_argument("out", type=Path)
    u = sub.add_parser("unpack")
    u.add_argument("pack", type=Path)
    u.add_argument("out", type=Path)
    u.add_argument("--workers", type=int, default=8)
    args = ap.parse_args()
    if args.cmd == "pack":
        pack(args.corpus, args.out)
    else:
        unpack(args.pack, args.out, args.workers)


if __name__ == "__main__":
    main()
