"""A stick-figure scene item: bones as line segments, joints as dots. Consumes (22, 3) arrays only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph.opengl as gl

from lamp_core.motion.skeleton import PARENTS

if TYPE_CHECKING:
    from .view import Viewport

_BONES = np.array([(p, c) for c, p in enumerate(PARENTS) if p >= 0])

# lamp_core is Y-up (+Z forward); pyqtgraph's GL scene is Z-up. (x, y, z) -> (x, -z, y) keeps handedness.
_TO_SCENE = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def to_scene(points: np.ndarray) -> np.ndarray:
    return np.asarray(points, dtype=np.float64) @ _TO_SCENE.T


class SkeletonItem:
    """Bones + joints for one clip; ``set_pose`` moves them."""

    def __init__(self, view: Viewport, color=(0.95, 0.75, 0.3, 1.0)):
        self.bones = gl.GLLinePlotItem(mode="lines", width=4.0, color=color, antialias=True)
        self.joints = gl.GLScatterPlotItem(size=9.0, color=(0.95, 0.95, 0.95, 1.0))
        for item in (self.bones, self.joints):
            item.setGLOptions("opaque")
            view.addItem(item)

    def set_pose(self, joints: np.ndarray) -> None:
        p = to_scene(joints)
        self.bones.setData(pos=p[_BONES.reshape(-1)])
        self.joints.setData(pos=p)

    def set_visible(self, visible: bool) -> None:
        self.bones.setVisible(visible)
        self.joints.setVisible(visible)
