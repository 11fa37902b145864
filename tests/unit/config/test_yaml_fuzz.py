"""Any text at all: the YAML reader answers with data or problems at lines, never raises."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.config.loader import load_config
from pbx_bridge.config.yaml_lines import load_yaml
from tests.unit.config.tree import BRIDGE, GIFHORN, write_tree

# Characters YAML gives meaning to, so the generated text reaches the parser's corners.
_YAML_ALPHABET = st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`,? \n\t\r\x00\x07\x1b\u2028\ufeff"))
_YAML_TEXT = st.one_of(
    st.text(_YAML_ALPHABET, max_size=300),
    st.text(max_size=300),
    st.lists(
        st.sampled_from(["a: &x [1, 2]", "b: *x", "c: [*x, *x, *x]", "  - d", "e: {f: g}", "- *x"]),
        max_size=20,
    ).map("\n".join),
)


@settings(max_examples=150, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(_YAML_TEXT)
def test_any_text_gives_data_or_problems_at_real_lines(text: str) -> None:
    started = time.monotonic()
    loaded = load_yaml(text)
    assert time.monotonic() - started < 3.0
    last_line = max(1, len(text.splitlines()) + 1)  # YAML breaks lines at CR too
    for problem in loaded.problems:
        assert 1 <= problem.line <= last_line
        assert "\n" not in problem.message


# Every scalar of a complete configuration, replaced by something hostile one at a time.
_FIELDS = [
    ("bridge", "Service Center Wolfsburg"),
    ("bridge", "Europe/Berlin"),
    ("bridge", "country: DE"),
    ("bridge", "servicecenter"),
    ("bridge", "tenants_dir: tenants"),
    ("tenant", "gifhorn"),
    ("tenant", "Landkreis Gifhorn"),
    ("tenant", "NI"),
    ("tenant", "05371 82-0"),
    ("tenant", "Zentrale"),
    ("tenant", "07:00-18:00"),
    ("tenant", "mon-fri"),
]
_HOSTILE = st.one_of(
    st.sampled_from(["", "~", "[]", "{}", "*x", "&x", "!!python/object:os.system", "x" * 5000]),
    st.text(max_size=40),
)


@settings(max_examples=120, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_FIELDS), _HOSTILE)
def test_any_value_anywhere_loads_or_is_a_config_error(field: tuple[str, str], value: str) -> None:
    which, original = field
    bridge = BRIDGE.replace(original, value, 1) if which == "bridge" else BRIDGE
    tenant = GIFHORN.replace(original, value, 1) if which == "tenant" else GIFHORN
    with tempfile.TemporaryDirectory() as root:
        try:
            load_config(write_tree(Path(root), {"gifhorn": tenant}, bridge))
        except ConfigInvalidError as exc:
            assert all(issue.line >= 1 for issue in exc.issues)
