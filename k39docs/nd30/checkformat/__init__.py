"""Check a DOCX against the layout of Nghị định 30/2020 (``nd30-format.md``) and list what
deviates: page size and margins, page numbers, fonts, the size and style of each component,
the rules under the header lines, body paragraphs, date padding, số ký hiệu and Nơi nhận.

``check_docx(path)`` returns the findings of one file (empty when it conforms);
``check_files(paths)`` those of several. Each ``Finding`` prints as
``file: component: expected …, found …``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from lxml import etree

from ...errors import K39Error
from .anatomy import read_anatomy
from .checks import run_checks
from .findings import Finding
from .ooxml import read_package

__all__ = ["Finding", "DocxReadError", "check_docx", "check_files"]


class DocxReadError(K39Error):
    """The file cannot be read as a DOCX (missing, not a zip, broken XML)."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"Không đọc được tệp DOCX {path}: {reason}")


def check_docx(path: str | PathLike[str]) -> list[Finding]:
    """Findings for one DOCX, in document order; ``[]`` when it follows Nghị định 30."""
    name = str(path)
    try:
        package = read_package(Path(path))
    except FileNotFoundError as err:
        raise DocxReadError(name, "không tìm thấy tệp") from err
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as err:
        raise DocxReadError(name, f"không phải tệp DOCX hợp lệ ({err})") from err
    return run_checks(package, read_anatomy(package), name)


def check_files(paths: Iterable[str | PathLike[str]]) -> list[Finding]:
    """Findings for several DOCX files, file by file."""
    findings: list[Finding] = []
    for path in paths:
        findings += check_docx(path)
    return findings
