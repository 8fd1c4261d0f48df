"""Rigging the generated mesh: skinning weights, the joint regressor, shape directions, landmarks.

Weights follow Baran & Popovic's bone heat (Pinocchio): each vertex is seeded by the part it lies
on and heat diffuses over the surface, so blends are smooth across joints and follow the surface,
not straight-line distance (the inside of one thigh takes nothing from the other thigh).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import lsq_linear

from .shapes import NUM_SMPL_JOINTS, SMPL_PARENTS, part_sdf

CHILDREN = {j: [c for c, p in enumerate(SMPL_PARENTS) if p == j] for j in range(NUM_SMPL_JOINTS)}
# The segment each joint's rotation carries, for joints whose region is not the bone to one child.
_TIPS = {0: (0.0, -0.09, 0.0), 10: (0.0, 0.0, 0.07), 11: (0.0, 0.0, 0.07), 15: (0.0, 0.15, 0.0),
         22: (0.10, 0.0, 0.0), 23: (-0.10, 0.0, 0.0)}
_BONE_CHILD = {9: 12}  # spine3 carries the upper chest toward the neck


HEAT = 3.0  # Pinocchio uses 1; 3 keeps the elbow and knee blends within about a limb radius


def bone_segments(joints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(24, 3) joints -> (24, 3) starts and (24, 3) ends of the segment each joint's rotation moves."""
    a = np.array(joints, dtype=np.float64)
    b = a.copy()
    for j in range(NUM_SMPL_JOINTS):
        if j in _TIPS:
            b[j] = a[j] + _TIPS[j]
        elif j in _BONE_CHILD:
            b[j] = a[_BONE_CHILD[j]]
        elif len(CHILDREN[j]) == 1:
            b[j] = a[CHILDREN[j][0]]
    return a, b


def closest_on_segments(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, 3) points, (K, 3) segments -> (N, K, 3) closest point of each segment."""
    ab = b - a
    t = np.einsum("nkc,kc->nk", points[:, None] - a[None], ab) / np.maximum((ab * ab).sum(1), 1e-12)
    return a[None] + np.clip(t, 0, 1)[..., None] * ab[None]


def laplacian(verts: np.ndarray, faces: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Cotangent Laplacian (positive semi-definite, negative weights clipped) and lumped areas."""
    v = verts[faces]  # (F, 3 corners, 3)
    rows, cols, vals = [], [], []
    for k in range(3):
        i, j, o = faces[:, (k + 1) % 3], faces[:, (k + 2) % 3], k  # edge (i, j) opposite corner o
        e1 = v[:, (k + 1) % 3] - v[:, o]
        e2 = v[:, (k + 2) % 3] - v[:, o]
        cot = (e1 * e2).sum(1) / np.maximum(np.linalg.norm(np.cross(e1, e2), axis=1), 1e-15)
        w = 0.5 * np.maximum(cot, 0.0)
        rows += [i, j]
        cols += [j, i]
        vals += [w, w]
    n = len(verts)
    W = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()
    L = sp.diags(np.asarray(W.sum(1)).ravel()) - W
    area = 0.5 * np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1)
    mass = np.zeros(n)
    for k in range(3):
        np.add.at(mass, faces[:, k], area / 3)
    return L.tocsr(), mass


def skinning_weights(verts: np.ndarray, faces: np.ndarray, joints: np.ndarray, top: int = 4,
                     heat: float = HEAT) -> np.ndarray:
    """(V, 24) bone-heat weights, at most ``top`` per vertex, non-negative, rows summing to 1.
    ``heat`` scales the pull toward the nearest bone: higher gives narrower blends at the joints."""
    label = np.argmin(part_sdf(verts), axis=1)
    a, b = bone_segments(joints)
    near = closest_on_segments(verts, a, b)[np.arange(len(verts)), label]
    d = np.maximum(np.linalg.norm(verts - near, axis=1), 0.01)
    L, mass = laplacian(verts, faces)
    H = heat * mass / d ** 2  # heat exchanged with the nearest bone (Pinocchio: heat = 1)
    P = np.zeros((len(verts), NUM_SMPL_JOINTS))
    P[np.arange(len(verts)), label] = 1.0
    solve = spla.splu((L + sp.diags(H)).tocsc())
    W = np.clip(solve.solve(H[:, None] * P), 0.0, None)
    # Keep the ``top`` largest per vertex. Subtracting the next largest, rather than cutting it,
    # keeps the weights continuous where the ranking of the 4th and 5th joint swaps.
    ranked = np.sort(W, axis=1)
    W = np.clip(W - ranked[:, -top - 1:-top], 0.0, None)
    W[W < 1e-4 * W.max(1, keepdims=True)] = 0.0
    return W / W.sum(1, keepdims=True)


