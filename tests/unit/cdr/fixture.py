"""The recorded CDR of the testbed's traffic mix (tests/fixtures/cdr/mix.csv) and what each of
its calls was: the scenarios of tests/testbed/record_ami.py, callers 0999555000NN in order."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pbx_bridge.cdr.csv_source import CsvSource
from pbx_bridge.cdr.settings import CUSTOM_COLUMNS
from pbx_bridge.core.cdr_outcomes import CdrRow

MIX = Path(__file__).resolve().parents[2] / "fixtures" / "cdr" / "mix.csv"
BERLIN = ZoneInfo("Europe/Berlin")
DAY = "2026-12-03"  # the local day every call of the mix started on
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))

# caller (last two digits) -> (tenant, outcome, detail) as the call tracker records it
EXPECTED = {
    "01": ("gifhorn", "resolved", None),
    "02": ("gifhorn", "resolved", None),
    "03": ("isenbuettel", "transferred", "clerk-1"),
    "04": ("gifhorn", "resolved", None),  # then *81 by the agent: a wrap-up, not a CDR matter
    "05": ("gifhorn", "abandoned", None),
    "06": ("gifhorn", "overflow", "timeout"),
    "07": ("wardenburg", "closed", "hours"),
    "08": ("geseke", "closed", "hours; forwarded to 029420999100"),
    "09": (None, "unrouted", "answered; no tenant claims 09991234567"),
    "10": ("meinersen", "resolved", None),  # forwarded with a Diversion header
    "11": ("gifhorn", "resolved", None),  # withheld number
    "12": ("gifhorn", "resolved", None),  # decided by the fallback AGI
    "13": ("gifhorn", "resolved", None),
    "14": ("gifhorn", "resolved", None),
    "15": ("isenbuettel", "transferred", "clerk-1"),
    "16": ("wardenburg", "closed", "hours"),
    "17": ("meinersen", "abandoned", "before the queue"),
}


def mix_rows() -> list[CdrRow]:
    return list(CsvSource(MIX, CUSTOM_COLUMNS, BERLIN).rows(*EVER))
