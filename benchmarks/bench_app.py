"""LaMP Studio GUI benchmarks, kept out of lamp_core (which never imports Qt). Run under a display, e.g.

    xvfb-run -a -s "-screen 0 1600x1000x24" python -m benchmarks.bench_app [--quick] [--json]

- launch: a fresh ``python`` process per run, timed from just before it is spawned to the window being
  exposed (bar 4 s, goal 2 s) and to the model being ready in the status bar (bar 15 s, goal 5 s);
- viewport frames per second with the body mesh at 1280x720 (bar 30, goal 60): a playing clip, each
  frame posed (one LBS skin + normals + upload) and painted to completion (glFinish);
- scrub latency: set a random frame -> repaint finished, per frame.
``run(quick, bundle) -> rows`` follows the lamp_core.bench suite pattern; rows are skipped, not failed,
when PySide6 or a display is missing."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZE = (1280, 720)
LAUNCH = ("launch -> window shown (bar 4 s, goal 2 s)", "launch -> model ready (bar 15 s, goal 5 s)")
FPS_ROW = "viewport fps, body mesh, {w}x{h}, {n} figure(s) (bar 30, goal 60)"
SCRUB_ROW = "scrub latency: set frame -> repaint done, body mesh, {w}x{h}"

_CHILD = r"""
import os, sys, time, tempfile
from pathlib import Path
sys.path.insert(0, {repo!r})
tmp = Path(tempfile.mkdtemp(prefix="lamp-bench-app-"))
os.environ["LAMP_LIBRARY"] = str(tmp / "library.sqlite")
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QApplication
QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
app = QApplication([])
from app.main_window import MainWindow
w = MainWindow(bundle={bundle!r}, settings=QSettings(str(tmp / "s.ini"), QSettings.IniFormat),
               autosave_dir=tmp / "autosave")
w.confirm_discard = False
w.show()
while not (w.isVisible() and w.windowHandle() and w.windowHandle().isExposed()):
    app.processEvents()
app.processEvents()
print("shown", time.time(), flush=True)
end = time.monotonic() + 120
while not (w.hub.engine_loaded and "loading" not in w.model_label.text()) and time.monotonic() < end:
    app.processEvents()
    time.sleep(0.005)
