"""The Nghị định 30 rules the checker applies, each reading the document's anatomy and
reporting what a clerk would see wrong: page set-up, page numbers, fonts, the size and style of
each component, the rules under the header lines, body paragraphs, dates, numbers, Nơi nhận.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from lxml import etree

from ...headerlines import bad_breaks
from ...vietnamese.dates import day_text, month_text
from .. import layout
from ..layout import COMPONENTS, FONT_NAME, PAGE
from .anatomy import (
    DATE_RE,
    MOTTO,
    NATIONAL_TITLE,
    Anatomy,
    Block,
    DocumentPart,
    HorizontalRule,
    Section,
    is_caps,
    normalise,
)
from .findings import LABELS, Finding
from .geometry import line_widths, paragraph_box, widest_printed_line
from .ooxml import (
    DocxPackage,
    ParaFormat,
    RunFormat,
    StyleSheet,
    on_off,
    paragraph_runs,
    paragraph_text,
    run_text,
    to_int,
    twips_to_mm,
    w,
)

__all__ = ["run_checks"]

_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

# components that sit centred in their column or on the page
_CENTRED = {key for key, comp in COMPONENTS.items() if comp.align == "center"}
_CAPS = {"national_title", "parent_agency", "agency", "doc_type", "signer_title"}
_ONE_LINE = {"national_title", "motto", "parent_agency", "agency", "number", "date_line"}
_STYLE_FREE = {"body", "table"}  # size checked; bold/italic checked the body's own way
_HEADING_RE = re.compile(
    r"^((Phần|Chương|Mục|Điều|Tiết)\s+\S+|[IVXLC]+\.|\d+(\.\d+)*\.?\s|[a-zđ]\)|[-+•]\s)",
    re.IGNORECASE,
)
_PREFIX_BAD = re.compile(r"^(T/M|K/T|T/L|Q/|TUQ/|TM|KT|TL|TUQ)(?=[\s/])")
_PREFIX_OK = re.compile(r"^(TM|KT|Q|TL|TUQ)\.\s")
_NUMBER_RE = re.compile(r"^Số\s*:?\s*(\d*)")
_PAGE_FIELD = re.compile(r"(?<![A-Z])PAGE(?![A-Z])")


# -- formatting helpers ---------------------------------------------------------------------------
def _num(x: float, digits: int = 1) -> str:
    """A number the Vietnamese way: decimal comma, no trailing zeros (``60,5``, ``25``)."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"
    return text.replace(".", ",")


def _mm(x: float) -> str:
    return f"{_num(x)} mm"


def _range(lo: float, hi: float, unit: str) -> str:
    return f"{_num(lo)} {unit}" if lo == hi else f"{_num(lo)}–{_num(hi)} {unit}"


def _style(bold: bool, italic: bool) -> str:
    return f"chữ {'đậm' if bold else 'không đậm'}, {'nghiêng' if italic else 'đứng'}"


def _quote(text: str, limit: int = 40) -> str:
    text = normalise(text)
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


_JC_NAMES = {
    "left": "căn trái",
    "right": "căn phải",
    "center": "căn giữa",
    "both": "căn đều hai bên",
}


@dataclass
class _Context:
    package: DocxPackage
    anatomy: Anatomy
    file: str

    @property
    def styles(self) -> StyleSheet:
        return self.package.styles


class _Report:
    """Collects findings; identical findings on many paragraphs are reported once, with a count."""

    def __init__(self, file: str):
        self.file = file
        self._groups: dict[tuple[str, str, str], list[str]] = {}

    def add(self, component: str, expected: str, found: str, where: str = "") -> None:
        self._groups.setdefault((component, expected, found), []).append(where)

    def findings(self) -> list[Finding]:
        out = []
        for (component, expected, found), wheres in self._groups.items():
            label = component
            if wheres[0]:
                label += f" {wheres[0]}"
                if len(wheres) > 1:
                    label += f" và {len(wheres) - 1} đoạn khác"
            out.append(Finding(self.file, label, expected, found))
        return out


def _part_suffix(part: DocumentPart) -> str:
    return f" ({LABELS['annex']} {part.number - 1})" if part.number > 1 else ""


def _label(block: Block, part: DocumentPart | None = None) -> str:
    if block.component in COMPONENTS:
        base = COMPONENTS[block.component].label
    else:
        base = LABELS.get(block.component, LABELS["other"])
    return base + (_part_suffix(part) if part else "")


_SINGLE = {
    "national_title",
    "motto",
    "number",
    "date_line",
    "subject",
    "recipients_label",
}


