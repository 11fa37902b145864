"""Write small configuration trees from YAML text, and read back what the loader says about them.

Tests pass the YAML they are about as literal text, so the line numbers they assert can be
counted in the test itself (the text is dedented; its first line is line 1). A tenant file's
usual first seven lines come from `tenant()`, whose docstring numbers them; the test writes
what follows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.config.loader import BridgeConfig, load_config

Finding = tuple[str, int, str]  # file relative to the tree, line, message

BRIDGE = """\
    service_center:
      name: Service Center Wolfsburg
      timezone: Europe/Berlin
      country: DE
      queue: servicecenter
      unrouted_greeting: servicecenter
    tenants_dir: tenants
    sounds_dir: sounds
"""

GIFHORN = """\
    id: gifhorn
    name: Landkreis Gifhorn
    greeting: gifhorn
    greeting_text: "Service Center Landkreis Gifhorn, guten Tag."
    holidays: NI
    numbers:
      - {number: "05371 82-0", department: Zentrale}
    hours:
      mon-fri: "07:00-18:00"
"""

# id -> (name, holidays, first number) of the tenants `tenant()` writes without being told.
KNOWN_TENANTS = {
    "gifhorn": ("Landkreis Gifhorn", "NI", "05371 82-0"),
    "meinersen": ("Samtgemeinde Meinersen", "NI", "05372 89-0"),
    "wolfsburg": ("Stadt Wolfsburg", "NI", "05361 0999-0"),
    "geseke": ("Stadt Geseke", "NW", "02942 500-0"),
}


def tenant(
    tenant_id: str = "gifhorn",
    *,
    holidays: str | None = None,
    numbers: Sequence[str] | None = None,
    then: str = "",
) -> str:
    """A tenant file that starts with the same lines every time, so a test counts from them:

        1  id: <tenant_id>
        2  name: <name>               (KNOWN_TENANTS, else "Gemeinde <tenant_id>")
        3  greeting: <tenant_id>
        4  greeting_text: "Guten Tag."
        5  holidays: <holidays>       (KNOWN_TENANTS, else NI)
        6  numbers:                   ("numbers: []" when `numbers` is empty)
        7  - {number: "<first>"}      (KNOWN_TENANTS' number unless `numbers` is given)
           - {number: "<next>"}       (one line more for each further number)

    `then`, dedented, follows on the next line (line 8 with one number).
    """
    name, known_holidays, number = KNOWN_TENANTS.get(tenant_id, (f"Gemeinde {tenant_id}", "NI", ""))
    listed = (number,) if numbers is None else tuple(numbers)
    lines = [
        f"id: {tenant_id}",
        f"name: {name}",
        f"greeting: {tenant_id}",
        'greeting_text: "Guten Tag."',
        f"holidays: {holidays or known_holidays}",
        "numbers:" if listed else "numbers: []",
        *(f'  - {{number: "{n}"}}' for n in listed),
    ]
    return "\n".join(lines) + "\n" + textwrap.dedent(then)


def write_tree(root: Path, tenants: Mapping[str, str], bridge: str = BRIDGE) -> Path:
    """bridge.yaml plus tenants/<name>.yaml for each entry; returns the bridge.yaml path."""
    path = root / "bridge.yaml"
    path.write_text(textwrap.dedent(bridge), encoding="utf-8")
    (root / "tenants").mkdir(exist_ok=True)
    for name, text in tenants.items():
        (root / "tenants" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_tree(root: Path, tenants: Mapping[str, str], bridge: str = BRIDGE) -> BridgeConfig:
    return load_config(write_tree(root, tenants, bridge))


def findings_of(bridge_file: Path) -> list[Finding]:
    """Every issue the loader raises for this bridge.yaml, in the order it reports them."""
    root = bridge_file.parent
    with pytest.raises(ConfigInvalidError) as caught:
        load_config(bridge_file)
    return [(i.file.relative_to(root).as_posix(), i.line, i.message) for i in caught.value.issues]


def findings(root: Path, tenants: Mapping[str, str], bridge: str = BRIDGE) -> list[Finding]:
    return findings_of(write_tree(root, tenants, bridge))


def single_finding(root: Path, tenants: Mapping[str, str], bridge: str = BRIDGE) -> Finding:
    found = findings(root, tenants, bridge)
    assert len(found) == 1, found
    return found[0]


# 9^9 values from nine lines of aliases: a reader that expands them without limit never ends.
BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