print("ready" if w.hub.engine_loaded else "failed", time.time(), w.model_label.text(), flush=True)
w.close()
"""


def _can_show() -> str | None:
    """Why the GUI benchmarks cannot run here (None: they can)."""
    try:
        import PySide6  # noqa: F401
    except ImportError:
        return "PySide6 is not installed"
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "minimal")):
        return "no display (run under xvfb-run)"
    return None


def launch_times(bundle: Path | None, runs: int) -> tuple[list[float], list[float], str]:
    """Seconds from spawning a fresh interpreter to the window shown / the model ready, per run."""
    shown, ready, note = [], [], ""
    code = _CHILD.format(repo=str(REPO), bundle=str(bundle) if bundle else None)
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                             check=False)
        for line in out.stdout.splitlines():
            parts = line.split(" ", 2)
            if parts[0] == "shown":
                shown.append(float(parts[1]) - t0)
            elif parts[0] == "ready":
                ready.append(float(parts[1]) - t0)
                note = parts[2] if len(parts) > 2 else ""
            elif parts[0] == "failed":
                note = f"model failed to load: {parts[2] if len(parts) > 2 else ''}"
        if out.returncode != 0 and not shown:
            note = (out.stderr.strip().splitlines() or ["no output"])[-1]
    return shown, ready, note


def _counting_viewport():
    """A Viewport that finishes and counts every frame it paints (Qt may merge update requests), held
    in a window container as the main window holds it."""
    from OpenGL import GL

    from app.viewport.view import Viewport

    class Counting(Viewport):
        painted = 0

        def paintGL(self, *args, **kw):
            super().paintGL(*args, **kw)
            GL.glFinish()
            self.painted += 1

    return Counting()


class _Stage:
    """A Viewport at 1280x720, in its container widget as in the app, playing a 10 s clip (and its
    variations)."""

    def __init__(self, figures: int = 1):
        from PySide6.QtCore import QCoreApplication, Qt
        from PySide6.QtWidgets import QApplication
        QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
        self.app = QApplication.instance() or QApplication([])
        from lamp_core.data.synthetic import walking_motion
        self.motion = walking_motion(frames=200)
        self.view = _counting_viewport()
        self.holder = self.view.widget()
        self.holder.resize(*SIZE)
        self.holder.show()
        end = time.monotonic() + 10
        while not (self.view.isExposed() and self.view.painted):
            self.app.processEvents()
            if time.monotonic() > end:
                raise RuntimeError("the viewport never showed")
        self.view.set_clips([self.motion] + [self.motion.mirror()] * (figures - 1), 0)
        self.view.frame_character(self.motion.joints[0])
        self.draw(0)

    def draw(self, frame: int) -> None:
        """Pose ``frame`` and return once it is painted and finished."""
        n = self.view.painted
        self.view.show_frame(frame)
        self.view.repaint()
        while self.view.painted == n:
            self.app.processEvents()

    def renderer(self) -> str:
        from OpenGL import GL
        self.view.makeCurrent()
        name = GL.glGetString(GL.GL_RENDERER)
        self.view.doneCurrent()
        return name.decode() if name else "?"

    def fps(self, seconds: float) -> float:
        """Play as a timer does (advance a frame, request an update, let Qt paint); painted frames/s."""
        n, start, t0 = 0, self.view.painted, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            self.view.show_frame(n % self.motion.n_frames)
            self.app.processEvents()
            n += 1
        return (self.view.painted - start) / (time.perf_counter() - t0)

    def scrub(self, count: int) -> list[float]:
        import numpy as np
        out = []
        for f in np.random.default_rng(0).integers(0, self.motion.n_frames, count):
            t = time.perf_counter()
            self.draw(int(f))
            out.append(time.perf_counter() - t)
        return out

    def close(self) -> None:
        from PySide6.QtCore import QEvent
        self.holder.close()
        self.holder.deleteLater()     # now, while the GL context lives (at exit it would crash)
        self.app.sendPostedEvents(None, QEvent.DeferredDelete)
        self.app.processEvents()


def run(quick: bool = False, bundle: Path | None = None) -> list[dict]:
    names = [*LAUNCH, FPS_ROW.format(w=SIZE[0], h=SIZE[1], n=1), FPS_ROW.format(w=SIZE[0], h=SIZE[1], n=3),
             SCRUB_ROW.format(w=SIZE[0], h=SIZE[1])]
    why = _can_show()
    if why:
        return [{"name": n, "skipped": why} for n in names]
    rows = []
    shown, ready, note = launch_times(bundle, 2 if quick else 5)
    for name, times in zip(LAUNCH, (shown, ready)):
        rows.append({"name": name, "value": statistics.median(times), "unit": "s", "runs": times}
                    if times else {"name": name, "skipped": note or "the window never showed"})
    if ready and note:
        rows[-1]["note"] = note
    seconds = 2.0 if quick else 5.0
    renderer = ""
    for figures, name in ((1, names[2]), (3, names[3])):
        stage = _Stage(figures)
        renderer = stage.renderer()
        stage.fps(0.5)                                   # warm-up: shaders, buffers
        runs = [stage.fps(seconds / 3) for _ in range(3)]
        rows.append({"name": name, "value": statistics.median(runs), "unit": "frames/s", "runs": runs})
        if figures == 1:
            lat = stage.scrub(30 if quick else 100)
            rows.append({"name": names[4], "value": statistics.median(lat) * 1000, "unit": "ms",
                         "p90_ms": sorted(lat)[int(0.9 * len(lat))] * 1000})
        stage.close()
    for r in rows:
        r["renderer"] = renderer
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_app", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer runs and shorter timings")
    p.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    p.add_argument("--bundle", type=Path, default=None, help="model bundle (default: the shipped one)")
    args = p.parse_args(argv)
    load_before = os.getloadavg()[0]   # software GL shares the CPU: a busy machine halves the fps
    rows = [{"suite": "app", **r} for r in run(args.quick, args.bundle)]
    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    import datetime

    from lamp_core.bench.common import machine
    from lamp_core.bench_commands import markdown
    info = machine()
    date = datetime.date.today().isoformat()
    if args.json:
        print(json.dumps({"machine": info, "load": load, "rows": rows}, indent=2))
    else:
        print(markdown(info, rows, date))
        gl_name = next((r["renderer"] for r in rows if r.get("renderer")), "")
        if gl_name:
            print(f"\nOpenGL renderer: {gl_name}; display {os.environ.get('DISPLAY', '?')}; {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
