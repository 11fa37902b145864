"""A synthetic call log with Gifhorn's published 2019 figures (domain.md) and some noise."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from tests.load.generate_calls import TenantMix, generate

ORDNUNG = "Ordnung, Verkehr und Veterinärwesen"
KFZ = "Kfz-Zulassung"

# Published: 35,559 calls from April to December 2019; 19,057 for public order, 9,323 for
# vehicle registration; 58 % resolved, about 15 % transferred, about 15 % callback tickets.
GIFHORN_2019 = TenantMix(
    "gifhorn",
    {ORDNUNG: 19_057, KFZ: 9_323, "Zentrale": 5_000, "Bauaufsicht": 1_179, "Soziales": 1_000},
)


def fill_gifhorn_2019(engine: Engine) -> None:
    generate(engine, [GIFHORN_2019], date(2019, 4, 1), date(2019, 12, 31), seed=2019)
    # Calls that must not count: another tenant in the same months, Gifhorn outside them.
    generate(
        engine,
        [TenantMix("meinersen", {"Zentrale": 3_000})],
        date(2019, 4, 1),
        date(2019, 12, 31),
        seed=1,
    )
    generate(
        engine, [TenantMix("gifhorn", {KFZ: 500})], date(2019, 3, 1), date(2019, 3, 31), seed=3
    )
    generate(
        engine, [TenantMix("gifhorn", {KFZ: 400})], date(2020, 1, 1), date(2020, 1, 31), seed=4
    )
