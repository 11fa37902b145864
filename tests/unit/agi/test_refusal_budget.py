"""Refused FastAGI connections write a bounded number of log lines; the counter stays exact."""

from __future__ import annotations

from pbx_bridge.agi.refusals import RefusalBudget


def test_the_first_refusals_of_a_reason_are_logged_in_full_the_rest_counted() -> None:
    budget = RefusalBudget(interval=60.0, full_lines=2)
    admitted = [budget.admit("protocol", now=float(n)) for n in range(5)]
    assert admitted == [True, True, False, False, False]
    assert budget.admit("unknown_script", now=5.0)  # each reason has its own lines


def test_one_summary_per_reason_ends_the_interval_and_a_new_one_begins() -> None:
    budget = RefusalBudget(interval=60.0, full_lines=1)
    for n in range(4):
        budget.admit("protocol", now=float(n))
    budget.admit("crowded", now=10.0)
    budget.admit("crowded", now=11.0)
    assert budget.summaries(now=59.9) == []
    assert budget.summaries(now=60.0) == [("crowded", 1), ("protocol", 3)]
    assert budget.summaries(now=200.0) == []
    assert budget.admit("protocol", now=200.0)  # a new interval: logged in full again


def test_an_interval_with_every_refusal_logged_needs_no_summary() -> None:
    budget = RefusalBudget(interval=60.0, full_lines=5)
    budget.admit("peer", now=0.0)
    assert budget.summaries(now=61.0) == []
