"""Start-up objects are kept out of later garbage collections (see fault scenario 6)."""

from __future__ import annotations

import gc

from pbx_bridge.daemon import freeze_start_up_objects


def test_what_start_up_made_is_frozen_out_of_later_collections() -> None:
    kept = {"configuration": ["as", "loaded"]}
    try:
        freeze_start_up_objects()
        assert gc.get_freeze_count() > 0
        assert not any(kept is o for o in gc.get_objects())  # no collection walks it again
    finally:
        gc.unfreeze()
