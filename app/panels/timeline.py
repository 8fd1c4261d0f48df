"""The timeline under the viewport: play/pause, loop, speed, a scrub slider, and time / frame / fps read-outs.

Playback follows a wall clock (QElapsedTimer), not a count of timer ticks, so speed and clip fps are exact
even when a tick comes late; scrubbing emits ``frame_changed`` at once so the viewport follows the slider."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

SPEEDS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0)


class Timeline(QWidget):
    frame_changed = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.n_frames = 0
        self.fps = 20.0
        self.frame = 0
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Play / pause (Space)")
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setChecked(True)
        self.speed_box = QComboBox()
        for s in SPEEDS:
            self.speed_box.addItem(f"{s:g}×", s)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setToolTip("Playback speed")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setEnabled(False)
        self.time_label = QLabel("no clip")
        self.time_label.setMinimumWidth(260)
        self.time_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        # Playback keys (Space, arrows, Home/End) belong to the window's shortcuts, not to whichever of
        # these widgets has focus: the slider would step, the button click, the combo box change speed.
        for w in (self.play_button, self.loop_box, self.speed_box, self.slider):
            w.setFocusPolicy(Qt.NoFocus)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        for w in (self.play_button, self.loop_box, self.speed_box):
            lay.addWidget(w)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.time_label)
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._clock_frame = 0
        self.play_button.clicked.connect(self.toggle_play)
        self.slider.valueChanged.connect(self.set_frame)
        self.speed_box.currentIndexChanged.connect(self._restart_clock)

    # ------------------------------------------------------------------ clip
    def set_clip(self, n_frames: int, fps: float, keep_frame: bool = False) -> None:
        """A new clip (0 frames: none); ``keep_frame`` stays on the current frame when it still exists."""
        self.n_frames, self.fps = int(n_frames), float(fps)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, self.n_frames - 1))
        self.slider.setEnabled(self.n_frames > 0)
        self.slider.blockSignals(False)
        if self.n_frames == 0:
            self.pause()
            self.frame = 0
            self.time_label.setText("no clip")
            return
        self.set_frame(min(self.frame, self.n_frames - 1) if keep_frame else 0, force=True)

    @property
    def speed(self) -> float:
        return float(self.speed_box.currentData())

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    # ------------------------------------------------------------------ frames
    def set_frame(self, frame: int, force: bool = False) -> None:
        """Go to a frame (slider, keys, code); while playing, playback continues from there."""
        if self.n_frames == 0:
            return
        frame = max(0, min(int(frame), self.n_frames - 1))
        if frame != self.frame or force:
            self._show(frame)
        if self.playing:
            self._restart_clock()

    def _show(self, frame: int) -> None:
        self.frame = frame
        if self.slider.value() != frame:
            self.slider.blockSignals(True)
            self.slider.setValue(frame)
            self.slider.blockSignals(False)
        self.time_label.setText(f"{frame / self.fps:6.2f} / {self.n_frames / self.fps:.2f} s   "
                                f"frame {frame + 1}/{self.n_frames}   {self.fps:g} fps")
        self.frame_changed.emit(frame)

    def step(self, delta: int) -> None:
        self.set_frame(self.frame + delta)

    def first(self) -> None:
        self.set_frame(0)

    def last(self) -> None:
        self.set_frame(self.n_frames - 1)

    # ------------------------------------------------------------------ playback
    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        if self.n_frames < 2:
            return
        if self.frame >= self.n_frames - 1 and not self.loop_box.isChecked():
            self.set_frame(0)
        self._restart_clock()
        self.timer.start()
        self.play_button.setText("Pause")
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.playing_changed.emit(False)
        self.play_button.setText("Play")

    def _restart_clock(self) -> None:
        self._clock.start()
        self._clock_frame = self.frame

    def _tick(self) -> None:
        target = self._clock_frame + int(self._clock.elapsed() / 1000.0 * self.fps * self.speed)
        if target >= self.n_frames:
            if not self.loop_box.isChecked():
                self._show(self.n_frames - 1)
                self.pause()
                return
            target %= self.n_frames
        if target != self.frame:
            self._show(target)
