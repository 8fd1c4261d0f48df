"""The library browser: search as you type (debounced, run as a Job, stale answers dropped), find clips
like the current one, double-click to load a clip into the session, add the current clip to the user's
library, add a whole folder of files, rename and remove clips. Reads the user's library, or while there is
none the shipped examples (read-only: renaming and removing are disabled there, with the reason as a
tooltip). Each result row has a stick-figure thumbnail, drawn off the UI thread and cached."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext
from ..session import Clip
from .thumbnails import ANIMATION_FRAMES, HEIGHT, WIDTH, render_poses, side_view

READ_ONLY_TIP = ("The example library that ships with LaMP Studio is read-only. Add a clip or a folder to "
                 "start your own library (a copy of the examples); its clips can be renamed and removed.")
DEBOUNCE_MS = 300
THUMBNAILS = 60          # rows that get a thumbnail (the best hits; the rest of a long listing goes without)
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
        self.shipped = True      # whether the listed clips come from the read-only example library
        self.lib_path = None
        self.thumbs: dict = {}   # (library path, clip id) -> QPixmap
        self.motions: dict = {}  # (library path, clip id) -> (ANIMATION_FRAMES, 22, 2) side-view poses
        self._tick = 0
        self.animator = QTimer(self)   # the selected row's thumbnail plays its clip (one small image a tick)
        self.animator.setInterval(120)
        self.animator.timeout.connect(self._animate)
        self.confirm = True      # ask before removing clips (tests turn it off)
        self.note = ""           # what the last library change did, shown under the next listing
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
        self.results.setIconSize(QSize(WIDTH, HEIGHT))
        self.results.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.results.setColumnWidth(1, 150 + WIDTH)
        self.similar_button = QPushButton("Find similar")
        self.similar_button.setToolTip("Clips that move like the current clip")
        self.add_button = QPushButton("Add current clip")
        self.add_button.setToolTip("Store the current clip (with its captions) in your library")
        self.folder_button = QPushButton("Add folder…")
        self.folder_button.setToolTip("Add every BVH / .npy file in a folder (and its subfolders) to your library")
        self.rename_button = QPushButton("Rename…")
        self.remove_button = QPushButton("Remove")
        self.info = QLabel("")
        self.info.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.similar_button)
        row.addWidget(self.add_button)
        row2 = QHBoxLayout()
        for b in (self.folder_button, self.rename_button, self.remove_button):
            row2.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.search)
        lay.addWidget(self.results, 1)
        lay.addLayout(row)
        lay.addLayout(row2)
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
        self.folder_button.clicked.connect(self.add_folder_dialog)
        self.rename_button.clicked.connect(lambda: self.rename_selected())
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        self.results.itemSelectionChanged.connect(self._update_buttons)
        self.results.currentItemChanged.connect(self._selection_moved)
        self.animator.start()
        ctx.session.current_changed.connect(self._update_buttons)
        self._update_buttons()

    def _update_buttons(self, *_) -> None:
        has = self.ctx.session.current is not None
        self.similar_button.setEnabled(has)
        self.add_button.setEnabled(has)
        picked = bool(self.selected_ids())
        for b, what in ((self.rename_button, "Rename the selected clip"),
                        (self.remove_button, "Remove the selected clips from your library")):
            b.setEnabled(picked and not self.shipped)
            b.setToolTip(READ_ONLY_TIP if self.shipped else what)

    def selected_ids(self) -> list[int]:
        return [int(i.data(0, Qt.UserRole)) for i in self.results.selectedItems()]

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
        which = "the example library (read-only)" if shipped else "your library"
        self.info.setText(f"{len(rows)} clip(s) from {which}: {lib.path.name}, {len(lib)} clips"
                          + (f"\n{self.note}" if self.note else ""))
        self.note = ""
        self.shipped, self.lib_path = shipped, str(lib.path)
        self._update_buttons()
        self._thumbnails([c.id for _, c in rows][:THUMBNAILS])

    # ------------------------------------------------------------------ thumbnails
    def _thumbnails(self, ids: list[int]) -> None:
        """Show cached thumbnails now; read the missing clips in a Job and draw them when it is done."""
        path, hub = self.lib_path, self.ctx.hub
        self._set_icons()
        missing = [i for i in ids if (path, i) not in self.thumbs]
        if not missing:
            return

        def work(progress, cancelled):
            lib, _ = hub.library()
            out = {}
            for n, cid in enumerate(missing):
                if cancelled() or str(lib.path) != path:
                    break
                try:
                    joints = lib.motion(cid).joints
                    out[cid] = (side_view(joints), side_view(joints, ANIMATION_FRAMES))
                except Exception:  # noqa: BLE001, S112 - a damaged clip gets no thumbnail, the others still do
                    continue
                progress((n + 1) / len(missing))
            return out

        def done(views):
            for cid, (strip, frames) in views.items():
                self.thumbs[(path, cid)] = QPixmap.fromImage(render_poses(strip))
                self.motions[(path, cid)] = frames
            self._set_icons()

        self.ctx.jobs.run("library-thumbs", work, on_done=done)

    def _animate(self) -> None:
        """Step the selected row's thumbnail through its clip; the other rows keep their filmstrip."""
        item = self.results.currentItem()
        if item is None or not self.isVisible():
            return
        poses = self.motions.get((self.lib_path, int(item.data(0, Qt.UserRole))))
        if poses is None:
            return
        self._tick = (self._tick + 1) % len(poses)
        item.setIcon(1, QIcon(QPixmap.fromImage(render_poses(poses[self._tick:self._tick + 1]))))

    def _selection_moved(self, current, previous) -> None:
        if previous is not None:   # back to its filmstrip
            pix = self.thumbs.get((self.lib_path, int(previous.data(0, Qt.UserRole))))
            if pix is not None:
                previous.setIcon(1, QIcon(pix))
        self._tick = 0

    def _set_icons(self) -> None:
        for i in range(self.results.topLevelItemCount()):
            item = self.results.topLevelItem(i)
            pix = self.thumbs.get((self.lib_path, int(item.data(0, Qt.UserRole))))
            if pix is not None:
                item.setIcon(1, QIcon(pix))

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

    # ------------------------------------------------------------------ managing the user's library
    def add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of motions to your library")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder) -> None:
        """Import every readable motion file under ``folder`` into the user's library (one Job); files that
        cannot be read or embedded are skipped and listed in one message."""
        hub = self.ctx.hub

        def work(progress, cancelled):
            lib = hub.user_library()
            return lib.add_files([folder], embedder=hub.encoder(),
                                 progress=lambda f, i, n: progress(i / max(1, n))) + (lib,)

        def done(got):
            ids, failed, _ = got
            self.note = (f"Added {len(ids)} clip(s) from {folder} to your library"
                         + (f"; skipped {len(failed)}" if failed else ""))
            self.ctx.status(self.note)
            if failed:
                self.ctx.notify(f"Skipped {len(failed)} file(s)",
                                "\n".join(f"{f}: {why}" for f, why in failed[:20])
                                + (f"\n… and {len(failed) - 20} more" if len(failed) > 20 else ""))
            self.run_search()

        self.info.setText(f"Adding the motions in {folder}…")
        self.ctx.jobs.run("library-add", work, on_done=done,
                          on_progress=lambda p: self.info.setText(f"Adding the motions in {folder}… {p:.0%}"),
                          on_error=lambda m: self.ctx.notify("Could not add the folder", m))

    def _edit(self, what: str, change) -> None:
        """Run ``change(lib)`` on the user's library in a Job, then list it again."""
        hub = self.ctx.hub

        def work(progress, cancelled):
            lib, shipped = hub.library()
            if shipped:
                raise ValueError(READ_ONLY_TIP)
            return change(lib)

        def done(_):
            self.ctx.status(what)
            self.note = what
            self.run_search()

        self.ctx.jobs.run("library-edit", work, on_done=done,
                          on_error=lambda m: self.ctx.notify("Could not change the library", m))

    def rename_selected(self, name: str | None = None) -> None:
        ids = self.selected_ids()
        if not ids or self.shipped:
            return
        old = self.results.selectedItems()[0].text(1)
        if name is None:
            name, ok = QInputDialog.getText(self, "Rename library clip", "Name:", text=old)
            if not ok:
                return
        if name.strip() and name.strip() != old:
            self._edit(f"Renamed {old!r} to {name.strip()!r}", lambda lib: lib.rename(ids[0], name))

    def remove_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self.shipped:
            return
        if self.confirm and QMessageBox.question(
                self, "Remove from the library", f"Remove {len(ids)} clip(s) from your library? This cannot be "
                                                 "undone.") != QMessageBox.Yes:
            return
        for cid in ids:
            self.thumbs.pop((self.lib_path, cid), None)
        self._edit(f"Removed {len(ids)} clip(s) from your library", lambda lib: lib.remove(ids))
