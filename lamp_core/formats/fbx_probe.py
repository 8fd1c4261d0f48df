"""Sample an FBX scene's node world positions with ufbx, run as a child process.

Why a separate process: the PyPI ufbx bindings (0.0.5) free element wrappers unsafely (re-reading
``scene.nodes[i]`` after earlier wrappers were collected, or iterating a list, can crash or alias),
so a corrupt or merely unlucky file could take the whole app down. Here every wrapper is kept alive
until exit and a crash costs only this process. Imports nothing but numpy and ufbx.

Usage: python fbx_probe.py IN.fbx OUT.npz FPS [TAKE]; exit 0 and OUT written, or exit 2 with a
one-line reason on stderr.
"""

from __future__ import annotations

import sys

import numpy as np

KEEP: list = []  # every ufbx wrapper ever created (see the module notes)


def _keep(x):
    KEEP.append(x)
    return x


def _matrix(tr) -> np.ndarray:
    x, y, z, w = tr.rotation.x, tr.rotation.y, tr.rotation.z, tr.rotation.w
    R = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                  [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                  [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    M = np.eye(4)
    M[:3, :3] = R * np.array([tr.scale.x, tr.scale.y, tr.scale.z])
    M[:3, 3] = (tr.translation.x, tr.translation.y, tr.translation.z)
    return M


def probe(path: str, fps: float, take: str | None = None, max_samples: int = 2_000_000) -> dict:
    import ufbx

    scene = _keep(ufbx.load_file(path))
    nodes = [_keep(scene.nodes[i]) for i in range(len(scene.nodes))]
    parents = []
    for n in nodes:
        parents.append(-1 if n.is_root else int(_keep(n.parent).typed_id))
    out = {"names": np.array([n.name for n in nodes], dtype=str), "parents": np.array(parents, dtype=np.int64),
           "is_bone": np.array([_keep(n.bone) is not None for n in nodes]),
           "kind": np.array([_keep(n.attrib_type).name for n in nodes], dtype=str),
           "depth": np.array([int(n.node_depth) for n in nodes], dtype=np.int64),
           "unit_meters": np.array(float(_keep(scene.settings).unit_meters or 0.0)),
           "file_fps": np.array(float(scene.settings.frames_per_second or 0.0))}
    meshes = [_keep(scene.meshes[i]) for i in range(len(scene.meshes))]
    skins = [_keep(scene.skin_deformers[i]) for i in range(len(scene.skin_deformers))]
    axes = _keep(scene.settings.axes)
    out.update(mesh_vertices=np.array([int(m.num_vertices) for m in meshes], dtype=np.int64),
               mesh_faces=np.array([int(m.num_faces) for m in meshes], dtype=np.int64),
               skin_clusters=np.array([len(_keep(s.clusters)) for s in skins], dtype=np.int64),
               up_axis=np.array(str(_keep(axes.up).name)))
    stacks = [_keep(scene.anim_stacks[i]) for i in range(len(scene.anim_stacks))]
    if take is not None:
        stacks = [s for s in stacks if s.name == take]
    stacks = [s for s in stacks if s.time_end > s.time_begin]
    out["take"] = np.array("")
    out["world"] = np.zeros((0, len(nodes), 3))
    if not stacks:
        return out
    stack = max(stacks, key=lambda s: s.time_end - s.time_begin)
    anim = _keep(stack.anim)
    begin, end = float(stack.time_begin), float(stack.time_end)
    n = int(np.floor((end - begin) * fps + 1e-6)) + 1
    if n * len(nodes) > max_samples:
        raise ValueError(f"{n} frames x {len(nodes)} nodes is too large to sample")
    order = sorted(range(len(nodes)), key=lambda i: out["depth"][i])
    world = np.zeros((n, len(nodes), 3))
    for k in range(n):
        t = begin + k / fps
        W: list = [None] * len(nodes)
        for i in order:
            L = _matrix(ufbx.evaluate_transform(anim, nodes[i], t))
            W[i] = L if parents[i] < 0 else W[parents[i]] @ L
            world[k, i] = W[i][:3, 3]
    out.update(take=np.array(stack.name), begin=np.array(begin), end=np.array(end), world=world)
    return out


def main(argv: list[str]) -> int:
    src, dst, fps = argv[0], argv[1], float(argv[2])
    take = argv[3] if len(argv) > 3 else None
    try:
        data = probe(src, fps, take)
    except Exception as e:  # noqa: BLE001  ufbx's errors, our limits: one line for the parent to report
        msg = str(e).strip().splitlines()
        print(f"{type(e).__name__}: {msg[0] if msg else ''}", file=sys.stderr)
        return 2
    np.savez(dst, **data)
    sys.stdout.flush()
    import os
    os._exit(0)  # skip interpreter teardown, where the bindings' wrappers would be freed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
