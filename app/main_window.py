"""The main window: the viewport and timeline in the middle, dockable panels around them (layout kept in
QSettings), menus, a status bar with model / device / last job, drag-and-drop, session files and autosave.

The window appears before any model loads: ``load_models`` starts the engine load as a background Job, and
every later model call, file read and export is a Job too, so the UI thread only ever draws and dispatches."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from lamp_core.formats import read, readable_suffixes
from lamp_core.session_file import SUFFIX as SESSION_SUFFIX

from .autosave import Autosaver
from .body_choice import BodyChoice, configured
from .context import AppContext
from .dialogs.export_dialog import ExportDialog
from .dialogs.shortcuts_dialog import ShortcutsDialog
from .jobs import JobRunner
from .menus import build_menus
from .model_hub import ModelHub
from .panels.caption_panel import CaptionPanel
from .panels.clip_list import ClipListPanel
from .panels.library_panel import LibraryPanel
from .panels.motion_edits import MotionEdits
from .panels.prompt_panel import PromptPanel
from .panels.timeline import Timeline
from .recent import RecentFiles
from .session import Clip, Session
from .session_files import SessionFilesMixin
from .theme import ThemeController
from .viewport.view import Viewport

LAYOUT_VERSION = 1


def _app_data_dir() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or Path.home() / ".lamp-studio")


class MainWindow(SessionFilesMixin, QMainWindow):
    def __init__(self, bundle: str | Path | None = None, device: str = "cpu", settings: QSettings | None = None,
                 autosave_dir: str | Path | None = None, load_models: bool = True, autosave_ms: int = 30000):
        super().__init__()
        self.setWindowTitle("LaMP Studio")
        self.resize(1400, 900)
        self.confirm_discard = True          # ask before unsaved work is dropped (tests turn it off)
        self.messages: list[tuple[str, str]] = []
        self._box: QMessageBox | None = None
        self._dialogs = []
        self.settings = settings if settings is not None else QSettings()
        self.theme = ThemeController(self.settings)     # before any widget draws
        self.jobs = JobRunner(self)
        self.hub = ModelHub(bundle, device)
        self.session = Session(self)
        self.ctx = AppContext(self.jobs, self.hub, self.session, self.settings, self.notify, self.status)

        self.viewport = Viewport()
        self.viewport.body_path = configured(self.settings)
        self.viewport.background = lambda name, fn, done, failed: self.jobs.run(
            name, lambda progress, cancelled: fn(), on_done=done, on_error=failed)
        self.body_choice = BodyChoice(self)
        self.timeline = Timeline()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.viewport.widget(central), 1)
        lay.addWidget(self.timeline)
        self.setCentralWidget(central)
        self.viewport.widget().setFocusPolicy(Qt.NoFocus)

        self.prompt = PromptPanel(self.ctx)
        self.edits = MotionEdits(self.ctx, self.timeline, self.prompt, self)   # range / key-pose / sequence edits
        self.clips = ClipListPanel(self.session)
        self.captions = CaptionPanel(self.ctx)
        self.library = LibraryPanel(self.ctx)
        self.docks = {}
        for key, title, widget, area in (("prompt", "Prompt", self.prompt, Qt.LeftDockWidgetArea),
                                         ("clips", "Clips", self.clips, Qt.LeftDockWidgetArea),
                                         ("library", "Library", self.library, Qt.RightDockWidgetArea),
                                         ("captions", "Captions", self.captions, Qt.RightDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock-{key}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        self.resizeDocks([self.docks["prompt"], self.docks["library"]], [330, 480], Qt.Horizontal)
        self.resizeDocks([self.docks["prompt"], self.docks["clips"]], [420, 300], Qt.Vertical)
        self.recent = RecentFiles(self.settings, self.open_path, self.status, self)
        self.actions_by_name = build_menus(self)

        self.model_label, self.device_label, self.job_label = QLabel("Model: not loaded"), QLabel(device), QLabel("")
        for w in (self.job_label, self.device_label, self.model_label):
            self.statusBar().addPermanentWidget(w)
        self.device_label.setToolTip("Device the models run on")
        self.statusBar().showMessage("Type a prompt and press Ctrl+Enter, or drop BVH / .npy files here")

        self.timeline.frame_changed.connect(self._show_frame)
        self.session.current_changed.connect(self._current_changed)
        self.session.undo_stack.cleanChanged.connect(self._update_title)
        self.session.clips_changed.connect(self._update_title)
        self.prompt.busy_changed.connect(self._update_cancel)
        self.captions.busy_changed.connect(self._update_cancel)
        self.actions_by_name["cancel"].setEnabled(False)
        self.captions.use_as_prompt.connect(self._use_as_prompt)
        self.jobs.job_ended.connect(self._job_ended)
        self.setAcceptDrops(True)
        self.side_by_side = False
        self.session.clips_changed.connect(self._refresh_figures)
        self._shown_uid = None
        self._shown_motion = None

        self._default_layout = self.saveState(LAYOUT_VERSION)
        geometry, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)
        folder = Path(autosave_dir) if autosave_dir else _app_data_dir() / "autosave"
        self.autosaver = Autosaver(self.session, folder, self.view_state, autosave_ms, self)
        self._update_title()
        if load_models:
            self.load_models()   # a background job: the window shows while the model loads

    # ------------------------------------------------------------------ messages
    def notify(self, title: str, message: str) -> None:
        """Tell the user something went wrong without blocking: one non-modal box gathers the messages."""
        self.messages.append((title, message))
        self.status(f"{title}: {message}")
        if self._box is not None and self._box.isVisible():
            self._box.setText(f"{self._box.text()}\n\n{title}: {message}")
            return
        self._box = QMessageBox(QMessageBox.Warning, title, message, QMessageBox.Ok, self)
        self._box.setWindowModality(Qt.NonModal)
        self._box.show()

    def status(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def _job_ended(self, job) -> None:
        if job.outcome in ("done", "failed") and not job.name.startswith(("library", "export")):
            self.job_label.setText(f"Last job: {job.name} {job.seconds:.2f} s")

    # ------------------------------------------------------------------ models
    def load_models(self) -> None:
        """Load the generator in the background; the window works (import, play, export) meanwhile."""
        self.model_label.setText(f"Model: loading {self.hub.bundle.name}…")

        def done(engine):
            self.model_label.setText(f"Model: {engine.name}")
            self.model_label.setToolTip(str(self.hub.bundle))
            self.device_label.setText(str(engine.device))
            self.prompt.engine_loaded(engine)
            self.status(f"Model {engine.name} ready on {engine.device}")
            if not self.library.search.text():
                self.library.run_search()      # list what the library holds

        def failed(message):
            self.model_label.setText("Model: failed to load")
            self.notify("Could not load the model", message)

        self.jobs.run("load model", lambda progress, cancelled: self.hub.engine(), on_done=done, on_error=failed)
        # the body mesh too, so the first clip shown does not wait for it on the UI thread; a failure
        # here is retried (and explained) by the viewport when it first needs the body
        self.body_choice.load_at_start()

    def cancel_jobs(self) -> None:
        """Esc: stop the running generation or edit and any captioning."""
        self.prompt.cancel()
        self.captions.cancel_all()

    def _update_cancel(self, _busy: bool = False) -> None:
        self.actions_by_name["cancel"].setEnabled(self.prompt.busy or bool(self.captions.jobs))

    # ------------------------------------------------------------------ current clip and frames
    @property
    def motion(self):
        clip = self.session.current
        return clip.motion if clip is not None else None

    @property
    def frame(self) -> int:
        return self.timeline.frame

    def set_frame(self, frame: int) -> None:
        self.timeline.set_frame(frame)

    def _current_changed(self, clip: Clip | None) -> None:
        if clip is None:
            self.timeline.set_clip(0, 20.0)
            self.viewport.clear()
        else:
            same = clip.uid == self._shown_uid
            self._refresh_figures()
            if not (same and clip.motion is self._shown_motion):
                if not same:
                    self.viewport.frame_character(clip.motion.joints[0])
                self.timeline.set_clip(clip.motion.n_frames, clip.motion.fps, keep_frame=same)
            self._show_frame(self.frame)
        self._shown_uid = clip.uid if clip else None
        self._shown_motion = clip.motion if clip else None

    def _refresh_figures(self, *_) -> None:
        """The viewport draws the current clip, or with side by side on, all variations of its prompt."""
        clip = self.session.current
        if clip is None:
            return
        sibs = [c for c in self.session.clips if clip.group is not None and c.group == clip.group]
        if not (self.side_by_side and len(sibs) > 1):
            sibs = [clip]
        self.viewport.set_clips([c.motion for c in sibs], [c.uid for c in sibs].index(clip.uid))
        self.viewport.show_frame(self.frame)

    def set_side_by_side(self, on: bool) -> None:
        self.side_by_side = bool(on)
        self._refresh_figures()
        self.frame_character()

    def _show_frame(self, frame: int) -> None:
        if self.motion is not None:
            self.viewport.show_frame(frame)

    def frame_character(self) -> None:
        if self.motion is not None:
            self.viewport.frame_character(self.motion.joints[self.frame])

    def edit_motion(self, kind: str) -> None:
        """Mirror / in-place / foot cleanup of the current clip, as one undoable step."""
        clip = self.session.current
        if clip is None:
            return
        from lamp_core.motion.foot_cleanup import cleanup_feet
        fn, text = {"mirror": (lambda m: m.mirror(), "Mirror"), "in_place": (lambda m: m.in_place(), "Make in place"),
                    "feet": (cleanup_feet, "Clean up feet")}[kind]
        motion, uid = clip.motion, clip.uid
        self.jobs.run(kind, lambda progress, cancelled: fn(motion),
                      on_done=lambda m: self.session.update(uid, f"{text} {clip.name!r}", motion=m),
                      on_error=lambda msg: self.notify(f"{text} failed", msg))

    # ------------------------------------------------------------------ files in
    def import_paths(self, paths) -> None:
        """Read motion files (off the UI thread) into the session and caption each; anything that is not a
        readable motion file gets a message and changes nothing."""
        for path in map(Path, paths):
            if path.suffix.lower() == SESSION_SUFFIX:
                self.open_session(path)
            elif path.is_dir():
                self.notify("Cannot import a folder", f"{path}: is a folder; drop motion files "
                                                      f"({', '.join(readable_suffixes())}) instead")
            elif path.suffix.lower() not in readable_suffixes():
                self.notify(f"Cannot import {path.name}", f"{path.name}: LaMP Studio reads "
                                                          f"{', '.join(readable_suffixes())} motion files, not "
                                                          f"'{path.suffix or 'no suffix'}'")
            else:
                body = self.viewport.body       # loaded here once, on the UI thread, and shared
                self.jobs.run("read", lambda progress, cancelled, p=path, b=body: self._read_and_rig(p, b),
                              on_done=lambda m, p=path: self._imported(p, m),
                              on_error=lambda msg, p=path: self.notify(f"Could not open {p.name}", msg))

    def _read_and_rig(self, path: Path, body):
        """Worker side of an import: read the file and rig it for the body mesh, so even an hours-long
        take reaches the UI thread ready to draw."""
        motion = read(path)
        if body is not None:
            try:
                self.viewport.rigs.get(body, motion)
            except Exception:  # noqa: BLE001, S110 - the file still imports; the viewport reports rig trouble
                pass
        return motion

    def open_path(self, path: str | Path) -> None:
        self.import_paths([path])

    def _imported(self, path: Path, motion) -> None:
        clip = Clip.new(path.stem, motion)
        self.session.add([clip], f"Import {path.name}")
        self.recent.add(path)
        self.status(f"{path.name}: {motion.n_frames} frames at {motion.fps:g} fps")
        self.captions.caption(clip.uid)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.import_paths([u.toLocalFile() for u in urls])

    def import_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in readable_suffixes())
        paths, _ = QFileDialog.getOpenFileNames(self, "Import motions", self._folder(), f"Motion files ({patterns})")
        self.import_paths(paths)

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in [SESSION_SUFFIX] + readable_suffixes())
        path, _ = QFileDialog.getOpenFileName(self, "Open", self._folder(), f"Sessions and motions ({patterns})")
        if path:
            self.import_paths([path])

    def _folder(self) -> str:
        return str(self.settings.value("files/folder", str(Path.home())))

    def _update_title(self, *_) -> None:
        try:
            dirty = self.session.dirty
        except RuntimeError:  # the undo stack is already gone: the window is being destroyed
            return
        name = self.session.path.name if self.session.path else "untitled"
        self.setWindowTitle(f"{name}{'*' if dirty else ''} — LaMP Studio")

    # ------------------------------------------------------------------ dialogs and views
    def export_dialog(self, all_clips: bool = False) -> ExportDialog | None:
        """One clip, or with several selected in the Clips panel (or ``all_clips``) a batch into a folder."""
        clip = self.session.current
        if clip is None:
            self.status("Nothing to export: generate or open a clip first")
            return None
        uids = [c.uid for c in self.session.clips] if all_clips else self.clips.selected_uids()
        if len(uids) > 1:
            from .dialogs.batch_export import BatchExportDialog
            dialog = BatchExportDialog(self.ctx, [self.session.find(u) for u in uids], self)
        else:
            dialog = ExportDialog(self.ctx, clip, self)
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _, d=dialog: self._dialogs.remove(d) if d in self._dialogs else None)
        dialog.open()
        return dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.menuBar(), self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(self, "About LaMP Studio", "LaMP Studio: text to motion, motion to text, and a searchable "
                                                     f"motion library on a local LaMP model.\n\nModel bundle: {self.hub.bundle}")

    def focus_library_search(self) -> None:
        self.docks["library"].show()
        self.docks["library"].raise_()
        self.library.search.setFocus()
        self.library.search.selectAll()

    def _use_as_prompt(self, text: str) -> None:
        self.prompt.prompt.setPlainText(text)
        self.docks["prompt"].show()
        self.prompt.prompt.setFocus()

    def reset_layout(self) -> None:
        self.restoreState(self._default_layout, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.show()

    def closeEvent(self, event) -> None:
        if not self._may_discard():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        self.jobs.cancel_all()
        self.timeline.pause()
        self.jobs.wait(15000)
        self.autosaver.finish()
        self.theme.disconnect()
        self.hub.close()
        super().closeEvent(event)
