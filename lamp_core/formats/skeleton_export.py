"""What the rigged exporters (glTF, FBX) share: one skeleton with local rotations per frame, rest
offsets and, optionally, the skinned body mesh. Built once here so both formats play back exactly the
same joints (and so tests can compare either file against ``ExportSkeleton.world()``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from ..motion.motion import Motion, resampled_frame_count
from ..motion.rig import export_rig
from ..motion.skeleton import PARENTS
from .bvh import MIXAMO_BVH_NAMES, SMPL_BVH_NAMES

# SMPL's 24 joints: the 22 plus the hand joints (our body has them; SMPL-22 motions do not move them).
HAND_NAMES = {"smpl": ("L_Hand", "R_Hand"), "mixamo": ("LeftHandMiddle1", "RightHandMiddle1")}
NAME_SETS = {"smpl": SMPL_BVH_NAMES, "mixamo": MIXAMO_BVH_NAMES}


@dataclass(frozen=True, eq=False)
class ExportSkeleton:
    names: tuple[str, ...]
    parents: tuple[int, ...]
    offsets: np.ndarray          # (J, 3) rest offset from the parent; offsets[0] = rest root position
    local: np.ndarray            # (T, J, 3, 3) local rotations (rest = identity)
    root: np.ndarray             # (T, 3) root joint positions, metres
    fps: float
    vertices: np.ndarray | None = None   # (V, 3) rest (bind) vertices, metres
    faces: np.ndarray | None = None      # (F, 3)
    weights: np.ndarray | None = None    # (V, J)

    @property
    def n_frames(self) -> int:
        return int(self.local.shape[0])

    @property
    def n_joints(self) -> int:
        return len(self.parents)

    def rest_joints(self) -> np.ndarray:
        """(J, 3) joint positions in the bind pose (all rotations identity)."""
        out = np.zeros((self.n_joints, 3))
        for j, p in enumerate(self.parents):
            out[j] = self.offsets[j] if p < 0 else out[p] + self.offsets[j]
        return out

    def world(self) -> np.ndarray:
        """(T, J, 3) world joint positions the file plays back."""
        T, J = self.local.shape[:2]
        G = np.empty_like(self.local)
        P = np.empty((T, J, 3))
        for j, p in enumerate(self.parents):
            if p < 0:
                G[:, j], P[:, j] = self.local[:, j], self.root
            else:
                G[:, j] = G[:, p] @ self.local[:, j]
                P[:, j] = P[:, p] + G[:, p] @ self.offsets[j]
        return P


def resample_tracks(local: np.ndarray, root: np.ndarray, src_fps: float, fps: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Slerp rotations / lerp the root onto ``fps`` (same start and span), so bones keep their length."""
    T, J = local.shape[:2]
    n = resampled_frame_count(T, src_fps, fps)
    if n == T:
        return local, root
    src_t = np.arange(T) / src_fps
    dst_t = np.minimum(np.arange(n) / fps, src_t[-1])
    if T == 1:
        return local.repeat(n, 0), root.repeat(n, 0)
    rots = np.empty((n, J, 3, 3))
    for j in range(J):
        rots[:, j] = Slerp(src_t, Rotation.from_matrix(local[:, j]))(dst_t).as_matrix()
    return rots, np.stack([np.interp(dst_t, src_t, root[:, k]) for k in range(3)], axis=-1)


def build(motion: Motion, fps: float | None = None, in_place: bool = False,
          frame_range: tuple[int, int] | None = None, rest: str = "tpose", names: str = "smpl",
          body=None) -> ExportSkeleton:
    """The skeleton an export plays: SMPL-22 on the clip's bone lengths in the ``rest`` pose, or with
    ``body`` (a ``Body``, or True for the default body) the body's 24-joint rig fitted to the clip."""
    if names not in NAME_SETS:
        raise ValueError(f"names must be one of {sorted(NAME_SETS)}, got {names!r}")
    if body is None or body is False:
        rig = export_rig(motion, fps, rest, in_place, frame_range)
        off = rig.offsets.copy()
        off[0] = rig.root[0]
        return ExportSkeleton(NAME_SETS[names], tuple(PARENTS), off, rig.rotations,
                              rig.root, rig.fps)
    from ..body.model import load_body
    b = load_body() if body is True else body
    m = motion
    if frame_range is not None:
        m = m.trim(*frame_range)
    if in_place:
        m = m.in_place()
    if fps:   # on the positions, before the IK (see motion.rig.export_rig)
        m = m.resample(fps)
    r = b.rig(m)
    par = tuple(int(p) for p in b.parents)
    off = r.rest_joints - r.rest_joints[np.maximum(np.array(par), 0)]
    off[0] = r.rest_joints[0]
    local, root = resample_tracks(r.local, r.positions[:, 0], m.fps, float(fps or m.fps))
    labels = NAME_SETS[names] + HAND_NAMES[names]
    labels = labels + tuple(f"joint_{j}" for j in range(len(labels), len(par)))
    return ExportSkeleton(labels[:len(par)], par, off, local, root, float(fps or m.fps),
                          np.asarray(r.rest_vertices, dtype=np.float64), np.asarray(b.faces), np.asarray(b.weights))


def top4(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(V, J) weights -> (V, 4) joint indices and (V, 4) weights renormalised to sum 1 (glTF, FBX)."""
    idx = np.argsort(-weights, axis=1)[:, :4]
    w = np.take_along_axis(weights, idx, axis=1).astype(np.float64)
    w = np.where(w > 1e-6, w, 0.0)
    w /= np.maximum(w.sum(1, keepdims=True), 1e-12)
    return idx, w


def vertex_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(V, 3) area-weighted unit normals."""
    v = np.asarray(verts, dtype=np.float64)
    f = np.asarray(faces)
    fn = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    n = np.zeros_like(v)
    for k in range(3):
        np.add.at(n, f[:, k], fn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
