"""Start LaMP Studio (the ``lamp-studio`` command; ``python main.py`` does the same).

``lamp-studio [--bundle DIR] [--device cpu|cuda] [FILES...]``: the window shows at once, the model loads in the
background, files given are imported (a .lampsession is opened), and an autosave left by a crash is offered."""

from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="lamp-studio", description="LaMP Studio: text-to-motion animation")
    p.add_argument("files", nargs="*", help="motion files (.bvh, .npy) or a session (.lampsession) to open")
    p.add_argument("--bundle", default=None, help="model bundle folder (default: the shipped model)")
    p.add_argument("--device", default="cpu", help="torch device for the models (cpu, cuda)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else argv
    args = parse_args(argv[1:])
    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    # Viewports share one GL context group so pyqtgraph's cached shaders stay valid in every one.
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(argv[:1])
    app.setApplicationName("LaMP Studio")
    app.setOrganizationName("LaMP Studio")
    window = MainWindow(bundle=args.bundle, device=args.device)
    window.show()

    def after_show():
        window.recover()
        if args.files:
            window.import_paths(args.files)

    QTimer.singleShot(0, after_show)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