def joint_regressor(verts: np.ndarray, weights: np.ndarray, joints: np.ndarray) -> np.ndarray:
    """(24, V) sparse non-negative rows, each averaging a ring of vertices around its joint so that
    regressor @ verts == joints (to well under a millimetre) and joints follow shape changes."""
    a, b = bone_segments(joints)
    R = np.zeros((NUM_SMPL_JOINTS, len(verts)))
    for j in range(NUM_SMPL_JOINTS):
        axis = b[j] - a[j] if j not in (0, 3, 6, 9, 12) else np.array([0.0, 1.0, 0.0])
        if np.linalg.norm(axis) < 1e-9 or j in (7, 8, 10, 11, 20, 21):
            axis = a[j] - a[SMPL_PARENTS[j]]  # ankles, toes, wrists: across the incoming bone
        axis = axis / np.linalg.norm(axis)
        related = [j] + CHILDREN[j] + ([SMPL_PARENTS[j]] if j else [])
        own = weights[:, related].sum(1) > 0.5
        rel = verts - joints[j]
        dist = np.linalg.norm(rel, axis=1)
        radius = dist[own].min()
        for slab in (0.012, 0.02, 0.035, 0.05):
            pick = np.flatnonzero(own & (np.abs(rel @ axis) < slab) & (dist < 2.5 * radius + 0.02))
            if len(pick) < 8:
                continue
            A = np.vstack([verts[pick].T, np.ones(len(pick))])  # (4, K)
            rhs = np.append(joints[j], 1.0)
            big = 1e3
            M = np.vstack([big * A, np.eye(len(pick)) / np.sqrt(len(pick))])
            target = np.concatenate([big * rhs, np.full(len(pick), 1.0 / len(pick)) / np.sqrt(len(pick))])
            w = lsq_linear(M, target, bounds=(0.0, 1.0)).x
            if np.linalg.norm(A[:3] @ w / w.sum() - joints[j]) < 2e-4:
                R[j, pick] = w / w.sum()
                break
        else:
            raise RuntimeError(f"joint_regressor: no ring of vertices encloses joint {j}")
    R[R < 1e-6] = 0.0
    return R / R.sum(1, keepdims=True)


HEIGHT_PER_BETA = 0.035   # beta 0: +3.5 % size (about +6 cm of stature) per unit, feet kept on the floor
BUILD_PER_BETA = 0.12     # beta 1: 12 % more girth of trunk and limbs per unit


def shape_directions(verts: np.ndarray, weights: np.ndarray, joints: np.ndarray, n: int = 10) -> np.ndarray:
    """(V, 3, n): beta 0 scales the body about the point between the feet on the floor (stature);
    beta 1 pushes the surface away from its bones (build), sparing head, hands and feet; the others
    are zero (there is no population to learn more from)."""
    dirs = np.zeros((len(verts), 3, n))
    dirs[:, :, 0] = verts * HEIGHT_PER_BETA
    a, b = bone_segments(joints)
    radial = verts[:, None] - closest_on_segments(verts, a, b)  # (V, 24, 3)
    push = np.einsum("vj,vjc->vc", weights, radial)
    spare = weights[:, [7, 8, 10, 11, 15, 20, 21, 22, 23]].sum(1)
    push *= (1.0 - spare)[:, None]
    push[:, 1] *= np.clip(verts[:, 1] / 0.1, 0.0, 1.0)  # nothing below the shins moves vertically
    dirs[:, :, 1] = push * BUILD_PER_BETA
    return dirs


# Where smplx's extra joints (face, feet, fingertips) sit on the left half of this body; the right
# side mirrors them. Named as in smplx.vertex_ids.
_LANDMARKS = {
    "nose": (0.0, 1.59, 0.14), "leye": (0.032, 1.625, 0.11), "lear": (0.085, 1.60, 0.02),
    "LBigToe": (0.10, 0.02, 0.15), "LSmallToe": (0.155, 0.02, 0.12), "LHeel": (0.09, 0.01, -0.13),
    "lthumb": (0.77, 1.39, 0.0), "lindex": (0.89, 1.40, -0.03), "lmiddle": (0.90, 1.40, -0.07),
    "lring": (0.89, 1.40, -0.09), "lpinky": (0.87, 1.40, -0.11),
}


def landmarks(verts: np.ndarray) -> dict[str, int]:
    """Vertex ids for smplx's VertexJointSelector: the vertex nearest each landmark."""
    out = {}
    for name, p in _LANDMARKS.items():
        p = np.array(p, dtype=np.float64)
        out[name] = int(np.argmin(np.linalg.norm(verts - p, axis=1)))
        if name != "nose":
            twin = {"l": "r", "L": "R"}[name[0]] + name[1:]
            out[twin] = int(np.argmin(np.linalg.norm(verts - p * [-1, 1, 1], axis=1)))
    return out
