"""Captions of the current clip: n-best per time window with their scores, from the bundle's captioner
(run as a Job). Copy a caption, or use it as the clip's name or as the prompt. Captions are stored on the
clip, so they travel with it through undo, save and open."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext


class CaptionPanel(QWidget):
    use_as_prompt = Signal(str)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.jobs: dict[int, object] = {}     # clip uid -> running caption job
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Caption", "Score"])
        self.tree.setRootIsDecorated(True)
        self.tree.setWordWrap(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.ResizeToContents)
        self.tree.setToolTip("Score: the caption's mean log-probability per word (closer to 0 is likelier)")
        self.n_best = QSpinBox()
        self.n_best.setRange(1, 8)
        self.n_best.setValue(ctx.setting("captions/n_best", 3, int))
        self.window = QSpinBox()
        self.window.setRange(2, 10)
        self.window.setSuffix(" s")
        self.window.setValue(ctx.setting("captions/window", 4, int))
        self.window.setToolTip("Clips longer than the model sees at once are captioned per window of this length")
        self.caption_button = QPushButton("Caption clip")
        self.copy_button = QPushButton("Copy")
        self.name_button = QPushButton("Use as name")
        self.prompt_button = QPushButton("Use as prompt")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel("Drop BVH or .npy files anywhere on the window to caption them.")
        self.status.setWordWrap(True)
        self.detail = QLabel("")         # the selected caption in full: the tree's column elides long ones
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.detail.setStyleSheet("QLabel { font-weight: 600; padding: 2px; }")
        opts = QFormLayout()
        opts.addRow("Captions per window", self.n_best)
        opts.addRow("Window for long clips", self.window)
        row = QHBoxLayout()
        for b in (self.copy_button, self.name_button, self.prompt_button):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.detail)
        lay.addLayout(row)
        lay.addLayout(opts)
        lay.addWidget(self.caption_button)
        lay.addWidget(self.busy)
        self.caption_button.clicked.connect(lambda: self.caption(self.ctx.session.current_uid))
        self.copy_button.clicked.connect(self.copy_selected)
        self.name_button.clicked.connect(self.name_from_selected)
        self.prompt_button.clicked.connect(lambda: self.selected_text() and self.use_as_prompt.emit(self.selected_text()))
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemDoubleClicked.connect(lambda *_: self.copy_selected())
        ctx.session.current_changed.connect(lambda _: self.show_clip())
        ctx.session.clips_changed.connect(self.show_clip)
        self.show_clip()

    # ------------------------------------------------------------------ display
    def show_clip(self) -> None:
        clip = self.ctx.session.current
        self.tree.clear()
        self.caption_button.setEnabled(clip is not None)
        if clip is None:
            self._update_buttons()
            return
        many = len(clip.captions) > 1
        self.tree.setRootIsDecorated(many)
        for span in clip.captions:
            parent = self.tree.invisibleRootItem()
            if many:
                parent = QTreeWidgetItem([f"{span['start']:.1f}–{span['end']:.1f} s", ""])
                parent.setFlags(parent.flags() & ~Qt.ItemIsSelectable)
                self.tree.addTopLevelItem(parent)
                parent.setExpanded(True)
            for c in span["captions"]:
                score = c.get("score")
                item = QTreeWidgetItem([c["text"], "library" if score is None else f"{score:.2f}"])
                item.setData(0, Qt.UserRole, c["text"])
                item.setToolTip(0, c["text"])
                item.setToolTip(1, "a caption stored with the library clip" if score is None else
                                f"mean log-probability {score:.3f} (≈{math.exp(score):.0%} per word)")
                parent.addChild(item)
        first = self._first_caption_item()
        if first is not None:
            self.tree.setCurrentItem(first)
        if clip.uid in self.jobs:
            self.status.setText(f"Captioning {clip.name}…")
        elif clip.captions:
            self.status.setText(f"{clip.name}: {len(clip.captions)} time window(s)")
        else:
            self.status.setText(f"{clip.name}: no captions yet (Caption clip)")
        self._update_buttons()

    def _first_caption_item(self):
        top = self.tree.topLevelItem(0)
        if top is None:
            return None
        return top if top.data(0, Qt.UserRole) else top.child(0)

    def selected_text(self) -> str:
        item = self.tree.currentItem()
        return item.data(0, Qt.UserRole) if item is not None and item.data(0, Qt.UserRole) else ""

    def _update_buttons(self) -> None:
        has = bool(self.selected_text())
        self.detail.setText(self.selected_text())
        for b in (self.copy_button, self.name_button, self.prompt_button):
            b.setEnabled(has)

    # ------------------------------------------------------------------ actions
    def copy_selected(self) -> None:
        text = self.selected_text()
        if text:
            QApplication.clipboard().setText(text)
            self.ctx.status(f"Copied: {text}")

    def name_from_selected(self) -> None:
        text, clip = self.selected_text(), self.ctx.session.current
        if text and clip is not None:
            self.ctx.session.rename(clip.uid, text.rstrip("."))

    def caption(self, uid: int | None) -> None:
        """Caption one clip of the session in the background; the result is stored on the clip."""
        clip = self.ctx.session.find(uid)
        if clip is None or uid in self.jobs:
            return
        from lamp_core.captioning.captioner import DecodeOptions
        n, window = self.n_best.value(), float(self.window.value())
        self.ctx.settings.setValue("captions/n_best", n)
        self.ctx.settings.setValue("captions/window", int(window))
        options = DecodeOptions(method="beam", beams=max(5, n), n_best=n)
        hub, motion, name = self.ctx.hub, clip.motion, clip.name

        def work(progress, cancelled):
            timed = hub.captioner().caption(motion, options, window_seconds=window, source=name)
            return tuple(t.to_dict() for t in timed)

        def done(captions):
            now = self.ctx.session.find(uid)
            if now is not None and now.motion is motion:   # not deleted or edited meanwhile
                self.ctx.session.update(uid, f"Caption {name!r}", captions=captions)
                self.ctx.status(f"Captioned {name}: {captions[0]['captions'][0]['text'] if captions else '(none)'}")

        def failed(message):
            self.ctx.notify(f"Could not caption {name}", message)

        job = self.ctx.jobs.run("caption", work, on_done=done, on_error=failed)
        self.jobs[uid] = job
        job.ended.connect(lambda u=uid: self._ended(u))
        self.busy.show()
        self.show_clip()

    def _ended(self, uid: int) -> None:
        self.jobs.pop(uid, None)
        self.busy.setVisible(bool(self.jobs))
        self.show_clip()
