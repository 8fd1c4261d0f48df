"""View ▸ Body model: draw the characters with the user's own SMPL / SMPL+H / SMPL-X files instead of the
generated body. The choice is a setting; the model loads on a worker, and a file that cannot be used
leaves the current body in place and says why."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

SETTING = "viewport/body_model"
FILTER = "Body models (*.npz *.pkl);;All files (*)"


def configured(settings) -> str | None:
    """The body file the user chose (None: $LAMP_BODY_MODEL or the generated body)."""
    value = settings.value(SETTING, "") or ""
    return str(value) or None


class BodyChoice:
    """Loads a body off the UI thread and hands it to the viewport; remembers it only once it works."""

    def __init__(self, window):
        self.w = window

    def load_at_start(self) -> None:
        """The configured body (or the default) on a worker; if the configured one is gone or broken the
        generated body is drawn and the user is told."""
        from lamp_core.body.model import load_body
        path = configured(self.w.settings)

        def work(progress, cancelled):
            try:
                return load_body(path), None
            except Exception as e:  # reported below, and the built-in body stands in
                if path is None:
                    raise
                return load_body(), f"{path}: {e}"

        def done(result):
            body, problem = result
            self.w.viewport.adopt_body(body)
            if problem:
                self.w.viewport.body_path = None
                self.w.notify("Could not load your body model; showing the built-in body", problem)

        self.w.jobs.run("load body", work, on_done=done, on_error=lambda message: None)

    def choose(self) -> None:
        start = configured(self.w.settings) or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.w, "Body model (SMPL, SMPL+H, SMPL-X or LaMP npz)", start, FILTER)
        if path:
            self.use(path)

    def use(self, path: str | None) -> None:
        """Switch to the body in ``path`` (None: back to the built-in body)."""
        from lamp_core.body.model import load_body
        label = Path(path).name if path else "the built-in body"
        self.w.status(f"Loading body model {label}…")

        def done(body):
            self.w.viewport.set_body(body)
            self.w.settings.setValue(SETTING, path or "")
            self.w.status(f"Body model: {label} ({body.n_vertices} vertices)")

        def failed(message):
            self.w.notify(f"Could not use {path} as the body model", message)

        self.w.jobs.run("load body", lambda progress, cancelled: load_body(path), on_done=done, on_error=failed)
