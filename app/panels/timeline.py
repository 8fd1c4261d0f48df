"""The timeline under the viewport: play/pause, loop, speed, a scrub slider, and time / frame / fps read-outs.

Playback follows a wall clock (QElapsedTimer), not a count of timer ticks, so speed and clip fps are exact
even when a tick comes late; scrubbing emits ``frame_changed`` at once so the viewport follows the slider. Under the slider a track
shows the selected range (Shift+drag, or I / O at the playhead), key-pose markers and prompt segments, and
a row of buttons starts the model edits that use them (wired by MotionEdits, not here)."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from .timeline_track import TimelineTrack

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
        self.track = TimelineTrack()
        self.range_label = QLabel("")
        self.regen_button = QPushButton("Regenerate range")
        self.regen_button.setToolTip("Regenerate the selected frames from the prompt, keeping the rest")
        self.pose_button = QPushButton("Pose from text")
        self.pose_button.setToolTip("Put a key pose made from the prompt at the current frame")
        self.fill_button = QPushButton("Fill between keys")
        self.fill_button.setToolTip("Generate a new clip that moves through the key poses")
        self.segments_button = QPushButton("Segments…")
        self.segments_button.setToolTip("Edit the prompt segments of a multi-prompt sequence")
        self.sequence_button = QPushButton("Generate sequence")
        self.sequence_button.setToolTip("One seamless motion from the prompt segments")
        self.edit_buttons = (self.regen_button, self.pose_button, self.fill_button, self.segments_button,
                             self.sequence_button)
        row = QHBoxLayout()
        for w in (self.play_button, self.loop_box, self.speed_box):
            row.addWidget(w)
        row.addWidget(self.slider, 1)
        row.addWidget(self.time_label)
        edits = QHBoxLayout()
        edits.addWidget(self.range_label, 1)
        for b in self.edit_buttons:
            b.setFocusPolicy(Qt.NoFocus)
            edits.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.track)
        lay.addLayout(edits)
        self.track.seek.connect(self.set_frame)
        self.track.range_changed.connect(self._range_shown)
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
        self.track.set_clip(self.n_frames, self.fps, keep=keep_frame)
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
        self.track.set_frame(frame)
        self.frame_changed.emit(frame)

    # ------------------------------------------------------------------ range (inclusive frames)
    @property
    def range(self) -> tuple[int, int] | None:
        return self.track.range

    def set_in(self) -> None:
        """I: the range starts at the playhead (and ends at the old end, or the clip's last frame)."""
        if self.n_frames:
            end = self.range[1] if self.range and self.range[1] > self.frame else self.n_frames - 1
            self.track.set_range((self.frame, end) if end > self.frame else None)

    def set_out(self) -> None:
        """O: the range ends at the playhead (and starts at the old start, or the first frame)."""
        if self.n_frames:
            start = self.range[0] if self.range and self.range[0] < self.frame else 0
            self.track.set_range((start, self.frame) if self.frame > start else None)

    def _range_shown(self, rng) -> None:
        self.range_label.setText("" if rng is None else
                                 f"Range: frames {rng[0] + 1}–{rng[1] + 1} ({(rng[1] - rng[0] + 1) / self.fps:.2f} s)")

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
