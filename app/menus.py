"""The menu bar: File / Edit / View / Generate / Help. Every action is also added to the window, so its
shortcut works whichever panel has focus (text fields still get the keys they type with)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence


def _add(window, menu, text, shortcut, slot, tip: str = "") -> QAction:
    a = QAction(text, window)
    if shortcut:
        keys = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
        a.setShortcuts([QKeySequence(k) for k in keys])
    if tip:
        a.setStatusTip(tip)
    a.triggered.connect(lambda _checked=False: slot())
    menu.addAction(a)
    window.addAction(a)
    return a


def _toggle(window, menu, text, checked: bool, slot, tip: str = "") -> QAction:
    """A checkable action calling ``slot(on)`` when toggled."""
    a = QAction(text, window)
    a.setCheckable(True)
    a.setChecked(checked)
    a.setStatusTip(tip)
    a.toggled.connect(slot)
    menu.addAction(a)
    window.addAction(a)
    return a


def build_menus(w) -> dict[str, QAction]:
    """Menus for MainWindow ``w``; returns the actions by name (tests and enabling use them)."""
    acts: dict[str, QAction] = {}
    bar = w.menuBar()

    m = bar.addMenu("&File")
    acts["new"] = _add(w, m, "&New session", QKeySequence.New, w.new_session)
    acts["open"] = _add(w, m, "&Open…", QKeySequence.Open, w.open_dialog, "Open a session or a motion file")
    acts["import"] = _add(w, m, "&Import motion…", "Ctrl+I", w.import_dialog, "Add BVH / .npy files to the session")
    m.addMenu(w.recent.menu)
    acts["save"] = _add(w, m, "&Save session", QKeySequence.Save, w.save_session)
    acts["save_as"] = _add(w, m, "Save session &as…", "Ctrl+Shift+S", w.save_session_as)
    m.addSeparator()
    acts["export"] = _add(w, m, "&Export…", "Ctrl+E", w.export_dialog, "Write the current clip (or the selected clips) to a motion file")
    acts["export_all"] = _add(w, m, "Export &all clips…", "Ctrl+Shift+E", lambda: w.export_dialog(all_clips=True),
                              "Write every clip of the session into a folder, one file each")
    m.addSeparator()
    acts["quit"] = _add(w, m, "&Quit", QKeySequence.Quit, w.close)

    m = bar.addMenu("&Edit")
    undo = w.session.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    redo = w.session.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for a in (undo, redo):
        m.addAction(a)
        w.addAction(a)
    acts["undo"], acts["redo"] = undo, redo
    m.addSeparator()
    acts["rename"] = _add(w, m, "Re&name clip…", "F2", w.clips.rename_current)
    acts["delete"] = _add(w, m, "&Delete clip", QKeySequence.Delete, w.clips.delete_current)
    acts["keep"] = _add(w, m, "&Keep only this variation", "Ctrl+K", w.clips.keep_current)
    m.addSeparator()
    acts["mirror"] = _add(w, m, "&Mirror left/right", "Ctrl+M", lambda: w.edit_motion("mirror"))
    acts["in_place"] = _add(w, m, "Make &in place", "", lambda: w.edit_motion("in_place"))
    acts["feet"] = _add(w, m, "Clean up &feet", "", lambda: w.edit_motion("feet"))
    acts.update(w.edits.add_edit_actions(w, m, _add))

    m = bar.addMenu("&View")
    for dock in w.docks.values():
        m.addAction(dock.toggleViewAction())
    acts["reset_layout"] = _add(w, m, "Reset &layout", "", w.reset_layout)
    t = m.addMenu("&Theme")
    group = QActionGroup(w)
    for key, text, tip in (("system", "&System", "Follow the desktop's light or dark setting"),
                           ("light", "&Light", ""), ("dark", "&Dark", "")):
        a = _toggle(w, t, text, w.theme.theme == key, lambda on, k=key: on and w.theme.set_theme(k), tip)
        group.addAction(a)
        acts[f"theme_{key}"] = a
    m.addSeparator()
    acts["frame"] = _add(w, m, "&Frame character", "F", w.frame_character)
    acts["follow"] = _add(w, m, "F&ollow character", "Shift+F", lambda: None,
                          "Keep the camera on the character as it moves")
    acts["follow"].setCheckable(True)
    acts["follow"].setChecked(w.viewport.follow)
    acts["follow"].toggled.connect(lambda on: setattr(w.viewport, "follow", on))
    m.addSeparator()
    for key, text, tip in (("body", "&Body", "The skinned body mesh"),
                           ("skeleton", "S&keleton", "Bones and joints, drawn over the body"),
                           ("path", "&Root trajectory", "The clip's path on the ground"),
                           ("contacts", "Foot &contacts", "Mark the feet while they touch the ground")):
        acts[f"show_{key}"] = _toggle(w, m, text, w.viewport.layers[key],
                                      lambda on, k=key: w.viewport.set_layer(k, on), tip)
    acts["side_by_side"] = _toggle(w, m, "Show &variations side by side", False, w.set_side_by_side,
                                   "Draw all variations of the current prompt next to each other")
    acts["body_model"] = _add(w, m, "Body &model…", "", w.body_choice.choose,
                              "Draw the characters with your own SMPL / SMPL+H / SMPL-X model files")
    acts["body_builtin"] = _add(w, m, "Built-in b&ody", "", lambda: w.body_choice.use(None),
                                "Go back to LaMP Studio's generated body")
    p = m.addMenu("&Playback")
    t = w.timeline
    acts["play"] = _add(w, p, "Play / pause", "Space", t.toggle_play)
    acts["next"] = _add(w, p, "Next frame", "Right", lambda: t.step(1))
    acts["prev"] = _add(w, p, "Previous frame", "Left", lambda: t.step(-1))
    acts["fwd10"] = _add(w, p, "Forward 10 frames", "Shift+Right", lambda: t.step(10))
    acts["back10"] = _add(w, p, "Back 10 frames", "Shift+Left", lambda: t.step(-10))
    acts["first"] = _add(w, p, "First frame", "Home", t.first)
    acts["last"] = _add(w, p, "Last frame", "End", t.last)
    acts["loop"] = _add(w, p, "Loop on / off", "L", t.loop_box.toggle)

    m = bar.addMenu("&Generate")
    g = w.prompt
    acts["generate"] = _add(w, m, "&Generate", ["Ctrl+Return", "Ctrl+Enter"], g.generate)
    acts["cancel"] = _add(w, m, "&Cancel", "Esc", w.cancel_jobs)
    acts["seed"] = _add(w, m, "New random &seed", "Ctrl+R", g.roll_seed)
    acts["continue"] = _add(w, m, "C&ontinue current clip", "Ctrl+Shift+Return", g.continue_clip,
                            "Add the duration's worth of motion after the clip, following the prompt")
    m.addSeparator()
    acts["caption"] = _add(w, m, "Caption current clip", "Ctrl+T", lambda: w.captions.caption(w.session.current_uid))
    acts["search"] = _add(w, m, "Search the library", "Ctrl+F", w.focus_library_search)
    acts["similar"] = _add(w, m, "Find similar clips", "Ctrl+Shift+F", w.library.find_similar)
    acts.update(w.edits.add_generate_actions(w, m, _add))

    m = bar.addMenu("&Help")
    acts["shortcuts"] = _add(w, m, "&Keyboard shortcuts", "F1", w.show_shortcuts)
    acts["about"] = _add(w, m, "&About LaMP Studio", "", w.show_about)
    return acts
