"""The README documents every command, and every command's --help is in Chinese and carries an
example."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_is_documented_in_readme(command: str) -> None:
    assert f"certreg {command}" in README


CLICK_ENGLISH = ("Usage:", "Options:", "Show this message", "[default:", "[OPTIONS]", "Example")


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_help_is_chinese_with_an_example(command: str | None) -> None:
    result = CliRunner().invoke(cli, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0
    assert result.output.startswith("用法：")
    assert not [text for text in CLICK_ENGLISH if text in result.output]
    if command:
        assert "示例：" in result.output and f"certreg {command}" in result.output
        [description] = [line for line in result.output.splitlines()[2:3]]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in description), description