def _where(block: Block) -> str:
    """The snippet that tells a clerk which paragraph; unique components need none."""
    return "" if block.component in _SINGLE else _quote(block.text)


def _text_runs(styles: StyleSheet, block: Block) -> list[tuple[etree._Element, RunFormat]]:
    out = []
    for r in paragraph_runs(block.p):
        if run_text(r).strip():
            fmt = styles.run_format(block.p, r, block.tbl)
            if not fmt.hidden:
                out.append((r, fmt))
    return out


def _displayed(styles: StyleSheet, block: Block) -> str:
    return "".join(
        run_text(r).upper() if fmt.caps else run_text(r)
        for r, fmt in (
            (r, styles.run_format(block.p, r, block.tbl)) for r in paragraph_runs(block.p)
        )
        if not fmt.hidden
    )


# -- page set-up ----------------------------------------------------------------------------------
def _mainly_table(ctx: _Context, section: Section) -> bool:
    """A section may be landscape when a table carries most of its text or is wide (≥ 6 columns)."""
    table_chars = other_chars = 0
    for part in ctx.anatomy.parts:
        for block in part.blocks:
            if block.section is not section:
                continue
            if block.component == "table":
                table_chars += len(block.text.strip())
            elif block.tbl is None:
                other_chars += len(block.text.strip())
    wide = any(
        len(tbl.findall(f"{w('tblGrid')}/{w('gridCol')}")) >= 6
        for tbl, s in ctx.anatomy.data_tables
        if s is section
    )
    return wide or (table_chars > 0 and table_chars >= other_chars)


def _section_suffix(ctx: _Context, section: Section) -> str:
    if len(ctx.anatomy.sections) == 1:
        return ""
    return f" ({LABELS['section']} {section.number})"


def check_page(ctx: _Context, report: _Report) -> None:
    for section in ctx.anatomy.sections:
        suffix = _section_suffix(ctx, section)
        sect = section.sect_pr
        size = sect.find(w("pgSz")) if sect is not None else None
        mar = sect.find(w("pgMar")) if sect is not None else None
        if size is None:
            report.add(LABELS["paper"] + suffix, "A4 (210 × 297 mm)", "không khai báo khổ giấy")
        else:
            width = twips_to_mm(to_int(size.get(w("w")), 0))
            height = twips_to_mm(to_int(size.get(w("h")), 0))
            short, long_ = sorted((width, height))
            tol = layout.PAGE_SIZE_TOLERANCE_MM
            if abs(short - PAGE.width) > tol or abs(long_ - PAGE.height) > tol:
                report.add(
                    LABELS["paper"] + suffix,
                    f"A4 ({_num(PAGE.width)} × {_num(PAGE.height)} mm)",
                    f"{_num(width)} × {_num(height)} mm",
                )
            if width > height and not _mainly_table(ctx, section):
                report.add(
                    LABELS["orientation"] + suffix,
                    "khổ dọc (khổ ngang chỉ cho văn bản, phụ lục chủ yếu là bảng)",
                    "khổ ngang",
                )
        if mar is None:
            report.add(LABELS["left"] + suffix, _range(*PAGE.left_range, "mm"), "không khai báo lề")
            continue
        gutter = to_int(mar.get(w("gutter")), 0)
        for side, allowed in (
            ("top", PAGE.top_range),
            ("bottom", PAGE.bottom_range),
            ("left", PAGE.left_range),
            ("right", PAGE.right_range),
        ):
            twips = abs(to_int(mar.get(w(side)), 0)) + (gutter if side == "left" else 0)
            value = twips_to_mm(twips)
            lo, hi = allowed
            if not lo - layout.MARGIN_TOLERANCE_MM <= value <= hi + layout.MARGIN_TOLERANCE_MM:
                report.add(LABELS[side] + suffix, _range(lo, hi, "mm"), _mm(value))


# -- page numbers ---------------------------------------------------------------------------------
def _page_field_paragraphs(root: etree._Element) -> list[etree._Element]:
    """Paragraphs of a header/footer that hold a PAGE field (simple or complex)."""
    found = []
    for p in root.iter(w("p")):
        instr = " ".join(f.get(w("instr"), "") for f in p.iter(w("fldSimple")))
        instr += " " + " ".join(t.text or "" for t in p.iter(w("instrText")))
        if _PAGE_FIELD.search(instr.upper().replace("NUMPAGES", "").replace("SECTIONPAGES", "")):
            found.append(p)
    return found


_Refs = dict[tuple[str, str], str | None]  # (kind, type) → the relationship id of the part


