"""The OpenGL viewport: ground grid, the current clip's skeleton, orbit/pan/zoom from pyqtgraph."""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from PySide6.QtGui import QVector3D

from .skeleton_item import SkeletonItem, to_scene


class Viewport(gl.GLViewWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackgroundColor((38, 40, 46))
        grid = gl.GLGridItem()
        grid.setSize(20, 20)
        grid.setSpacing(0.5, 0.5)
        grid.setColor((120, 124, 135, 120))
        self.addItem(grid)
        self.skeleton = SkeletonItem(self)
        self.setCameraPosition(distance=4.5, elevation=15, azimuth=-60)
        self.opts["center"] = QVector3D(0.0, 0.0, 0.9)

    def show_pose(self, joints: np.ndarray) -> None:
        self.skeleton.set_pose(joints)
        self.update()

    def frame_character(self, joints: np.ndarray) -> None:
        """Centre the camera on the character (the F key)."""
        p = to_scene(joints)
        lo, hi = p.min(axis=0), p.max(axis=0)
        c = (lo + hi) / 2
        self.opts["center"] = QVector3D(float(c[0]), float(c[1]), float(c[2]))
        self.opts["distance"] = float(max(2.5, 2.2 * np.linalg.norm(hi - lo)))
        self.update()
