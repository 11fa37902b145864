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
# What the agent's phone is shown (core/agent_view.py), already safe for SIP headers:
AGENT_DISPLAY: Final = (
    "PBXB_AGENT_DISPLAY"  # caller-ID name while it rings; empty: the caller's own
)
SIP_TENANT: Final = "PBXB_SIP_TENANT"  # X-PBXB-Tenant ("-" when no tenant claims the number)
SIP_DEPARTMENT: Final = "PBXB_SIP_DEPARTMENT"  # X-PBXB-Department
KNOWLEDGE_URL: Final = "PBXB_KNOWLEDGE_URL"  # Call-Info: <url>;purpose=info (empty: no header)
WHISPER: Final = "PBXB_WHISPER"  # sound name the agent alone hears before being connected
# The waiting caller's choices (core/caller_choices.py):
CALLBACK_AFTER: Final = "PBXB_CALLBACK_AFTER"  # seconds in the queue before the offer; empty: none
CALLBACK_DIAL: Final = "PBXB_CALLBACK_DIAL"  # digits to call back; empty: not offered
OVERFLOW_ACTION: Final = "PBXB_OVERFLOW_ACTION"  # hangup | forward | callback, at queue timeout
OVERFLOW_TO: Final = "PBXB_OVERFLOW_TO"  # digits to dial for an overflow forward
# Set by the dialplan itself, read by the call tracker from VarSet events:
REDIRECTING: Final = "PBXB_REDIRECTING"  # ${REDIRECTING(from-num)} at entry
WITHHELD: Final = "PBXB_WITHHELD"  # 1 when the caller withheld the number (CLIR)
CALLBACK: Final = "PBXB_CALLBACK"  # the number the caller confirmed for a callback

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
    AGENT_DISPLAY,
    SIP_TENANT,
    SIP_DEPARTMENT,
    KNOWLEDGE_URL,
    WHISPER,
    CALLBACK_AFTER,
    CALLBACK_DIAL,
    OVERFLOW_ACTION,
    OVERFLOW_TO,
)

# Set by the supervisor's *84 dialog: closed | opened | denied | locked | unknown-target |
# no-action | not-configured | failed | gone
SUPERVISOR_RESULT: Final = "PBXB_SUPERVISOR_RESULT"

# The AGI script name the daemon answers on: agi://host:port/route
AGI_SCRIPT: Final = "route"
SUPERVISOR_SCRIPT: Final = "supervisor"  # agi://host:port/supervisor, the *84 dialog
