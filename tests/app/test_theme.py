"""View ▸ Theme: Dark and Light change the window's palette, the choice survives a restart, System
follows the desktop's colour scheme, and the 3D viewport stays dark in both."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _window_lightness(w) -> int:
    from PySide6.QtGui import QPalette
    return w.palette().color(QPalette.Window).lightness()


def test_dark_and_light_change_the_palette_and_are_remembered(make_window, qtbot):
    from PySide6.QtWidgets import QApplication
    w = make_window()
    w.actions_by_name["theme_dark"].trigger()
    qtbot.waitUntil(lambda: _window_lightness(w) < 100, timeout=3000)
    assert QApplication.style().name().lower() == "fusion"
    assert w.actions_by_name["theme_dark"].isChecked() and not w.actions_by_name["theme_system"].isChecked()
    viewport_bg = w.viewport.opts["bgcolor"]
    w.close()

    again = make_window()                         # a restart with the same settings
    qtbot.waitUntil(lambda: _window_lightness(again) < 100, timeout=3000)
    assert again.actions_by_name["theme_dark"].isChecked()
    again.actions_by_name["theme_light"].trigger()
    qtbot.waitUntil(lambda: _window_lightness(again) > 150, timeout=3000)
    assert again.viewport.opts["bgcolor"] == viewport_bg, "the viewport keeps its dark background"
    again.close()

    third = make_window()
    assert third.theme.theme == "light" and _window_lightness(third) > 150
    third.actions_by_name["theme_system"].trigger()
    assert third.settings.value("view/theme") == "system"


def test_system_follows_the_style_hints(window, qtbot, monkeypatch):
    from app import theme
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    window.theme.set_theme("system")
    assert window.theme.mode == "dark"
    qtbot.waitUntil(lambda: _window_lightness(window) < 100, timeout=3000)
    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    window.theme._system_changed()                # what the desktop switching emits
    assert window.theme.mode == "light"
    qtbot.waitUntil(lambda: _window_lightness(window) > 150, timeout=3000)
