"""The models and libraries the window uses, loaded once, lazily and thread-safely.

Why: the window must appear at once, so nothing loads in its constructor; each job asks the hub for what
it needs from its worker thread, and a second job that needs the same model waits for the first load
instead of loading it twice. Tests hand in a tiny bundle; the app uses the shipped one."""

from __future__ import annotations

import threading
from pathlib import Path

from lamp_core.assets import DEFAULT_BUNDLE
from lamp_core.errors import LampError


class ModelHub:
    def __init__(self, bundle: str | Path | None = None, device: str = "cpu"):
        self.bundle = Path(bundle) if bundle else DEFAULT_BUNDLE
        self.device = device
        # One lock for every model load: loads share first-time imports (transformers' lazy modules are not
        # safe to import from two threads at once) and would only compete for the same cores anyway.
        self._load = threading.RLock()
        self._locks = {"engine": self._load, "captioner": self._load, "encoder": self._load,
                       "library": threading.Lock()}
        self._engine = self._captioner = self._encoder = None
        self._library = None                      # (MotionLibrary, shipped)

    # ------------------------------------------------------------------ models
    @property
    def engine_loaded(self) -> bool:
        return self._engine is not None

    def engine(self):
        with self._locks["engine"]:
            if self._engine is None:
                from lamp_core.engine import Engine
                self._engine = Engine.load(self.bundle, device=self.device)
            return self._engine

    def caption_kind(self) -> str:
        """The bundle's dedicated captioner when it has one, else LaMP's own decoder."""
        from lamp_core.generation.bundle import read_bundle
        _, parts = read_bundle(self.bundle)
        if "captioner" in parts:
            return "prefix"
        if "lamp" in parts:
            return "lamp"
        raise LampError(f"{self.bundle}: the bundle has neither a captioner nor a LaMP model to caption with")

    def captioner(self):
        with self._locks["captioner"]:
            if self._captioner is None:
                from lamp_core.captioning.captioner import Captioner
                self._captioner = Captioner.load(self.bundle, kind=self.caption_kind(), device=self.device)
            return self._captioner

    def encoder(self):
        """The bundle's LaMP as the library's embedder (text and motion search)."""
        with self._locks["encoder"]:
            if self._encoder is None:
                from lamp_core.retrieval import LaMPEncoder
                folder = self.bundle / "lamp"
                if not (folder / "model.json").is_file():
                    raise LampError(f"{self.bundle}: the bundle has no LaMP model (lamp/), which library search needs")
                self._encoder = LaMPEncoder.load(folder, device=self.device)
            return self._encoder

    # ------------------------------------------------------------------ libraries
    def library(self):
        """(library, shipped): the user's library, or while there is none the shipped examples (read-only)."""
        from lamp_core.library import MotionLibrary
        from lamp_core.model_commands import library_to_read
        with self._locks["library"]:
            path, shipped = library_to_read(None)
            if self._library is None or self._library[0].path != path:
                if self._library is not None:
                    self._library[0].close()
                if not shipped and not path.exists():
                    raise LampError(f"no motion library yet: add a clip to start one at {path}")
                self._library = (MotionLibrary.open(path, create=False, read_only=shipped), shipped)
            return self._library

    def user_library(self):
        """The user's own library, made on first use as a copy of the shipped examples."""
        from lamp_core.library import MotionLibrary
        from lamp_core.model_commands import create_user_library, default_library
        with self._locks["library"]:
            path = default_library()
            if not path.exists():
                create_user_library(path)
            if self._library is None or self._library[0].path != path:
                if self._library is not None:
                    self._library[0].close()
                self._library = (MotionLibrary.open(path), False)
            return self._library[0]

    def close(self) -> None:
        with self._locks["library"]:
            if self._library is not None:
                self._library[0].close()
                self._library = None
