"""The skinned body mesh as a scene item. pyqtgraph's GLMeshItem would rebuild a MeshData (and its
per-vertex Python normal loop) on every frame; this one takes posed vertices and numpy normals and
uploads just the two vertex buffers, so a scrub costs one LBS frame plus one upload."""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl import shaders
from pyqtgraph.opengl.items.GLMeshItem import DirtyFlag

SKIN = (0.86, 0.70, 0.60, 1.0)        # the selected clip
SIBLING = (0.56, 0.62, 0.72, 1.0)     # other variations, side by side

# A key light from over the viewer's left shoulder, a weak fill from the right and ambient: the
# stock 'shaded' program lights from behind-right and leaves the front of the body nearly black.
_SHADER = shaders.ShaderProgram("lamp_body", [
    shaders.VertexShader("""
        uniform mat4 u_mvp;
        uniform mat3 u_normal;
        attribute vec4 a_position;
        attribute vec3 a_normal;
        attribute vec4 a_color;
        varying vec4 v_color;
        varying vec3 v_normal;
        void main() {
            v_normal = normalize(u_normal * a_normal);
            v_color = a_color;
            gl_Position = u_mvp * a_position;
        }
    """),
    shaders.FragmentShader("""
        #ifdef GL_ES
        precision mediump float;
        #endif
        varying vec4 v_color;
        varying vec3 v_normal;
        void main() {
            vec3 n = normalize(v_normal);
            float key = max(dot(n, vec3(-0.350, 0.613, 0.701)), 0.0);
            float fill = max(dot(n, vec3(0.812, 0.116, 0.580)), 0.0);
            float rim = 1.0 - abs(n.z);
            vec3 rgb = v_color.rgb * (0.32 + 0.62 * key + 0.18 * fill) + 0.10 * rim * rim * rim;
            gl_FragColor = vec4(min(rgb, vec3(1.0)), v_color.a);
        }
    """),
])


# The body is a closed surface with outward (counter-clockwise) faces: culling back faces halves the
# fragments Mesa's software rasteriser shades.
_CLOSED = {GL.GL_DEPTH_TEST: True, GL.GL_BLEND: False, GL.GL_CULL_FACE: True}


def vertex_normals(v: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(V, 3) float32 unit normals: area-weighted face normals summed per vertex (bincount, ~1 ms)."""
    tri = v[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    idx = faces.ravel()
    w = np.repeat(fn, 3, axis=0)
    n = np.stack([np.bincount(idx, w[:, c], minlength=len(v)) for c in range(3)], axis=1)
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    return n.astype(np.float32)


class BodyMesh(gl.GLMeshItem):
    """A GLMeshItem whose positions and normals are replaced wholesale by ``set_vertices``."""

    def __init__(self, faces: np.ndarray, color=SKIN):
        super().__init__(vertexes=np.zeros((3, 3), np.float32), faces=np.array([[0, 1, 2]]),
                         smooth=True, shader=_SHADER, color=color, glOptions=_CLOSED)
        self._faces = np.ascontiguousarray(faces, dtype=np.uint32)
        self._pending: tuple[np.ndarray, np.ndarray] | None = None
        self._faces_sent = False

    def set_vertices(self, verts: np.ndarray) -> None:
        v = np.ascontiguousarray(verts, dtype=np.float32)
        self._pending = (v, vertex_normals(v, self._faces))
        self.update()

    def parseMeshData(self) -> DirtyFlag:
        """Hand pyqtgraph's paint the arrays set since the last draw (and the faces once)."""
        bits = DirtyFlag(0)
        if self._pending is not None:
            self.vertexes, self.normals = self._pending
            self._pending = None
            bits |= DirtyFlag.POSITION | DirtyFlag.NORMAL
        if not self._faces_sent and self.vertexes is not None:
            self.faces = self._faces
            self._faces_sent = True
            bits |= DirtyFlag.FACES
        return bits

    def paint(self) -> None:
        if self.vertexes is None and self._pending is None:
            return            # never posed: nothing to draw (the placeholder triangle is not sent)
        super().paint()
