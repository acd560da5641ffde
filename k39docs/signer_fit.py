"""Whether the signers' lines can be printed and found again: one line each, in the font.

Digital signing finds the signature block on the rendered công văn by its text
(:func:`k39docs.signing.block.find_signature_block`): the last chức vụ line and the name,
each matched as one printed line. A name or chức vụ wider than the signature column wraps, and a
character Times New Roman lacks (an emoji) is printed in another font and may not extract again:
either way the block is not found and signing stopped with "Không tìm thấy khối chữ ký", after
``validate`` had passed. :func:`signer_issues` lists them; :func:`k39docs.preflight.check_dossier`
refuses such a dossier before anything is rendered, naming the field and its YAML line.
It lives outside ``k39docs.signing`` so that ``validate`` does not import pyHanko to run it.
"""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel

from .dossier.model import Dossier, Signer
from .nd30.fonts import missing_glyphs, text_width_mm
from .nd30.layout import CELL_MARGIN_MM, COMPONENTS, PAGE
from .vietnamese import upper_vn

__all__ = ["SIGNATURE_COLUMN_MM", "signer_issues"]

# the signature table's right column: 55 % of the portrait text width (the templates'
# signature_table in scripts/build_templates.py), less the cell's own margins
SIGNATURE_COLUMN_MM = (PAGE.width - PAGE.left - PAGE.right) * 0.55 - 2 * CELL_MARGIN_MM
_SLACK_MM = 0.5  # LibreOffice's and our measures differ by rounding: stay clear of the edge
_FIELDS = ("organ", "deputy", "title", "deputy_title", "name")


def _signers(dossier: Dossier) -> list[tuple[str, Signer]]:
    """Every ``documents.<kind>.signer`` of the dossier, with its field path."""
    found = []
    documents = dossier.documents
    for kind in type(documents).model_fields:
        document = getattr(documents, kind, None)
        signer = getattr(document, "signer", None) if isinstance(document, BaseModel) else None
        if isinstance(signer, Signer):
            found.append((f"documents.{kind}.signer", signer))
    return found


def _line_field(line: str, signer: Signer) -> str:
    """The field a printed chức vụ line comes from: the one whose value ends it (the line is
    ``TM. ỦY BAN NHÂN DÂN`` for ``organ``, ``KT. GIÁM ĐỐC`` for ``title`` …)."""
    best, length = "title", -1
    for name in ("organ", "deputy", "title", "deputy_title"):
        value = getattr(signer, name, None)
        if value and upper_vn(line).endswith(upper_vn(value).strip()) and len(value) > length:
            best, length = name, len(value)
    return best


def signer_issues(dossier: Dossier) -> list[tuple[str, str]]:
    """(field path, Vietnamese message) for each signer field that would not print on one line
    of the signature column, or has characters the font lacks."""
    title_style, name_style = COMPONENTS["signer_title"], COMPONENTS["signer_name"]
    room = SIGNATURE_COLUMN_MM - _SLACK_MM
    issues: list[tuple[str, str]] = []
    for path, signer in _signers(dossier):
        for name in _FIELDS:
            value = getattr(signer, name, None)
            if not isinstance(value, str) or not value:
                continue
            missing = missing_glyphs(value, bold=True)
            if missing:
                shown = ", ".join(f"“{ch}” ({_char_name(ch)})" for ch in missing)
                issues.append(
                    (
                        f"{path}.{name}",
                        (
                            f"có ký tự phông Times New Roman không có: {shown}; văn bản sẽ in ký tự đó bằng "
                            f"phông khác và không ký số được. Hãy xóa hoặc gõ lại bằng chữ tiếng Việt"
                        ),
                    )
                )
        printed = [
            (_line_field(line, signer), upper_vn(line), title_style)
            for line in signer.block_lines()
        ]
        printed.append(("name", signer.name, name_style))
        reported = {p for p, _ in issues}
        for name, line, style in printed:
            width = text_width_mm(unicodedata.normalize("NFC", line), style.size, bold=style.bold)
            if width > room and f"{path}.{name}" not in reported:
                reported.add(f"{path}.{name}")
                what, advice = (
                    ("họ tên người ký", "Hãy kiểm tra lại họ tên (gõ lặp, thừa chữ?)")
                    if name == "name"
                    else (
                        "dòng chức vụ",
                        "Hãy rút gọn chức vụ (tên cơ quan đã in ở đầu văn bản, không cần nhắc lại)",
                    )
                )
                issues.append(
                    (
                        f"{path}.{name}",
                        (
                            f"{what} “{line}” rộng {width:.0f} mm, không vừa một dòng của cột chữ ký "
                            f"({SIGNATURE_COLUMN_MM:.0f} mm, cỡ chữ {style.size:g}): dòng sẽ bị xuống dòng và "
                            f"không đặt được chữ ký số. {advice}"
                        ),
                    )
                )
    return issues


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}"
