import os

import pytest

from pbx_bridge.sounds.render import ToolMissingError, Tools, find_tools


@pytest.fixture(scope="session")
def tools() -> Tools:
    """The real espeak-ng and sox; required in CI, skipped on a workstation without them."""
    try:
        return find_tools()
    except ToolMissingError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exc} (tests/testbed/provision installs them)")
        pytest.skip(str(exc))
