"""The `route` AGI script: decide with the configuration current at the call's start."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import structlog

from pbx_bridge.agi.decision_event import decision_event, withheld
from pbx_bridge.agi.mset import DecisionWriter
from pbx_bridge.agi.protocol import AgiChannel
from pbx_bridge.agi.variables import call_request, channel_variables, queue_variables
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.closures import NO_CLOSURES, Closures
from pbx_bridge.core.decision_memo import DecisionMemo
from pbx_bridge.core.routing import Decision

log = structlog.get_logger("pbx_bridge.route")

DecisionObserver = Callable[[Decision, float], None]
# Takes a decision_event once Asterisk has the decision (the call tracker's, when AMI is on).
DecisionSink = Callable[[dict[str, str]], None]


class RouteHandler:
    def __init__(
        self,
        current_config: Callable[[], BridgeConfig],
        clock: Callable[[], datetime],
        observe: DecisionObserver | None = None,
        on_decided: DecisionSink | None = None,
        closures: Callable[[], Closures] = lambda: NO_CLOSURES,
    ) -> None:
        self._current_config = current_config
        self._closures = closures
        self._clock = clock
        self._observe = observe or (lambda _d, _s: None)
        self._on_decided = on_decided
        self._writer = DecisionWriter()
        self._decisions = DecisionMemo()

    async def __call__(self, env: dict[str, str], channel: AgiChannel) -> None:
        started = time.perf_counter()
        # One snapshot: a reload during this call does not change its decision.
        config = self._current_config()
        request = call_request(env, env.get("agi_arg_1"))
        decision = self._decisions.decide(
            config.directory, request, self._clock(), self._closures()
        )
        self._observe(decision, time.perf_counter() - started)
        # Bound to this session's task: every later line of the call carries them too,
        # including the listener's own lines about a hangup or a protocol error.
        structlog.contextvars.bind_contextvars(
            uniqueid=env.get("agi_uniqueid"),
            linkedid=env.get("agi_linkedid") or env.get("agi_uniqueid"),
            tenant=decision.tenant,
        )
        pairs = channel_variables(
            decision,
            queue_timeout=config.queue_timeout,
            decided_by="daemon",
            generation=config.generation,
            extra=queue_variables(config.directory, decision, env, request, withheld=withheld(env)),
        )
        try:
            await self._writer.write(channel, pairs)  # and ends the session for Asterisk
            # Only a decision Asterisk took: a session cut before it leaves the call to the
            # dialplan's failsafe, whose own decision the VarSet events then carry.
            if self._on_decided is not None:
                self._on_decided(decision_event(env, request, pairs))
        finally:  # so this line is not on the caller's path
            log.info(
                "call_routed",
                action=str(decision.action),
                department=decision.department,
                reason=decision.reason,
                matched_by=str(decision.matched_by or ""),
                config=config.generation,
            )
