"""The testbed's own load runs at a lower CPU priority than the system under test.

On a site, the callers' phones, the agents' phones and a hostile peer on the signalling network
are other machines; here SIPp, the harness's AMI watchers and the hostile peers share two cores
with Asterisk and the daemon. At equal priority they took the CPU from both: in fault scenario
6 at 20 calls a second (an ad-hoc probe in the daemon, a 2 ms timer), the event loop came
back more than 8 ms late some 120 times in 80 s, two thirds of them with the process hardly
on a CPU meanwhile, and the call path's p99 was 20-33 ms in six runs of six. At niceness 10
the kernel runs Asterisk and the daemon first: 60-90 such lags (mostly run-queue waits, so
Asterisk's threads and the VM remain), p99 10.5-16.2 ms in six runs of six. The load still
arrives as planned, as the machine is far from saturated (about 55 % of two cores).

Asterisk, the daemon and anything standing in for the network between them (the fault proxy)
keep the priority they were started with.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence

LOAD_NICENESS = 10


def niced(command: Sequence[str]) -> list[str]:
    """`command` run at the load's niceness (coreutils' nice adds to the caller's own)."""
    return ["nice", "-n", str(LOAD_NICENESS), *command]


def lower_this_thread() -> None:
    """Run the calling thread at the load's niceness (Linux: niceness is per thread).

    Call it first thing in a harness thread's target. Already lower (the harness itself run
    under `nice`): left as it is, since raising a priority takes a privilege."""
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, 0) < LOAD_NICENESS:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOAD_NICENESS)
