"""Where text and rules sit on the page, and how wide text is: cell and column widths from the
table grid and cell margins, paragraph boxes after indents, and line widths measured in
Liberation Serif (the Times New Roman metric clone), wrapped the way a word processor wraps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from ..fonts import text_width_mm
from .anatomy import Block, Section
from .ooxml import (
    ParaFormat,
    RunFormat,
    StyleSheet,
    paragraph_runs,
    run_text,
    to_int,
    twips_to_mm,
    w,
)

__all__ = [
    "Box",
    "paragraph_box",
    "cell_width",
    "section_text_width",
    "line_widths",
    "wrapped_line_widths",
    "widest_printed_line",
]


def _styled_lines(styles: StyleSheet, block: Block) -> list[list[tuple[str, RunFormat]]]:
    """The paragraph's hard lines (split at ``w:br``), each a list of (text, run format)."""
    lines: list[list[tuple[str, RunFormat]]] = [[]]
    for r in paragraph_runs(block.p):
        fmt = styles.run_format(block.p, r, block.tbl)
        if fmt.hidden:
            continue
        for i, piece in enumerate(run_text(r).split("\n")):
            if i:
                lines.append([])
            piece = piece.replace("\t", " ")
            lines[-1].append((piece.upper() if fmt.caps else piece, fmt))
    return lines


def _width(pieces: Iterable[tuple[str, RunFormat]]) -> float:
    return sum(
        text_width_mm(text, f.size, bold=f.bold, italic=f.italic) for text, f in pieces if text
    )


def line_widths(styles: StyleSheet, block: Block) -> list[float]:
    """Width (mm) of each hard line of the paragraph, unwrapped, in Liberation Serif."""
    return [_width(line) for line in _styled_lines(styles, block)]


def wrapped_line_widths(styles: StyleSheet, block: Block, column_mm: float | None) -> list[float]:
    """Widths of the lines as they print: hard lines wrapped at spaces to fit ``column_mm``."""
    if column_mm is None:
        return line_widths(styles, block)
    out = []
    for line in _styled_lines(styles, block):
        words: list[list[tuple[str, RunFormat]]] = [[]]  # word pieces; a space piece between words
        for text, fmt in line:
            for i, chunk in enumerate(text.split(" ")):
                if i:
                    words.append([(" ", fmt)])
                    words.append([])
                words[-1].append((chunk, fmt))
        current = 0.0
        pending_space = 0.0
        for word in words:
            if word and word[0][0] == " ":
                pending_space += _width(word)
                continue
            width = _width(word)
            if width == 0:
                continue
            if current and current + pending_space + width > column_mm:
                out.append(current)
                current = width
            else:
                current += (pending_space if current else 0.0) + width
            pending_space = 0.0
        out.append(current)
    return out


def cell_width(tbl: etree._Element, tc: etree._Element) -> int | None:
    """Width of a table cell in twips: from the table grid, else the cell's ``tcW``."""
    grid = [to_int(g.get(w("w")), 0) for g in tbl.findall(f"{w('tblGrid')}/{w('gridCol')}")]
    tr = tc.getparent()
    if grid and tr is not None and tr.tag == w("tr"):
        before = tr.find(f"{w('trPr')}/{w('gridBefore')}")
        index = to_int(before.get(w("val")), 0) if before is not None else 0
        for cell in tr.findall(w("tc")):
            span_el = cell.find(f"{w('tcPr')}/{w('gridSpan')}")
            span = to_int(span_el.get(w("val")), 1) if span_el is not None else 1
            if cell is tc:
                width = sum(grid[index : index + span])
                if width > 0:
                    return width
                break
            index += span
    tcw = tc.find(f"{w('tcPr')}/{w('tcW')}")
    if tcw is not None and tcw.get(w("type"), "dxa") == "dxa":
        return to_int(tcw.get(w("w")))
    return None


def section_text_width(section: Section) -> int | None:
    sect = section.sect_pr
    if sect is None:
        return None
    size, mar = sect.find(w("pgSz")), sect.find(w("pgMar"))
    if size is None or mar is None:
        return None
    margins = sum(to_int(mar.get(w(side)), 0) for side in ("left", "right", "gutter"))
    return to_int(size.get(w("w")), 0) - margins


@dataclass(frozen=True)
class Box:
    """Where a paragraph's lines run: width and the offset of its centre from the column's."""

    width_mm: float
    centre_mm: float


def paragraph_box(styles: StyleSheet, block: Block, fmt: ParaFormat | None = None) -> Box | None:
    """The column a paragraph's lines run in, after cell margins and paragraph indents."""
    fmt = fmt or styles.para_format(block.p, block.tbl)
    if block.tc is not None and block.tbl is not None:
        cell = cell_width(block.tbl, block.tc)
        if cell is None:
            return None
        left_mar, right_mar = styles.cell_margins(block.tbl, block.tc)
        area = cell - left_mar - right_mar
    else:
        text_width = section_text_width(block.section)
        if text_width is None:
            return None
        area = text_width
    width = area - fmt.left - fmt.right
    return Box(twips_to_mm(width), twips_to_mm(fmt.left - fmt.right) / 2)


def widest_printed_line(styles: StyleSheet, block: Block) -> float:
    """Width (mm) of the longest line of the paragraph once wrapped in its column."""
    column = paragraph_box(styles, block)
    return max(wrapped_line_widths(styles, block, column.width_mm if column else None))
