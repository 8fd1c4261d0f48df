"""Two CPU ranks under torchrun, for the tests that check distributed training."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest


def run_torchrun(args: list[str], timeout: float = 120, pythonpath: tuple[str, ...] = ()) -> str:
    """``torchrun --nproc_per_node 2 ARGS`` on CPU; its output. On a timeout the whole process group is
    killed (no orphans) and the test fails with the end of the log; a failed run fails the test too."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([*pythonpath, os.environ.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *args]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        log, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        log, _ = proc.communicate()
        pytest.fail(f"torchrun {' '.join(args[:3])} timed out:\n{log[-4000:]}")
    assert proc.returncode == 0, log[-4000:]
    return log
