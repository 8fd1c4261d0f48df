"""The OpenGL viewport: ground grid, the current clip (and, side by side, its sibling variations) as a
skinned body and/or skeleton with foot-contact markers, its ground path, orbit/pan/zoom from pyqtgraph.
With ``follow`` on, the camera keeps the selected character's root in the middle, so a clip that walks
ten metres never leaves the picture.

The body is loaded on first use (``load_body``: $LAMP_BODY_MODEL or the generated assets/body); if it
cannot be loaded the viewport falls back to skeletons and ``body_error`` says why.

It is a QOpenGLWindow (pyqtgraph's GLViewMixin) placed in the main window through a window container,
not a QOpenGLWidget: a QOpenGLWidget makes Qt compose the whole main window through OpenGL on every
frame, which under Mesa's software rasteriser costs more than drawing the body (the viewport played at
~28 fps inside the app against ~55 alone; as its own native window it plays at ~85)."""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Callable

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtCore import QEvent
from PySide6.QtGui import QVector3D
from PySide6.QtOpenGL import QOpenGLWindow
from PySide6.QtWidgets import QApplication, QWidget

from .figure import Figure, RigCache
from .skeleton_item import to_scene

SPACING = 1.5                  # metres between variations side by side
LAYERS = ("body", "skeleton", "path", "contacts")


_DRAG_EVENTS = (QEvent.DragEnter, QEvent.DragMove, QEvent.DragLeave, QEvent.Drop)
_LIVE: weakref.WeakSet = weakref.WeakSet()      # viewports placed in a container


@atexit.register          # registered after PySide's own clean-up, so it runs before it
def _release_containers() -> None:
    """PySide counts a viewport as Python's although its container deletes it: at exit it would delete
    the window first and leave the container (in a top-level window not yet deleted, e.g. one closed
    with a deleteLater never run) holding a dangling pointer, which crashes Qt's tear-down. Deleting
    those top-level windows first deletes container and viewport the right way round."""
    from shiboken6 import Shiboken
    for view in list(_LIVE):
        if Shiboken.isValid(view) and view._container is not None and Shiboken.isValid(view._container):
            Shiboken.delete(view._container.window())


