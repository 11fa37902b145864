"""Write small configuration trees from YAML text, and read back what the loader says about them.

Tests pass the YAML they are about as literal text, so the line numbers they assert can be
counted in the test itself (the text is dedented; its first line is line 1).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
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
