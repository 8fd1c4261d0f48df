"""lamp_core never imports Qt: checked in a fresh interpreter after importing every core module."""

import pkgutil
import subprocess
import sys

import lamp_core


def test_lamp_core_imports_no_gui_toolkit():
    mods = [m.name for m in pkgutil.walk_packages(lamp_core.__path__, "lamp_core.")]
    code = ("import importlib, sys\n"
            f"for m in {mods!r}: importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'superqt', 'OpenGL', 'app')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
