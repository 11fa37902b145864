"""The daemon raises its open-files limit: 1,000 idle FastAGI peers must not starve accept()."""

from __future__ import annotations

import resource

import pytest

from pbx_bridge import daemon
from pbx_bridge.agi.server import UNHEARD_PER_SESSION


def _limits(monkeypatch: pytest.MonkeyPatch, soft: int, hard: int) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (soft, hard))
    monkeypatch.setattr(resource, "setrlimit", lambda _which, pair: calls.append(pair))
    return calls


def test_raises_a_low_soft_limit_to_what_the_sessions_need(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _limits(monkeypatch, 1024, 524288)
    daemon.raise_open_files_limit(1000)
    needed = (1 + UNHEARD_PER_SESSION) * 1000 + daemon.OTHER_FILES
    assert calls == [(needed, 524288)]


def test_never_beyond_the_hard_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _limits(monkeypatch, 1024, 4096)
    daemon.raise_open_files_limit(1000)
    assert calls == [(4096, 4096)]


def test_leaves_a_sufficient_limit_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _limits(monkeypatch, 65536, 65536)
    daemon.raise_open_files_limit(1000)
    assert calls == []
    calls = _limits(monkeypatch, resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    daemon.raise_open_files_limit(1000)
    assert calls == []