def _header_refs(ctx: _Context) -> list[_Refs]:
    """Per section, the header/footer part used for each (kind, type), inherited as Word does."""
    out: list[_Refs] = []
    current: _Refs = {}
    for section in ctx.anatomy.sections:
        refs = dict(current)
        if section.sect_pr is not None:
            for kind in ("header", "footer"):
                for ref in section.sect_pr.findall(w(f"{kind}Reference")):
                    refs[(kind, ref.get(w("type"), "default"))] = ref.get(_R_ID)
        out.append(refs)
        current = refs
    return out


def check_page_numbers(ctx: _Context, report: _Report) -> None:
    part_starts = [p.blocks[0].section for p in ctx.anatomy.parts if p.blocks]
    for earlier, later in pairwise(ctx.anatomy.parts):
        if not (earlier.blocks and later.blocks):
            continue
        if later.blocks[0].section is earlier.blocks[-1].section:
            report.add(
                LABELS["page_number"] + _part_suffix(later),
                "phụ lục đánh số trang riêng (ngắt phần trang, bắt đầu từ 1)",
                "cùng phần trang với văn bản trước",
            )
    for section, refs in zip(ctx.anatomy.sections, _header_refs(ctx), strict=True):
        if section.number > 1 and not any(section is s for s in part_starts):
            continue  # a continuation section (e.g. a landscape table) keeps the numbering
        label = LABELS["page_number"] + _section_suffix(ctx, section)
        sect = section.sect_pr
        title_pg = bool(sect is not None and on_off(sect.find(w("titlePg"))))

        # `refs` bound now: B023 cannot see that part_of is only called in this iteration
        def part_of(kind: str, kind_type: str, refs: _Refs = refs) -> etree._Element | None:
            rid = refs.get((kind, kind_type))
            return ctx.package.parts.get(rid) if rid else None

        default = part_of("header", "default")
        fields = _page_field_paragraphs(default) if default is not None else []
        if not fields:
            in_footer = any(
                _page_field_paragraphs(f)
                for f in (part_of("footer", t) for t in ("default", "first", "even"))
                if f is not None
            )
            report.add(
                label,
                "số trang (trường PAGE) căn giữa ở đầu trang",
                "số trang ở chân trang" if in_footer else "không có số trang",
            )
        for p in fields:
            pfmt = ctx.styles.para_format(p)
            if pfmt.jc != "center":
                report.add(label, "căn giữa", _JC_NAMES.get(pfmt.jc, pfmt.jc))
            sizes = set()
            italic = False
            for r in paragraph_runs(p):
                if run_text(r).strip() or r.find(w("instrText")) is not None:
                    rf = ctx.styles.run_format(p, r)
                    sizes.add(rf.size)
                    italic |= rf.italic
            lo, hi = layout.PAGE_NUMBER_SIZE_RANGE
            bad = sorted(s for s in sizes if not lo <= s <= hi)
            if bad:
                found = ", ".join(f"{_num(s)} pt" for s in bad)
                report.add(label, f"cỡ chữ {_range(lo, hi, 'pt')}", found)
            if italic:
                report.add(label, "chữ đứng", "chữ nghiêng")
        if fields and not title_pg:
            report.add(
                label,
                "không hiển thị số trang ở trang 1 (titlePg, đầu trang trang 1 để trống)",
                "trang 1 có số trang (thiếu titlePg)",
            )
        first = part_of("header", "first")
        if title_pg and first is not None and _page_field_paragraphs(first):
            report.add(
                label,
                "không hiển thị số trang ở trang 1",
                "đầu trang của trang 1 có trường PAGE",
            )
        if ctx.package.even_and_odd_headers and fields:
            even = part_of("header", "even")
            if even is None or not _page_field_paragraphs(even):
                report.add(
                    label, "số trang cả ở trang chẵn", "đầu trang trang chẵn không có số trang"
                )
        num_type = sect.find(w("pgNumType")) if sect is not None else None
        fmt = num_type.get(w("fmt"), "decimal") if num_type is not None else "decimal"
        if fmt != "decimal":
            report.add(label, "số Ả Rập (1, 2, 3 …)", fmt)
        if section.number > 1 and (num_type is None or num_type.get(w("start")) != "1"):
            report.add(
                label,
                "phụ lục đánh số trang riêng, bắt đầu từ 1",
                "đánh số tiếp theo văn bản trước",
            )


