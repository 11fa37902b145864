"""Configuration files built to hang, exhaust or leak: each ends in a FILE:LINE error, fast."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from pbx_bridge.config import config_files
from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.config.loader import load_config
from pbx_bridge.config.yaml_lines import MAX_DEPTH, MAX_VALUES
from tests.unit.config.tree import (
    BILLION_LAUGHS,
    BRIDGE,
    GIFHORN,
    findings,
    findings_of,
    load_tree,
    write_tree,
)


def _quick(started: float) -> None:
    assert time.monotonic() - started < 5.0


def test_alias_bomb_is_refused_at_a_line_within_seconds(tmp_path: Path) -> None:
    started = time.monotonic()
    found = findings(tmp_path, {"gifhorn": GIFHORN, "bomb": BILLION_LAUGHS})
    _quick(started)
    assert found == [
        ("tenants/bomb.yaml", 6, f"more than {MAX_VALUES} values (aliases expanded)"),
    ]


def test_an_alias_inside_itself_is_an_error_not_a_recursion(tmp_path: Path) -> None:
    found = findings(tmp_path, {"gifhorn": GIFHORN, "cycle": "id: x\nx: &a [*a]\n"})
    assert found == [("tenants/cycle.yaml", 2, "an alias refers to a value that contains it")]


def test_aliases_within_the_limits_still_work(tmp_path: Path) -> None:
    tenant = GIFHORN.replace(
        'mon-fri: "07:00-18:00"', 'mon-fri: &day "07:00-18:00"\n      sat: *day'
    )
    config = load_tree(tmp_path, {"gifhorn": tenant})
    assert (
        config.directory.tenants[0].schedule.weekly[5]
        == config.directory.tenants[0].schedule.weekly[0]
    )


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_an_error_not_a_recursion(tmp_path: Path, style: str) -> None:
    depth = 3000 if style == "flow" else 1000  # block: 1,000 levels take half a megabyte
    if style == "flow":
        text = "id: x\nx: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "id: x\n" + "".join(f"{' ' * level}k{level}:\n" for level in range(depth))
    started = time.monotonic()
    found = findings(tmp_path, {"gifhorn": GIFHORN, "deep": text})
    _quick(started)
    assert len(found) == 1
    file, _line, message = found[0]
    assert file == "tenants/deep.yaml"
    assert "nesting" in message or f"deeper than {MAX_DEPTH}" in message


def test_a_control_character_is_reported_at_its_own_line(tmp_path: Path) -> None:
    tenant = GIFHORN.replace("Landkreis Gifhorn\n", "Landkreis\x07Gifhorn\n", 1)
    found = findings(tmp_path, {"gifhorn": tenant})
    assert found == [
        (
            "tenants/gifhorn.yaml",
            2,
            "YAML error: unacceptable character #x0007 (control characters are not allowed)",
        )
    ]


def test_a_symlink_out_of_the_config_folder_is_not_read_nor_echoed(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = outside / "shadow"
    secret.write_text("root:$y$j9T$secrethash:19000:0:99999:7:::\n")
    root = tmp_path / "config"
    root.mkdir()
    bridge = write_tree(root, {"gifhorn": GIFHORN})
    (root / "tenants" / "evil.yaml").symlink_to(secret)
    found = findings_of(bridge)
    assert found == [
        (
            "tenants/evil.yaml",
            1,
            "symlink to a file outside the configuration folder: not read",
        )
    ]
    assert "secrethash" not in repr(found)


def test_a_symlink_inside_the_config_folder_is_read(tmp_path: Path) -> None:
    bridge = write_tree(tmp_path, {})
    (tmp_path / "shared").mkdir()
    real = tmp_path / "shared" / "gifhorn.yaml"
    real.write_text(textwrap.dedent(GIFHORN))
    (tmp_path / "tenants" / "gifhorn.yaml").symlink_to(real)
    assert [t.id for t in load_config(bridge).directory.tenants] == ["gifhorn"]


def test_a_fifo_in_the_tenants_folder_does_not_hang_the_check(tmp_path: Path) -> None:
    bridge = write_tree(tmp_path, {"gifhorn": GIFHORN})
    os.mkfifo(tmp_path / "tenants" / "pipe.yaml")
    started = time.monotonic()
    found = findings_of(bridge)
    _quick(started)
    assert found == [("tenants/pipe.yaml", 1, "not a regular file: not read")]


def test_an_oversized_tenant_file_is_refused_unread(tmp_path: Path) -> None:
    big = "id: big\nnote: " + "x" * (config_files.MAX_FILE_BYTES + 1) + "\n"
    found = findings(tmp_path, {"gifhorn": GIFHORN, "big": big})
    assert found == [
        (
            "tenants/big.yaml",
            1,
            f"file larger than the limit of {config_files.MAX_FILE_BYTES} bytes",
        )
    ]


def test_all_files_together_are_bounded_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config_files, "MAX_TOTAL_BYTES", 600)
    meinersen = GIFHORN.replace("gifhorn", "meinersen").replace("05371 82-0", "05372 89-0")
    found = findings(tmp_path, {"gifhorn": GIFHORN, "meinersen": meinersen})
    assert found == [
        ("tenants/meinersen.yaml", 1, "configuration (all files together) larger than 600 bytes")
    ]


def test_too_many_tenant_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pbx_bridge.config import loader

    monkeypatch.setattr(loader, "MAX_TENANT_FILES", 2)
    found = findings(tmp_path, {"a": GIFHORN, "b": GIFHORN, "c": GIFHORN})
    assert found == [
        (
            "bridge.yaml",
            7,
            "3 tenant files in "
            + str(tmp_path / "tenants")
            + ": more than the limit of 2; none read",
        )
    ]


def test_a_tenant_file_that_is_not_utf8_is_reported_at_the_bad_line(tmp_path: Path) -> None:
    bridge = write_tree(tmp_path, {"gifhorn": GIFHORN})
    path = tmp_path / "tenants" / "gifhorn.yaml"
    path.write_bytes(
        path.read_bytes().replace(b"Landkreis Gifhorn\n", b"Landkreis G\xfcfhorn\n", 1)
    )
    assert findings_of(bridge) == [("tenants/gifhorn.yaml", 2, "not UTF-8 text (column 18)")]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://pbx:pw@db:notaport/calls", "database.url: the port is not a number"),
        ("postgresql+psycopg://pbx:pw@db:99999/calls", "database.url: port 99999 is out of range"),
        ("no url at all", "database.url is not a database URL (driver://user@host:port/name)"),
        ("oracle+nodriver://db/calls", "database.url: no driver for 'oracle+nodriver'"),
        ("postgresql+psycopg2://db/calls", "database.url: the driver 'psycopg2' is not installed"),
    ],
)
def test_a_malformed_database_url_is_reported_at_its_line(
    tmp_path: Path, url: str, message: str
) -> None:
    bridge = BRIDGE + f'    database:\n      url: "{url}"\n'
    assert findings(tmp_path, {"gifhorn": GIFHORN}, bridge) == [("bridge.yaml", 10, message)]


@pytest.mark.parametrize("listen", ["exa mple:4573", "127.0.0.1:٤٥٧٣", "-bad-:4573"])
def test_a_listen_host_that_is_no_host_is_reported(tmp_path: Path, listen: str) -> None:
    bridge = BRIDGE + f'    agi:\n      listen: "{listen}"\n'
    assert findings(tmp_path, {"gifhorn": GIFHORN}, bridge) == [
        ("bridge.yaml", 10, f"agi.listen {listen!r} is not HOST:PORT")
    ]


def test_an_error_quoting_a_huge_value_is_cut_when_printed(tmp_path: Path) -> None:
    bridge = BRIDGE.replace("timezone: Europe/Berlin", "timezone: " + "x" * 100_000)
    with pytest.raises(ConfigInvalidError) as caught:
        load_config(write_tree(tmp_path, {"gifhorn": GIFHORN}, bridge))
    (issue,) = caught.value.issues
    assert issue.line == 3
    assert len(str(issue)) < len(str(tmp_path)) + 400
