"""Click's own messages in Chinese: a mistyped option, a missing argument, a path that is not there.

Click words these through `gettext` (``_("No such option {name!r}.")``) and formats them after,
so a catalogue of its message ids is all a translation needs. Click ships no Chinese catalogue
and a compiled ``.mo`` file would be one more build step, so the catalogue is this table,
installed in the modules that raise the messages. A message not in it stays as click words it.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any
from unicodedata import east_asian_width

import click._textwrap
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

MESSAGES = {
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 {command} {option} 查看用法和示例。",
    "Invalid value for {param_hint}: {message}": "{param_hint}的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such command {name!r}.": "没有命令 {name}。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value} is not in the range {range}.": "{value} 不在允许的范围内（{range}）。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”应为是或否（{states}）。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，这里要的是文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹，这里要的是文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”没有读取权限。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”没有写入权限。",
    "Option {name!r} does not take a value.": "选项 {name} 后面不能带值。",
    "Aborted!": "已中止。",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "required": "必填",
}
"""Click's message id → its Chinese; placeholders as click fills them (``{name}`` for ``{name!r}``)."""

PLURALS = {
    "Did you mean {possibility}?": "是否想用{possibility}？",
    "{value!r} is not {choice}.": "“{value}”不是可选的值，应为 {choice}。",
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Option {name!r} requires an argument.": "选项 {name} 后面要跟一个值。",
}
"""For the messages click words by number (``ngettext``): the singular's id → one Chinese text
for every number (Chinese does not inflect); the plural's id maps through `PLURAL_IDS`."""

PLURAL_IDS = {
    "(Did you mean one of: {possibilities}?)": "（是否想用{possibilities}？）",
    "{value!r} is not one of {choices}.": "“{value}”不是可选的值，应为以下之一：{choices}。",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面要跟 {nargs} 个值。",
}

TYPE_NAMES = {
    click.types.StringParamType: "文本",
    click.types.IntParamType: "整数",
    click.types.FloatParamType: "数字",
    click.types.IntRange: "整数",
    click.types.FloatRange: "数字",
}
"""What ``--help`` shows after an option without a metavar of its own (``--port 整数``, not
``--port INTEGER``): click makes it of the type's name."""


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    if count == 1:
        return PLURALS.get(singular, singular)
    return PLURAL_IDS.get(plural, plural)


def columns(x: str) -> int:
    """The screen columns ``x`` takes: two for a Chinese (wide or full-width) character, none
    for an ANSI escape. Click counts characters, so Chinese help ran past the terminal's edge and
    wrapped mid-line, and the option column sat off by the width of the Chinese before it."""
    plain = click.unstyle(x) if "\033" in x else x
    if plain.isascii():
        return len(plain)
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in plain)


def truncated(text: str, n: int) -> str:
    """The longest start of ``text`` taking at most ``n`` columns (`columns`)."""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if east_asian_width(ch) in "WF" else 1
        if used > n:
            return text[:index]
    return text


_WIDE = "\u2e80-\u2fff\u3000-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_OPENING = "（〔【《「『“‘"
_CLOSING = "，。、；：？！）〕】》」』”’…"
_PIECES = re.compile(
    rf'"[^"\s]{{1,30}}"[{_CLOSING}]*'
    rf"|[{_OPENING}]*(?:[^\s{_WIDE}]+|[{_WIDE}][^\s{_WIDE}]*)[{_CLOSING}]*"
)
"""A place a line may break: between two Chinese characters, never inside a run of Latin
letters or digits (389号, certreg, --db), a character and the Latin run it leads (工种.csv) or
a quoted value ("本地工种.csv"), never before closing or after opening punctuation."""


def _split(self: textwrap.TextWrapper, text: str) -> list[str]:
    """Textwrap's chunks with a run of Chinese cut into its characters: it breaks lines only at
    spaces, so a sentence of Chinese was one long word cut at the edge wherever it fell —
    〔2012〕38 / 9号, replica / -a."""
    chunks: list[str] = []
    for chunk in textwrap.TextWrapper._split(self, text):
        wide = re.search(f"[{_WIDE}]", chunk)
        chunks.extend(_PIECES.findall(chunk) if wide and not chunk.isspace() else [chunk])
    return chunks


def _short_help(help: str, max_length: int = 45) -> str:
    """A command's line in the list of commands: its help's first sentence (to the first 。),
    cut to the columns left (`columns`). Click looks for an English full stop and counts
    characters, so a Chinese first line was cut after a dozen characters or ran onto two rows."""
    text = " ".join(help.partition("\n\n")[0].split()).removeprefix("\b ")
    first = text.partition("。")[0]
    return first if columns(first) <= max_length else truncated(first, max_length - 2) + "…"


def _error_hint(self: click.Parameter, ctx: click.Context | None) -> str:
    """A parameter as click's errors name it, in Chinese quotes (“--port”, “姓名”)."""
    if isinstance(self, click.Argument):
        return f"“{self.make_metavar(ctx) if ctx is not None else self.human_readable_name}”"
    return " / ".join(f"“{name}”" for name in self.opts or [self.human_readable_name])


def _possibilities(possibilities: list[str]) -> str:
    """Click's "did you mean", in Chinese quotes."""
    shown = "、".join(f"“{p}”" for p in sorted(possibilities))
    return ngettext(
        "Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", len(possibilities)
    ).format(possibility=shown, possibilities=shown)


def _invalid_choice(self: click.Choice[Any], value: Any, ctx: click.Context | None) -> str:
    """“roster”不是可选的值，应为以下之一：“approval-roster”、…: click lists them with repr."""
    choices = "、".join(f"“{choice}”" for choice in self.choices)
    return ngettext(
        "{value!r} is not {choice}.", "{value!r} is not one of {choices}.", len(self.choices)
    ).format(value=value, choice=choices, choices=choices)


_MISSING = click.exceptions.MissingParameter.format_message


def _missing(self: click.exceptions.MissingParameter) -> str:
    """缺少参数“姓名”。: click ends the sentence with its own full stop after the name."""
    text = _MISSING(self).replace(" “", "“", 1)
    return text.replace("”.", "”。", 1) if "”." in text else text


def install() -> None:
    """Word click's messages in Chinese in this process (the certreg command line), and measure
    its help in screen columns (`columns`)."""
    click.formatting.term_len = columns  # type: ignore[attr-defined]
    click._textwrap.TextWrapper._split = _split  # type: ignore[method-assign]
    for name in ("_make_default_short_help", "make_default_short_help"):  # click 8.5 / 8.1
        if hasattr(click.core, name):
            setattr(click.core, name, _short_help)
    if hasattr(click._textwrap, "_truncate_visible"):  # click ≥ 8.4 wraps through these two
        click._textwrap.term_len = columns  # type: ignore[attr-defined]
        click._textwrap._truncate_visible = truncated
    # click quotes a parameter with ASCII quotes in the code around its message ids (repr)
    click.core.Parameter.get_error_hint = _error_hint  # type: ignore[method-assign]
    click.core.Argument.get_error_hint = _error_hint  # type: ignore[method-assign]
    click.types.Choice.get_invalid_choice_message = _invalid_choice  # type: ignore[method-assign]
    click.exceptions._format_possibilities = _possibilities
    click.exceptions.MissingParameter.format_message = _missing  # type: ignore[method-assign]
    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.parser,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    for kind, name in TYPE_NAMES.items():
        kind.name = name
