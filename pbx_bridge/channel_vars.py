"""Channel variables shared by the daemon, the fallback AGI and `dialplans/pbx-bridge.conf`.

The dialplan reads exactly these names; change one here and there together
(tests/unit/test_dialplan_contract.py checks that they agree).
"""

from __future__ import annotations

from typing import Final

TENANT: Final = "PBXB_TENANT"  # tenant id, empty when unrouted
TENANT_NAME: Final = "PBXB_TENANT_NAME"
DEPARTMENT: Final = "PBXB_DEPARTMENT"
ACTION: Final = "PBXB_ACTION"  # queue | closed | unrouted
# hours | holiday: <name> | exception: <reason> | closure: <reason> | unrouted: …
REASON: Final = "PBXB_REASON"
GREETING: Final = "PBXB_GREETING"  # sound name under sounds/<lang>/pbx-bridge/
QUEUE: Final = "PBXB_QUEUE"
PRIORITY: Final = "PBXB_PRIORITY"
QUEUE_TIMEOUT: Final = "PBXB_QUEUE_TIMEOUT"  # seconds in the queue before overflow
CLOSED_ANNOUNCEMENT: Final = "PBXB_CLOSED_ANNOUNCEMENT"
CLOSED_ACTION: Final = "PBXB_CLOSED_ACTION"  # hangup | forward
FORWARD_TO: Final = "PBXB_FORWARD_TO"  # digits to dial for a closed-hours forward
DECIDED_BY: Final = "PBXB_DECIDED_BY"  # daemon | fallback (the dialplan sets "generic" itself)
CONFIG_GENERATION: Final = "PBXB_CONFIG_GENERATION"  # which configuration took the decision
# Set by the dialplan itself, read by the call tracker from VarSet events:
REDIRECTING: Final = "PBXB_REDIRECTING"  # ${REDIRECTING(from-num)} at entry
WITHHELD: Final = "PBXB_WITHHELD"  # 1 when the caller withheld the number (CLIR)

ALL: Final = (
    TENANT,
    TENANT_NAME,
    DEPARTMENT,
    ACTION,
    REASON,
    GREETING,
    QUEUE,
    PRIORITY,
    QUEUE_TIMEOUT,
    CLOSED_ANNOUNCEMENT,
    CLOSED_ACTION,
    FORWARD_TO,
    DECIDED_BY,
    CONFIG_GENERATION,
)

# Set by the supervisor's *84 dialog: closed | opened | denied | locked | unknown-target |
# no-action | not-configured | failed | gone
SUPERVISOR_RESULT: Final = "PBXB_SUPERVISOR_RESULT"

# The AGI script name the daemon answers on: agi://host:port/route
AGI_SCRIPT: Final = "route"
SUPERVISOR_SCRIPT: Final = "supervisor"  # agi://host:port/supervisor, the *84 dialog