class Viewport(GLViewMixin, QOpenGLWindow):
    def __init__(self):
        super().__init__()
        fmt = self.format()            # a QWindow asks for no depth buffer unless told: the body needs one
        fmt.setDepthBufferSize(24)
        self.setFormat(fmt)
        self._container: QWidget | None = None
        self.follow = True
        self.layers = {"body": True, "skeleton": False, "path": True, "contacts": False}
        self.setBackgroundColor((38, 40, 46))
        grid = gl.GLGridItem()
        grid.setSize(40, 40)
        grid.setSpacing(0.5, 0.5)
        grid.setColor((120, 124, 135, 120))
        self.addItem(grid)
        self.path = gl.GLLinePlotItem(mode="line_strip", width=2.0, color=(0.35, 0.65, 0.95, 0.8), antialias=True)
        self.path.setGLOptions("translucent")
        self.addItem(self.path)
        self._body, self.body_error = None, None
        self.body_path: str | None = None        # the user's body model (None: $LAMP_BODY_MODEL or ours)
        self._body_tried = False
        self.rigs = RigCache()
        # (name, fn, on_done, on_error) -> run fn off the UI thread (the app's job runner); long clips
        # are rigged there while their skeleton stands in
        self.background: Callable | None = None
        self._rigging: set[int] = set()
        self._rig_failed: set[int] = set()
        self.figures: list[Figure] = []
        self.motions: list = []
        self.selected = 0
        self.frame = 0
        self.setCameraPosition(distance=4.5, elevation=15, azimuth=-60)
        self.opts["center"] = QVector3D(0.0, 0.0, 0.9)

    # ------------------------------------------------------------------ the window in a widget tree
    def widget(self, parent: QWidget | None = None) -> QWidget:
        """The QWidget that holds this window in a layout (made once; it owns the window)."""
        if self._container is None:
            self._container = QWidget.createWindowContainer(self, parent)
            self._container.setMinimumSize(160, 120)
            _LIVE.add(self)
        return self._container

    def devicePixelRatioF(self) -> float:     # GLViewMixin asks a QWidget's question
        return float(self.devicePixelRatio())

    def paintGL(self) -> None:
        GL.glViewport(0, 0, self.deviceWidth(), self.deviceHeight())
        super().paintGL()

    def grabFramebuffer(self):
        """The picture as it is now: QOpenGLWindow's grab only reads back whatever the last swap left, so
        draw the scene first (into the back buffer, not swapped: the screen is untouched)."""
        if not self.isValid():
            return super().grabFramebuffer()
        self.makeCurrent()
        self.paintGL()
        GL.glFinish()
        return super().grabFramebuffer()

    def repaint(self) -> None:
        """Ask for a frame now (QWidget's name, kept for callers; a QWindow paints on the next pass)."""
        self.update()

    def event(self, ev) -> bool:
        """Files dragged over the picture go to the window that holds it (it imports dropped files)."""
        if ev.type() in _DRAG_EVENTS and self._container is not None:
            return QApplication.sendEvent(self._container.window(), ev)
        return super().event(ev)

    # ------------------------------------------------------------------ the body model
    @property
    def body(self):
        """The Body to skin, loaded once (None when it cannot be: skeletons only)."""
        if not self._body_tried:
            self._body_tried = True
            try:
                from lamp_core.body.model import load_body
                self._body = load_body(self.body_path)
            except Exception as e:  # noqa: BLE001 - a missing or unreadable model must not take the viewport down
                self.body_error = f"{type(e).__name__}: {e}"
        return self._body

    def _rig_later(self, motion) -> None:
        key = id(motion)
        if key in self._rigging or key in self._rig_failed:
            return
        self._rigging.add(key)
        body, rigs = self.body, self.rigs

        def done(_result, failed: bool = False) -> None:
            self._rigging.discard(key)
            if failed:
                self._rig_failed.add(key)    # drawn as a skeleton from now on, not retried every frame
            elif rigs is self.rigs and any(m is motion for m in self.motions):
                self.show_frame(self.frame)

        self.background("rig", lambda: rigs.get(body, motion), done, lambda message: done(None, True))

    def adopt_body(self, body) -> None:
        """A body loaded off the UI thread at start-up; ignored once the property has loaded one."""
        if not self._body_tried:
            self._body, self._body_tried = body, True

    def set_body(self, body) -> None:
        """Draw every figure with another body (View ▸ Body model): new meshes, rigs made afresh."""
        self._body, self._body_tried, self.body_error = body, True, None
        self.rigs = RigCache()
        motions, selected = self.motions, self.selected
        self.set_clips([])
        if motions:
            self.set_clips(motions, selected)
            self.show_frame(self.frame)

    def _visible_layers(self) -> dict:
        on = dict(self.layers)
        if self.body is None:          # no body: the skeleton stands in for it
            on["skeleton"] = on["skeleton"] or on["body"]
            on["body"] = False
        return on

    # ------------------------------------------------------------------ clips
    def offset(self, index: int) -> float:
        """x of figure ``index``: variations centred on 0, SPACING apart."""
        return (index - (len(self.motions) - 1) / 2) * SPACING

    def set_clips(self, motions: list, selected: int = 0) -> None:
        """Draw these Motions (one, or a prompt's variations side by side); ``selected`` is highlighted
        and owns the ground path and the camera. Call ``show_frame`` to pose them."""
        self.motions, self.selected = list(motions), selected
        while len(self.figures) < len(self.motions):
            self.figures.append(Figure(self, self.body))
        while len(self.figures) > len(self.motions):
            self.figures.pop().remove()
        for i, (fig, m) in enumerate(zip(self.figures, self.motions)):
            fig.set_motion(m, self.offset(i), i == selected)
        self._update_path()

    def _update_path(self) -> None:
        m = self.motions[self.selected] if self.motions else None
        if m is None or m.n_frames < 2 or not self.layers["path"]:
            self.path.setVisible(False)
            return
        p = to_scene(m.joints[:, 0])
        p[:, 0] += self.offset(self.selected)
        p[:, 2] = 0.005
        self.path.setData(pos=p)
        self.path.setVisible(True)

    def set_path(self, joints: np.ndarray | None) -> None:
        """Compatibility: a single clip's joints only set the path (use ``set_clips``)."""
        if joints is None or len(joints) < 2:
            self.path.setVisible(False)
            return
        p = to_scene(joints[:, 0])
        p[:, 2] = 0.005
        self.path.setData(pos=p)
        self.path.setVisible(self.layers["path"])

    def show_frame(self, frame: int) -> None:
        """Pose every figure at ``frame`` (each clamped to its clip) and repaint."""
        self.frame = int(frame)
        layers = self._visible_layers()
        for i, fig in enumerate(self.figures):
            root = fig.show(self.frame, layers, self.rigs, self._rig_later if self.background else None)
            if i == self.selected and self.follow:   # side by side: the row's middle follows
                c = self.opts["center"]
                self.opts["center"] = QVector3D(float(root[0] - self.offset(i)), float(root[1]), c.z())
        self.update()

    def set_layer(self, name: str, on: bool) -> None:
        """View menu toggles: 'body', 'skeleton', 'path' (root trajectory), 'contacts'."""
        if name not in LAYERS:
            raise ValueError(f"unknown layer {name!r}; one of {LAYERS}")
        self.layers[name] = bool(on)
        self._update_path()
        if self.figures:
            self.show_frame(self.frame)
        else:
            self.update()

    def clear(self) -> None:
        """No clip: an empty stage."""
        self.set_clips([])
        self.update()

    def frame_character(self, joints: np.ndarray) -> None:
        """Centre the camera on the selected character (the F key); ``joints`` are its pose."""
        p = to_scene(joints)
        if self.motions:
            p[:, 0] += self.offset(self.selected)
        if len(self.motions) > 1:      # side by side: keep every figure in the picture
            p = np.concatenate([p, p[:1] * (0, 1, 1) + [(self.offset(0), 0, 0)],
                                p[:1] * (0, 1, 1) + [(self.offset(len(self.motions) - 1), 0, 0)]])
        lo, hi = p.min(axis=0), p.max(axis=0)
        c = (lo + hi) / 2
        self.opts["center"] = QVector3D(float(c[0]), float(c[1]), float(c[2]))
        self.opts["distance"] = float(max(3.0, (2.2 if len(self.motions) < 2 else 1.6) * np.linalg.norm(hi - lo)))
        self.update()

    def show_pose(self, joints: np.ndarray) -> None:
        """Compatibility: draw a bare pose as a one-frame clip."""
        from lamp_core.motion import Motion
        self.set_clips([Motion(np.asarray(joints)[None])])
        self.show_frame(0)
