"""Error types the CLI and the app turn into one-line messages for the user."""

from __future__ import annotations


class LampError(Exception):
    """Base class: a problem the user can act on (bad file, bad option, missing model)."""


class MotionFormatError(LampError, ValueError):
    """A motion file could not be read: names the file, the line (when known) and what was expected."""

    def __init__(self, path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class RetargetError(LampError, ValueError):
    """A skeleton could not be mapped onto the 22 SMPL joints."""


class Cancelled(LampError):
    """A long job was cancelled by its caller."""
