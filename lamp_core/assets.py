"""Where the files that ship with LaMP Studio live: the default model bundle and the example library
(``assets/`` beside the package in a checkout or an editable install)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO / "assets"
DEFAULT_BUNDLE = ASSETS / "models" / "default"
DEFAULT_LAMP = DEFAULT_BUNDLE / "lamp"
SHIPPED_LIBRARY = ASSETS / "library" / "default.sqlite"   # scripts/build_default_library.py
BODY_DIR = ASSETS / "body"                                  # lamp body build
