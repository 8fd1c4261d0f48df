"""Start LaMP Studio (the ``lamp-studio`` command; ``python main.py`` does the same)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else argv
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    # Viewports share one GL context group so pyqtgraph's cached shaders stay valid in every one.
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("LaMP Studio")
    app.setOrganizationName("LaMP Studio")
    window = MainWindow()
    window.show()
    for arg in argv[1:]:
        window.open_path(arg)
        break
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
