"""The OpenGL viewport: ground grid, the current clip's skeleton and ground path, orbit/pan/zoom from
pyqtgraph. With ``follow`` on, the camera keeps the character's root in the middle, so a clip that walks
ten metres never leaves the picture."""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from PySide6.QtGui import QVector3D

from .skeleton_item import SkeletonItem, to_scene


class Viewport(gl.GLViewWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.follow = True
        self.setBackgroundColor((38, 40, 46))
        grid = gl.GLGridItem()
        grid.setSize(40, 40)
        grid.setSpacing(0.5, 0.5)
        grid.setColor((120, 124, 135, 120))
        self.addItem(grid)
        self.path = gl.GLLinePlotItem(mode="line_strip", width=2.0, color=(0.35, 0.65, 0.95, 0.8), antialias=True)
        self.path.setGLOptions("translucent")
        self.addItem(self.path)
        self.skeleton = SkeletonItem(self)
        self.setCameraPosition(distance=4.5, elevation=15, azimuth=-60)
        self.opts["center"] = QVector3D(0.0, 0.0, 0.9)

    def set_path(self, joints: np.ndarray | None) -> None:
        """The clip's root path on the ground (None: no clip)."""
        if joints is None or len(joints) < 2:
            self.path.setVisible(False)
            return
        p = to_scene(joints[:, 0])
        p[:, 2] = 0.005
        self.path.setData(pos=p)
        self.path.setVisible(True)

    def show_pose(self, joints: np.ndarray) -> None:
        self.skeleton.set_pose(joints)
        self.skeleton.set_visible(True)
        if self.follow:
            root = to_scene(joints[:1])[0]
            c = self.opts["center"]
            self.opts["center"] = QVector3D(float(root[0]), float(root[1]), c.z())
        self.update()

    def clear(self) -> None:
        """No clip: an empty stage."""
        self.skeleton.set_visible(False)
        self.path.setVisible(False)
        self.update()

    def frame_character(self, joints: np.ndarray) -> None:
        """Centre the camera on the character (the F key)."""
        p = to_scene(joints)
        lo, hi = p.min(axis=0), p.max(axis=0)
        c = (lo + hi) / 2
        self.opts["center"] = QVector3D(float(c[0]), float(c[1]), float(c[2]))
        self.opts["distance"] = float(max(3.0, 2.2 * np.linalg.norm(hi - lo)))
        self.update()
