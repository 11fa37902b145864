"""The README of the recorded AMI fixtures (written by `record_ami` with the recording)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tests.testbed import center

if TYPE_CHECKING:
    from tests.testbed.record_ami import Recorded

FORMAT = """\
## Format

- UTF-8, one AMI event per line, as a JSON object: the keys are the header names exactly as
  Asterisk sent them and in its order, the values the header values as strings (an empty
  header is `""`). Nothing is filtered: every event the AMI user (`read = all`) received
  between the start of the scenario and 1.5 s of silence after its last hangup.
- `Timestamp` (manager.conf `timestampevents = yes`) is the epoch time with microseconds of
  the recording machine; use differences, not the date.
- A header can occur twice in one event, and the line then repeats the key in Asterisk's
  order: `json.loads` keeps the last value, `json.loads(line, object_pairs_hook=list)` gives
  all (panoramisk's `Message` makes the value a list). Seen twice: a dialplan `UserEvent`
  carries the headers of the channel that ran it (`Channel`, `Uniqueid`, `Linkedid`, ...)
  before its own body, so `PbxBridgeWrapup` has `Linkedid` twice, first the feature-code
  call's own, then the queue call's (the one that counts: the last); and `TestEvent` with
  `State: CallIDChange` has `State` twice.

```python
events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
```
"""

OBSERVED = """\
## What Asterisk 22 sends (seen in these files)

- **Linkedid.** Every channel of a call shares the caller's Linkedid: agent legs, the clerk
  leg after a blind transfer, the switchboard leg of a closed-hours forward. A REFER does not
  change the caller's Linkedid. The wrap-up call (`*81`) is a call of its own (Newchannel,
  own Linkedid, a `Cdr` with `Source: agentN`, `Destination: *81`, empty `AccountCode`) that
  never enters `pbx-bridge-inbound`: it is not a call of the center.
- **Queue.** `QueueCallerJoin` after the greeting; when an agent answers: `DialEnd ANSWER`,
  `QueueCallerLeave`, then `AgentConnect` (so for answered calls `QueueCallerLeave` comes at
  the answer, long before `Hangup`); at the end `AgentComplete` with `Reason: caller`,
  `agent` or `transfer` and `TalkTime`.
- **Abandon:** `HangupRequest`, `QueueCallerAbandon` (`HoldTime`), `QueueCallerLeave`, then
  the caller's `Hangup` with `Cause: 0` (`Unknown`). **Timeout:** also `QueueCallerAbandon`
  (`HoldTime` = the timeout) and `QueueCallerLeave`, but no `HangupRequest` before them, then
  `VarSet QUEUESTATUS=TIMEOUT`, the overflow playback and `Hangup` with `Cause: 16`. No AMI
  event says "timeout": `QUEUESTATUS` tells the two apart.
- **Blind transfer (REFER).** `BlindTransfer` has no `Channel`/`Uniqueid`/`Linkedid` header,
  only prefixed ones: `TransfererLinkedid` and `TransfereeLinkedid` (both the caller's),
  `Result: Success`, `Context: testbed-agents`, `Extension: clerk-1`, `IsExternal: Yes`. Then
  `AgentComplete` (`Reason: transfer`) and at once the agent leg's `Hangup` (the phone's SIP
  dialog ends later with its own BYE). The caller's channel goes on in the target context: its
  first `Newexten` there still names the application `Queue` (stale), the `Dial` in the target
  extension has no `Newexten` of its own (use `DialBegin`/`DialEnd`), its `Hangup` has
  `Context: testbed-agents`, and it gets a second `Cdr` (`Destination: clerk-1`).
- **Cdr.** One per caller channel (two after a transfer), `Disposition: ANSWERED` for every
  call the dialplan answered (closed and abandoned ones too); it comes before or after the
  caller's `Hangup`, so do not end a call on it.
- **Withheld numbers (CLIR).** `CallerIDNum` still carries the number in every event
  (`Newchannel`, `Cdr` `Source`, queue events); only `VarSet PBXB_WITHHELD=1` says it was
  withheld.
