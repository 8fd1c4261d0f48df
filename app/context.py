"""What every panel shares: the job runner, the model hub, the session, the settings and a way to tell
the user something. One object passed around instead of panels reaching into the main window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings

from .jobs import JobRunner
from .model_hub import ModelHub
from .session import Session


@dataclass
class AppContext:
    jobs: JobRunner
    hub: ModelHub
    session: Session
    settings: QSettings
    notify: Callable[[str, str], None]      # (title, message): a non-blocking message box and a status line
    status: Callable[[str], None]           # a status-bar line

    def setting(self, key: str, default, kind=None):
        """A QSettings value with its type restored (INI files give strings back)."""
        v = self.settings.value(key, default)
        if kind is bool:
            return v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes")
        if kind is not None:
            try:
                return kind(v)
            except (TypeError, ValueError):
                return default
        return v
