"""The prompt panel: text, duration (or auto), seed with a dice button, guidance, number of variations,
Generate / Cancel and a progress bar. Generation runs as a Job; its variations land in the session as one
undoable step, and the first becomes the current clip."""

from __future__ import annotations

import random

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext
from ..icons import dice_icon
from ..session import Clip

HISTORY_KEY = "prompt/history"
HISTORY_SIZE = 30
MAX_SEED = 2 ** 31 - 1


def short_name(text: str, limit: int = 40) -> str:
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"


class PromptPanel(QWidget):
    busy_changed = Signal(bool)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job = None
        self._batches = 0
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe a motion, e.g. “a person walks forward, then waves with the "
                                       "right hand”.  Ctrl+Enter generates.")
        self.prompt.setMinimumHeight(70)
        self.prompt.setMaximumHeight(150)
        self.history = QComboBox()
        self.history.setToolTip("Recent prompts: pick one to edit it again")
        self.history.activated.connect(self._from_history)
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.0, 9.8)
        self.seconds.setSingleStep(0.5)
        self.seconds.setDecimals(1)
        self.seconds.setSuffix(" s")
        self.seconds.setSpecialValueText("auto")
        self.seconds.setToolTip("Length of the motion; 'auto' lets the model choose from the text")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.dice = QToolButton()
        self.dice.setIcon(dice_icon())
        self.dice.setToolTip("Roll a new random seed (Ctrl+R)")
        self.dice.clicked.connect(self.roll_seed)
        self.guidance = QDoubleSpinBox()
        self.guidance.setRange(0.0, 20.0)
        self.guidance.setSingleStep(0.5)
        self.guidance.setToolTip("Classifier-free guidance: higher follows the text more closely, 1 = none")
        self.variations = QSpinBox()
        self.variations.setRange(1, 16)
        self.variations.setToolTip("How many different motions to make from this prompt")
        self.generate_button = QPushButton("Generate")
        self.generate_button.setToolTip("Generate motions from the prompt (Ctrl+Enter)")
        self.generate_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running generation (Esc)")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)

        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.dice)
        form = QFormLayout()
        form.addRow("Duration", self.seconds)
        form.addRow("Seed", seed_row)
        form.addRow("Guidance", self.guidance)
        form.addRow("Variations", self.variations)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button, 1)
        buttons.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.prompt)
        lay.addWidget(self.history)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button.clicked.connect(self.cancel)
        self._restore()

    # ------------------------------------------------------------------ settings
    def _restore(self) -> None:
        s = self.ctx
        self.seconds.setValue(s.setting("prompt/seconds", 0.0, float))
        self.seed.setValue(s.setting("prompt/seed", random.randint(0, 99999), int))
        self.guidance.setValue(s.setting("prompt/guidance", 4.0, float))
        self.variations.setValue(s.setting("prompt/variations", 3, int))
        self._fill_history(self._history())

    def _remember(self) -> None:
        st = self.ctx.settings
        st.setValue("prompt/seconds", self.seconds.value())
        st.setValue("prompt/seed", self.seed.value())
        st.setValue("prompt/guidance", self.guidance.value())
        st.setValue("prompt/variations", self.variations.value())

    def engine_loaded(self, engine) -> None:
        """Fit the controls to the model: its longest single generation and, on first use, its guidance."""
        longest = engine.max_tokens * engine.unit / 20.0
        self.seconds.setMaximum(round(longest, 1))
        if self.ctx.settings.value("prompt/guidance") is None:
            self.guidance.setValue(engine.sampling.guidance)

    def _history(self) -> list[str]:
        h = self.ctx.settings.value(HISTORY_KEY, [])
        return [h] if isinstance(h, str) else list(h or [])

    def _fill_history(self, items: list[str]) -> None:
        self.history.clear()
        self.history.addItem("Recent prompts…" if items else "No recent prompts")
        for t in items:
            self.history.addItem(short_name(t, 60), t)

    def _add_history(self, text: str) -> None:
        items = [text] + [t for t in self._history() if t != text]
        items = items[:HISTORY_SIZE]
        self.ctx.settings.setValue(HISTORY_KEY, items)
        self._fill_history(items)

    def _from_history(self, index: int) -> None:
        text = self.history.itemData(index)
        if text:
            self.prompt.setPlainText(text)
        self.history.setCurrentIndex(0)

    # ------------------------------------------------------------------ actions
    def roll_seed(self) -> None:
        self.seed.setValue(random.randint(0, MAX_SEED))

    @property
    def busy(self) -> bool:
        return self.job is not None

    def _settings(self) -> tuple[str, float | None, int, float, int] | None:
        text = self.prompt.toPlainText().strip()
        if not text:
            self.ctx.notify("Nothing to generate", "Type a description of the motion first.")
            return None
        seconds = self.seconds.value() or None
        return text, seconds, self.seed.value(), self.guidance.value(), self.variations.value()

    def generate(self) -> None:
        """Start a generation job from the panel's fields (Ctrl+Enter)."""
        if self.busy:
            return
        got = self._settings()
        if got is None:
            return
        text, seconds, seed, guidance, n = got
        self._add_history(text)
        self._remember()
        hub = self.ctx.hub

        def work(progress, cancelled):
            engine = hub.engine()
            return engine.generate(text, seconds, seed=seed, samples=n, guidance=guidance, progress=progress,
                                   cancel=cancelled)

        def done(motions):
            self._batches += 1
            group = f"gen-{id(self)}-{self._batches}"
            name = short_name(text)
            clips = [Clip.new(f"{name} #{i + 1}" if len(motions) > 1 else name, m, group=group)
                     for i, m in enumerate(motions)]
            self.ctx.session.add(clips, f"Generate {len(clips)} × {name!r}")
            self.ctx.status(f"Generated {len(clips)} variation(s) of {motions[0].duration:.1f} s (seed {seed})")

        self._start("generate", work, done, f"Generating {n} variation(s)…")

    def continue_clip(self) -> None:
        """Add the duration (3 s when auto) of new motion after the current clip, following the prompt."""
        clip = self.ctx.session.current
        if self.busy:
            return
        if clip is None:
            self.ctx.notify("Nothing to continue", "Generate or open a clip first.")
            return
        got = self._settings()
        if got is None:
            return
        text, seconds, seed, _, _ = got
        hub, uid, motion = self.ctx.hub, clip.uid, clip.motion

        def work(progress, cancelled):
            return hub.engine().continue_motion(motion, seconds or 3.0, text, seed=seed, progress=progress,
                                                cancel=cancelled)

        def done(m):
            self.ctx.session.update(uid, f"Continue {clip.name!r}", motion=m)
            self.ctx.status(f"{clip.name}: now {m.duration:.1f} s")

        self._start("continue", work, done, "Continuing the clip…")

    def text(self) -> str:
        return self.prompt.toPlainText().strip()

    def start_job(self, name, work, done, message) -> bool:
        """Let other model edits (range, key poses, sequences) share this panel's progress bar, Cancel
        button and Esc, so one model job runs at a time and every one of them can be stopped."""
        if self.busy:
            self.ctx.status("A model job is running: wait for it or press Esc")
            return False
        self._start(name, work, done, message)
        return True

    def _start(self, name, work, done, message) -> None:
        self.job = self.ctx.jobs.run(name, work, on_done=done, on_error=self._failed, on_cancel=self._cancelled,
                                     on_progress=self._progress)
        self.job.ended.connect(self._ended)
        self.progress.setValue(0)
        self.message.setText(message)
        self._set_busy(True)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.message.setText("Cancelling…")

    # ------------------------------------------------------------------ job events
    def _progress(self, p: float) -> None:
        self.progress.setValue(round(100 * max(0.0, min(1.0, p))))

    def _failed(self, message: str) -> None:
        self.message.setText(f"Failed: {message}")
        self.ctx.notify("Generation failed", message)

    def _cancelled(self) -> None:
        self.message.setText("Cancelled")
        self.ctx.status("Generation cancelled")

    def _ended(self) -> None:
        if self.job is not None and self.job.outcome == "done":
            self.message.setText(f"Done in {self.job.seconds:.2f} s")
            self.progress.setValue(100)
        self.job = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.generate_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.busy_changed.emit(busy)
