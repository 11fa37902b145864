"""How Asterisk 22 reads the AGI commands the daemon sends, modelled on its C sources (22.10.1).

`agi_words` follows res/res_agi.c parse_args; `app_args` follows main/app.c
__ast_app_separate_args with remove_chars=1 (AST_STANDARD_APP_ARGS and
AST_NONSTANDARD_APP_ARGS); `mset` follows main/pbx_variables.c pbx_builtin_setvar_multiple.
The scripted peer reads the daemon's commands with them, and tests/integration/test_agi_mset.py
checks the same values against the real Asterisk.
"""

from __future__ import annotations

MSET_MAX_ARGS = 99  # AST_APP_ARG(pair)[99]


def agi_words(line: str) -> list[str]:
    """The words res_agi's parse_args makes of one command line."""
    words: list[str] = []
    quoted = escaped = False
    between = True  # on whitespace: the next character starts a word
    for char in line:
        if char == '"' and not escaped:
            quoted = not quoted
            if quoted and between:  # an opening quote after whitespace starts a word
                words.append("")
                between = False
            continue
        if char in " \t" and not quoted and not escaped:
            between = True
            continue
        if char == "\\" and not escaped:
            escaped = True
            continue
        if between:
            words.append("")
            between = False
        words[-1] += char
        escaped = False
    return words


def app_args(data: str, delim: str, limit: int) -> list[str]:
    """The arguments an application's argument parser makes of `data` (at most `limit`; the
    last one then holds the rest, unparsed)."""
    args: list[str] = []
    paren = bracket = 0
    quoted = ended_on_delim = False
    i = 0
    # The counters run over the whole string, across arguments, as in the C code.
    while i < len(data) and len(args) < limit - 1:
        current: list[str] = []
        ended_on_delim = False
        while i < len(data):
            char = data[i]
            i += 1
            if char == "(":
                paren += 1
            elif char == ")":
                paren = max(0, paren - 1)
            elif char == "[":
                bracket += 1
            elif char == "]":
                bracket = max(0, bracket - 1)
            elif char == '"' and delim != '"':
                quoted = not quoted
                continue  # removed
            elif char == "\\":
                if i < len(data):  # removed; the next character is taken as it is
                    current.append(data[i])
                    i += 1
                continue
            elif char == delim and not (paren or quoted or bracket):
                ended_on_delim = True
                break
            current.append(char)
        args.append("".join(current))
    if i < len(data) or ended_on_delim:
        args.append(data[i:])
    return args


def mset(data: str) -> list[tuple[str, str]]:
    """The name/value pairs MSet sets, in order, for its argument `data`."""
    pairs = []
    for pair in app_args(data, ",", MSET_MAX_ARGS):
        parts = app_args(pair, "=", 2)
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def variables_set(command: str) -> list[tuple[str, str]]:
    """What one AGI command sets on the channel (SET VARIABLE or EXEC MSet), in order."""
    words = agi_words(command)
    if len(words) == 4 and [w.upper() for w in words[:2]] == ["SET", "VARIABLE"]:
        return [(words[2], words[3])]
    if len(words) >= 3 and words[0].upper() == "EXEC" and words[1].lower() == "mset":
        return mset(words[2])  # handle_exec passes the third word only
    return []
