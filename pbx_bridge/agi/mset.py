"""Many channel variables in one AGI command: `EXEC MSet "NAME1=value1,NAME2=value2,..."`.

One round trip instead of one per variable. Two parsers of Asterisk read the line; what each
does was read in the Asterisk 22.10.1 sources, and every value is escaped for both:

1. res_agi.c `parse_args` splits the line into words. Inside double quotes a space is
   literal and a backslash makes the next character literal: `quote()` covers this layer.
2. `handle_exec` hands the third word to MSet unchanged, except on a channel with AGIEXECFULL
   set: then `${...}` and `$[...]` in it are substituted first (only where `{` or `[` follows
   the `$` directly). MSet (`pbx_builtin_setvar_multiple`, main/pbx_variables.c) splits it at
   commas with AST_STANDARD_APP_ARGS (`__ast_app_separate_args` in main/app.c, removing
   characters): a comma inside (), [] or "" does not separate, and these counters run over
   the whole string, so one unbalanced `(` in a value would swallow every pair after it;
   `"` is removed; a backslash is removed and the character after it is taken literally.
   Each pair is then split at its first `=`; the value part is not scanned again.

So every value character either parser reads as syntax gets a backslash: `\\ " , ( ) [ ] { }`.
A backslash before `{` and `[` also keeps `${` and `$[` from being substituted under
AGIEXECFULL (the substitution sees `$\\{`, which is no variable); MSet then drops it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import structlog

from pbx_bridge.agi.protocol import AgiChannel, AgiHangupError, AgiReply
from pbx_bridge.agi.quoting import quote

log = structlog.get_logger("pbx_bridge.agi")

# Asterisk reads a command into 8,192 bytes (AGI_BUF_LEN); a longer line would be cut into two
# commands. Far below that, and far above the ~400 bytes a decision takes.
MAX_LINE_BYTES = 4000
# MSet parses at most 99 arguments; from the 99th on, the rest would be one unsplit value.
MAX_PAIRS = 98
# Our own names only: plain variables and a function such as CHANNEL(accountcode).
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\([a-z0-9_]+\))?$")
_ESCAPED = str.maketrans({char: "\\" + char for char in '\\",()[]{}'})


def escape_value(value: str) -> str:
    """`value` as MSet's argument parser must receive it to set exactly `value`."""
    return value.translate(_ESCAPED)


def mset_command(pairs: Sequence[tuple[str, str]]) -> str | None:
    """The one AGI command that sets `pairs` in their order, or None when it cannot carry
    them safely (then set them one by one): an unexpected name, a NUL character (C strings
    end there), too many pairs or too long a line."""
    return _command(tuple(pairs))


# Calls to one number in one state of its schedule get the same variables, so the same line.
# Figure: without it, +15.8 % instructions per FastAGI session on the closed path (its long
# announcement text), none on the open one (benchmarks/agi_instructions.py; decision 0011).
@functools.lru_cache(maxsize=256)
def _command(pairs: tuple[tuple[str, str], ...]) -> str | None:
    if not pairs or len(pairs) > MAX_PAIRS:
        return None
    for name, value in pairs:
        if not _NAME.match(name) or "\0" in value:
            return None
    argument = ",".join(f"{name}={escape_value(value)}" for name, value in pairs)
    command = f"EXEC MSet {quote(argument)}"
    if len(command.encode("utf-8")) > MAX_LINE_BYTES:
        return None
    return command


class DecisionWriter:
    """Sets a decision's variables and ends the AGI session.

    Once Asterisk has run one of our MSets, later ones go out with the end of the session
    (FIN) right behind them: Asterisk runs the command and finds the end at once, instead of
    waiting for the daemon to read its reply and close, two wake-ups fewer on every call's
    path. Should such an MSet be refused after all, PBXB_ACTION stays empty, the dialplan's
    failsafe decides that call, and the next call waits for the reply again.
    """

    def __init__(self) -> None:
        self.mset_runs = False

    async def write(self, channel: AgiChannel, pairs: Sequence[tuple[str, str]]) -> None:
        command = mset_command(pairs)
        if command is not None and self.mset_runs:
            self.mset_runs = _ran(channel, await channel.command(command, last=True))
            return
        ran = await _set(channel, pairs, command)
        if command is not None:  # a decision too long for one MSet proves nothing either way
            self.mset_runs = ran
        channel.end()


async def _set(channel: AgiChannel, pairs: Sequence[tuple[str, str]], command: str | None) -> bool:
    """Set `pairs` on the channel in their order: with `command`, one MSet, when it can carry
    them (None: too long for one), else (or when Asterisk does not run it) with one SET
    VARIABLE each. True when MSet did it.

    MSet sets the pairs one after the other within one command, so the last one (PBXB_ACTION)
    is still set only when all before it are.
    """
    if command is not None and _ran(channel, await channel.command(command)):
        return True
    for name, value in pairs:
        await channel.set_variable(name, value)
    return False


def _ran(channel: AgiChannel, reply: AgiReply) -> bool:
    """Whether Asterisk ran the MSet; a refusal is logged, a hangup raised."""
    # Asterisk answers `200 result=0` (MSet's return value); -2: no such application.
    if reply.code == 200 and reply.result == "0":
        return True
    if channel.hung_up:
        raise AgiHangupError("hung up during MSet")
    log.warning("agi_mset_refused", code=reply.code, result=reply.result, data=reply.data)
    return False
