"""A motion as a rig plays it: local rotations + root path on a fixed-length skeleton.

Exporters work from this. Changing the frame rate happens here, by slerping rotations and lerping the
root, so the exported skeleton keeps its bone lengths on in-between frames (straight-line
interpolation of joint positions would shorten bones there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from .kinematics import forward_kinematics
from .motion import Motion, Provenance, resampled_frame_count
from .skeleton import NUM_JOINTS


@dataclass(frozen=True, eq=False)
class Rig:
    rotations: np.ndarray   # (T, 22, 3, 3) local rotations
    root: np.ndarray        # (T, 3) pelvis positions, metres
    offsets: np.ndarray     # (22, 3) rest-pose offsets from each parent
    fps: float
    provenance: Provenance = Provenance()

    @classmethod
    def from_motion(cls, motion: Motion, rest: str = "tpose") -> "Rig":
        rots, root, offsets = motion.local_rotations(rest)
        return cls(rots, root, offsets, motion.fps, motion.provenance)

    @property
    def n_frames(self) -> int:
        return int(self.rotations.shape[0])

    def resample(self, fps: float) -> "Rig":
        fps = float(fps)
        if not np.isfinite(fps) or not (0.1 <= fps <= 1000.0):
            raise ValueError(f"fps must be between 0.1 and 1000, got {fps}")
        T = self.n_frames
        if resampled_frame_count(T, self.fps, fps) == T and abs(fps - self.fps) <= 1e-6 * fps:
            return Rig(self.rotations, self.root, self.offsets, fps, self.provenance)
        src_t = np.arange(T) / self.fps
        n = resampled_frame_count(T, self.fps, fps)
        dst_t = np.minimum(np.arange(n) / fps, src_t[-1])
        if T == 1:
            return Rig(self.rotations[:1].repeat(n, 0), self.root[:1].repeat(n, 0), self.offsets, fps, self.provenance)
        rots = np.empty((n, NUM_JOINTS, 3, 3))
        for j in range(NUM_JOINTS):
            rots[:, j] = Slerp(src_t, Rotation.from_matrix(self.rotations[:, j]))(dst_t).as_matrix()
        root = np.stack([np.interp(dst_t, src_t, self.root[:, k]) for k in range(3)], axis=-1)
        return Rig(rots, root, self.offsets, fps, self.provenance)

    def joints(self) -> np.ndarray:
        return forward_kinematics(self.rotations, self.root, self.offsets)[0]

    def to_motion(self) -> Motion:
        return Motion(self.joints(), self.fps, self.provenance)


def export_rig(motion: Motion, fps: float | None = None, rest: str = "tpose", in_place: bool = False,
               frame_range: tuple[int, int] | None = None) -> Rig:
    """The edits every exporter shares, in order: frame range, in-place, output frame rate, rig.

    The frame rate changes on the joint positions, before the IK: a joint whose twist the positions
    leave free (CMU collars sitting on Spine3) can turn a lot between two frames, and slerping such
    rotations swung the arms up to 35 cm off the clip in between (seen in Blender at 30 fps)."""
    m = motion
    if frame_range is not None:
        m = m.trim(*frame_range)
    if in_place:
        m = m.in_place()
    if fps is not None:
        m = m.resample(fps)
    return Rig.from_motion(m, rest)
