"""Finding the signer's block on the rendered công văn (Nghị định 30/2020, Phụ lục I).

The signature block is found in the PDF LibreOffice made, not at fixed coordinates: the text
lines of its pages are read with pypdf (position, size, font), the signer's name is matched with
the chức vụ lines above it, and the empty lines between them become the place of the signature
(:mod:`k39docs.signing.appearance` puts the images and the text there). Reads PDFs with pypdf
only: a render finds the block while LibreOffice is still converting, before pyHanko is needed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from pypdf import PageObject, PdfReader

from ..errors import SigningError
from ..nd30.fonts import text_width_mm
from .geometry import PT_PER_MM, Rect

__all__ = [
    "TextLine",
    "SignatureBlock",
    "SignaturePlace",
    "page_text_lines",
    "find_signature_block",
    "locate_signature",
    "place_on",
]


@dataclass(frozen=True)
class TextLine:
    """One line of text on a page as the PDF draws it (a run of chunks on one baseline)."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _mul(m, n):
    """Product of two PDF matrices [a b c d e f] (m applied first, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    ]


def _style_of(font_dict) -> tuple[bool, bool]:
    name = str((font_dict or {}).get("/BaseFont", "")).lower()
    return "bold" in name, ("italic" in name or "oblique" in name)


def page_text_lines(page: PageObject) -> list[TextLine]:
    """The text lines of a page, left to right on each baseline, top of the page first."""
    chunks: list[tuple[float, float, float, float, str]] = []  # baseline, x0, x1, size, text

    def visit(text, cm, tm, font_dict, font_size):
        if not text or not text.strip():
            return
        m = _mul(tm, cm)
        scale = abs(m[0] * m[3] - m[1] * m[2]) ** 0.5 or 1.0
        size = (font_size or 0) * scale
        if size <= 0:
            return
        for part in text.split("\n"):
            if not part.strip():
                continue
            bold, italic = _style_of(font_dict)
            width = (
                text_width_mm(unicodedata.normalize("NFC", part), size, bold=bold, italic=italic)
                * PT_PER_MM
            )
            chunks.append((m[5], m[4], m[4] + width, size, part))

    page.extract_text(visitor_text=visit)

    def joined(parts) -> str:
        # chunks drawn apart (words positioned separately) are separate words
        text = parts[0][4]
        for prev, nxt in pairwise(parts):
            gap = nxt[1] - prev[2]
            if gap > 0.15 * prev[3] and not text.endswith(" ") and not nxt[4].startswith(" "):
                text += " "
            text += nxt[4]
        return text

    # chunks on (nearly) the same baseline, then split where a column gap separates them
    chunks.sort(key=lambda c: -c[0])
    rows: list[list[tuple[float, float, float, float, str]]] = []
    for chunk in chunks:
        if rows and abs(rows[-1][0][0] - chunk[0]) <= 1.5:
            rows[-1].append(chunk)
        else:
            rows.append([chunk])
    lines: list[TextLine] = []
    for row in rows:
        row.sort(key=lambda c: c[1])
        run = [row[0]]
        for following in [*row[1:], None]:  # None: the row's end
            if following is not None and following[1] - max(c[2] for c in run) < 1.5 * run[-1][3]:
                run.append(following)
                continue
            lines.append(
                TextLine(
                    text=_norm(joined(run)),
                    x0=run[0][1],
                    x1=max(c[2] for c in run),
                    baseline=run[0][0],
                    size=max(c[3] for c in run),
                )
            )
            if following is not None:
                run = [following]
    lines.sort(key=lambda ln: (-ln.baseline, ln.x0))
    return lines


@dataclass(frozen=True)
class SignatureBlock:
    """The signer's block on a page: the last chức vụ line, the name, and the empty space between."""

    page: int
    title: TextLine  # the last chức vụ line (e.g. "PHÓ CHỦ TỊCH")
    name: TextLine  # họ tên người ký
    column_width: float  # width of the widest line of the block

    @property
    def centre_x(self) -> float:
        return self.name.centre_x

    @property
    def gap(self) -> Rect:
        """The free space between the chức vụ and the name (without their descenders/accents)."""
        top = self.title.baseline - 0.25 * self.title.size
        bottom = self.name.baseline + 0.95 * self.name.size
        half = self.column_width / 2
        return Rect(self.centre_x - half, bottom, self.centre_x + half, top)


