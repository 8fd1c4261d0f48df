"""Meshing an implicit surface without extra dependencies: surface nets on a rectilinear grid (one
vertex per cell the surface crosses, one quad per crossed grid edge, so a closed field gives a closed,
consistently wound mesh), then vertices pulled exactly onto the surface and relaxed along it.

A rectilinear grid lets thin parts (the hands) get finer cells than the trunk, keeping the vertex
count near the ~8k of an SMPL-sized mesh without a decimation library (scikit-image and
fast-simplification are not dependencies here).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp


def axis(lo: float, hi: float, step: float, fine: tuple = ()) -> np.ndarray:
    """Sample positions from lo to hi at ``step``, and at each ``(a, b, fine_step)`` inside [a, b]."""
    edges = [lo]
    x = lo
    while x < hi:
        s = step
        for a, b, f in fine:
            if a - 1e-9 <= x < b:
                s = min(s, f)
        x += s
        edges.append(x)
    return np.asarray(edges)


def surface_nets(field: np.ndarray, xs: np.ndarray, ys: np.ndarray, zs: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(nx, ny, nz) samples (negative inside, positive on the grid's border) on axes xs, ys, zs ->
    (V, 3) vertices, (F, 3) triangles wound counter-clockwise seen from outside."""
    F = field
    if (F[[0, -1]] <= 0).any() or (F[:, [0, -1]] <= 0).any() or (F[:, :, [0, -1]] <= 0).any():
        raise ValueError("surface_nets: the surface must not touch the grid's border")
    nx, ny, nz = F.shape
    G = np.stack(np.meshgrid(xs, ys, zs, indexing="ij"), -1)  # (nx, ny, nz, 3)
    acc = np.zeros((nx - 1, ny - 1, nz - 1, 3))
    cnt = np.zeros((nx - 1, ny - 1, nz - 1))
    inside = F < 0
    crossings = []
    for ax in range(3):
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[ax], hi[ax] = slice(0, -1), slice(1, None)
        f0, f1 = F[tuple(lo)], F[tuple(hi)]
        cross = inside[tuple(lo)] != inside[tuple(hi)]
        t = np.where(cross, f0 / np.where(cross, f0 - f1, 1.0), 0.0)
        pt = G[tuple(lo)] + t[..., None] * (G[tuple(hi)] - G[tuple(lo)])
        pt = np.where(cross[..., None], pt, 0.0)
        crossings.append((cross, inside[tuple(lo)]))
        # Each edge along ``ax`` touches the four cells around it in the other two axes.
        o1, o2 = [a for a in range(3) if a != ax]
        for d1 in (0, 1):
            for d2 in (0, 1):
                src = [slice(None)] * 3
                src[o1] = slice(d1, d1 + F.shape[o1] - 1)
                src[o2] = slice(d2, d2 + F.shape[o2] - 1)
                acc += pt[tuple(src)]
                cnt += cross[tuple(src)]
    active = cnt > 0
    index = -np.ones(active.shape, dtype=np.int64)
    index[active] = np.arange(int(active.sum()))
    verts = acc[active] / cnt[active][:, None]
    quads = []
    for ax, (cross, lo_inside) in enumerate(crossings):
        o1, o2 = (ax + 1) % 3, (ax + 2) % 3  # cyclic, so o1 x o2 points along +ax
        idx = np.argwhere(cross)
        idx = idx[(idx[:, o1] > 0) & (idx[:, o2] > 0)]
        flip = ~lo_inside[tuple(idx.T)]  # inside at the upper end: the outward normal is -ax
        corners = []
        for d1, d2 in ((1, 1), (0, 1), (0, 0), (1, 0)):
            c = idx.copy()
            c[:, o1] -= d1
            c[:, o2] -= d2
            corners.append(index[tuple(c.T)])
        q = np.stack(corners, 1)
        q[flip] = q[flip][:, ::-1]
        quads.append(q)
    q = np.concatenate(quads)
    # Split each quad along its shorter diagonal.
    d02 = np.linalg.norm(verts[q[:, 0]] - verts[q[:, 2]], axis=1)
    d13 = np.linalg.norm(verts[q[:, 1]] - verts[q[:, 3]], axis=1)
    a = d02 <= d13
    tris = np.concatenate([
        np.where(a[:, None], q[:, [0, 1, 2]], q[:, [0, 1, 3]]),
        np.where(a[:, None], q[:, [0, 2, 3]], q[:, [1, 2, 3]]),
    ])
    return verts, tris


