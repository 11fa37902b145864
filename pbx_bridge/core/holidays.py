"""Public holidays of a German state, from the `holidays` package, named in German."""

from __future__ import annotations

from datetime import date

import holidays as holidays_lib

COUNTRY = "DE"


def state_codes() -> tuple[str, ...]:
    """Subdivision codes the `holidays` package knows for Germany (NI, NW, BY, …)."""
    return tuple(str(code) for code in holidays_lib.list_supported_countries()[COUNTRY])


class StateHolidays:
    """Holiday calendar of one German state; years are computed on first use and kept."""

    def __init__(self, state: str) -> None:
        if state not in state_codes():
            raise ValueError(f"unknown German state code {state!r}")
        self.state = state
        self._years: dict[int, dict[date, str]] = {}

    def holiday_name(self, day: date) -> str | None:
        year = self._years.get(day.year)
        if year is None:
            calendar = holidays_lib.country_holidays(
                COUNTRY, subdiv=self.state, years=day.year, language="de"
            )
            year = {d: str(name) for d, name in calendar.items()}
            self._years[day.year] = year
        return year.get(day)
