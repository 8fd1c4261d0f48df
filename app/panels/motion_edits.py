"""Model edits driven from the timeline: regenerate a range from text, key poses from text, fill motion
between key poses, and multi-prompt sequences.

Why a separate controller: the timeline only draws and reports gestures, the prompt panel owns the text,
seed, progress bar and Cancel; this joins them to the Engine. Every model call is a Job (via the prompt
panel, so Esc cancels it) and every result lands in the session as one undoable step."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from lamp_core.motion.motion import HML3D_FPS

from ..context import AppContext
from ..session import Clip
from .prompt_panel import PromptPanel, short_name
from .segments_dialog import SegmentsDialog, load_segments, save_segments
from .timeline import Timeline


def _to20(frame: int, fps: float) -> int:
    """A frame of a clip at ``fps`` -> the same instant at the engine's 20 fps."""
    return round(frame * HML3D_FPS / fps)


class MotionEdits(QObject):
    def __init__(self, ctx: AppContext, timeline: Timeline, prompt: PromptPanel, parent=None):
        super().__init__(parent)
        self.ctx, self.timeline, self.prompt = ctx, timeline, prompt
        if not ctx.session.segments:   # a new session starts from the segments used last
            ctx.session._set_segments(tuple(load_segments(ctx.settings)))
        self._dialog: SegmentsDialog | None = None
        self.actions: dict = {}
        t = timeline
        t.regen_button.clicked.connect(lambda: self.regenerate_range())
        t.pose_button.clicked.connect(lambda: self.pose_from_text())
        t.fill_button.clicked.connect(lambda: self.fill_between_keys())
        t.segments_button.clicked.connect(self.edit_segments)
        t.sequence_button.clicked.connect(lambda: self.generate_sequence())
        t.track.key_moved.connect(self.move_key)
        t.track.key_selected.connect(lambda f: f is not None and t.set_frame(f))
        t.track.key_selected.connect(lambda _: self._update())
        t.track.range_changed.connect(lambda _: self._update())
        ctx.session.current_changed.connect(lambda _: self._update())
        ctx.session.clips_changed.connect(self._update)
        prompt.busy_changed.connect(lambda _: self._update())
        ctx.session.segments_changed.connect(self._segments_changed)
        t.track.set_segments(self.segments)
        self._update()

    @property
    def segments(self) -> list[tuple[str, float]]:
        return list(self.ctx.session.segments)

    # ------------------------------------------------------------------ menus
    def add_edit_actions(self, window, menu, add) -> dict:
        """The Edit menu entries (``add`` is menus._add); returns them by name."""
        t, acts = self.timeline, {}
        menu.addSeparator()
        acts["range_in"] = add(window, menu, "Set range &in", "I", t.set_in, "The range starts at the playhead")
        acts["range_out"] = add(window, menu, "Set range &out", "O", t.set_out, "The range ends at the playhead")
        acts["range_clear"] = add(window, menu, "Clear range", "", lambda: t.track.set_range(None))
        acts["regen_range"] = add(window, menu, "&Regenerate this range from text", "Ctrl+Shift+R",
                                  self.regenerate_range, "Inpaint the selected frames from the prompt")
        acts["key_pose"] = add(window, menu, "&Pose from text at current frame", "Ctrl+Shift+P",
                               self.pose_from_text, "A key pose from the prompt, on the timeline at the playhead")
        acts["key_delete"] = add(window, menu, "Delete key pose", "Shift+Del", self.delete_key)
        acts["fill_keys"] = add(window, menu, "Fill motion &between key poses", "Ctrl+Shift+B",
                                self.fill_between_keys, "A new clip that moves through the key poses")
        self.actions.update(acts)
        self._update()
        return acts

    def add_generate_actions(self, window, menu, add) -> dict:
        acts = {}
        menu.addSeparator()
        acts["segments"] = add(window, menu, "Prompt s&egments…", "", self.edit_segments)
        acts["sequence"] = add(window, menu, "Generate se&quence", "", self.generate_sequence,
                               "One seamless motion from the prompt segments")
        self.actions.update(acts)
        self._update()
        return acts

    def _update(self, *_) -> None:
        clip, t, busy = self.ctx.session.current, self.timeline, self.prompt.busy
        t.track.set_keys([f for f, _ in clip.keys] if clip else [])
        has, keys = clip is not None, bool(clip and clip.keys)
        state = {"regen_range": has and t.range is not None and not busy, "key_pose": has and not busy,
                 "fill_keys": keys and not busy, "key_delete": t.track.selected_key is not None,
                 "sequence": bool(self.segments) and not busy}
        for name, button in (("regen_range", t.regen_button), ("key_pose", t.pose_button),
                             ("fill_keys", t.fill_button), ("sequence", t.sequence_button)):
            button.setEnabled(state[name])
        for name, on in state.items():
            if name in self.actions:
                self.actions[name].setEnabled(on)

    def _text(self, text: str | None, what: str) -> str | None:
        text = (text if text is not None else self.prompt.text()).strip()
        if not text:
            self.ctx.notify(f"Nothing to {what}", "Type a description in the prompt field first.")
            return None
        return text

    # ------------------------------------------------------------------ range
    def regenerate_range(self, text: str | None = None) -> bool:
        """Inpaint the selected frames of the current clip from ``text`` (default: the prompt field);
        frames outside the range stay as they are; the new motion replaces the clip (undoable)."""
        clip, rng = self.ctx.session.current, self.timeline.range
        if clip is None or rng is None:
            self.ctx.notify("No range selected", "Shift+drag on the timeline, or press I and O, to select frames.")
            return False
        text = self._text(text, "regenerate")
        if text is None:
            return False
        hub, motion, seed = self.ctx.hub, clip.motion, self.prompt.seed.value()
        start, end = _to20(rng[0], motion.fps), _to20(rng[1] + 1, motion.fps)

        def work(progress, cancelled):
            return hub.engine().inpaint(motion, start, end, text, seed=seed, progress=progress, cancel=cancelled)

        def done(m):
            self.ctx.session.update(clip.uid, f"Regenerate frames {rng[0] + 1}–{rng[1] + 1} of {clip.name!r}",
                                    motion=m)
            self.ctx.status(f"Regenerated frames {rng[0] + 1}–{rng[1] + 1} from {short_name(text)!r}")

        return self.prompt.start_job("inpaint", work, done, "Regenerating the range…")

    # ------------------------------------------------------------------ key poses
    def pose_from_text(self, text: str | None = None, frame: int | None = None) -> bool:
        """OHMG's text -> key pose, placed where the clip's body is at that frame, as a marker."""
        clip = self.ctx.session.current
        if clip is None:
            self.ctx.notify("No clip", "Generate or open a clip first: key poses sit on its timeline.")
            return False
        text = self._text(text, "pose")
        if text is None:
            return False
        frame = self.timeline.frame if frame is None else int(frame)
        hub, seed, here = self.ctx.hub, self.prompt.seed.value(), clip.motion.joints[frame]

        def work(progress, cancelled):
            from lamp_core.generation.warp import place, placement
            pose = hub.engine().text_to_pose(text, seed=seed)[0]
            return place(pose, *placement(pose, here)).astype(np.float32)

        def done(pose):
            self._set_keys(clip.uid, {**dict(self._keys(clip.uid)), frame: pose},
                           f"Key pose {short_name(text, 24)!r} at frame {frame + 1}")

        return self.prompt.start_job("key pose", work, done, "Making a key pose…")

    def _keys(self, uid: int) -> tuple:
        clip = self.ctx.session.find(uid)
        return clip.keys if clip else ()

    def _set_keys(self, uid: int, keys: dict, text: str) -> None:
        self.ctx.session.update(uid, text, keys=tuple(sorted(keys.items(), key=lambda k: k[0])))

    def move_key(self, old: int, new: int) -> None:
        clip = self.ctx.session.current
        keys = dict(clip.keys) if clip else {}
        if old in keys and old != new:
            pose = keys.pop(old)
            keys[new] = pose
            self._set_keys(clip.uid, keys, f"Move key pose {old + 1} → {new + 1}")
            self.timeline.track.select_key(new)

    def delete_key(self, frame: int | None = None) -> None:
        clip = self.ctx.session.current
        frame = self.timeline.track.selected_key if frame is None else frame
        keys = dict(clip.keys) if clip else {}
        if frame in keys:
            del keys[frame]
            self._set_keys(clip.uid, keys, f"Delete key pose at frame {frame + 1}")

    def fill_between_keys(self, text: str | None = None) -> bool:
        """In-betweening: a new clip (undoable add) that hits every key pose at its frame."""
        clip = self.ctx.session.current
        if clip is None or not clip.keys:
            self.ctx.notify("No key poses", "Add key poses with “Pose from text” first.")
            return False
        text = self._text(text, "fill")
        if text is None:
            return False
        hub, seed, fps = self.ctx.hub, self.prompt.seed.value(), clip.motion.fps
        keys = {_to20(f, fps): p for f, p in clip.keys}

        def work(progress, cancelled):
            engine = hub.engine()
            longest = engine.max_tokens * engine.unit / HML3D_FPS
            seconds = min(clip.motion.duration, longest)
            if max(keys) >= round(seconds * HML3D_FPS) - engine.unit:
                seconds = None          # the keys reach past what fits: let the engine size the motion
            return engine.inbetween(keys, text, seconds=seconds, seed=seed, progress=progress, cancel=cancelled)

        def done(m):
            new = Clip.new(f"{short_name(text, 30)} (through {len(keys)} keys)", m, keys=tuple(sorted(keys.items())))
            self.ctx.session.add([new], f"Fill motion through {len(keys)} key pose(s)")

        return self.prompt.start_job("inbetween", work, done, "Filling motion between key poses…")

    # ------------------------------------------------------------------ segments
    def set_segments(self, segments) -> None:
        """Undoable, saved with the session, and remembered for the next new session."""
        self.ctx.session.set_segments(segments)

    def _segments_changed(self) -> None:
        save_segments(self.ctx.settings, self.segments)
        self.timeline.track.set_segments(self.segments)
        self._update()

    def edit_segments(self) -> SegmentsDialog:
        dialog = SegmentsDialog(self.segments, self.timeline.window())
        dialog.accepted.connect(lambda: self.set_segments(dialog.segments()))
        dialog.finished.connect(lambda _: setattr(self, "_dialog", None))
        self._dialog = dialog
        dialog.open()
        return dialog

    def generate_sequence(self) -> bool:
        """One seamless motion from the segments (the engine's long-sequence API), as a new clip."""
        if not self.segments:
            self.ctx.notify("No segments", "Add prompt segments (Generate ▸ Prompt segments…) first.")
            return False
        segs, hub, seed = list(self.segments), self.ctx.hub, self.prompt.seed.value()

        def work(progress, cancelled):
            return hub.engine().sequence(segs, seed=seed, progress=progress, cancel=cancelled)

        def done(m):
            name = short_name(" → ".join(t for t, _ in segs), 40)
            self.ctx.session.add([Clip.new(name, m)], f"Generate a sequence of {len(segs)} segment(s)")
            self.ctx.status(f"Sequence of {len(segs)} segment(s): {m.duration:.1f} s")

        return self.prompt.start_job("sequence", work, done, f"Generating {len(segs)} segment(s)…")
