"""A secret file is used only when its owner alone can read it and it holds UTF-8 text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbx_bridge.reporting.smtp_sender import SmtpSendError, read_password
from pbx_bridge.secret_file import SecretFileError, read_secret_file


def secret(tmp_path: Path, content: bytes, mode: int = 0o600) -> Path:
    path = tmp_path / "secret"
    path.write_bytes(content)
    path.chmod(mode)
    return path


def test_the_text_is_read_without_surrounding_whitespace(tmp_path: Path) -> None:
    assert read_secret_file(secret(tmp_path, b"  geheim\n"), "AMI secret file") == "geheim"


@pytest.mark.parametrize(
    ("content", "mode", "problem"),
    [
        (b"geheim", 0o640, "is readable by others (mode 640); run: chmod 600 "),
        (b"geheim", 0o604, "is readable by others (mode 604); run: chmod 600 "),
        (b" \n", 0o600, "is empty"),
        (b"geh\xe9im", 0o600, "is not UTF-8 text"),
    ],
)
def test_an_unusable_file_is_named_and_its_content_is_not(
    tmp_path: Path, content: bytes, mode: int, problem: str
) -> None:
    path = secret(tmp_path, content, mode)
    with pytest.raises(SecretFileError) as caught:
        read_secret_file(path, "AMI secret file")
    assert str(caught.value).startswith(f"AMI secret file {path}")
    assert problem in str(caught.value)
    assert "geh" not in str(caught.value).replace(str(path), "")


def test_a_missing_file_says_why(tmp_path: Path) -> None:
    with pytest.raises(SecretFileError, match=r"cannot read AMI secret file .*: No such file"):
        read_secret_file(tmp_path / "nowhere", "AMI secret file")


def test_the_smtp_password_reader_reports_a_bad_file_as_a_send_error(tmp_path: Path) -> None:
    with pytest.raises(SmtpSendError, match=r"^SMTP password file .* is not UTF-8 text$"):
        read_password(secret(tmp_path, b"\xff\xfe"))
