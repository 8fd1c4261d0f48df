"""Light and dark themes: View ▸ Theme ▸ System / Light / Dark, remembered in QSettings. Fusion draws both
the same on every platform; "System" follows the desktop's colour scheme (Qt's style hints, Qt 6.5+) and
changes with it. The 3D viewport keeps its own dark background in both, so a character reads the same."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")
KEY = "view/theme"


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text, mid = QColor(30, 31, 34), QColor(45, 47, 51), QColor(225, 226, 229), QColor(70, 72, 78)
    for role, colour in ((QPalette.Window, window), (QPalette.WindowText, text), (QPalette.Base, base),
                         (QPalette.AlternateBase, QColor(38, 40, 44)), (QPalette.ToolTipBase, window),
                         (QPalette.ToolTipText, text), (QPalette.Text, text), (QPalette.Button, window),
                         (QPalette.ButtonText, text), (QPalette.BrightText, QColor(255, 90, 90)),
                         (QPalette.Link, QColor(90, 160, 255)), (QPalette.Highlight, QColor(60, 120, 210)),
                         (QPalette.HighlightedText, QColor(255, 255, 255)), (QPalette.Mid, mid),
                         (QPalette.PlaceholderText, QColor(140, 142, 148))):
        p.setColor(role, colour)
    grey = QColor(120, 122, 128)
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, grey)
    p.setColor(QPalette.Disabled, QPalette.Highlight, mid)
    return p


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def effective(theme: str) -> str:
    """'light' or 'dark': what ``theme`` means now (System asks the desktop)."""
    if theme == "system":
        return "dark" if system_is_dark() else "light"
    return theme if theme in THEMES else "light"


def apply_theme(theme: str) -> str:
    """Fusion with a light or dark palette for the whole application; returns 'light' or 'dark'."""
    app = QApplication.instance()
    style = QStyleFactory.create("Fusion")
    if app.style().name().lower() != "fusion" and style is not None:
        app.setStyle(style)
    mode = effective(theme)
    app.setPalette(dark_palette() if mode == "dark" else app.style().standardPalette())
    return mode


class ThemeController:
    """Keeps the chosen theme in settings, applies it, and re-applies System when the desktop switches."""

    def __init__(self, settings, parent=None):
        self.settings = settings
        self.theme = str(settings.value(KEY, "system"))
        if self.theme not in THEMES:
            self.theme = "system"
        self.mode = apply_theme(self.theme)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)

    def set_theme(self, theme: str) -> None:
        self.theme = theme if theme in THEMES else "system"
        self.settings.setValue(KEY, self.theme)
        self.mode = apply_theme(self.theme)

    def _system_changed(self, *_) -> None:
        if self.theme == "system":
            self.mode = apply_theme("system")

    def disconnect(self) -> None:
        try:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._system_changed)
        except (RuntimeError, TypeError):
            pass