def project(points: np.ndarray, sdf: Callable, grad: Callable, steps: int = 4) -> np.ndarray:
    """Newton steps along the field's gradient onto its zero level set."""
    p = np.array(points, dtype=np.float64)
    for _ in range(steps):
        g = grad(p)
        p -= (sdf(p) / np.maximum((g * g).sum(1), 1e-12))[:, None] * g
    return p


def adjacency(n: int, faces: np.ndarray) -> sp.csr_matrix:
    e = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    A = sp.coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
    A = ((A + A.T) > 0).astype(np.float64)
    return A


def vertex_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    fn = np.cross(verts[faces[:, 1]] - verts[faces[:, 0]], verts[faces[:, 2]] - verts[faces[:, 0]])
    n = np.zeros_like(verts)
    for k in range(3):
        np.add.at(n, faces[:, k], fn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def relax(verts: np.ndarray, faces: np.ndarray, sdf: Callable, grad: Callable, iterations: int = 8,
          rate: float = 0.5) -> np.ndarray:
    """Tangential Laplacian smoothing, each step followed by projection back onto the surface:
    evens out the triangles surface nets leave without moving the surface itself."""
    v = np.array(verts, dtype=np.float64)
    A = adjacency(len(v), faces)
    deg = np.asarray(A.sum(1)).ravel()
    for _ in range(iterations):
        n = vertex_normals(v, faces)
        d = A @ v / deg[:, None] - v
        d -= (d * n).sum(1, keepdims=True) * n
        v = project(v + rate * d, sdf, grad, steps=2)
    return v


def decimate(verts: np.ndarray, faces: np.ndarray, target: np.ndarray, place: Callable,
             rounds: int = 40, min_cos: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Collapse edges shorter than ``target`` (per-vertex length, m) until none is left, keeping the
    mesh a closed 2-manifold: an edge collapses only if its endpoints share exactly two neighbours
    (the link condition) and no surrounding triangle turns over. ``place`` maps (N, 3) edge
    midpoints to the collapsed vertices' positions (here: projected onto the surface)."""
    V = np.array(verts, dtype=np.float64)
    F = np.array(faces, dtype=np.int64)
    alive = np.ones(len(F), bool)
    gone = np.zeros(len(V), bool)
    vf: list[set] = [set() for _ in range(len(V))]
    for fi, tri in enumerate(F):
        for x in tri:
            vf[x].add(fi)

    def normal(tri, pos):
        n = np.cross(pos[1] - pos[0], pos[2] - pos[0])
        return n / max(np.linalg.norm(n), 1e-15)

    for _ in range(rounds):
        Fa = F[alive]
        e = np.unique(np.sort(np.concatenate([Fa[:, [0, 1]], Fa[:, [1, 2]], Fa[:, [2, 0]]]), 1), axis=0)
        length = np.linalg.norm(V[e[:, 0]] - V[e[:, 1]], axis=1)
        limit = np.minimum(target[e[:, 0]], target[e[:, 1]])
        pick = length < limit
        if not pick.any():
            break
        e, ratio = e[pick], (length / limit)[pick]
        e = e[np.argsort(ratio)]
        locked = np.zeros(len(V), bool)
        moved = []
        for a, b in e:
            if locked[a] or locked[b] or gone[a] or gone[b]:
                continue
            p = 0.5 * (V[a] + V[b])
            shared = vf[a] & vf[b]
            if len(shared) != 2:
                continue
            na = set(F[list(vf[a])].ravel()) - {a}
            nb = set(F[list(vf[b])].ravel()) - {b}
            if len((na & nb) - {a, b}) != 2:
                continue
            ok = True
            for fi in (vf[a] | vf[b]) - shared:
                tri = F[fi]
                old = V[tri]
                new = old.copy()
                new[(tri == a) | (tri == b)] = p
                n_old, n_new = normal(tri, old), normal(tri, new)
                if n_old @ n_new < min_cos or np.linalg.norm(np.cross(new[1] - new[0], new[2] - new[0])) < 1e-10:
                    ok = False
                    break
                if np.max(np.linalg.norm(new - p, axis=1)) > 1.6 * target[a]:
                    ok = False
                    break
            if not ok:
                continue
            for fi in shared:
                alive[fi] = False
                for x in F[fi]:
                    vf[x].discard(fi)
            for fi in vf[b]:
                F[fi][F[fi] == b] = a
            vf[a] |= vf[b]
            vf[b] = set()
            V[a] = p
            gone[b] = True
            locked[list(na | nb)] = True
            locked[a] = True
            moved.append(a)
        if not moved:
            break
        V[moved] = place(V[moved])  # midpoints back onto the surface, one batch per round
    keep = ~gone
    remap = -np.ones(len(V), dtype=np.int64)
    remap[keep] = np.arange(int(keep.sum()))
    return V[keep], remap[F[alive]]
