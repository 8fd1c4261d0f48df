"""Jobs: results, readable errors (including unexpected ones), cancellation, and progress off the UI thread."""

import threading

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.jobs import JobRunner, describe_error
from lamp_core.errors import Cancelled, LampError


def _run(qtbot, fn):
    runner = JobRunner()
    got = {}
    job = runner.run("t", fn, on_done=lambda r: got.setdefault("done", r), on_error=lambda m: got.setdefault("error", m),
                     on_cancel=lambda: got.setdefault("cancelled", True),
                     on_progress=lambda p: got.setdefault("progress", []).append(p))
    qtbot.waitUntil(lambda: job.outcome != "running", timeout=5000)
    return job, got


def test_result_and_progress_come_back_on_the_ui_thread(qtbot):
    main = threading.get_ident()
    seen = []

    def work(progress, cancelled):
        seen.append(threading.get_ident())
        progress(0.5)
        return 42
    job, got = _run(qtbot, work)
    assert got["done"] == 42 and got["progress"] == [0.5] and job.outcome == "done"
    assert seen[0] != main


@pytest.mark.parametrize("error, expect", [(LampError("bad thing"), "bad thing"),
                                           (KeyError("k"), "KeyError: 'k'"),
                                           (MemoryError(), "out of memory")])
def test_errors_become_one_readable_message(qtbot, error, expect):
    def work(progress, cancelled):
        raise error
    job, got = _run(qtbot, work)
    assert got["error"].startswith(expect) and job.outcome == "failed"
    assert describe_error(error).startswith(expect)


def test_cancel(qtbot):
    started = threading.Event()

    def work(progress, cancelled):
        started.set()
        while not cancelled():
            pass
        raise Cancelled("stopped")
    runner = JobRunner()
    got = []
    job = runner.run("t", work, on_cancel=lambda: got.append("cancelled"), on_error=got.append)
    assert started.wait(5)
    runner.cancel_all()
    qtbot.waitUntil(lambda: job.outcome == "cancelled", timeout=5000)
    assert got == ["cancelled"] and runner.running() == []