def find_signature_block(
    reader: PdfReader, pages: Sequence[int], signer_name: str, title_lines: Sequence[str]
) -> SignatureBlock:
    """Locate the signature block of ``signer_name`` on the given pages (the last match wins)."""
    want_name = _norm(signer_name)
    want_titles = [_norm(t) for t in title_lines if t and t.strip()]
    for index in sorted(pages, reverse=True):
        if not 0 <= index < len(reader.pages):
            raise SigningError(
                f"Trang {index + 1} của công văn không có trong tệp PDF ({len(reader.pages)} trang)."
            )
        lines = page_text_lines(reader.pages[index])
        for name in sorted(
            (ln for ln in lines if ln.text == want_name), key=lambda ln: ln.baseline
        ):
            above = [
                ln
                for ln in lines
                if ln.baseline > name.baseline + name.size and abs(ln.centre_x - name.centre_x) < 60
            ]
            if not want_titles:
                title = min(above, key=lambda ln: ln.baseline, default=None)
                if title is None:
                    continue
                block_lines = [title, name]
            else:
                matches = [ln for ln in above if ln.text == want_titles[-1]]
                if not matches:
                    continue
                title = min(matches, key=lambda ln: ln.baseline)
                # nothing else may sit between the chức vụ and the name in that column
                between = [ln for ln in above if ln.baseline < title.baseline]
                if between:
                    continue
                block_lines = [ln for ln in above if ln.text in want_titles] + [name]
            width = max(ln.x1 - ln.x0 for ln in block_lines)
            return SignatureBlock(page=index, title=title, name=name, column_width=width)
    shown = " / ".join([*title_lines, signer_name])
    raise SigningError(
        f"Không tìm thấy khối chữ ký “{shown}” trên các trang công văn "
        f"({', '.join(str(p + 1) for p in pages)}) của tệp PDF: không biết đặt chữ ký số ở đâu. "
        "Họ tên và chức vụ người ký (documents.cover_letter.signer) phải in được mỗi dòng trên một "
        "dòng của cột chữ ký, bằng phông Times New Roman; mẫu công văn riêng (--templates) phải in "
        "chúng đúng như trong hồ sơ."
    )


@dataclass(frozen=True)
class SignaturePlace:
    """The signer's block, found on the công văn's own PDF (``block.page`` counts from its first
    page) by :func:`locate_signature`, and that page's box."""

    block: SignatureBlock
    page_box: Rect


def locate_signature(
    cover_letter_pdf: Path, signer_name: str, title_lines: tuple[str, ...]
) -> SignaturePlace:
    """Find where the signatures go on the công văn's own PDF: a render does this while the
    other documents are still converting, instead of reading the whole bundle to sign it."""
    reader = PdfReader(cover_letter_pdf)
    return place_on(reader, range(len(reader.pages)), signer_name, title_lines)


def place_on(
    reader: PdfReader, pages, signer_name: str, title_lines: tuple[str, ...]
) -> SignaturePlace:
    """:func:`locate_signature` on the ``pages`` of a PDF already open (a bundle's công văn)."""
    block = find_signature_block(reader, pages, signer_name, title_lines)
    return SignaturePlace(block, _page_box(reader, block.page))


def _page_box(reader: PdfReader, index: int) -> Rect:
    box = reader.pages[index].cropbox
    return Rect(float(box.left), float(box.bottom), float(box.right), float(box.top))
