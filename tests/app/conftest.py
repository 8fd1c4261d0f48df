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


WALKS = ((0.0, "a person walks straight ahead"), (0.8, "a person walks in a circle"),
         (-0.8, "someone turns right while walking"))


def make_user_library(tmp_path, monkeypatch, walks=WALKS):
    """The user's library (LAMP_LIBRARY) holding one 3 s synthetic walk per (turn rate, caption)."""
    from lamp_core.data.synthetic import walking_motion
    from lamp_core.library import MotionLibrary
    path = tmp_path / "user-library.sqlite"
    monkeypatch.setenv("LAMP_LIBRARY", str(path))
    with MotionLibrary.open(path) as lib:
        for i, (turn, caption) in enumerate(walks):
            lib.add(walking_motion(frames=60, turn_rate=turn, seed=i), name=f"walk {i}", captions=[caption])
    return path


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
