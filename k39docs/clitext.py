"""The command line in Vietnamese: help layout and usage errors, whatever the machine's locale.

The help texts of the commands are written in Vietnamese in :mod:`k39docs.cli`; what typer and
its click print around them ("Usage:", "Options", "[default: …]", "Error: Option '--x' requires an
argument.") is English and not translatable through gettext in the click typer ships. So the
commands use :class:`VietnameseCommand` / :class:`VietnameseGroup`, whose help formatter says
those words in Vietnamese, and :func:`usage_error_message` rewrites a usage error for the clerk.
Nothing here changes typer or click for other applications in the same process.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any

from typer.core import TyperCommand, TyperGroup

__all__ = ["VietnameseCommand", "VietnameseGroup", "usage_error_message", "USAGE_PREFIX"]

USAGE_PREFIX = "Cách dùng: "
_SECTIONS = {"Options": "Tùy chọn", "Arguments": "Đối số", "Commands": "Lệnh"}
_IN_HELP = (
    ("[default: ", "[mặc định: "),
    ("[required]", "[bắt buộc]"),
    ("Show this message and exit.", "Hiện hướng dẫn này rồi thoát."),
)


def _formatter_class(base: type) -> type:
    class VietnameseFormatter(base):
        """Click's help formatter, its own words in Vietnamese."""

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, prefix=USAGE_PREFIX)

        @contextmanager
        def section(self, name: str):
            with super().section(_SECTIONS.get(name, name)):
                yield

        def write_dl(self, rows, *args: Any, **kwargs: Any) -> None:
            translated = []
            for term, text in rows:
                for english, vietnamese in _IN_HELP:
                    text = text.replace(english, vietnamese)
                translated.append((term, text))
            super().write_dl(translated, *args, **kwargs)

    return VietnameseFormatter


def _context_class(base: type) -> type:
    class VietnameseContext(base):
        formatter_class = _formatter_class(base.formatter_class)  # type: ignore[attr-defined]

    return VietnameseContext


class VietnameseCommand(TyperCommand):
    """A typer command whose help is laid out in Vietnamese."""

    context_class = _context_class(TyperCommand.context_class)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = "[TÙY_CHỌN]"
        super().__init__(*args, **kwargs)


class VietnameseGroup(TyperGroup):
    """The ``k39docs`` group: its help, and the commands it makes, in Vietnamese."""

    context_class = _context_class(TyperGroup.context_class)
    command_class = VietnameseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = "[TÙY_CHỌN]"
        kwargs["subcommand_metavar"] = "LỆNH [ĐỐI_SỐ]..."
        super().__init__(*args, **kwargs)


# --- usage errors ---------------------------------------------------------------------------

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (
            r"^Option '(?P<o>[^']+)' requires an argument\.$",
            'tùy chọn {o} cần một giá trị đi kèm (ví dụ {o} "…")',
        ),
        (
            r"^Option '(?P<o>[^']+)' requires (?P<n>\d+) arguments\.$",
            "tùy chọn {o} cần {n} giá trị",
        ),
        (r"^Option '(?P<o>[^']+)' does not take a value\.$", "tùy chọn {o} không nhận giá trị"),
        (r"^No such option: (?P<o>\S+)$", "không có tùy chọn {o}"),
        (r"^No such option '(?P<o>[^']+)'\.?$", "không có tùy chọn {o}"),
        (r"^No such command '(?P<c>[^']+)'\.$", "không có lệnh “{c}”"),
        (r"^Missing argument '(?P<a>[^']+)'\.$", "thiếu đối số {a}"),
        (r"^Missing option '(?P<o>[^']+)'\.$", "thiếu tùy chọn {o}"),
        (r"^Missing command\.$", "thiếu tên lệnh"),
        (r"^Got unexpected extra arguments? \((?P<a>.*)\)$", "thừa đối số: {a}"),
        (r"^Invalid value for '(?P<p>[^']+)': (?P<m>.*)$", "giá trị không hợp lệ cho {p}: {m}"),
        (r"^Invalid value: (?P<m>.*)$", "giá trị không hợp lệ: {m}"),
    )
)
_VALUE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"'(?P<v>[^']*)' is not one of (?P<c>.*)\.$", "“{v}” không phải một trong {c}"),
        (r"'(?P<v>[^']*)' is not (?P<c>'[^']*')\.$", "“{v}” phải là {c}"),
        (r"'(?P<v>[^']*)' is not a valid integer(?: range)?\.?$", "“{v}” không phải số nguyên"),
        (r"'(?P<v>[^']*)' is not a valid float(?: range)?\.?$", "“{v}” không phải số"),
        (r"(?P<v>\S+) is not in the range (?P<r>.*)\.$", "{v} nằm ngoài khoảng {r}"),
        (r"(?:Path|File|Directory) '(?P<f>[^']*)' does not exist\.$", "không có tệp “{f}”"),
        (
            r"(?:Path|File|Directory) '(?P<f>[^']*)' is a directory\.$",
            "“{f}” là thư mục, không phải tệp",
        ),
    )
)
_SUGGESTION = re.compile(r"\s*\(?Did you mean (?:one of: )?(?P<s>.*?)\?\)?\s*$")


def _translate(text: str, patterns) -> str | None:
    for pattern, replacement in patterns:
        found = pattern.search(text)
        if found:
            return replacement.format(**found.groupdict())
    return None


def usage_error_message(english: str) -> str:
    """A usage error of typer/click, as a clerk reads it: "Option '--x' requires an argument."
    → "tùy chọn --x cần một giá trị đi kèm …"; a suggestion ("Did you mean …?") is kept."""
    text = " ".join(english.split())
    suggestion = _SUGGESTION.search(text)
    if suggestion:
        text = text[: suggestion.start()].strip()
    said = _translate(text, _PATTERNS)
    if said is not None and said.startswith("giá trị không hợp lệ"):
        detail = text.split(": ", 1)[-1]
        value = _translate(detail, _VALUE_PATTERNS)
        if value is not None:
            said = said.replace(detail, value)
    if said is None:
        said = f"dùng lệnh chưa đúng ({text})"
    if suggestion:
        said += f"; có phải ý là {suggestion.group('s').replace('or', 'hoặc')}?"
    return said
