"""One clip as drawn in the viewport: body mesh, skeleton and foot-contact markers, shifted along x
when variations stand side by side. The clip's rig (IK against the body) is computed once per Motion
and cached, so a scrub or a played frame only skins one pose."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL

from .body_item import SIBLING, SKIN, BodyMesh
from .skeleton_item import _BONES, SkeletonItem, to_scene

if TYPE_CHECKING:
    from .view import Viewport

RIG_NOW_FRAMES = 6000                  # longer clips (> 5 min at 20 fps, ~0.2 s of IK) are rigged on a worker
FEET = np.array([7, 10, 8, 11])         # Motion.foot_contacts' order: L ankle, L toe, R ankle, R toe
CONTACT = (0.25, 0.95, 0.45, 1.0)
BONES, BONES_DIM = (0.95, 0.75, 0.3, 1.0), (0.55, 0.6, 0.7, 1.0)
# Skeleton and markers draw after the mesh and ignore depth, so they stay visible inside the body.
_ON_TOP = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True,
           "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}


class RigCache:
    """Rigs of the last few Motions (keyed by identity: Motions are immutable values). Thread-safe, so a
    file-reading job can rig a long clip on its worker before the clip is shown (seconds for an hour)."""

    def __init__(self, size: int = 12):
        self.size = size
        self._rigs: OrderedDict[int, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, motion):
        """(rig, lift) if this Motion is rigged already, else None (never computes)."""
        with self._lock:
            hit = self._rigs.get(id(motion))
            return hit[1] if hit is not None and hit[0] is motion else None

    def get(self, body, motion):
        with self._lock:
            hit = self._rigs.get(id(motion))
            if hit is not None and hit[0] is motion:
                self._rigs.move_to_end(id(motion))
                return hit[1]
        rig = body.rig(motion)              # outside the lock: the UI thread may rig another clip meanwhile
        lift = float(rig.rest_joints[[10, 11], 1].min() - rig.rest_vertices[:, 1].min())
        with self._lock:
            self._rigs[id(motion)] = (motion, (rig, lift))
            while len(self._rigs) > self.size:
                self._rigs.popitem(last=False)
        return rig, lift


class Figure:
    """The scene items of one clip; ``show`` poses them at a frame."""

    def __init__(self, view: Viewport, body):
        self.view, self.body = view, body
        self.motion = None
        self.offset = np.zeros(3)
        self.selected = True
        self.skeleton = SkeletonItem(view)
        for item in (self.skeleton.bones, self.skeleton.joints):
            item.setGLOptions(_ON_TOP)
            item.setDepthValue(10)
        self.contacts = gl.GLScatterPlotItem(size=16.0, color=CONTACT, pxMode=True)
        self.contacts.setGLOptions(_ON_TOP)
        self.contacts.setDepthValue(11)
        view.addItem(self.contacts)
        self.mesh = None
        if body is not None:
            self.mesh = BodyMesh(body.faces)
            view.addItem(self.mesh)

    def set_motion(self, motion, offset_x: float, selected: bool) -> None:
        self.motion, self.selected = motion, selected
        self.offset = np.array([offset_x, 0.0, 0.0])
        if self.mesh is not None:
            self.mesh.setColor(SKIN if selected else SIBLING)
        self.skeleton.bones.setData(color=BONES if selected else BONES_DIM)

    def show(self, frame: int, layers: dict, rigs: RigCache, rig_later=None) -> np.ndarray:
        """Pose at ``frame`` (clamped to the clip) with the visible ``layers``; returns the scene root.
        A long clip not rigged yet is handed to ``rig_later(motion)`` (a worker) and drawn as a skeleton
        meanwhile, rather than rigged here on the UI thread (~5 s for two hours)."""
        m = self.motion
        f = int(np.clip(frame, 0, m.n_frames - 1))
        lift = 0.0
        if self.mesh is not None and rig_later is not None and m.n_frames > RIG_NOW_FRAMES \
                and rigs.cached(m) is None:
            rig_later(m)
            layers = {**layers, "body": False, "skeleton": layers["skeleton"] or layers["body"]}
        elif self.mesh is not None:
            rig, lift = rigs.get(self.body, m)
            if layers["body"]:
                verts = self.body.skin(rig.at(f))[0]
                self.mesh.set_vertices(to_scene(verts) + self.offset + (0, 0, lift))
        shift = self.offset + (0, 0, lift)
        joints = to_scene(m.joints[f]) + shift
        self.skeleton.bones.setData(pos=joints[_BONES.reshape(-1)])
        self.skeleton.joints.setData(pos=joints)
        touching = m.foot_contacts[f]
        if layers["contacts"] and touching.any():
            self.contacts.setData(pos=joints[FEET[touching]])
        self.set_visible(layers, touching.any())
        return joints[0]

    def set_visible(self, layers: dict | None, touching: bool = True) -> None:
        """Show the layers switched on (``None``: hide the whole figure)."""
        on = layers or {"body": False, "skeleton": False, "contacts": False}
        if self.mesh is not None:
            self.mesh.setVisible(on["body"])
        self.skeleton.set_visible(on["skeleton"])
        self.contacts.setVisible(on["contacts"] and touching)

    def remove(self) -> None:
        for item in (self.mesh, self.skeleton.bones, self.skeleton.joints, self.contacts):
            if item is not None:
                self.view.removeItem(item)
