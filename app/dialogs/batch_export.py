"""Export several clips at once (File ▸ Export all clips…, or Export with several clips selected): the same
dialog and options, a folder instead of a file, one file per clip named after it. The files are written on
a worker thread and one message lists what was written and what failed, so one bad clip stops nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

from lamp_core.export import export_motion

from ..jobs import describe_error
from .export_dialog import ExportDialog, _safe_stem


def unique_names(names: list[str], suffix: str, taken: set[str] = frozenset()) -> list[str]:
    """File-safe, distinct file names for clip names (``walk``, ``walk_2``, …): clips often share a name.
    ``taken``: file names to avoid as well (what is already in the folder, to keep both)."""
    seen: set[str] = {t.lower() for t in taken}
    out = []
    for name in names:
        stem = _safe_stem(name)
        candidate, k = stem, 2
        while (candidate + suffix).lower() in seen:
            candidate, k = f"{stem}_{k}", k + 1
        seen.add((candidate + suffix).lower())
        out.append(candidate + suffix)
    return out


def write_all(items, folder: Path, options, progress=None, cancelled=None) -> tuple[list[Path], list[str]]:
    """Write ``(file name, motion)`` pairs into ``folder``; returns (written paths, 'name: reason' failures)."""
    folder.mkdir(parents=True, exist_ok=True)
    written, failed = [], []
    for i, (fname, motion) in enumerate(items):
        if cancelled is not None and cancelled():
            failed += [f"{n}: cancelled" for n, _ in items[i:]]
            break
        try:
            written.append(export_motion(motion, folder / fname, options)[0])
        except Exception as e:  # noqa: BLE001 - one bad clip is a line in the report, not the end of the batch
            failed.append(f"{fname}: {describe_error(e)}")
        if progress is not None:
            progress((i + 1) / len(items))
    return written, failed


def _exists_message(existing: list[str], folder: Path) -> str:
    shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
    return (f"{len(existing)} file(s) already in {folder}: {shown}. Press Replace to overwrite them, or Keep both "
            "to write the new ones beside them.")


class BatchExportDialog(ExportDialog):
    """ExportDialog for many clips: the File field holds a folder, and the frame range is the whole clip."""

    def __init__(self, ctx, clips, parent=None):
        super().__init__(ctx, clips[0], parent)
        self.clips = list(clips)
        self.setWindowTitle(f"Export {len(self.clips)} clips")
        self.report = ""
        self.report_box: QMessageBox | None = None
        self.written_all: list[Path] | None = None
        for w in (self.start, self.end):
            w.setEnabled(False)
            w.setToolTip("Each clip is exported whole")
        self.path.setText(str(ctx.setting("export/folder", str(Path.home()))))
        self.path.setToolTip("The folder to write into; each file is named after its clip")
        self.keep_both = self.buttons.addButton("Keep both", QDialogButtonBox.ActionRole)
        self.keep_both.setToolTip("Write the new files beside the old ones, with _2, _3… added to their names")
        self.keep_both.hide()
        self.keep_both.clicked.connect(lambda: self.export(keep_both=True))

    def _format_changed(self, *_) -> None:
        text = self.path.text()
        super()._format_changed()
        self.path.setText(text)   # a folder: no suffix to change

    def options(self):
        from dataclasses import replace
        return replace(super().options(), frame_range=None)

    def file_names(self, folder: Path | None = None) -> list[str]:
        """One name per clip; with ``folder``, none that is already there."""
        taken = {p.name for p in folder.iterdir()} if folder is not None and folder.is_dir() else set()
        return unique_names([c.name for c in self.clips], self.suffix, taken)

    def _target_changed(self, *_) -> None:
        super()._target_changed()
        if hasattr(self, "keep_both"):
            self.keep_both.hide()

    def choose_file(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export into", self.path.text())
        if path:
            self.path.setText(path)

    def export(self, keep_both: bool = False) -> None:
        text = self.path.text().strip()
        if not text:
            self.error.setText("Choose a folder to write into.")
            return
        folder = Path(text).expanduser()
        if folder.exists() and not folder.is_dir():
            self.error.setText(f"{folder} is a file, not a folder.")
            return
        names = self.file_names(folder if keep_both else None)
        existing = [n for n in names if (folder / n).is_file()]
        if existing and not self.confirm_replace((folder, tuple(names)), _exists_message(existing, folder)):
            self.keep_both.show()
            return
        self.keep_both.hide()
        options, items = self.options(), list(zip(names, [c.motion for c in self.clips]))
        self._remember()
        self.ctx.settings.setValue("export/folder", str(folder))
        self.export_button.setEnabled(False)
        self.error.setText(f"Writing {len(items)} files…")
        self.job = self.ctx.jobs.run("export batch",
                                     lambda progress, cancelled: write_all(items, folder, options, progress, cancelled),
                                     on_done=lambda r: self._batch_done(folder, *r), on_error=self._failed,
                                     on_progress=lambda p: self.error.setText(f"Writing… {p:.0%}"))

    def _batch_done(self, folder: Path, written: list[Path], failed: list[str]) -> None:
        self.written_all = written
        lines = [f"Wrote {len(written)} of {len(self.clips)} file(s) to {folder}:"] + [f"  {p.name}" for p in written]
        if failed:
            lines += ["", f"{len(failed)} failed:"] + [f"  {f}" for f in failed]
        self.report = "\n".join(lines)
        self.ctx.status(lines[0].rstrip(":"))
        box = QMessageBox(QMessageBox.Warning if failed else QMessageBox.Information, "Export", self.report,
                          QMessageBox.Ok, self.parentWidget())
        box.setWindowModality(Qt.NonModal)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.show()
        self.report_box = box
        self.accept()
