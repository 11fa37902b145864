"""`pbx-bridge-fallback-agi`: the failsafe Asterisk runs as a process AGI when the daemon is down.

It takes the same decision from the same YAML files and closures file with pyst2 (one
Python start per call, so it is for emergencies, not for every call). Whatever goes wrong, it
exits 0 without setting PBXB_ACTION, and the dialplan takes its generic path.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pbx_bridge.agi.decision_event import withheld
from pbx_bridge.agi.quoting import quote
from pbx_bridge.agi.supervisor_fallback import is_supervisor_call, run_supervisor
from pbx_bridge.agi.variables import call_request, channel_variables, queue_variables
from pbx_bridge.closures.store import ClosuresUnreadableError, read_closures
from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.config.loader import DEFAULT_CONFIG, load_config
from pbx_bridge.core.closures import NO_CLOSURES, Closures
from pbx_bridge.core.routing import decide


def _escaped(value: str) -> str:
    # pyst2 wraps values in quotes without escaping what is inside them.
    return quote(value)[1:-1]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    config_path = Path(args[0]) if args and args[0] else DEFAULT_CONFIG
    redirecting = args[1] if len(args) > 1 else None
    from asterisk.agi import AGI, AGIException  # noqa: PLC0415 - keep `--help`-free import cheap

    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", write_through=True)
    with open(os.devnull, "w") as devnull:
        try:
            agi = AGI(stdin=stdin, stdout=stdout, stderr=devnull)
        except Exception:
            return 0
        try:
            config = load_config(config_path)
        except (ConfigInvalidError, OSError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            _say(agi, f"pbx-bridge fallback: configuration unusable ({first}); generic path")
            return 0
        if is_supervisor_call(agi.env, redirecting):
            try:
                run_supervisor(agi, config)
            except Exception as exc:
                _say(agi, f"pbx-bridge fallback supervisor failed: {type(exc).__name__}")
            return 0
        try:
            request = call_request(agi.env, redirecting)
            decision = decide(
                config.directory,
                request,
                datetime.now(config.directory.center.timezone),
                _closures(agi, config.state_dir),
            )
            pairs = channel_variables(
                decision,
                queue_timeout=config.queue_timeout,
                decided_by="fallback",
                generation=config.generation,
                extra=queue_variables(
                    config.directory, decision, agi.env, request, withheld=withheld(agi.env)
                ),
            )
            for name, value in pairs:
                agi.set_variable(name, _escaped(value))
            _say(agi, f"pbx-bridge fallback: {decision.action} {decision.tenant or '-'}")
        except AGIException:
            return 0  # caller hung up
        except Exception as exc:
            _say(agi, f"pbx-bridge fallback failed: {type(exc).__name__}: {exc}")
    return 0


def _closures(agi: object, state_dir: Path) -> Closures:
    """The closures the daemon would see (one small file); unreadable ones are ignored, so
    the caller gets the schedule's decision rather than the generic path."""
    try:
        return read_closures(state_dir)
    except ClosuresUnreadableError as exc:
        _say(agi, f"pbx-bridge fallback: closures ignored ({exc})")
        return NO_CLOSURES


def _say(agi: object, message: str) -> None:
    # A verbose line is never worth failing the call for.
    with contextlib.suppress(Exception):
        agi.verbose(_escaped(message), 1)  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
