"""Where each Nghị định 30 component sits in a DOCX laid out the ``nd30-format.md`` §6 way.

Components are found by structure and text, not by style names: the header is a borderless
two-column table whose right column holds the Quốc hiệu; the title block, Kính gửi, Căn cứ and
body paragraphs follow; the signature is a later borderless table with "Nơi nhận:" on the left
and the CAPS authority lines on the right. A document may hold several parts (a main document
and its annexes), each starting with its own header table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from .ooxml import DocxPackage, StyleSheet, paragraph_runs, paragraph_text, run_text, w

__all__ = [
    "Section",
    "Block",
    "HorizontalRule",
    "DocumentPart",
    "Anatomy",
    "read_anatomy",
    "normalise",
    "is_caps",
    "DATE_RE",
]

_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DATE_RE = re.compile(r"ngày\s+(\S+)\s+tháng\s+(\S+)\s+năm\s+(\S+)", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^Số\b")
_SUBJECT_RE = re.compile(r"^V/v\b", re.IGNORECASE)
_ADDRESSEE_RE = re.compile(r"^Kính\s+gửi\b", re.IGNORECASE)
_BASIS_RE = re.compile(r"^Căn\s+cứ\b", re.IGNORECASE)
_ANNEX_RE = re.compile(r"^Phụ\s+lục\b", re.IGNORECASE)
_RECIPIENTS_RE = re.compile(r"^Nơi\s+nhận\b", re.IGNORECASE)
_NOTE_RE = re.compile(r"^(Ghi\s+chú|Chú\s+thích|Lưu\s+ý)\s*:|^\*", re.IGNORECASE)
_DASHES = re.compile(r"\s*[-‐‑–—]\s*")


def normalise(text: str) -> str:
    """NFC, one space between words, no surrounding blanks."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def is_caps(text: str) -> bool:
    """Has letters and none of them is lower case."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not any(c.islower() for c in letters)


def _is_national_title(text: str) -> bool:
    key = normalise(text).casefold().replace("hoà", "hòa")
    return key == NATIONAL_TITLE.casefold()


def _is_motto(text: str) -> bool:
    return _DASHES.sub(" - ", normalise(text)).casefold() == MOTTO.casefold()


def _is_date_line(text: str) -> bool:
    text = normalise(text)
    match = DATE_RE.search(text)
    return (
        match is not None and match.start() <= 60 and len(text) <= 90 and not text.startswith("(")
    )


@dataclass
class Section:
    """One ``w:sectPr`` and the body-level elements it lays out (1-based ``number``)."""

    number: int
    sect_pr: etree._Element | None
    elements: list[etree._Element] = field(default_factory=list)


@dataclass
class Block:
    """A paragraph with text, labelled with its component (a ``layout.COMPONENTS`` key, or
    ``"note"`` for a parenthesised hint, ``"other"`` for text the checker does not place)."""

    component: str
    p: etree._Element
    text: str
    section: Section
    tbl: etree._Element | None = None
    tc: etree._Element | None = None
    row: int | None = None


@dataclass
class HorizontalRule:
    """A horizontal rule: the bottom border of ``carrier`` or a line drawn in it."""

    carrier: Block
    drawn_mm: float | None = None  # length of a drawn line; None for a paragraph border


@dataclass
class DocumentPart:
    """A main document or an annex: everything from one header table to the next."""

    number: int
    header: etree._Element | None = None
    signature: etree._Element | None = None
    blocks: list[Block] = field(default_factory=list)
    motto_rule: HorizontalRule | None = None
    agency_rule: HorizontalRule | None = None
    summary_rule: HorizontalRule | None = None
    header_has_left_text: bool = False

    def all(self, component: str) -> list[Block]:
        return [b for b in self.blocks if b.component == component]

    def first(self, component: str) -> Block | None:
        found = self.all(component)
        return found[0] if found else None


@dataclass
class Anatomy:
    sections: list[Section]
    parts: list[DocumentPart]
    data_tables: list[tuple[etree._Element, Section]]


def _flatten(body: etree._Element) -> list[etree._Element]:
    """Body-level paragraphs and tables, looking inside block-level content controls."""
    out = []
    for el in body:
        if el.tag == w("sdt"):
            content = el.find(w("sdtContent"))
            if content is not None:
                out += _flatten(content)
        elif el.tag in (w("p"), w("tbl")):
            out.append(el)
    return out


def _sections(body: etree._Element) -> list[Section]:
    sections = [Section(1, None)]
    for el in _flatten(body):
        sections[-1].elements.append(el)
        sect = el.find(f"{w('pPr')}/{w('sectPr')}") if el.tag == w("p") else None
        if sect is not None:
            sections[-1].sect_pr = sect
            sections.append(Section(len(sections) + 1, None))
    sections[-1].sect_pr = body.find(w("sectPr"))
    if not sections[-1].elements and len(sections) > 1:
        # the body sectPr of an empty trailing section still describes the last page setup
        sections.pop()
    return sections


def _line_drawing_mm(p: etree._Element) -> float | None:
    """Length of a line shape drawn in ``p`` (DrawingML), in millimetres."""
    for geom in p.iter(f"{{{_A}}}prstGeom"):
        if geom.get("prst") not in ("line", "straightConnector1"):
            continue
        holder = geom
        while holder is not None and holder.tag not in (f"{{{_WP}}}inline", f"{{{_WP}}}anchor"):
            holder = holder.getparent()
        extent = holder.find(f"{{{_WP}}}extent") if holder is not None else None
        if extent is not None and extent.get("cx", "").isdigit():
            return int(extent.get("cx")) / 36000
    return None


def _rule_of(block: Block, styles: StyleSheet) -> HorizontalRule | None:
    """The rule a paragraph carries: its own bottom border or a drawn line."""
    drawn = _line_drawing_mm(block.p)
    if drawn is not None:
        return HorizontalRule(block, drawn)
    if styles.para_format(block.p, block.tbl).bottom_border is not None:
        return HorizontalRule(block, None)
    return None


def _cell_paragraphs(tc: etree._Element) -> list[etree._Element]:
    return list(tc.iter(w("p")))


class _Reader:
    def __init__(self, package: DocxPackage):
        self.styles = package.styles
        body = package.document.find(w("body"))
        self.sections = _sections(body) if body is not None else [Section(1, None)]
        self.parts: list[DocumentPart] = []
        self.data_tables: list[tuple[etree._Element, Section]] = []

    def block(self, component: str, p, section, tbl=None, tc=None, row=None) -> Block:
        return Block(component, p, paragraph_text(p), section, tbl, tc, row)

    def is_bold(self, block: Block) -> bool:
        runs = [r for r in paragraph_runs(block.p) if run_text(r).strip()]
        return bool(runs) and all(self.styles.run_format(block.p, r, block.tbl).bold for r in runs)

    # -- the whole document --------------------------------------------------------------------
    def read(self) -> Anatomy:
        part = DocumentPart(1)
        self.parts.append(part)
        has_header = any(
            el.tag == w("tbl") and self._is_header(el) for s in self.sections for el in s.elements
        )
        # text above the first header table (a note in the top corner) is no component
        state = {"stage": "preamble" if has_header else "start"}
        for section in self.sections:
            for el in section.elements:
                if el.tag == w("tbl") and self._is_header(el):
                    if part.header is not None:
                        part = DocumentPart(len(self.parts) + 1)
                        self.parts.append(part)
                    state = {"stage": "start"}
                    self._read_header(el, part, section)
                elif el.tag == w("tbl"):
                    if part.signature is None and self._is_signature(el):
                        self._read_signature(el, part, section)
                        state["stage"] = "after"
                    else:
                        self._read_data_table(el, part, section)
                        if state["stage"] in ("start", "title", "summary"):
                            state["stage"] = "body"
                else:
                    self._read_paragraph(el, part, section, state)
        return Anatomy(self.sections, self.parts, self.data_tables)

    def _is_header(self, tbl: etree._Element) -> bool:
        for tr in tbl.findall(w("tr"))[:3]:
            for tc in tr.findall(w("tc")):
                if any(_is_national_title(paragraph_text(p)) for p in _cell_paragraphs(tc)):
                    return True
        return False

    def _is_signature(self, tbl: etree._Element) -> bool:
        """A table with "Nơi nhận:" heading a cell, or a borderless one of at most two rows
        with a CAPS line (signing authority) heading a cell."""
        rows = tbl.findall(w("tr"))
        borderless = not self.styles.table_borders_visible(tbl)
        for tr in rows:
            for tc in tr.findall(w("tc")):
                texts = [normalise(paragraph_text(p)) for p in _cell_paragraphs(tc)]
                texts = [t for t in texts if t]
                if not texts:
                    continue
                if _RECIPIENTS_RE.match(texts[0]):
                    return True
                if borderless and len(rows) <= 2 and is_caps(texts[0]) and len(texts) <= 12:
                    return True
        return False

    # -- header table ----------------------------------------------------------------------------
    def _read_header(self, tbl: etree._Element, part: DocumentPart, section: Section) -> None:
        part.header = tbl
        ordered: list[Block] = []
        left: list[Block] = []
        right: list[Block] = []
        for ri, tr in enumerate(tbl.findall(w("tr"))):
            cells = tr.findall(w("tc"))
            for ci, tc in enumerate(cells):
                if ci == 0 and len(cells) > 1:
                    side: list[Block] | None = left
                else:
                    side = right if ci == len(cells) - 1 else None
                for p in _cell_paragraphs(tc):
                    block = self.block("other", p, section, tbl, tc, ri)
                    ordered.append(block)
                    if side is not None:
                        side.append(block)
        self._read_header_right(right, part)
        self._read_header_left(left, part)
        part.blocks += [b for b in ordered if b.text.strip()]

    def _rule_after(self, blocks: list[Block], index: int) -> HorizontalRule | None:
        """The rule under ``blocks[index]``: its own border/line, or the next empty paragraphs'."""
        own = _rule_of(blocks[index], self.styles)
        if own is not None:
            return own
        for block in blocks[index + 1 :]:
            if block.text.strip():
                return None
            rule = _rule_of(block, self.styles)
            if rule is not None:
                return rule
        return None

    def _read_header_right(self, blocks: list[Block], part: DocumentPart) -> None:
        for i, block in enumerate(blocks):
            if not block.text.strip():
                continue
            if _is_national_title(block.text):
                block.component = "national_title"
            elif _is_motto(block.text):
                block.component = "motto"
                part.motto_rule = self._rule_after(blocks, i)
            elif _is_date_line(block.text):
                block.component = "date_line"

    def _read_header_left(self, blocks: list[Block], part: DocumentPart) -> None:
        names: list[int] = []
        stage = "name"
        for i, block in enumerate(blocks):
            text = normalise(block.text)
            if not text:
                continue
            part.header_has_left_text = True
            if _NUMBER_RE.match(text):
                block.component, stage = "number", "number"
            elif _SUBJECT_RE.match(text) or stage == "subject":
                block.component, stage = "subject", "subject"
            elif _is_date_line(text):
                block.component = "date_line"
            elif stage == "name":
                names.append(i)
        if not names:
            return
        # trailing bold paragraphs are the issuing agency, those above it the parent agency;
        # with no bold line at all the last one is taken as the agency
        agency = [i for i in names if self.is_bold(blocks[i])]
        tail: list[int] = []
        for i in reversed(names):
            if i in agency:
                tail.insert(0, i)
            elif tail:
                break
        if not tail:
            tail = [names[-1]]
        for i in names:
            blocks[i].component = "agency" if i in tail else "parent_agency"
        part.agency_rule = self._rule_after(blocks, tail[-1])

    # -- signature table ---------------------------------------------------------------------------
    def _read_signature(self, tbl: etree._Element, part: DocumentPart, section: Section) -> None:
        part.signature = tbl
        for ri, tr in enumerate(tbl.findall(w("tr"))):
            for tc in tr.findall(w("tc")):
                blocks = [
                    self.block("other", p, section, tbl, tc, ri) for p in _cell_paragraphs(tc)
                ]
                blocks = [b for b in blocks if b.text.strip()]
                if not blocks:
                    continue
                if _RECIPIENTS_RE.match(normalise(blocks[0].text)):
                    blocks[0].component = "recipients_label"
                    for block in blocks[1:]:
                        block.component = "recipients"
                else:
                    titled = False
                    for block in blocks:
                        text = normalise(block.text)
                        if _is_date_line(text):
                            block.component = "date_line"
                        elif text.startswith("("):
                            block.component = "note"
                        elif is_caps(text):
                            block.component, titled = "signer_title", True
                        elif titled:
                            block.component = "signer_name"
                part.blocks += blocks

    # -- other tables and paragraphs -------------------------------------------------------------
    def _read_data_table(self, tbl: etree._Element, part: DocumentPart, section: Section) -> None:
        self.data_tables.append((tbl, section))
        for p in tbl.iter(w("p")):
            text = paragraph_text(p)
            if text.strip():
                inner = next(a for a in p.iterancestors(w("tbl")))
                tc = next(p.iterancestors(w("tc")), None)
                part.blocks.append(Block("table", p, text, section, inner, tc))

    def _read_paragraph(
        self, p: etree._Element, part: DocumentPart, section: Section, state: dict
    ) -> None:
        block = self.block("other", p, section)
        text = normalise(block.text)
        stage = state["stage"]
        if not text:
            if stage in ("title", "summary") and part.summary_rule is None:
                rule = _rule_of(block, self.styles)
                if rule is not None:
                    part.summary_rule = rule
                    state["stage"] = "ruled"
            return
        has_subject = part.first("subject") is not None
        if stage in ("after", "preamble"):
            block.component = "other"
        elif stage == "start" and _ANNEX_RE.match(text) and len(text) <= 40:
            block.component = "annex_label"
        elif (
            stage == "start"
            and not has_subject
            and not _ADDRESSEE_RE.match(text)
            and not (_BASIS_RE.match(text) or text.startswith("("))
            and (is_caps(text) or self.styles.para_format(p).jc == "center")
        ):
            block.component, state["stage"] = "doc_type", "title"
        elif stage == "title" and is_caps(text) and not text.startswith("("):
            block.component = "doc_type"
        elif stage in ("start", "title", "summary", "ruled") and text.startswith("("):
            block.component, state["stage"] = "annex_note", "note"
        elif (
            stage in ("title", "summary")
            and not (_ADDRESSEE_RE.match(text) or _BASIS_RE.match(text))
            and self.styles.para_format(p).jc == "center"
        ):
            block.component, state["stage"] = "summary", "summary"
            if part.summary_rule is None:
                part.summary_rule = _rule_of(block, self.styles)
        elif _ADDRESSEE_RE.match(text):
            block.component, state["stage"] = "addressee", "addressee"
        elif stage == "addressee" and text[0] in "-+":
            block.component = "addressee"
        elif _BASIS_RE.match(text):
            block.component, state["stage"] = "basis", "body"
        elif _NOTE_RE.match(text):
            block.component = "note"  # a note under a table, in the table's smaller type
        else:
            block.component, state["stage"] = "body", "body"
        part.blocks.append(block)


def read_anatomy(package: DocxPackage) -> Anatomy:
    """Sections and parts of the document with every text paragraph labelled."""
    return _Reader(package).read()
