"""Save a screenshot of LaMP Studio showing a motion file: ``xvfb-run -a python scripts/screenshot.py FILE OUT.png [FRAME]``.

Used to check the window by eye and to make the README's pictures."""

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.main_window import MainWindow  # noqa: E402
from lamp_core.formats import read  # noqa: E402


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    frame = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    w = MainWindow()
    w.resize(1280, 720)
    w.show()
    w.set_motion(read(src))
    w.set_frame(frame)

    def shoot():
        w.grab().save(out)
        app.quit()

    QTimer.singleShot(800, shoot)
    app.exec()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
