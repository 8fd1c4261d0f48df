"""Captions of the current clip: n-best per time window with their scores, from the bundle's captioner
(run as a Job). Copy a caption, or use it as the clip's name or as the prompt. Captions are stored on the
clip, so they travel with it through undo, save and open. Below them, the nearest texts of the current
library (LaMP motion → text search): what people called the most similar clips, a second opinion."""

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
from . import caption_work

NEAREST = 3     # library texts shown per clip


class CaptionPanel(QWidget):
    use_as_prompt = Signal(str)
    busy_changed = Signal(bool)           # some clip is being captioned (Esc cancels every one)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.jobs: dict[int, object] = {}     # clip uid -> running caption job
        self.nearest: dict[int, tuple] = {}   # clip uid -> (motion searched, [(text, score, clip name)] or error)
        self._nearest_jobs: dict[int, object] = {}
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
        self.busy.setMaximumHeight(14)
        self.busy.hide()
        self.cancel_button = QPushButton("Cancel captioning")
        self.cancel_button.hide()
        self.limit_note = QLabel("")       # a clip past caption_work.CAPTION_LIMIT_SECONDS: what was captioned
        self.limit_note.setWordWrap(True)
        self.limit_note.setStyleSheet("QLabel { color: #c08020; }")
        self.limit_note.hide()
        self.status = QLabel("Drop BVH or .npy files anywhere on the window to caption them.")
        self.status.setWordWrap(True)
        self.nearest_label = QLabel("Nearest library texts (motion → text search)")
        self.nearest_label.setToolTip("Captions of the library clips whose motion is closest to this clip, "
                                      "found with the loaded LaMP encoder; the score is cosine similarity")
        self.nearest_tree = QTreeWidget()
        self.nearest_tree.setColumnCount(2)
        self.nearest_tree.setHeaderLabels(["Library text", "Similarity"])
        self.nearest_tree.setRootIsDecorated(False)
        self.nearest_tree.setMaximumHeight(110)
        self.nearest_tree.header().setStretchLastSection(False)
        self.nearest_tree.header().setSectionResizeMode(0, self.nearest_tree.header().ResizeMode.Stretch)
        self.nearest_tree.header().setSectionResizeMode(1, self.nearest_tree.header().ResizeMode.ResizeToContents)
        self.nearest_note = QLabel("")
        self.nearest_note.setWordWrap(True)
        self._picked_tree = self.tree          # the list the buttons act on: the last one clicked
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
        lay.addWidget(self.limit_note)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.nearest_label)
        lay.addWidget(self.nearest_tree)
        lay.addWidget(self.nearest_note)
        lay.addWidget(self.detail)
        lay.addLayout(row)
        lay.addLayout(opts)
        lay.addWidget(self.caption_button)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy, 1)
        busy_row.addWidget(self.cancel_button)
        lay.addLayout(busy_row)
        self.caption_button.clicked.connect(lambda: self.caption(self.ctx.session.current_uid))
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button.clicked.connect(self.copy_selected)
        self.name_button.clicked.connect(self.name_from_selected)
        self.prompt_button.clicked.connect(lambda: self.selected_text() and self.use_as_prompt.emit(self.selected_text()))
        for tree in (self.tree, self.nearest_tree):
            tree.currentItemChanged.connect(lambda cur, _prev, t=tree: self._pick_tree(t, cur))
            tree.itemClicked.connect(lambda item, _col, t=tree: self._pick_tree(t, item))
            tree.itemDoubleClicked.connect(lambda *_: self.copy_selected())
        ctx.session.current_changed.connect(lambda _: self.show_clip())
        ctx.session.clips_changed.connect(self.show_clip)
        self.show_clip()

    # ------------------------------------------------------------------ display
    def show_clip(self) -> None:
        clip = self.ctx.session.current
        self.tree.clear()
        self.caption_button.setEnabled(clip is not None)
        note = caption_work.limit_note(clip.motion.duration) if clip is not None else ""
        self.limit_note.setText(note)
        self.limit_note.setVisible(bool(note))
        self.cancel_button.setVisible(clip is not None and clip.uid in self.jobs)
        if clip is None:
            self._show_nearest(None)
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
        self._show_nearest(clip)
        self._picked_tree = self.tree
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

    def _show_nearest(self, clip) -> None:
        self.nearest_tree.clear()
        found = self.nearest.get(clip.uid) if clip is not None else None
        if clip is None:
            self.nearest_note.setText("")
        elif clip.uid in self._nearest_jobs:
            self.nearest_note.setText("Searching the library…")
        elif found is None or found[0] is not clip.motion:
            self.nearest_note.setText("Not searched yet (Caption clip searches the library too)")
        elif isinstance(found[1], str):
            self.nearest_note.setText(f"Library search unavailable: {found[1]}")
        else:
            for text, score, name in found[1]:
                item = QTreeWidgetItem([text, f"{score:.3f}"])
                item.setData(0, Qt.UserRole, text)
                item.setToolTip(0, f"{text}\n(library clip {name!r})")
                self.nearest_tree.addTopLevelItem(item)
            self.nearest_note.setText("" if found[1] else "The library has no clips to compare with")

    def _pick_tree(self, tree, item) -> None:
        if item is not None and tree is not self._picked_tree:
            other = self.nearest_tree if tree is self.tree else self.tree
            other.blockSignals(True)
            other.setCurrentItem(None)
            other.blockSignals(False)
            self._picked_tree = tree
        self._update_buttons()

    def _first_caption_item(self):
        top = self.tree.topLevelItem(0)
        if top is None:
            return None
        return top if top.data(0, Qt.UserRole) else top.child(0)

    def selected_text(self) -> str:
        item = self._picked_tree.currentItem()
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
            return caption_work.caption_long(hub.captioner(), motion, options, window, name, progress, cancelled)

        def done(captions):
            now = self.ctx.session.find(uid)
            if now is not None and now.motion is motion:   # not deleted or edited meanwhile
                self.ctx.session.update(uid, f"Caption {name!r}", captions=captions)
                self.ctx.status(f"Captioned {name}: {captions[0]['captions'][0]['text'] if captions else '(none)'}")

        def failed(message):
            self.ctx.notify(f"Could not caption {name}", message)

        self.search_nearest(uid)
        job = self.ctx.jobs.run("caption", work, on_done=done, on_error=failed, on_progress=self._progressed,
                                on_cancel=lambda: self.ctx.status(f"Captioning {name} cancelled"))
        self.jobs[uid] = job
        job.ended.connect(lambda u=uid: self._ended(u))
        self.busy.setRange(0, 0)          # until the first piece of a long clip is done
        self.busy.show()
        self.show_clip()
        self.busy_changed.emit(True)

    def search_nearest(self, uid: int | None) -> None:
        """Motion → text search of the current library for one clip, in the background; kept per clip."""
        clip = self.ctx.session.find(uid)
        if clip is None or uid in self._nearest_jobs:
            return
        hub, motion = self.ctx.hub, clip.motion

        def work(progress, cancelled):
            lib, shipped = hub.library()
            part, _ = caption_work.captioned_part(motion)
            hits = lib.search_motion(hub.encoder(), part, top=NEAREST, auto_embed=not shipped)
            return [(h.clip.captions[0] if h.clip.captions else h.clip.name, h.score, h.clip.name) for h in hits]

        def ended(result):
            self._nearest_jobs.pop(uid, None)
            self.nearest[uid] = (motion, result)
            if self.ctx.session.current_uid == uid:
                self._show_nearest(self.ctx.session.current)

        job = self.ctx.jobs.run("library nearest", work, on_done=ended, on_error=ended)
        self._nearest_jobs[uid] = job
        job.cancelled.connect(lambda: self._nearest_jobs.pop(uid, None))
        self._show_nearest(clip)

    def _progressed(self, p: float) -> None:
        self.busy.setRange(0, 100)
        self.busy.setValue(round(p * 100))

    def cancel(self) -> None:
        """Stop captioning the current clip (a long one stops after the piece it is on)."""
        job = self.jobs.get(self.ctx.session.current_uid)
        if job is not None:
            job.cancel()
            self.status.setText("Cancelling…")

    def cancel_all(self) -> None:
        """Stop every captioning job (Generate ▸ Cancel, Esc)."""
        for job in list(self.jobs.values()):
            job.cancel()
        if self.jobs:
            self.status.setText("Cancelling…")

    def _ended(self, uid: int) -> None:
        self.jobs.pop(uid, None)
        self.busy.setVisible(bool(self.jobs))
        self.show_clip()
        self.busy_changed.emit(bool(self.jobs))
