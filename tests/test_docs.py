"""The README documents every command, and every command's --help is in Chinese and carries an
example."""

from __future__ import annotations

import re
from pathlib import Path
from unicodedata import east_asian_width

import click
import pytest
from click.testing import CliRunner

from registry.cli import cli
from registry.cli.base import COMMANDS
from registry.sync.manifest import load_manifest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_is_documented_in_readme(command: str) -> None:
    assert f"certreg {command}" in README


CLICK_ENGLISH = ("Usage:", "Options:", "Show this message", "[default:", "[OPTIONS]", "Example")
METAVARS = (" TEXT", " INTEGER", " FLOAT", " RANGE", " REPLICA")
"""click's own placeholders of an option's or argument's value"""


@pytest.mark.parametrize("command", [None, *sorted(COMMANDS)])
def test_help_is_chinese_with_an_example(command: str | None) -> None:
    result = CliRunner().invoke(cli, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0
    assert result.output.startswith("用法：")
    assert not [text for text in (*CLICK_ENGLISH, *METAVARS) if text in result.output]
    if command:
        assert "示例：" in result.output and f"certreg {command}" in result.output
        [description] = [line for line in result.output.splitlines()[2:3]]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in description), description


def test_the_manifest_example_in_sync_help_is_a_manifest(tmp_path: Path) -> None:
    """Clerks write registers.toml from `certreg sync --help` (errors point there): its example
    is read as the entry it describes."""
    output = CliRunner().invoke(cli, ["sync", "--help"]).output
    lines = output.splitlines()
    start = lines.index("      [[register]]")
    example = "\n".join(line.strip() for line in lines[start : lines.index("", start)])
    (tmp_path / "registers.toml").write_text(example, encoding="utf-8")
    [entry] = load_manifest(tmp_path).entries
    assert (entry.key, entry.kind, entry.authority, entry.approval_doc) == (
        "2012-绵阳-审批名册.xlsx",
        "approval-roster",
        "2202",
        "绵人社函〔2012〕8号",
    )
    assert (str(entry.issued_on), entry.year_code) == ("2012-03-20", "11")


def _columns(line: str) -> int:
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("command", ["verify", "sync", "number", "stock", "keys"])
def test_help_fits_an_80_column_terminal_as_chinese_takes_it(command: str) -> None:
    """Click counted characters, not screen columns: a Chinese character takes two, so help
    text ran past the edge and broke mid-line, and the option column sat off by a column or two
    after a Chinese placeholder (--db 文件). Shell examples are kept as written."""
    output = CliRunner(env={"COLUMNS": "80"}).invoke(cli, [command, "--help"]).output
    lines = output.splitlines()
    assert [line for line in lines if _columns(line) > 80] == []
    options = lines[lines.index("选项：") + 1 :]
    starts = {  # where each option's description starts, in screen columns
        _columns(line[: match.end()])
        for line in options
        if (match := re.match(r"  (-\S.*?)  +(?=\S)", line)) and _columns(match[1]) < 28
    }
    assert len(starts) == 1, starts


def _command(name: str) -> click.Command:
    """The command ``name``, imported: the group loads its commands when one is asked for."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, name
    return command


def _helps(command: click.Command) -> list[str]:
    return [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]


@pytest.mark.parametrize("command", [None, *sorted(COMMANDS)])
def test_help_breaks_lines_between_chinese_characters_not_inside_words(
    command: str | None,
) -> None:
    """Textwrap breaks only at spaces, so a sentence of Chinese was one long word cut at the
    terminal's edge wherever it fell: 川人社函〔2012〕38 / 9号, replica / -a, verify_ / log.db."""
    output = (
        CliRunner(env={"COLUMNS": "80"})
        .invoke(cli, [command, "--help"] if command else ["--help"])
        .output
    )
    wrapped = [line for line in output.splitlines() if not re.match(r" {6}\S", line)]
    assert [line for line in wrapped if _columns(line) > 80] == []  # examples kept as written
    words = {
        w
        for h in _helps(_command(command) if command else cli)
        for w in re.findall(r"[\w.-]*[A-Za-z0-9][\w.-]*", h, re.ASCII)
    }
    assert words and [w for w in sorted(words) if w not in output] == []
    if command == "sync":  # a quoted file name is one piece, its Chinese too
        assert '"本地工种.csv"' in output


def test_the_list_of_commands_gives_each_its_first_sentence_on_one_row() -> None:
    """Click ends a short help at an English full stop and counts characters: Chinese first
    lines were cut after a dozen characters (删除查验日志（登记库旁的...) or ran onto two rows."""
    output = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["--help"]).output
    rows = output.splitlines()[output.splitlines().index("命令：") + 1 :]
    assert [row.split()[0] for row in rows if row.strip()] == sorted(COMMANDS)
    assert "  keys          HR 系统的接口密钥：发放、查看、吊销" in rows
    assert all(_columns(row) <= 80 for row in rows)
