"""Screenshots of LaMP Studio's main workflows with the real shipped model, for the README and for checking
the window by eye:

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshots.py [--out docs/screenshots] [--bvh FILE]

1. generate.png: a prompt -> three variations side by side, the selected one in skin colour;
2. library.png: a text search of the shipped example library, scores and captions;
3. captions.png: a dropped BVH (default ../shared/fixtures/assimp__01_01.bvh) with its n-best captions;
4. export.png: the export dialog over the window.
Runs with private settings, autosave folder and library path, so it never touches the user's."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def wait(app, cond, timeout: float = 120.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def settle(app, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    wait(app, lambda: time.monotonic() > end, what="the window to settle")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    p.add_argument("--bvh", default=str(REPO.parent / "shared" / "fixtures" / "assimp__01_01.bvh"))
    p.add_argument("--bundle", default=None, help="model bundle (default: the shipped one)")
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="lamp-shots-"))
    os.environ["LAMP_LIBRARY"] = str(tmp / "no-user-library.sqlite")   # read the shipped example library

    from PySide6.QtCore import QCoreApplication, QSettings, Qt
    from PySide6.QtWidgets import QApplication
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    from app.main_window import MainWindow

    w = MainWindow(bundle=args.bundle, settings=QSettings(str(tmp / "settings.ini"), QSettings.IniFormat),
                   autosave_dir=tmp / "autosave")
    w.confirm_discard = False
    w.resize(1600, 1000)
    w.move(0, 0)
    w.show()
    wait(app, lambda: w.hub.engine_loaded and not w.jobs.running(), what="the model")

    def picture():
        """The window as the user sees it: a widget grab leaves the viewport (its own native GL window)
        blank, so its framebuffer is painted in where its container sits."""
        from PySide6.QtGui import QPainter, QPixmap
        pix = w.grab()
        holder = w.viewport.widget()
        painter = QPainter(pix)
        painter.drawPixmap(holder.mapTo(w, holder.rect().topLeft()), QPixmap.fromImage(w.viewport.grabFramebuffer()))
        painter.end()
        return pix

    def shot(name: str) -> None:
        settle(app)
        path = out / name
        picture().save(str(path))
        print(path)

    # 1. prompt -> motion
    w.prompt.prompt.setPlainText("a person walks forward, then turns around and waves with the right hand")
    w.prompt.seconds.setValue(6.0)
    w.prompt.seed.setValue(2024)
    w.prompt.variations.setValue(3)
    w.prompt.generate()
    wait(app, lambda: len(w.session.clips) == 3 and w.prompt.job is None, what="generation")
    w.actions_by_name["side_by_side"].setChecked(True)    # the three variations next to each other
    w.set_frame(60)
    w.frame_character()
    w.captions.caption(w.session.current_uid)
    wait(app, lambda: bool(w.session.current.captions), what="captions of the generated clip")
    shot("generate.png")
    w.actions_by_name["side_by_side"].setChecked(False)

    # 2. library search
    w.library.search.setText("a person waves goodbye")
    w.library.run_search()
    wait(app, lambda: w.library.results.topLevelItemCount() > 0 and "clip(s)" in w.library.info.text(),
         what="library search")
    w.library.results.setCurrentItem(w.library.results.topLevelItem(0))
    w.library.load_clip(int(w.library.results.topLevelItem(0).data(0, Qt.UserRole)))
    wait(app, lambda: len(w.session.clips) == 4, what="loading a library clip")
    w.set_frame(w.motion.n_frames // 2)
    shot("library.png")

    # 3. caption a dropped clip
    if Path(args.bvh).is_file():
        w.import_paths([args.bvh])
        wait(app, lambda: len(w.session.clips) == 5 and bool(w.session.current.captions), what="captions")
        w.set_frame(w.motion.n_frames // 3)
        w.frame_character()
        shot("captions.png")
    else:
        print(f"{args.bvh}: not found, no captions.png")

    # 4. export dialog, painted over the window
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter, QPen
    dialog = w.export_dialog()
    settle(app)
    shown, box = picture(), dialog.grab()
    at = QPoint(12, w.height() - box.height() - 40)      # over the left panels: the character stays in view
    painter = QPainter(shown)
    painter.drawPixmap(at, box)
    painter.setPen(QPen(QColor(90, 90, 90), 1))
    painter.drawRect(box.rect().translated(at).adjusted(0, 0, -1, -1))
    painter.end()
    shown.save(str(out / "export.png"))
    print(out / "export.png")
    dialog.reject()
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
