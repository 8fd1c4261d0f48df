"""The process ends cleanly (exit status 0, no crash in Qt's tear-down) however the window was left:
the viewport is a native GL window in a container, which Qt and PySide must delete in the right order."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import os, sys, tempfile
sys.path.insert(0, {repo!r})
tmp = tempfile.mkdtemp()
os.environ["LAMP_LIBRARY"] = os.path.join(tmp, "library.sqlite")
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QApplication
QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
app = QApplication([])
from app.main_window import MainWindow
from lamp_core.data.synthetic import walking_motion
from app.session import Clip
w = MainWindow(bundle=None, settings=QSettings(os.path.join(tmp, "s.ini"), QSettings.IniFormat),
               autosave_dir=os.path.join(tmp, "autosave"), load_models=False)
w.confirm_discard = False
w.show()
w.session.add([Clip.new("walk", walking_motion(frames=40))])
for _ in range(30):
    app.processEvents()
how = sys.argv[1]
if how in ("close", "delete_later"):
    w.close()
if how == "delete_later":      # what pytest-qt does: the deletion never runs before exit
    w.deleteLater()
    del w
print("done", flush=True)
"""


@pytest.mark.parametrize("how", ["open", "close", "delete_later"])
def test_the_process_exits_cleanly(how, tmp_path):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(repo=str(REPO)))
    r = subprocess.run([sys.executable, str(script), how], capture_output=True, text=True, timeout=120,
                       env={**os.environ}, check=False)
    assert "done" in r.stdout, r.stderr[-2000:]
    assert r.returncode == 0, f"exit status {r.returncode} (a crash in tear-down): {r.stderr[-2000:]}"