# -- fonts and colours of every run ---------------------------------------------------------------
def _font_problems(fmt: RunFormat) -> list[str]:
    bad: dict[str, list[str]] = {}
    for slot, name in fmt.fonts:
        if (name or "").strip().casefold() != FONT_NAME.casefold():
            bad.setdefault(name or "(không khai báo)", []).append(slot)
    if not bad:
        return []
    if len(bad) == 1 and len(next(iter(bad.values()))) == len(fmt.fonts):
        return [next(iter(bad))]
    return [f"{name} ({', '.join(slots)})" for name, slots in bad.items()]


def _paragraphs_outside_fallback(root: etree._Element) -> Iterator[etree._Element]:
    for p in root.iter(w("p")):
        if any(a.tag == _MC_FALLBACK for a in p.iterancestors()):
            continue
        yield p


def check_fonts(ctx: _Context, report: _Report) -> None:
    """Every run with text: Times New Roman in the ascii, hAnsi and cs slots, black, NFC.

    A font problem shared by paragraphs of several components (a wrong ``Normal`` style, theme
    fonts left in place) is reported once for the whole document rather than per component.
    """
    blocks = {b.p: (b, part) for part in ctx.anatomy.parts for b in part.blocks}
    sources: list[tuple[str, etree._Element]] = [("", ctx.package.document)]
    for rid, root in ctx.package.parts.items():
        kind = ctx.package.part_kinds.get(rid, "header")
        sources.append((LABELS["header_text" if kind == "header" else "footer_text"], root))
    font_groups: dict[str, list[tuple[str, str]]] = {}
    for source_label, root in sources:
        page_fields = set(_page_field_paragraphs(root)) if source_label else set()
        for p in _paragraphs_outside_fallback(root):
            text = paragraph_text(p)
            if not text.strip():
                continue
            known = blocks.get(p)
            if known:
                block, part = known
                label, where = _label(block, part), _where(block)
            else:
                tbl = next(p.iterancestors(w("tbl")), None)
                block = Block("other", p, text, None, tbl)  # type: ignore[arg-type]
                if p in page_fields:
                    label, where = LABELS["page_number"], ""
                else:
                    label, where = source_label or LABELS["other"], _quote(text)
            if not unicodedata.is_normalized("NFC", text):
                report.add(label, "chữ Unicode dựng sẵn (NFC)", "chữ tổ hợp (NFD)", where)
            fonts: list[str] = []
            colours: list[str] = []
            for r in paragraph_runs(p):
                if not run_text(r).strip():
                    continue
                fmt = ctx.styles.run_format(p, r, block.tbl)
                if fmt.hidden:
                    continue
                for problem in _font_problems(fmt):
                    if problem not in fonts:
                        fonts.append(problem)
                if fmt.color.lower() not in ("auto", "000000") and fmt.color not in colours:
                    colours.append(fmt.color)
            if fonts:
                font_groups.setdefault(", ".join(fonts), []).append((label, where))
            if colours:
                report.add(label, "màu đen", "màu " + ", ".join(f"#{c}" for c in colours), where)
    for found, places in font_groups.items():
        labels = {label for label, _ in places}
        if len(labels) > 1:
            label, where = places[0]
            report.add(
                LABELS["font"],
                f"phông {FONT_NAME}",
                f"phông {found}",
                f"của {len(places)} đoạn, từ {label}{' ' + where if where else ''}",
            )
        else:
            for label, where in places:
                report.add(label, f"phông {FONT_NAME}", f"phông {found}", where)


# -- size, style, case, alignment of each component -----------------------------------------------
def _is_heading(block: Block, runs) -> bool:
    """A bold body line that reads as a heading ("1. Mục đích", "I. SỰ CẦN THIẾT", short)."""
    text = normalise(block.text)
    return all(f.bold for _, f in runs) and (
        bool(_HEADING_RE.match(text)) or is_caps(text) or len(text) <= 80
    )


