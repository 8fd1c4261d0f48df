"""GUI test fixtures. Every window gets its own settings file, autosave folder and library path, so tests
never read or write the user's; ``tiny_window`` runs the real app on the tiny bundle trained in
tests/conftest.py (``tiny_lamp_bundle``), ``window`` has no model at all (import, play, export, session)."""

import pytest


def pytest_configure(config):
    try:
        from PySide6.QtCore import QCoreApplication, Qt
    except ImportError:
        return
    # GUI tests share one GL context group, as the app does (pyqtgraph caches shader programs).
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)


@pytest.fixture(autouse=True)
def _private_library(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMP_LIBRARY", str(tmp_path / "user-library.sqlite"))


@pytest.fixture
def settings_path(tmp_path):
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, tmp_path, settings_path):
    """make_window(bundle=None, load_models=False) -> a shown MainWindow with private settings."""
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow

    def make(bundle=None, load_models=False, **kw):
        settings = QSettings(str(settings_path), QSettings.IniFormat)
        w = MainWindow(bundle=bundle, settings=settings, autosave_dir=tmp_path / "autosave",
                       load_models=load_models, **kw)
        w.confirm_discard = False
        qtbot.addWidget(w)
        w.resize(1200, 800)
        w.show()
        qtbot.waitExposed(w)
        return w

    return make


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def tiny_window(make_window, qtbot, tiny_lamp_bundle):
    w = make_window(bundle=tiny_lamp_bundle, load_models=True)
    qtbot.waitUntil(lambda: w.hub.engine_loaded and not w.jobs.running(), timeout=60000)
    return w
