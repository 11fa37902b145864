"""What one caller experienced, read from Asterisk's own AMI events.

A call is found by its calling number (unique per test call) on the inbound trunk channel; all
channels of the call (agent legs, forward legs) share that channel's Linkedid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tests.testbed.ami import Event


@dataclass(frozen=True)
class CallTrace:
    caller: str
    channel: str  # the inbound channel (the first one with the calling number)
    linkedid: str
    events: tuple[Event, ...]  # every event of the call, in order

    @classmethod
    def find(cls, events: Sequence[Event], caller: str) -> CallTrace | None:
        """The call whose inbound channel has calling number `caller`, or None (not yet)."""
        first = next(
            (
                e
                for e in events
                if e.get("Event") == "Newchannel" and e.get("CallerIDNum") == caller
            ),
            None,
        )
        if first is None:
            return None
        linkedid, channel = first["Linkedid"], first["Channel"]
        mine = tuple(
            e for e in events if e.get("Linkedid") == linkedid or e.get("Channel") == channel
        )
        return cls(caller, channel, linkedid, mine)

    @classmethod
    def ended(cls, events: Sequence[Event], caller: str) -> CallTrace | None:
        """The call of `caller` once its inbound channel has hung up, else None."""
        trace = cls.find(events, caller)
        return trace if trace is not None and trace.hung_up else None

    def _on_caller(self, name: str) -> list[Event]:
        return [
            e for e in self.events if e.get("Event") == name and e.get("Channel") == self.channel
        ]

    def _named(self, name: str) -> list[Event]:
        return [e for e in self.events if e.get("Event") == name]

    # ---- decision -------------------------------------------------------------------------

    def variables(self) -> dict[str, str]:
        """Final value of every channel variable set on the caller's channel."""
        return {e["Variable"]: e.get("Value", "") for e in self._on_caller("VarSet")}

    def var(self, name: str) -> str | None:
        return self.variables().get(name)

    def values_of(self, name: str) -> list[str]:
        """Every value `name` took on the caller's channel, in order."""
        return [e.get("Value", "") for e in self._on_caller("VarSet") if e["Variable"] == name]

    @property
    def accountcode(self) -> str:
        codes = [e.get("AccountCode", "") for e in self._on_caller("NewAccountCode")]
        return codes[-1] if codes else ""

    # ---- what the caller heard and where the call went -------------------------------------

    @property
    def answered(self) -> bool:
        return any(
            e.get("Event") == "Newstate" and e.get("ChannelStateDesc") == "Up"
            for e in self._on_caller("Newstate")
        )

    @property
    def playbacks(self) -> list[tuple[str, str]]:
        """(file, PLAYBACKSTATUS) of every Playback on the caller's channel, in order."""
        played: list[tuple[str, str]] = []
        pending: str | None = None
        for e in self.events:
            if e.get("Channel") != self.channel:
                continue
            if e.get("Event") == "Newexten" and e.get("Application") == "Playback":
                pending = e.get("AppData", "")
                played.append((pending, ""))
            elif e.get("Event") == "VarSet" and e.get("Variable") == "PLAYBACKSTATUS" and pending:
                played[-1] = (pending, e.get("Value", ""))
                pending = None
        return played

    @property
    def heard(self) -> list[str]:
        """Sound files that were really played (PLAYBACKSTATUS=SUCCESS)."""
        return [name for name, status in self.playbacks if status == "SUCCESS"]

    @property
    def queues_joined(self) -> list[str]:
        return [e.get("Queue", "") for e in self._on_caller("QueueCallerJoin")]

    @property
    def answered_by(self) -> str | None:
        """Queue member interface that took the call (AgentConnect), e.g. PJSIP/agent1."""
        connects = self._on_caller("AgentConnect")
        return connects[0].get("Interface") if connects else None

    @property
    def abandoned(self) -> bool:
        return bool(self._on_caller("QueueCallerAbandon"))

    @property
    def dialled_out(self) -> list[str]:
        """Data of every Dial() the caller's channel ran (the closed-hours forward)."""
        return [
            e.get("AppData", "")
            for e in self._on_caller("Newexten")
            if e.get("Application") == "Dial"
        ]

    @property
    def forward_answered(self) -> bool:
        """A Dial() of the caller's channel was answered (DialEnd after the Dial started)."""
        dialling = False
        for e in self.events:
            if e.get("Channel") != self.channel:
                continue
            if e.get("Event") == "Newexten":
                dialling = e.get("Application") == "Dial"
            elif dialling and e.get("Event") == "DialEnd" and e.get("DialStatus") == "ANSWER":
                return True
        return False

    @property
    def hung_up(self) -> bool:
        return bool(self._on_caller("Hangup"))

    @property
    def hangup_cause(self) -> str:
        hangups = self._on_caller("Hangup")
        return hangups[-1].get("Cause-txt", "") if hangups else ""

    @property
    def cdr_accountcodes(self) -> list[str]:
        return [e.get("AccountCode", "") for e in self._on_caller("Cdr")]

    def describe(self) -> str:
        """One line a human reads: what this caller experienced."""
        v = self.variables()
        parts = [
            f"caller {self.caller}",
            f"tenant={v.get('PBXB_TENANT', '')!r}",
            f"action={v.get('PBXB_ACTION', '')}",
            f"decided_by={v.get('PBXB_DECIDED_BY', '')}",
            f"heard={self.heard}",
            f"queued={self.queues_joined}",
            f"agent={self.answered_by}",
        ]
        if self.dialled_out:
            parts.append(f"forward={self.dialled_out} answered={self.forward_answered}")
        parts.append("hung up" if self.hung_up else "still up")
        return ", ".join(parts)