def check_components(ctx: _Context, report: _Report) -> None:
    for part in ctx.anatomy.parts:
        for block in part.blocks:
            comp = COMPONENTS.get(block.component)
            if comp is None:
                continue
            label, where = _label(block, part), _where(block)
            runs = _text_runs(ctx.styles, block)
            if not runs:
                continue
            lo, hi = comp.size_range
            bad_sizes = sorted({f.size for _, f in runs if not lo <= f.size <= hi})
            if bad_sizes:
                report.add(
                    label,
                    f"cỡ chữ {_range(lo, hi, 'pt')}",
                    ", ".join(f"{_num(s)} pt" for s in bad_sizes),
                    where,
                )
            if block.component == "body":
                _check_body_style(ctx, report, block, runs, label, where)
            elif block.component not in _STYLE_FREE:
                styles_found: list[tuple[bool, bool]] = []
                for _, f in runs:
                    look = (f.bold, f.italic)
                    if look != (comp.bold, comp.italic) and look not in styles_found:
                        styles_found.append(look)
                if styles_found:
                    report.add(
                        label,
                        _style(comp.bold, comp.italic),
                        "; ".join(_style(b, i) for b, i in styles_found),
                        where,
                    )
            if block.component in _CAPS:
                shown = normalise(_displayed(ctx.styles, block))
                if not is_caps(shown) or shown != shown.upper():
                    report.add(label, "chữ in hoa", _quote(shown), where)
            if block.component in _CENTRED:
                fmt = ctx.styles.para_format(block.p, block.tbl)
                if fmt.jc != "center":
                    report.add(label, "căn giữa", _JC_NAMES.get(fmt.jc, fmt.jc), where)


def _check_body_style(
    ctx: _Context, report: _Report, block: Block, runs, label: str, where: str
) -> None:
    """Body text is upright and regular; bold headings and "(…)" notes are allowed."""
    text = normalise(block.text)
    if all(f.bold for _, f in runs) and not _is_heading(block, runs):
        report.add(label, "chữ không đậm", "cả đoạn in đậm", where)
    if all(f.italic for _, f in runs) and not text.startswith("("):
        report.add(label, "chữ đứng, không nghiêng", "cả đoạn in nghiêng", where)


# -- header ---------------------------------------------------------------------------------------
def _check_rule(
    ctx: _Context,
    report: _Report,
    label: str,
    rule: HorizontalRule | None,
    text_block: Block,
    lo_fraction: float,
    hi_fraction: float,
    tolerance: float,
) -> None:
    """Compare a rule with the longest line of ``text_block`` (what it underlines)."""
    text_box = paragraph_box(ctx.styles, text_block)
    text_mm = widest_printed_line(ctx.styles, text_block)
    lo, hi = text_mm * lo_fraction - tolerance, text_mm * hi_fraction + tolerance
    if lo_fraction == hi_fraction:
        wanted = f"đường kẻ liền dài bằng dòng chữ ({_mm(text_mm)} ± {_num(tolerance)} mm)"
    else:
        wanted = (
            f"đường kẻ liền dài 1/3–1/2 dòng chữ ({_mm(text_mm * lo_fraction)}–"
            f"{_mm(text_mm * hi_fraction)})"
        )
    if rule is None:
        report.add(label, wanted, "không có đường kẻ")
        return
    if rule.drawn_mm is not None:
        length = rule.drawn_mm
    else:
        fmt = ctx.styles.para_format(rule.carrier.p, rule.carrier.tbl)
        if fmt.bottom_border not in layout.SOLID_BORDERS:
            report.add(label, "đường kẻ nét liền", f"viền kiểu {fmt.bottom_border}")
        rule_box = paragraph_box(ctx.styles, rule.carrier, fmt)
        if rule_box is None:
            return
        length = rule_box.width_mm
        text_fmt = ctx.styles.para_format(text_block.p, text_block.tbl)
        if text_box is not None and text_fmt.jc == "center":
            offset = abs(rule_box.centre_mm - text_box.centre_mm)
            if offset > layout.RULE_CENTRE_TOLERANCE_MM:
                report.add(label, "đường kẻ cân giữa dưới dòng chữ", f"lệch {_mm(offset)}")
    if not lo <= length <= hi:
        report.add(label, wanted, f"dài {_mm(length)}")


def _check_fits(ctx: _Context, report: _Report, part: DocumentPart) -> None:
    for block in part.blocks:
        if block.component not in _ONE_LINE or block.tbl is not part.header:
            continue
        column = paragraph_box(ctx.styles, block)
        if column is None:
            continue
        widest = max(line_widths(ctx.styles, block))
        if widest > column.width_mm + 0.05:
            report.add(
                _label(block, part),
                f"mỗi dòng nằm gọn trên một dòng (cần {_mm(widest)})",
                f"cột chỉ rộng {_mm(column.width_mm)}, chữ bị xuống dòng",
                _where(block),
            )


