"""The main window: viewport, a timeline with play/pause and scrubbing, open/export and drag-and-drop.

File reads run on a worker thread; the GUI touches results only in slots."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QSlider,
                               QVBoxLayout, QWidget)
from superqt.utils import thread_worker

from lamp_core.formats import read, readable_suffixes, write
from lamp_core.motion import Motion

from .viewport.view import Viewport


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("LaMP Studio")
        self.resize(1280, 800)
        self.motion: Motion | None = None
        self.frame = 0
        self.viewport = Viewport(self)
        self.play_button = QPushButton("Play")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setEnabled(False)
        self.time_label = QLabel("no clip")
        # Playback keys (Space, arrows, Home/End) belong to the window's shortcuts, not to whichever
        # widget has focus: the GL view would orbit on arrows, the slider step, the button click.
        for w in (self.viewport, self.slider, self.play_button):
            w.setFocusPolicy(Qt.NoFocus)
        bar = QHBoxLayout()
        bar.addWidget(self.play_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time_label)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 4)
        lay.addWidget(self.viewport, 1)
        lay.addLayout(bar)
        self.setCentralWidget(central)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.play_button.clicked.connect(self.toggle_play)
        self.slider.valueChanged.connect(self.set_frame)
        self._build_menus()
        self.setAcceptDrops(True)
        self.statusBar().showMessage("Open or drop a BVH / .npy motion file (File ▸ Open, Ctrl+O)")
        self._workers = []

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open…", QKeySequence.Open, self.open_dialog)
        self._action(file_menu, "&Export BVH…", "Ctrl+E", self.export_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.Quit, self.close)
        view = self.menuBar().addMenu("&View")
        self._action(view, "&Frame character", "F", self.frame_character)
        play = self.menuBar().addMenu("&Playback")
        self._action(play, "Play / pause", "Space", self.toggle_play)
        self._action(play, "Next frame", "Right", lambda: self.step(1))
        self._action(play, "Previous frame", "Left", lambda: self.step(-1))
        self._action(play, "Forward 10 frames", "Shift+Right", lambda: self.step(10))
        self._action(play, "Back 10 frames", "Shift+Left", lambda: self.step(-10))
        self._action(play, "First frame", "Home", lambda: self.set_frame(0))
        self._action(play, "Last frame", "End", lambda: self.set_frame(10 ** 9))

    def _action(self, menu, text, shortcut, slot) -> QAction:
        a = QAction(text, self)
        a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(slot)
        menu.addAction(a)
        self.addAction(a)
        return a

    # ------------------------------------------------------------------ motion
    def set_motion(self, motion: Motion) -> None:
        self.motion = motion
        self.slider.blockSignals(True)
        self.slider.setRange(0, motion.n_frames - 1)
        self.slider.setEnabled(True)
        self.slider.blockSignals(False)
        self.timer.setInterval(int(round(1000 / motion.fps)))
        self.set_frame(0)
        self.viewport.frame_character(motion.joints[0])
        name = Path(motion.provenance.source).name if motion.provenance.source else repr(motion)
        self.statusBar().showMessage(f"{name}: {motion.n_frames} frames at {motion.fps:g} fps")

    def set_frame(self, frame: int) -> None:
        if self.motion is None:
            return
        frame = max(0, min(int(frame), self.motion.n_frames - 1))
        self.frame = frame
        if self.slider.value() != frame:
            self.slider.blockSignals(True)
            self.slider.setValue(frame)
            self.slider.blockSignals(False)
        self.viewport.show_pose(self.motion.joints[frame])
        self.time_label.setText(f"{frame / self.motion.fps:6.2f} s   frame {frame + 1}/{self.motion.n_frames}")

    def step(self, delta: int) -> None:
        self.set_frame(self.frame + delta)

    def toggle_play(self) -> None:
        if self.motion is None:
            return
        if self.timer.isActive():
            self.timer.stop()
            self.play_button.setText("Play")
        else:
            self.timer.start()
            self.play_button.setText("Pause")

    def _tick(self) -> None:
        if self.motion is not None:
            self.set_frame((self.frame + 1) % self.motion.n_frames)

    def frame_character(self) -> None:
        if self.motion is not None:
            self.viewport.frame_character(self.motion.joints[self.frame])

    # ------------------------------------------------------------------ files
    def open_path(self, path: str | Path) -> None:
        """Read a motion file on a worker thread; errors become a message, the current clip stays."""
        path = Path(path)
        self.statusBar().showMessage(f"Reading {path.name}…")
        worker = thread_worker(read, start_thread=False, ignore_errors=True)(path)
        worker.returned.connect(self.set_motion)
        worker.errored.connect(lambda e, p=path: self._show_error(f"Could not open {p.name}", e))
        worker.finished.connect(lambda w=worker: self._workers.remove(w) if w in self._workers else None)
        self._workers.append(worker)
        worker.start()

    def _show_error(self, title: str, error: Exception) -> None:
        self.statusBar().showMessage(f"{title}: {error}")
        QMessageBox.warning(self, title, str(error))

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in readable_suffixes())
        path, _ = QFileDialog.getOpenFileName(self, "Open motion", "", f"Motion files ({patterns})")
        if path:
            self.open_path(path)

    def export_dialog(self) -> None:
        if self.motion is None:
            self.statusBar().showMessage("Nothing to export: open a motion first")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export BVH", "motion.bvh", "BVH (*.bvh)")
        if path:
            try:
                out = write(self.motion, path)
            except Exception as e:  # noqa: BLE001 - shown to the user, nothing is lost
                self._show_error("Export failed", e)
            else:
                self.statusBar().showMessage(f"Wrote {out}")

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_path(url.toLocalFile())
                break
