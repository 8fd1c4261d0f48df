"""Every model call and file read runs here, off the UI thread: a Job reports progress, can be cancelled,
and ends in exactly one of succeeded / failed (a readable message) / cancelled, so the window never freezes
and an exception never escapes into Qt's event loop."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal
from superqt.utils import create_worker

from lamp_core.errors import Cancelled, LampError


def describe_error(error: BaseException) -> str:
    """One readable line for a user: the core's own message, or the kind of failure and its text."""
    if isinstance(error, (LampError, ValueError, OSError)) and str(error):
        return str(error)
    if isinstance(error, MemoryError):
        return "out of memory: try a shorter clip or fewer variations"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class Job(QObject):
    """One background call: ``fn(progress, cancelled)``; ``progress(p)`` with p in [0, 1] is thread-safe,
    ``cancelled()`` says whether the user pressed Cancel (the core raises Cancelled when it sees it)."""
    progressed = Signal(float)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, name: str, fn: Callable, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.seconds = 0.0
        self.outcome = "running"
        self._fn = fn
        self._stop = threading.Event()
        self._t0 = 0.0

    def cancel(self) -> None:
        self._stop.set()

    def is_cancelled(self) -> bool:
        return self._stop.is_set()

    def _run(self):  # worker thread
        return self._fn(self.progressed.emit, self._stop.is_set)

    def _finish(self, outcome: str) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.outcome = outcome

    def _returned(self, result) -> None:
        if self._stop.is_set():  # the user cancelled after the last check: drop the result
            self._finish("cancelled")
            self.cancelled.emit()
        else:
            self._finish("done")
            self.succeeded.emit(result)
        self.ended.emit()

    def _errored(self, error: BaseException) -> None:
        if isinstance(error, Cancelled) or (self._stop.is_set() and isinstance(error, LampError)):
            self._finish("cancelled")
            self.cancelled.emit()
        else:
            if not isinstance(error, (LampError, OSError)):
                traceback.print_exception(type(error), error, error.__traceback__)
            self._finish("failed")
            self.failed.emit(describe_error(error))
        self.ended.emit()


class JobRunner(QObject):
    """Starts jobs on Qt's thread pool and keeps them alive until they end."""
    job_ended = Signal(object)          # the Job, after its outcome signal

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._workers = []

    def run(self, name: str, fn: Callable, on_done: Callable | None = None, on_error: Callable | None = None,
            on_cancel: Callable | None = None, on_progress: Callable | None = None) -> Job:
        job = Job(name, fn, self)
        for signal, slot in ((job.succeeded, on_done), (job.failed, on_error), (job.cancelled, on_cancel),
                             (job.progressed, on_progress)):
            if slot is not None:
                signal.connect(slot)
        worker = create_worker(job._run, _start_thread=False, _ignore_errors=True)
        worker.returned.connect(job._returned)
        worker.errored.connect(job._errored)
        job.ended.connect(lambda j=job, w=worker: self._ended(j, w))
        self._jobs.append(job)
        self._workers.append(worker)
        job._t0 = time.perf_counter()
        worker.start()
        return job

    def _ended(self, job: Job, worker) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        if worker in self._workers:
            self._workers.remove(worker)
        self.job_ended.emit(job)

    def running(self, name: str | None = None) -> list[Job]:
        return [j for j in self._jobs if name is None or j.name == name]

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def wait(self, msecs: int = 10000) -> bool:
        """Block until every worker thread has returned (used when the window closes)."""
        return QThreadPool.globalInstance().waitForDone(msecs)