def _check_name_breaks(report: _Report, part: DocumentPart) -> None:
    """The agency name (its lines, one paragraph each) and the chủ quản (lines split by line
    breaks) break between units of meaning only: ``ỦY BAN NHÂN DÂN`` / ``TỈNH GIA LAI``, never
    ``ỦY BAN NHÂN`` / ``DÂN TỈNH GIA LAI`` (``k39docs.headerlines`` says where a unit ends)."""
    for component in ("parent_agency", "agency"):
        blocks = [b for b in part.all(component) if b.tbl is part.header]
        lines = [normalise(line) for b in blocks for line in b.text.split("\n") if line.strip()]
        for before, after in bad_breaks(lines):
            report.add(
                _label(blocks[0], part),
                "xuống dòng giữa các cụm từ trọn nghĩa (như “ỦY BAN NHÂN DÂN” / “TỈNH GIA LAI”)",
                f"ngắt giữa một cụm từ: “{before}” / “{after}”",
                _where(blocks[0]),
            )


def _check_date(report: _Report, label: str, text: str, where: str = "") -> None:
    for match in DATE_RE.finditer(normalise(text)):
        day, month = match.group(1), match.group(2)
        for value, field, expected_of, limit in (
            (day, "ngày", day_text, 31),
            (month, "tháng", month_text, 12),
        ):
            if not value.isdigit():
                continue  # "…" left for handwriting
            number = int(value)
            if not 1 <= number <= limit:
                report.add(label, f"{field} từ 1 đến {limit}", f"{field} {value}", where)
                continue
            expected = expected_of(number)
            if value != expected:
                rule = (
                    "chỉ ngày 1–9 ghi thêm số 0"
                    if field == "ngày"
                    else "chỉ tháng 1, 2 ghi thêm số 0"
                )
                report.add(label, f"{field} {expected} ({rule})", f"{field} {value}", where)


def check_header(ctx: _Context, report: _Report) -> None:
    for part in ctx.anatomy.parts:
        suffix = _part_suffix(part)
        if part.header is None:
            if part.number == 1:
                report.add(
                    COMPONENTS["national_title"].label,
                    f"“{NATIONAL_TITLE}” ở cột phải bảng phần đầu trang 1",
                    "không có",
                )
            continue
        if ctx.styles.table_borders_visible(part.header):
            report.add(LABELS["header_table"] + suffix, "bảng không viền", "bảng có đường viền")
        national = part.first("national_title")
        if national is not None and normalise(national.text) != NATIONAL_TITLE:
            report.add(_label(national, part), f"“{NATIONAL_TITLE}”", _quote(national.text, 60))
        motto = part.first("motto")
        if motto is None:
            report.add(COMPONENTS["motto"].label + suffix, f"“{MOTTO}” dưới Quốc hiệu", "không có")
        else:
            if normalise(motto.text) != MOTTO:
                report.add(_label(motto, part), f"“{MOTTO}”", _quote(motto.text, 60))
            tol = layout.MOTTO_RULE_TOLERANCE_MM
            label = LABELS["motto_rule"] + suffix
            _check_rule(ctx, report, label, part.motto_rule, motto, 1, 1, tol)
        agencies = part.all("agency")
        if agencies:
            longest = max(agencies, key=lambda b: widest_printed_line(ctx.styles, b))
            lo, hi = layout.SHORT_RULE_FRACTION
            _check_rule(
                ctx,
                report,
                LABELS["agency_rule"] + suffix,
                part.agency_rule,
                longest,
                lo,
                hi,
                layout.SHORT_RULE_TOLERANCE_MM,
            )
        elif part.header_has_left_text:
            report.add(
                COMPONENTS["agency"].label + suffix,
                "tên cơ quan ban hành (in hoa, đậm) ở cột trái bảng phần đầu",
                "không có",
            )
        _check_fits(ctx, report, part)
        _check_name_breaks(report, part)
        number = part.first("number")
        if number is not None:
            _check_number(report, _label(number, part), number.text)
        date = next((b for b in part.blocks if b.component == "date_line"), None)
        for block in part.all("date_line"):
            _check_date(report, _label(block, part), block.text)
            text = normalise(block.text)
            date_match = DATE_RE.search(text)
            assert date_match is not None  # the block is a date_line because DATE_RE found it
            place = text.split(",")[0] if "," in text[: date_match.start()] else None
            if place is None:
                report.add(
                    _label(block, part),
                    "“<Địa danh>, ngày … tháng … năm …” (dấu phẩy sau địa danh)",
                    _quote(text, 60),
                )
            elif not place[:1].isupper():
                report.add(_label(block, part), "địa danh viết hoa chữ đầu", _quote(place))
        if number is not None and date is not None and date.tbl is part.header:
            aligned = _first_text_in_cell(number) and _first_text_in_cell(date)
            if number.row != date.row or not aligned:
                report.add(
                    _label(date, part),
                    "cùng dòng với số, ký hiệu (cùng hàng của bảng phần đầu)",
                    "ở dòng khác",
                )


