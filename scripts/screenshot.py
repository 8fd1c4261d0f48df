"""Save a screenshot of LaMP Studio showing a motion file: ``xvfb-run -a python scripts/screenshot.py FILE OUT.png [FRAME]``.

Used to check the window by eye and to make the README's pictures (scripts/screenshots.py shoots the whole
workflow with the model). No model loads here, and settings / autosave go to a temporary folder."""

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.main_window import MainWindow
from app.session import Clip
from lamp_core.formats import read


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    frame = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="lamp-shot-"))
    w = MainWindow(settings=QSettings(str(tmp / "settings.ini"), QSettings.IniFormat), autosave_dir=tmp,
                   load_models=False)
    w.confirm_discard = False
    w.resize(1280, 720)
    w.show()
    w.session.add([Clip.new(Path(src).stem, read(src))])
    w.set_frame(frame)

    def shoot():
        w.grab().save(out)
        w.close()
        app.quit()

    QTimer.singleShot(800, shoot)
    app.exec()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
