"""File ▸ Export (Ctrl+E): every format lamp_core.formats writes and every option its writer takes, greyed
out where a format ignores it. Choices are remembered; the file is written by lamp_core.export (atomically)
on a worker thread, and a failure keeps the dialog open with the reason."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from lamp_core.export import FORMAT_LABELS, ExportOptions, export_motion, options_for
from lamp_core.formats import writable_suffixes

from ..context import AppContext
from ..session import Clip

# lamp_core.export's defaults when ExportOptions.body is None: glTF carries the body, FBX the skeleton only.
BODY_DEFAULTS = {".fbx": False, ".glb": True, ".gltf": True}


def _safe_stem(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name).strip().replace(" ", "_")
    return keep[:60] or "motion"


class ExportDialog(QDialog):
    def __init__(self, ctx: AppContext, clip: Clip, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Export {clip.name}")
        self.ctx, self.clip = ctx, clip
        self.written: Path | None = None
        self.job = None
        n = clip.motion.n_frames
        self.format = QComboBox()
        for s in writable_suffixes():
            self.format.addItem(FORMAT_LABELS.get(s, s), s)
        self.path = QLineEdit()
        self.browse = QPushButton("Browse…")
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.0, 1000.0)
        self.fps.setDecimals(2)
        self.fps.setSpecialValueText(f"clip's own ({clip.motion.fps:g})")
        self.start = QSpinBox()
        self.start.setRange(0, n - 1)
        self.end = QSpinBox()
        self.end.setRange(1, n)
        self.end.setValue(n)
        self.in_place = QCheckBox("In place (remove travel over the ground)")
        self.foot = QCheckBox("Clean up feet (lock planted feet, no sliding)")
        self.rest = QComboBox()
        self.rest.addItems(["tpose", "apose"])
        self.names = QComboBox()
        self.names.addItems(["smpl", "mixamo"])
        self.units = QComboBox()
        self.units.addItems(["m", "cm"])
        self.features = QCheckBox("263-d HumanML3D features instead of joints")
        self.body = QCheckBox("Include the body mesh (skinned SMPL body)")
        self._body_choice: dict[str, bool] = {}    # per format: FBX and glTF default differently
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d04040")

        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        range_row = QHBoxLayout()
        range_row.addWidget(self.start)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.end)
        range_row.addWidget(QLabel(f"of {n} frames"))
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("File", file_row)
        form.addRow("Frame rate", self.fps)
        form.addRow("Frames", range_row)
        form.addRow("", self.in_place)
        form.addRow("", self.foot)
        form.addRow("", self.body)
        self.bvh_box = QGroupBox("Skeleton (BVH; rest pose and names also FBX / glTF)")
        bvh = QFormLayout(self.bvh_box)
        bvh.addRow("Rest pose", self.rest)
        bvh.addRow("Joint names", self.names)
        bvh.addRow("Units", self.units)
        self.npy_box = QGroupBox(".npy")
        QVBoxLayout(self.npy_box).addWidget(self.features)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.bvh_box)
        lay.addWidget(self.npy_box)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        self._replace_ok: object = None         # the target the user agreed to overwrite (a second click)
        self.path.textChanged.connect(self._target_changed)
        self.browse.clicked.connect(self.choose_file)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.body.toggled.connect(lambda on: self._body_choice.__setitem__(self.suffix, on))
        self._restore()
        self._format_changed()
        self.resize(560, self.sizeHint().height())

    # ------------------------------------------------------------------ remembered choices
    def _restore(self) -> None:
        c = self.ctx
        i = self.format.findData(c.setting("export/format", ".bvh"))
        self.format.setCurrentIndex(max(0, i))
        folder = Path(c.setting("export/folder", str(Path.home())))
        self.path.setText(str(folder / f"{_safe_stem(self.clip.name)}{self.suffix}"))
        self.fps.setValue(c.setting("export/fps", 0.0, float))
        self.in_place.setChecked(c.setting("export/in_place", False, bool))
        self.foot.setChecked(c.setting("export/foot_cleanup", False, bool))
        for box, key, default in ((self.rest, "rest", "tpose"), (self.names, "names", "smpl"), (self.units, "units", "m")):
            box.setCurrentText(str(c.setting(f"export/{key}", default)))
        self.features.setChecked(c.setting("export/features", False, bool))
        for suffix, default in BODY_DEFAULTS.items():
            self._body_choice[suffix] = c.setting(f"export/body_{suffix[1:]}", default, bool)

    def _remember(self) -> None:
        st, o = self.ctx.settings, self.options()
        st.setValue("export/format", self.suffix)
        st.setValue("export/folder", str(Path(self.path.text()).expanduser().parent))
        st.setValue("export/fps", o.fps or 0.0)
        for key in ("in_place", "foot_cleanup", "rest", "names", "units", "features"):
            st.setValue(f"export/{key}", getattr(o, key))
        if o.body is not None:
            st.setValue(f"export/body_{self.suffix[1:]}", o.body)

    # ------------------------------------------------------------------ fields
    @property
    def suffix(self) -> str:
        return self.format.currentData()

    def _format_changed(self, *_) -> None:
        used = options_for(self.suffix)
        self.bvh_box.setEnabled("rest" in used)
        self.units.setEnabled("units" in used)      # FBX / glTF take rest pose and names, not units
        self.body.setEnabled("body" in used)
        self.body.blockSignals(True)
        self.body.setChecked(self._body_choice.get(self.suffix, False))
        self.body.blockSignals(False)
        self.npy_box.setEnabled("features" in used)
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(self.suffix)))

    def options(self) -> ExportOptions:
        a, b = self.start.value(), self.end.value()
        return ExportOptions(fps=self.fps.value() or None, in_place=self.in_place.isChecked(),
                             frame_range=(a, b), foot_cleanup=self.foot.isChecked(), rest=self.rest.currentText(),
                             names=self.names.currentText(), units=self.units.currentText(),
                             features=self.features.isChecked(),
                             body=self.body.isChecked() if self.body.isEnabled() else None)

    def choose_file(self) -> None:
        pattern = f"{self.format.currentText()} (*{self.suffix})"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), pattern)
        if path:
            p = Path(path)
            self.path.setText(str(p if p.suffix.lower() == self.suffix else p.with_suffix(self.suffix)))

    # ------------------------------------------------------------------ writing
    def _target_changed(self, *_) -> None:
        """A new target undoes an agreement to overwrite the old one."""
        self._replace_ok = None
        self.export_button.setText("Export")

    def confirm_replace(self, target, message: str) -> bool:
        """Nothing is overwritten silently: the first click names what exists and turns Export into
        Replace; a second click on the same target goes ahead."""
        if self._replace_ok == target:
            return True
        self._replace_ok = target
        self.export_button.setText("Replace")
        self.error.setText(message)
        return False

    def export(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.error.setText("Choose a file to write.")
            return
        path = Path(text).expanduser()
        if path.suffix.lower() != self.suffix:
            path = path.with_suffix(self.suffix)
        if path.is_file() and not self.confirm_replace(path, f"{path.name} already exists in {path.parent}. "
                                                            "Press Replace to overwrite it, or change the name."):
            return
        options, motion = self.options(), self.clip.motion
        self._remember()
        self.export_button.setEnabled(False)
        self.error.setText("Writing…")
        self.job = self.ctx.jobs.run("export", lambda progress, cancelled: export_motion(motion, path, options),
                                     on_done=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        out, frames, fps = result
        self.written = out
        self.ctx.status(f"Exported {self.clip.name} to {out}: {frames} frames at {fps:g} fps")
        self.accept()

    def _failed(self, message: str) -> None:
        self.error.setText(f"Export failed: {message}")
        self.export_button.setEnabled(True)