def _first_text_in_cell(block: Block) -> bool:
    if block.tc is None:
        return False
    for p in block.tc.iter(w("p")):
        if paragraph_text(p).strip():
            return p is block.p
    return False


def _check_number(report: _Report, label: str, text: str) -> None:
    text = normalise(text)
    match = _NUMBER_RE.match(text)
    if not text.startswith("Số:"):
        report.add(label, "“Số: …” (chữ “Số” và dấu hai chấm)", _quote(text))
    if match is None or not match.group(1):
        return  # number left blank until the document is registered
    digits = match.group(1)
    value = int(digits)
    expected = f"{value:02d}" if value < 10 else str(value)
    if digits != expected:
        report.add(
            label,
            f"Số: {expected}/… (số nhỏ hơn 10 ghi thêm số 0 phía trước)",
            f"Số: {digits}/…",
        )


# -- title block ----------------------------------------------------------------------------------
def check_title_block(ctx: _Context, report: _Report) -> None:
    for part in ctx.anatomy.parts:
        suffix = _part_suffix(part)
        if part.header is not None and not part.all("subject") and not part.all("doc_type"):
            report.add(
                COMPONENTS["doc_type"].label + suffix,
                "tên loại văn bản (in hoa, đậm, căn giữa) dưới phần đầu; công văn có dòng “V/v …”",
                "không có",
            )
        summaries = part.all("summary")
        under = summaries or (part.all("doc_type") if part.summary_rule else [])
        if under:
            lo, hi = layout.SHORT_RULE_FRACTION
            longest = max(under, key=lambda b: widest_printed_line(ctx.styles, b))
            if summaries or part.summary_rule is not None:
                _check_rule(
                    ctx,
                    report,
                    LABELS["summary_rule"] + suffix,
                    part.summary_rule,
                    longest,
                    lo,
                    hi,
                    layout.SHORT_RULE_TOLERANCE_MM,
                )
        for note in part.all("annex_note"):
            _check_date(report, _label(note, part), note.text)


# -- body paragraphs ------------------------------------------------------------------------------
def _line_spacing_problem(fmt: ParaFormat, size: float) -> str | None:
    lo, hi = layout.BODY_LINE_SPACING_RANGE
    if fmt.line_rule == "auto":
        lines = fmt.line / 240
        if not lo - 0.01 <= lines <= hi + 0.01:
            return f"{_num(lines)} dòng"
        return None
    points = fmt.line / 20
    single = size * layout.SINGLE_LINE_EM
    if fmt.line_rule == "exact" and points < layout.BODY_MIN_EXACT_LINE_PT:
        return f"chính xác {_num(points)} pt"
    if max(points, single) > hi * single + 0.05:
        return f"{'chính xác' if fmt.line_rule == 'exact' else 'tối thiểu'} {_num(points)} pt"
    return None


def check_body(ctx: _Context, report: _Report) -> None:
    lo_sp, hi_sp = layout.BODY_LINE_SPACING_RANGE
    spacing_wanted = (
        f"giãn dòng từ {_num(lo_sp)} dòng (single) đến {_num(hi_sp)} dòng, "
        f"hoặc chính xác từ {_num(layout.BODY_MIN_EXACT_LINE_PT)} pt"
    )
    min_gap = layout.BODY_MIN_PARAGRAPH_GAP_PT
    indents = " hoặc ".join(f"{_num(v / 10, 2)} cm" for v in layout.BODY_FIRST_LINE_INDENTS_MM)
    for part in ctx.anatomy.parts:
        body = [b for b in part.blocks if b.component in ("body", "basis") and b.tbl is None]
        for i, block in enumerate(body):
            label, where = _label(block, part), _where(block)
            fmt = ctx.styles.para_format(block.p)
            runs = _text_runs(ctx.styles, block)
            if not runs:
                continue
            size = max(f.size for _, f in runs)
            heading = block.component == "body" and _is_heading(block, runs)
            if block.component == "body" and not heading:
                if fmt.jc != "both":
                    report.add(label, "căn đều hai bên", _JC_NAMES.get(fmt.jc, fmt.jc), where)
                first_mm = twips_to_mm(fmt.first_line)
                if not any(
                    abs(first_mm - v) <= layout.INDENT_TOLERANCE_MM
                    for v in layout.BODY_FIRST_LINE_INDENTS_MM
                ):
                    found = (
                        f"thụt treo {_num(-first_mm / 10, 2)} cm"
                        if first_mm < 0
                        else f"{_num(first_mm / 10, 2)} cm"
                    )
                    report.add(label, f"thụt lề dòng đầu {indents}", found, where)
            problem = _line_spacing_problem(fmt, size)
            if problem:
                report.add(label, spacing_wanted, problem, where)
            following = block.p.getnext()
            nxt = body[i + 1] if i + 1 < len(body) else None
            if nxt is not None and following is nxt.p:
                nfmt = ctx.styles.para_format(nxt.p)
                same = fmt.style_id == nfmt.style_id
                after = 0 if fmt.contextual and same else fmt.after
                before = 0 if nfmt.contextual and same else nfmt.before
                gap = (after + before) / 20
                if gap < min_gap - 0.05:
                    report.add(
                        label,
                        f"khoảng cách giữa các đoạn tối thiểu {_num(min_gap)} pt",
                        f"{_num(gap)} pt",
                        where,
                    )
        _check_basis_punctuation(report, part)


