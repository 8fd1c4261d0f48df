"""GUI tests share one GL context group, as the app does (pyqtgraph caches shader programs)."""


def pytest_configure(config):
    try:
        from PySide6.QtCore import QCoreApplication, Qt
    except ImportError:
        return
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
