"""The testbed's load generators run below the system under test (load_priority.py)."""

from __future__ import annotations

import os
import subprocess
import threading

from tests.testbed.load_priority import LOAD_NICENESS, lower_this_thread, niced


def test_a_niced_command_runs_at_the_loads_niceness() -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    out = subprocess.run(
        niced(["python3", "-c", "import os; print(os.getpriority(os.PRIO_PROCESS, 0))"]),
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(out.stdout) == min(own + LOAD_NICENESS, 19)


def test_only_the_calling_thread_is_lowered() -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    seen: list[int] = []

    def generator() -> None:
        lower_this_thread()
        seen.append(os.getpriority(os.PRIO_PROCESS, 0))

    thread = threading.Thread(target=generator)
    thread.start()
    thread.join()
    assert seen == [max(own, LOAD_NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, 0) == own  # the harness's other threads keep theirs