def _check_basis_punctuation(report: _Report, part: DocumentPart) -> None:
    blocks = part.blocks
    for i, block in enumerate(blocks):
        if block.component != "basis":
            continue
        text = normalise(block.text)
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        last = nxt is None or nxt.component != "basis"
        label, where = _label(block, part), _where(block)
        if not last and not text.endswith(";"):
            report.add(label, "dấu “;” cuối dòng căn cứ", f"kết thúc bằng “{text[-1:]}”", where)
        elif last and not text.endswith((".", ";", ",")):
            report.add(label, "dấu “.” sau căn cứ cuối cùng", f"kết thúc bằng “{text[-1:]}”", where)


# -- signature ------------------------------------------------------------------------------------
def check_signature(ctx: _Context, report: _Report) -> None:
    for part in ctx.anatomy.parts:
        suffix = _part_suffix(part)
        if part.signature is not None and ctx.styles.table_borders_visible(part.signature):
            report.add(LABELS["signature_table"] + suffix, "bảng không viền", "bảng có đường viền")
        label_block = part.first("recipients_label")
        recipients_label = COMPONENTS["recipients_label"].label + suffix
        if label_block is None:
            if part.first("number") is not None:
                report.add(
                    recipients_label,
                    "“Nơi nhận:” ở cột trái bảng chữ ký",
                    "không có",
                )
        else:
            if normalise(label_block.text) != "Nơi nhận:":
                report.add(recipients_label, "“Nơi nhận:”", _quote(label_block.text))
            _check_recipient_lines(report, part)
        for block in part.all("signer_title"):
            text = normalise(block.text)
            bad = _PREFIX_BAD.match(text)
            if bad and not _PREFIX_OK.match(text):
                good = bad.group(1).replace("/", "") + "."
                report.add(
                    _label(block, part),
                    f"“{good}” (viết tắt có dấu chấm, không gạch chéo)",
                    _quote(text),
                    _where(block),
                )


def _check_recipient_lines(report: _Report, part: DocumentPart) -> None:
    label = COMPONENTS["recipients"].label + _part_suffix(part)
    lines = [
        line.strip()
        for block in part.all("recipients")
        for line in block.text.split("\n")
        if line.strip()
    ]
    if not lines:
        report.add(label, "các dòng “- …;” và dòng cuối “- Lưu: …”", "không có")
        return
    for i, line in enumerate(lines):
        where = _quote(line)
        if not line.startswith("- "):
            report.add(label, "dòng bắt đầu bằng “- ”", f"bắt đầu bằng “{line[:2]}”", where)
        last = i == len(lines) - 1
        end = "." if last else ";"
        if not line.endswith(end):
            report.add(
                label,
                f"dòng {'cuối ' if last else ''}kết thúc bằng “{end}”",
                f"kết thúc bằng “{line[-1]}”",
                where,
            )
    lưu = [i for i, line in enumerate(lines) if re.match(r"^-?\s*Lưu\b", line)]
    if not lưu:
        report.add(label, "dòng cuối “- Lưu: …”", "không có dòng Lưu")
    elif lưu[-1] != len(lines) - 1:
        report.add(label, "dòng cuối “- Lưu: …”", f"dòng cuối {_quote(lines[-1])}")


def run_checks(package: DocxPackage, anatomy: Anatomy, file: str) -> list[Finding]:
    ctx = _Context(package, anatomy, file)
    report = _Report(file)
    for check in (
        check_page,
        check_page_numbers,
        check_header,
        check_title_block,
        check_components,
        check_fonts,
        check_body,
        check_signature,
    ):
        check(ctx, report)
    return report.findings()
