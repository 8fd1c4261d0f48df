"""Render the generated body to a PNG with a small numpy rasteriser (no GL, no image library), to
look at it: the rest T-pose and a posed frame of the synthetic walk, each from the front-left.

    python scripts/render_body.py [--out docs/images/body.png] [--frame 12]
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def look_at(yaw_deg: float, pitch_deg: float) -> np.ndarray:
    """Camera rotation (rows: right, up, toward the viewer) orbiting the body."""
    y, p = np.radians(yaw_deg), np.radians(pitch_deg)
    back = np.array([np.sin(y) * np.cos(p), np.sin(p), np.cos(y) * np.cos(p)])
    right = np.cross([0.0, 1.0, 0.0], back)
    right /= np.linalg.norm(right)
    return np.stack([right, np.cross(back, right), back])


def rasterise(verts: np.ndarray, faces: np.ndarray, R: np.ndarray, size: int, centre, span: float,
              colour=(0.78, 0.62, 0.52), vertex_colours: np.ndarray | None = None) -> np.ndarray:
    """Orthographic z-buffer render with per-pixel interpolated normals (and optional (V, 3)
    vertex colours, e.g. skinning weights) -> (size, size, 3) floats."""
    cam = (verts - centre) @ R.T
    px = (cam[:, 0] / span + 0.5) * size
    py = (0.5 - cam[:, 1] / span) * size
    depth = cam[:, 2]
    fn = np.cross(verts[faces[:, 1]] - verts[faces[:, 0]], verts[faces[:, 2]] - verts[faces[:, 0]])
    vn = np.zeros_like(verts)
    for k in range(3):
        np.add.at(vn, faces[:, k], fn)
    vn = (vn / np.maximum(np.linalg.norm(vn, axis=1, keepdims=True), 1e-12)) @ R.T
    zbuf = np.full((size, size), -np.inf)
    nbuf = np.zeros((size, size, 3))
    cols = np.broadcast_to(np.asarray(colour, float), verts.shape) if vertex_colours is None else vertex_colours
    cbuf = np.zeros((size, size, 3))
    for tri in faces:
        x, y = px[tri], py[tri]
        x0, x1 = max(int(x.min()), 0), min(int(x.max()) + 1, size - 1)
        y0, y1 = max(int(y.min()), 0), min(int(y.max()) + 1, size - 1)
        if x1 < x0 or y1 < y0:
            continue
        gx, gy = np.meshgrid(np.arange(x0, x1 + 1) + 0.5, np.arange(y0, y1 + 1) + 0.5)
        d = (y[1] - y[2]) * (x[0] - x[2]) + (x[2] - x[1]) * (y[0] - y[2])
        if abs(d) < 1e-12:
            continue
        l0 = ((y[1] - y[2]) * (gx - x[2]) + (x[2] - x[1]) * (gy - y[2])) / d
        l1 = ((y[2] - y[0]) * (gx - x[2]) + (x[0] - x[2]) * (gy - y[2])) / d
        l2 = 1 - l0 - l1
        inside = (l0 >= 0) & (l1 >= 0) & (l2 >= 0)
        if not inside.any():
            continue
        z = l0 * depth[tri[0]] + l1 * depth[tri[1]] + l2 * depth[tri[2]]
        sub = zbuf[y0:y1 + 1, x0:x1 + 1]
        win = inside & (z > sub)
        sub[win] = z[win]
        n = l0[..., None] * vn[tri[0]] + l1[..., None] * vn[tri[1]] + l2[..., None] * vn[tri[2]]
        nbuf[y0:y1 + 1, x0:x1 + 1][win] = n[win]
        c = l0[..., None] * cols[tri[0]] + l1[..., None] * cols[tri[1]] + l2[..., None] * cols[tri[2]]
        cbuf[y0:y1 + 1, x0:x1 + 1][win] = c[win]
    nbuf /= np.maximum(np.linalg.norm(nbuf, axis=-1, keepdims=True), 1e-12)
    light = np.array([0.4, 0.6, 0.7])
    light /= np.linalg.norm(light)
    shade = 0.25 + 0.75 * np.clip(nbuf @ light, 0, 1) + 0.15 * np.clip(nbuf[..., 2], 0, 1)
    img = np.ones((size, size, 3)) * np.array([0.93, 0.94, 0.96])
    hit = np.isfinite(zbuf)
    img[hit] = np.clip(shade[hit, None] * cbuf[hit], 0, 1)
    return img


def write_png(path: Path, img: np.ndarray) -> None:
    """(H, W, 3) floats in [0, 1] -> an 8-bit RGB PNG (zlib and the PNG chunk layout only)."""
    h, w, _ = img.shape
    raw = (np.clip(img, 0, 1) * 255).astype(np.uint8)
    rows = b"".join(b"\x00" + raw[i].tobytes() for i in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(png)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="docs/images/body.png")
    ap.add_argument("--frame", type=int, default=12, help="frame of the synthetic walk to pose")
    ap.add_argument("--size", type=int, default=640)
    ap.add_argument("--model", default=None, help="body model (default: the generated body)")
    args = ap.parse_args(argv)

    from lamp_core.body import load_body
    from lamp_core.data.synthetic import walking_motion

    body = load_body(args.model)
    motion = walking_motion()
    posed = body.skin(body.rig(motion).at(args.frame))[0]
    posed = posed - np.array([posed[:, 0].mean(), 0.0, posed[:, 2].mean()])
    R = look_at(-60, 10)
    span = 2.0
    rest = rasterise(body.template, body.faces, look_at(-20, 8), args.size, np.array([0, 0.85, 0]), span)
    pose = rasterise(posed, body.faces, R, args.size, np.array([0, 0.85, 0]), span)
    write_png(Path(args.out), np.concatenate([rest, pose], axis=1))
    print(f"{args.out}: rest pose and frame {args.frame} of the synthetic walk, {len(body.template)} vertices")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
