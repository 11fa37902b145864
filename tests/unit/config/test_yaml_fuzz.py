"""Any text at all: the YAML reader answers with data or problems at lines, never raises."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbx_bridge.config.yaml_lines import load_yaml

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


@settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(_YAML_TEXT)
def test_any_text_gives_data_or_problems_at_real_lines(text: str) -> None:
    started = time.monotonic()
    loaded = load_yaml(text)
    assert time.monotonic() - started < 1.0
    last_line = max(1, len(text.splitlines()) + 1)  # YAML breaks lines at CR too
    for problem in loaded.problems:
        assert 1 <= problem.line <= last_line
        assert "\n" not in problem.message
