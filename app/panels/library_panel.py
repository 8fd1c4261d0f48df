"""The library browser: search as you type (debounced, run as a Job, stale answers dropped), find clips
like the current one, double-click to load a clip into the session, add the current clip to the user's
library. Reads the user's library, or while there is none the shipped examples (read-only)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext
from ..session import Clip

DEBOUNCE_MS = 300
TOP = 50
LISTED = 200


def _library_captions(captions, duration: float) -> tuple:
    """Library captions (plain strings, written by people or a captioner) as one timed span, unscored."""
    if not captions:
        return ()
    return ({"start": 0.0, "end": round(duration, 2), "captions": [{"text": c, "score": None} for c in captions]},)


class LibraryPanel(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._asked = 0          # number of the latest search; older answers are dropped
        self.last_hits: list = []
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by description, e.g. “jumps over something”")
        self.search.setClearButtonEnabled(True)
        self.results = QTreeWidget()
        self.results.setColumnCount(4)
        self.results.setHeaderLabels(["Score", "Name", "Length", "Caption"])
        self.results.setRootIsDecorated(False)
        self.results.setAlternatingRowColors(True)
        self.results.setColumnWidth(0, 56)
        self.results.setColumnWidth(1, 150)
        self.results.setColumnWidth(2, 56)
        self.results.setToolTip("Double-click a clip to load it into the session")
        self.similar_button = QPushButton("Find similar")
        self.similar_button.setToolTip("Clips that move like the current clip")
        self.add_button = QPushButton("Add current clip")
        self.add_button.setToolTip("Store the current clip (with its captions) in your library")
        self.info = QLabel("")
        self.info.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.similar_button)
        row.addWidget(self.add_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.search)
        lay.addWidget(self.results, 1)
        lay.addLayout(row)
        lay.addWidget(self.info)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _: self.debounce.start())
        self.search.returnPressed.connect(self.run_search)
        self.results.itemDoubleClicked.connect(self._load_item)
        self.similar_button.clicked.connect(self.find_similar)
        self.add_button.clicked.connect(self.add_current)
        ctx.session.current_changed.connect(self._update_buttons)
        self._update_buttons()

    def _update_buttons(self, *_) -> None:
        has = self.ctx.session.current is not None
        self.similar_button.setEnabled(has)
        self.add_button.setEnabled(has)

    # ------------------------------------------------------------------ searching
    def _ask(self, what: str, work) -> None:
        self._asked += 1
        n = self._asked
        self.info.setText(f"{what}…")
        self.ctx.jobs.run("library", work, on_done=lambda r, n=n: self._answer(n, r),
                          on_error=lambda msg, n=n: self._failed(n, msg))

    def run_search(self) -> None:
        """Search the library for the text in the box (an empty box lists the library)."""
        self.debounce.stop()
        text = self.search.text().strip()
        hub = self.ctx.hub

        def work(progress, cancelled):
            lib, shipped = hub.library()
            if not text:
                return [(None, c) for c in lib.list(limit=LISTED)], lib, shipped
            hits = lib.search_text(hub.encoder(), text, top=TOP, auto_embed=not shipped)
            return [(h.score, h.clip) for h in hits], lib, shipped

        self._ask(f"Searching for {text!r}" if text else "Listing the library", work)

    def find_similar(self) -> None:
        clip = self.ctx.session.current
        if clip is None:
            return
        hub, motion = self.ctx.hub, clip.motion

        def work(progress, cancelled):
            lib, shipped = hub.library()
            hits = lib.search_motion(hub.encoder(), motion, top=TOP, auto_embed=not shipped)
            return [(h.score, h.clip) for h in hits], lib, shipped

        self._ask(f"Finding clips like {clip.name!r}", work)

    def _answer(self, n: int, result) -> None:
        if n != self._asked:
            return
        rows, lib, shipped = result
        self.last_hits = rows
        self.results.clear()
        for score, c in rows:
            item = QTreeWidgetItem(["" if score is None else f"{score:.3f}", c.name, f"{c.duration:.1f} s",
                                    c.captions[0] if c.captions else ""])
            item.setData(0, Qt.UserRole, c.id)
            item.setToolTip(3, "\n".join(c.captions))
            item.setToolTip(1, f"{c.name}\n{c.source or ''}\n{c.license or ''}".strip())
            self.results.addTopLevelItem(item)
        which = "example library (read-only)" if shipped else "your library"
        self.info.setText(f"{len(rows)} clip(s) from the {which}: {lib.path.name}, {len(lib)} clips")

    def _failed(self, n: int, message: str) -> None:
        if n == self._asked:
            self.info.setText(f"Search failed: {message}")
            self.ctx.status(f"Library: {message}")

    # ------------------------------------------------------------------ loading and adding
    def _load_item(self, item, _column=0) -> None:
        self.load_clip(int(item.data(0, Qt.UserRole)))

    def load_clip(self, clip_id: int) -> None:
        """Bring a library clip into the session (one undoable step)."""
        hub = self.ctx.hub

        def work(progress, cancelled):
            lib, _ = hub.library()
            return lib.get(clip_id), lib.motion(clip_id)

        def done(got):
            row, motion = got
            clip = Clip.new(row.name, motion, _library_captions(row.captions, motion.duration))
            self.ctx.session.add([clip], f"Load {row.name!r} from the library")
            self.ctx.status(f"Loaded {row.name} from the library")

        self.ctx.jobs.run("library-load", work, on_done=done,
                          on_error=lambda m: self.ctx.notify("Could not load the clip", m))

    def add_current(self) -> None:
        clip = self.ctx.session.current
        if clip is None:
            return
        hub = self.ctx.hub
        captions = [s["captions"][0]["text"] for s in clip.captions if s.get("captions")]

        def work(progress, cancelled):
            lib = hub.user_library()
            return lib.add(clip.motion, name=clip.name, captions=captions, embedder=hub.encoder()), lib

        def done(got):
            cid, lib = got
            self.ctx.status(f"Added {clip.name!r} to {lib.path} (clip {cid})")
            self.info.setText(f"Added {clip.name!r} to your library ({lib.path})")
            self.run_search()

        self.ctx.jobs.run("library-add", work, on_done=done,
                          on_error=lambda m: self.ctx.notify("Could not add the clip to the library", m))