- **Fallback.** `VarSet AGISTATUS=FAILURE` (the daemon's port refused), then the fallback's
  `AGISTATUS=SUCCESS` and `PBXB_DECIDED_BY=fallback`.
- **Noise.** Most events are `VarSet`/`Newexten` of the dialplan and `AGIExecStart`/`End`;
  Debian's Asterisk is built with the test framework and sends `TestEvent` (`reporting`
  class), which production builds usually do not; a few `RTCPSent`. `abandoned.jsonl` and
  `overflow.jsonl` begin and end with `QueueMemberPause` (agents paused, then unpaused).
"""


def _tenant_rows(tenants: Sequence[center.Tenant]) -> list[str]:
    rows = ["| Tenant | Numbers (department) | Hours | Closed | Queue |", "|---|---|---|---|---|"]
    for t in tenants:
        numbers = ", ".join(f"{n} ({d})" for n, d in t.numbers)
        hours = "open 24/7" if t.open else "never open"
        closed = t.closed_action + (f" to {t.forward_to}" if t.forward_to else "")
        queue = str(t.extra.get("queue", center.CENTER_QUEUE))
        rows.append(f"| `{t.id}` {t.name} | {numbers} | {hours} | {closed} | {queue} |")
    return rows


def _call_rows(recorded: Recorded) -> list[str]:
    rows = [
        "| Caller | Dialled | Linkedid | Expected outcome | What happens |",
        "|---|---|---|---|---|",
    ]
    for planned, trace in recorded.calls:
        call = planned.call
        dialled = call.dialled
        if call.diversion:
            dialled += f" (Diversion {call.diversion})"
        caller = call.caller + (" (withheld)" if call.withheld else "")
        linkedid = trace.linkedid if trace else "?"
        story = planned.story
        if trace and trace.answered_by:
            story += f"; answered by {trace.answered_by}"
        rows.append(f"| {caller} | {dialled} | {linkedid} | {planned.outcome} | {story} |")
    return rows


def readme(
    version: str,
    tenants: Sequence[center.Tenant],
    recorded: Sequence[Recorded],
    queue_timeout: int,
) -> str:
    today = datetime.now(UTC).date().isoformat()
    lines = [
        "# Recorded AMI event streams",
        "",
        f"Recorded {today} from **{version}** (Debian's package, the testbed of",
        "`tests/testbed/`) by `python -m tests.testbed.record_ami`, which also wrote this file.",
        "Re-run it to re-record; the caller numbers stay the same, Linkedids and timestamps",
        "change. Calls were routed by the real daemon (`pbx-bridge run`) and the shipped",
        "`dialplans/pbx-bridge.conf` (except in `fallback.jsonl`).",
        "",
        FORMAT,
        "## The test center",
        "",
        f"`service_center`: queue `{center.CENTER_QUEUE}`, greeting `{center.CENTER_GREETING}`"
        f" for unclaimed numbers, `queue_timeout: {queue_timeout}` s. Holidays: none.",
        "",
        *_tenant_rows(tenants),
        "",
        "Phones (SIPp): `PJSIP/agent1`..`agent3` are the members of `servicecenter` (ring 200 ms,",
        "answer, hang up after 6 s unless the other side did). `PJSIP/refer-agent` is the only",
        "member of `testbed-transfer`: it answers, talks 1 s and sends REFER with",
        "`Refer-To: <sip:clerk-1@127.0.0.1>`; the agents' context `testbed-agents` runs",
        "`Dial(PJSIP/clerk,10)` for it. `PJSIP/switchboard` answers closed-hours forwards. Callers",
        "arrive on the trunk endpoint (`PJSIP/trunk-…`, context `pbx-bridge-inbound`). Prompts",
        "are the project's `sounds/de/` cut to at most 2 s, a 0.4 s tone where it has none",
        "(`wardenburg`, `wardenburg-closed`). Caller numbers start 0999 (no German number does).",
        "",
        "## Files",
        "",
    ]
    for done in recorded:
        lines += [
            f"### `{done.path.name}`: {done.scenario.title} ({done.events} events)",
            "",
            *_call_rows(done),
            "",
        ]
    lines.append(OBSERVED)
    return "\n".join(lines).rstrip() + "\n"
