"""``Body``: a skinned mesh posed from a ``Motion`` by linear blend skinning, for the viewport and
exporters. It holds plain numpy arrays (no smplx, no torch), so posing a clip costs one matrix product.

Which body: ``load_body(path)``; without a path the ``LAMP_BODY_MODEL`` environment variable, else
LaMP Studio's generated body (assets/body). A path may be our npz or a user's own SMPL / SMPL+H /
SMPL-X model file or folder, read through ``smplx.create``.

Skeleton fit (``pose(motion, fit=True)``): a clip's bones rarely have the body's lengths. The body
is first scaled by the ratio of total bone length, then each joint is moved to where the clip's
skeleton puts it and the vertices follow, interpolated along their bones; so the posed mesh's
joints are the clip's joints (FK of its rotations, within IK precision). ``fit=False`` keeps the
body's own proportions and only takes the clip's bone directions and root path.
Floor: an SMPL body's toe joint sits ~3 cm above its sole, so a clip whose lowest joint is at y = 0
(HumanML3D's convention) shows the soles that far under its floor; lift the drawing if it matters.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..assets import BODY_DIR
from ..motion.kinematics import branch_frames, fit_rest_offsets, forward_kinematics, inverse_kinematics
from ..motion.rotations import axis_angle_to_matrix
from ..motion.skeleton import NUM_JOINTS

DEFAULT_BODY = BODY_DIR / "lamp_body_neutral.npz"
ENV_VAR = "LAMP_BODY_MODEL"
# Branching joints as kinematics.fit_rest_offsets places their children: (joint, spine child, left, right).
_BRANCHES = ((0, 3, 1, 2), (9, 12, 13, 14))


class Rig(NamedTuple):
    """One clip on one body: rest vertices/joints fitted to the clip, and per-frame skinning input."""
    rest_vertices: np.ndarray   # (V, 3)
    rest_joints: np.ndarray     # (J, 3)
    local: np.ndarray           # (T, J, 3, 3) rotations relative to the body's rest pose
    world: np.ndarray           # (T, J, 3, 3)
    positions: np.ndarray       # (T, J, 3) posed joints
    basis: np.ndarray           # (V, 4 J) float32 [W*x, W*y, W*z, W] of the rest vertices, for skinning

    def at(self, frames) -> Rig:
        """Some frames (an index, slice or array) of the rig: rig a clip once, skin frames on demand."""
        f = np.atleast_1d(np.arange(len(self.local))[frames])
        return self._replace(local=self.local[f], world=self.world[f], positions=self.positions[f])


@dataclass(frozen=True, eq=False)
class Body:
    template: np.ndarray          # (V, 3) rest vertices, metres, Y up, facing +Z
    faces: np.ndarray             # (F, 3) int32
    weights: np.ndarray           # (V, J) skinning weights, rows sum to 1
    joints: np.ndarray            # (J, 3) rest joints = j_regressor @ template; the first 22 are SMPL-22
    parents: tuple[int, ...]      # (J,) parent of each joint, -1 for the root
    j_regressor: np.ndarray       # (J, V)
    shapedirs: np.ndarray | None = None   # (V, 3, B)
    posedirs: np.ndarray | None = None    # (9 (J-1), 3 V) pose correctives; None when all zero
    landmarks: dict | None = None         # smplx vertex_ids (face, feet, fingertips)
    source: str = ""

    @classmethod
    def from_arrays(cls, a: dict, source: str = "") -> Body:
        """From SMPL-format arrays (v_template, f, weights, J_regressor, kintree_table, ...)."""
        v = np.asarray(a["v_template"], dtype=np.float32)
        reg = np.asarray(a["J_regressor"].toarray() if hasattr(a["J_regressor"], "toarray") else a["J_regressor"],
                         dtype=np.float32)
        parents = tuple(int(p) for p in np.asarray(a["kintree_table"])[0].astype(np.int64))
        parents = (-1,) + parents[1:]
        pd = a.get("posedirs")
        if pd is not None:
            pd = np.asarray(pd, dtype=np.float32)
            pd = None if not pd.any() else pd.reshape(-1, pd.shape[-1]).T  # (P, 3V), smplx's layout
        marks = None
        if "landmark_names" in a:
            marks = {str(k): int(i) for k, i in zip(a["landmark_names"], a["landmark_vertices"])}
        sd = a.get("shapedirs")
        return cls(v, np.asarray(a["f"], dtype=np.int32), np.asarray(a["weights"], dtype=np.float32),
                   (reg.astype(np.float64) @ v.astype(np.float64)), parents, reg,
                   None if sd is None else np.asarray(sd, dtype=np.float32), pd, marks, source)

    def __post_init__(self) -> None:
        V, J = len(self.template), len(self.parents)
        if self.template.shape != (V, 3) or self.weights.shape != (V, J) or self.joints.shape != (J, 3):
            raise ValueError(f"Body: template {self.template.shape}, weights {self.weights.shape} and joints "
                             f"{self.joints.shape} disagree on vertex/joint counts")
        if J < NUM_JOINTS:
            raise ValueError(f"Body: needs at least the {NUM_JOINTS} SMPL-22 joints, has {J}")

    @property
    def n_vertices(self) -> int:
        return len(self.template)

    @property
    def height(self) -> float:
        return float(np.ptp(self.template[:, 1]))

    def shaped(self, betas) -> Body:
        """The body with shape coefficients applied (joints re-regressed)."""
        b = np.asarray(betas, dtype=np.float32).ravel()
        if self.shapedirs is None or not b.any():
            return self
        if len(b) > self.shapedirs.shape[-1]:
            raise ValueError(f"Body.shaped: {len(b)} betas, the model has {self.shapedirs.shape[-1]}")
        v = self.template + self.shapedirs[..., :len(b)] @ b
        return replace(self, template=v, joints=self.j_regressor.astype(np.float64) @ v.astype(np.float64))

    # ------------------------------------------------------------------ posing
    def rig(self, motion, fit: bool = True, level_toes: bool = True) -> Rig:
        """The clip's rotations relative to this body's own rest pose, from the same IK as
        ``Motion.local_rotations`` run against the body's rest skeleton (rest offsets along the body's
        bones, with the clip's bone lengths when ``fit``). Against the reference T-pose instead, the
        chest's tilted branch frame would put a ~10 degree twist into both arms at rest.
        SMPL-22 has no joint beyond the toes, so they would stay rigid with the foot and dig into the
        floor at every toe-off; ``level_toes`` bends them up at the ball, no further than level."""
        par = np.array(self.parents)
        J = len(par)
        Jb = self.joints.astype(np.float64)
        B = Jb - Jb[np.maximum(par, 0)]
        B[0] = Jb[0]
        s = 1.0
        off22 = B[:NUM_JOINTS].copy()
        if fit:
            lengths = motion.bone_lengths  # (22,) the clip's median bone lengths
            s = lengths[1:].sum() / np.linalg.norm(B[1:NUM_JOINTS], axis=1).sum()
            off22[1:] *= (lengths[1:] / np.maximum(np.linalg.norm(B[1:NUM_JOINTS], axis=1), 1e-9))[:, None]
            off22 = fit_rest_offsets(motion.joints, off22)
            for b, up, left, right in _BRANCHES:  # the clip's hips and collars, in the body's frames
                F = branch_frames(Jb[:NUM_JOINTS], b, up, left, right)
                off22[[up, left, right]] = off22[[up, left, right]] @ F.T
        rots, root = inverse_kinematics(motion.joints, off22)   # (T, 22, 3, 3), (T, 3)
        pos22, world22 = forward_kinematics(rots, root, off22)
        off = B * s
        off[1:NUM_JOINTS] = off22[1:]
        rest_joints = np.empty_like(Jb)
        rest_joints[0] = Jb[0] * s
        for j in range(1, J):
            rest_joints[j] = rest_joints[par[j]] + off[j]
        T = len(rots)
        world = np.empty((T, J, 3, 3))
        pos = np.empty((T, J, 3))
        world[:, :NUM_JOINTS], pos[:, :NUM_JOINTS] = world22, pos22
        for j in range(NUM_JOINTS, J):  # joints SMPL-22 lacks (hands, face, fingers) keep their parent's turn
            world[:, j] = world[:, par[j]]
            pos[:, j] = pos[:, par[j]] + world[:, par[j]] @ off[j]
        if level_toes:
            for j in (10, 11):
                world[:, j] = _toe_bend(world[:, j]) @ world[:, j]
        local = np.empty_like(world)
        local[:, 0] = world[:, 0]
        local[:, 1:] = np.swapaxes(world[:, par[1:]], -1, -2) @ world[:, 1:]
        verts = self.template.astype(np.float64) * s
        if fit:
            verts = verts + self._follow(verts, Jb * s, rest_joints - Jb * s)
        W = self.weights
        v = verts.astype(np.float32)
        basis = np.concatenate([W * v[:, :1], W * v[:, 1:2], W * v[:, 2:], W], axis=1)
        return Rig(verts, rest_joints, local, world, pos, basis)

    def _follow(self, verts: np.ndarray, joints: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """(V, 3) displacement of rest vertices when the rest joints move by ``delta`` (J, 3): each
        vertex blends, by its weights, the moves of the two ends of each bone it hangs on."""
        par = np.array(self.parents)
        child = np.arange(len(par))
        for j in range(len(par)):
            kids = np.flatnonzero(par == j)
            if len(kids) == 1:
                child[j] = kids[0]
        ab = joints[child] - joints
        t = np.einsum("vjc,jc->vj", verts[:, None] - joints[None], ab) / np.maximum((ab * ab).sum(1), 1e-12)
        t = np.clip(t, 0.0, 1.0)
        move = (1 - t)[..., None] * delta[None] + t[..., None] * delta[child][None]  # (V, J, 3)
        return np.einsum("vj,vjc->vc", self.weights, move)

    def pose(self, motion, fit: bool = True, level_toes: bool = True) -> np.ndarray:
        """(T, V, 3) float32 posed vertices of ``motion`` (see the module notes on ``fit``)."""
        return self.skin(self.rig(motion, fit, level_toes))

    def skin(self, rig: Rig) -> np.ndarray:
        """Linear blend skinning of a ``Rig`` -> (T, V, 3) float32 (numpy: a narrow product, as for
        one frame while scrubbing, runs ~15x faster there than in torch)."""
        T, J = rig.world.shape[:2]
        trans = rig.positions - np.einsum("tjab,jb->tja", rig.world, rig.rest_joints)  # (T, J, 3)
        if self.posedirs is None:
            # One product for the whole clip: [W*x, W*y, W*z, W] (V, 4J) @ (4J, 3T).
            M = np.concatenate([np.moveaxis(rig.world, 3, 0), trans[None]], axis=0)  # (4, T, J, 3)
            M = np.ascontiguousarray(M.transpose(0, 2, 1, 3).reshape(4 * J, 3 * T), dtype=np.float32)
            return np.ascontiguousarray((rig.basis @ M).reshape(-1, T, 3).transpose(1, 0, 2))
        out = np.empty((T, self.n_vertices, 3), dtype=np.float32)
        feat = (rig.local[:, 1:] - np.eye(3)).reshape(T, -1).astype(np.float32)
        rest = rig.rest_vertices.astype(np.float32)
        for s in range(0, T, 32):  # pose correctives vary per frame, so skin frame by frame
            e = min(s + 32, T)
            v = rest + (feat[s:e] @ self.posedirs).reshape(e - s, -1, 3)  # (t, V, 3)
            A = np.concatenate([rig.world[s:e], trans[s:e, :, :, None]], -1).reshape(e - s, J, 12)
            Mv = (self.weights @ A.astype(np.float32)).reshape(e - s, -1, 3, 4)  # (t, V, 3, 4)
            out[s:e] = np.einsum("tvab,tvb->tva", Mv[..., :3], v) + Mv[..., 3]
        return out

    def smplx_pose(self, rig: Rig) -> dict:
        """The rig as smplx SMPL inputs (rotation matrices, ``pose2rot=False``)."""
        import torch

        loc = torch.from_numpy(rig.local.astype(np.float32))
        return {"global_orient": loc[:, :1], "body_pose": loc[:, 1:],
                "transl": torch.from_numpy((rig.positions[:, 0] - rig.rest_joints[0]).astype(np.float32)),
                "pose2rot": False}


def _toe_bend(world: np.ndarray, limit: float = np.radians(50)) -> np.ndarray:
    """(T, 3, 3) toe frames -> (T, 3, 3) world rotations lifting toes that point below the horizon
    back to it (at most ``limit``); the identity for toes level or pointing up."""
    d = world[:, :, 2]  # where the toes point: the rest +Z (forward) carried by the frame
    level = d.copy()
    level[:, 1] = np.maximum(level[:, 1], 0.0)
    level /= np.maximum(np.linalg.norm(level, axis=1, keepdims=True), 1e-9)
    axis = np.cross(d, level)
    n = np.linalg.norm(axis, axis=1, keepdims=True)
    angle = np.minimum(np.arctan2(n[:, 0], (d * level).sum(1)), limit)
    return axis_angle_to_matrix(axis / np.maximum(n, 1e-12) * angle[:, None])


def body_path(path: str | Path | None = None) -> Path:
    """The model to load: ``path``, else $LAMP_BODY_MODEL, else the generated body."""
    p = path or os.environ.get(ENV_VAR) or DEFAULT_BODY
    p = Path(p).expanduser()
    if not p.exists():
        hint = " (run `lamp body build`)" if p == DEFAULT_BODY else ""
        raise FileNotFoundError(f"body model {p} does not exist{hint}")
    return p


def load_arrays(path: str | Path) -> dict:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


@functools.lru_cache(maxsize=4)
def _npz_body(path: str, mtime_ns: int) -> Body:
    """Our npz body, read once per file version: every export and viewport clip poses the same one."""
    return Body.from_arrays(load_arrays(path), source=path)


def load_body(path: str | Path | None = None, gender: str = "neutral", betas=None) -> Body:
    """Our generated body (an npz with SMPL keys) or a user's SMPL / SMPL+H / SMPL-X model (a file,
    or a folder laid out as smplx.create expects: <folder>/smpl/SMPL_NEUTRAL.pkl, ...)."""
    p = body_path(path)
    if p.suffix == ".npz" and not p.name.upper().startswith("SMPL"):
        body = _npz_body(str(p), p.stat().st_mtime_ns)
    else:
        body = _from_smplx(smplx_model(p, gender), str(p))
    return body if betas is None else body.shaped(betas)


def smplx_model(path: str | Path | None = None, gender: str = "neutral", **kwargs):
    """An smplx body model: for our npz an ``smplx.SMPL`` built from its arrays (smplx reads SMPL
    only from pickles), otherwise ``smplx.create`` on the user's file or folder."""
    import smplx
    from smplx.utils import Struct

    p = body_path(path)
    if p.suffix == ".npz" and not p.name.upper().startswith("SMPL"):
        arrays = load_arrays(p)
        marks = {str(k): int(i) for k, i in zip(arrays["landmark_names"], arrays["landmark_vertices"])}
        return smplx.SMPL(model_path=str(p), data_struct=Struct(**arrays), vertex_ids=marks, **kwargs)
    if p.is_dir():
        for kind in ("smplx", "smplh", "smpl"):
            if (p / kind).is_dir():
                ext = "npz" if any((p / kind).glob("*.npz")) else "pkl"
                return smplx.create(str(p), model_type=kind, gender=gender, ext=ext, use_pca=False, **kwargs)
        found = sorted(p.glob(f"SMPL*_{gender.upper()}.*"))
        if not found:
            raise FileNotFoundError(f"{p}: no smpl/, smplh/ or smplx/ folder and no SMPL*_{gender.upper()}.* file")
        p = found[0]
    kind = p.name.split("_")[0].lower()
    if kind not in ("smplx", "smplh"):
        return smplx.SMPL(model_path=str(p), gender=gender, **kwargs)
    return smplx.create(str(p), model_type=kind, gender=gender, use_pca=False, **kwargs)


def _from_smplx(model, source: str) -> Body:
    """A Body from an smplx model's buffers (pose correctives kept)."""
    a = {"v_template": model.v_template.numpy(), "f": np.asarray(model.faces),
         "weights": model.lbs_weights.numpy(), "J_regressor": model.J_regressor.numpy(),
         "kintree_table": np.stack([model.parents.numpy(), np.arange(len(model.parents))]),
         "shapedirs": model.shapedirs.numpy()}
    body = Body.from_arrays(a, source)
    pd = model.posedirs.numpy()  # (P, 3V)
    return replace(body, posedirs=pd if pd.any() else None)
