"""Reading a DOCX for the format checker: its parts, and the effective formatting of paragraphs
and runs once run properties, character styles, paragraph styles (with their ``basedOn`` chain),
table styles, document defaults and theme fonts have been resolved the way Word resolves them.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

from lxml import etree

from ...docx.wordml import W, w

__all__ = [
    "W",
    "w",
    "DocxPackage",
    "StyleSheet",
    "RunFormat",
    "ParaFormat",
    "read_package",
    "paragraph_runs",
    "run_text",
    "paragraph_text",
    "twips_to_mm",
    "to_int",
    "on_off",
]

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

TWIPS_PER_MM = 1440 / 25.4
FONT_SLOTS = ("ascii", "hAnsi", "cs")  # eastAsia is irrelevant for Vietnamese text
_THEME_ATTRS = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "cs": "cstheme"}


def twips_to_mm(twips: float) -> float:
    return twips / TWIPS_PER_MM


def on_off(el: etree._Element | None) -> bool | None:
    """Value of an ST_OnOff element (``<w:b/>``, ``<w:b w:val="0"/>``); None when absent."""
    if el is None:
        return None
    return el.get(w("val"), "true").lower() not in ("0", "false", "off")


@overload
def to_int(value: str | None, default: int) -> int: ...
@overload
def to_int(value: str | None, default: None = None) -> int | None: ...
def to_int(value: str | None, default: int | None = None) -> int | None:
    """An integer attribute, tolerating \"1134.0\"; ``default`` when absent or unreadable."""
    if value is None:
        return default
    try:
        return int(float(value))
    except ValueError:
        return default


@dataclass(frozen=True)
class RunFormat:
    """What a run looks like after resolution. ``fonts`` maps ascii/hAnsi/cs to a font name."""

    fonts: tuple[tuple[str, str | None], ...]
    size: float  # pt
    bold: bool
    italic: bool
    color: str  # "auto" or RRGGBB
    caps: bool
    hidden: bool


@dataclass(frozen=True)
class ParaFormat:
    """Paragraph properties after resolution; lengths in twips, ``first_line`` < 0 is hanging."""

    style_id: str | None
    jc: str
    left: int
    right: int
    first_line: int
    before: int
    after: int
    line: int
    line_rule: str
    contextual: bool
    bottom_border: str | None  # border type (single, double …) of a visible bottom border


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PARSER)


class StyleSheet:
    """``styles.xml`` and the theme fonts, able to say how a paragraph or run is formatted."""

    def __init__(self, styles: etree._Element | None, theme_fonts: dict[str, str | None]):
        self._styles: dict[str, etree._Element] = {}
        self._defaults: dict[str, str] = {}
        self._theme_fonts = theme_fonts
        self._rpr_default = self._ppr_default = None
        # keyed by the elements themselves, which keeps their lxml proxies (and identities) alive
        self._run_cache: dict[tuple, RunFormat] = {}
        self._para_cache: dict[tuple, ParaFormat] = {}
        if styles is None:
            return
        for style in styles.iter(w("style")):
            sid = style.get(w("styleId"))
            if sid is None:
                continue
            self._styles[sid] = style
            if style.get(w("default")) in ("1", "true", "on"):
                self._defaults.setdefault(style.get(w("type"), "paragraph"), sid)
        defaults = styles.find(w("docDefaults"))
        if defaults is not None:
            self._rpr_default = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
            self._ppr_default = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")

    # -- style chains ------------------------------------------------------------------------
    def style_name(self, style_id: str | None) -> str | None:
        style = self._styles.get(style_id or "")
        if style is None:
            return None
        name = style.find(w("name"))
        return name.get(w("val")) if name is not None else style_id

    def _chain(self, style_id: str | None, kind: str) -> list[etree._Element]:
        """The style and its ``basedOn`` ancestors, root first."""
        if style_id is None or style_id not in self._styles:
            style_id = self._defaults.get(kind)
        chain: list[etree._Element] = []
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            chain.append(style)
            based = style.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None
        return chain[::-1]

    @staticmethod
    def _props(chain: list[etree._Element], tag: str) -> list[etree._Element]:
        return [p for p in (s.find(w(tag)) for s in chain) if p is not None]

    @staticmethod
    def paragraph_style_id(p: etree._Element) -> str | None:
        ps = p.find(f"{w('pPr')}/{w('pStyle')}")
        return ps.get(w("val")) if ps is not None else None

    @staticmethod
    def table_style_id(tbl: etree._Element | None) -> str | None:
        if tbl is None:
            return None
        ts = tbl.find(f"{w('tblPr')}/{w('tblStyle')}")
        return ts.get(w("val")) if ts is not None else None

    def table_style_chain(self, tbl: etree._Element | None) -> list[etree._Element]:
        return [] if tbl is None else self._chain(self.table_style_id(tbl), "table")

    # -- runs --------------------------------------------------------------------------------
    def run_format(
        self, p: etree._Element, r: etree._Element, tbl: etree._Element | None = None
    ) -> RunFormat:
        key = (p, r, tbl)
        if key not in self._run_cache:
            self._run_cache[key] = self._resolve_run(p, r, tbl)
        return self._run_cache[key]

    def _resolve_run(self, p, r, tbl) -> RunFormat:
        layers: list[etree._Element] = []
        if self._rpr_default is not None:
            layers.append(self._rpr_default)
        layers += self._props(self.table_style_chain(tbl), "rPr")
        layers += self._props(self._chain(self.paragraph_style_id(p), "paragraph"), "rPr")
        rstyle = r.find(f"{w('rPr')}/{w('rStyle')}")
        layers += self._props(
            self._chain(rstyle.get(w("val")) if rstyle is not None else None, "character"), "rPr"
        )
        direct = r.find(w("rPr"))
        if direct is not None:
            layers.append(direct)

        fonts: dict[str, str | None] = dict.fromkeys(FONT_SLOTS)
        toggles = {"b": False, "i": False, "caps": False, "vanish": False}
        size, color = 10.0, "auto"
        for rpr in layers:
            rfonts = rpr.find(w("rFonts"))
            if rfonts is not None:
                for slot in FONT_SLOTS:
                    theme = rfonts.get(w(_THEME_ATTRS[slot]))
                    if theme is not None:  # a theme font wins over the plain one at the same level
                        fonts[slot] = self._theme_fonts.get(theme) or f"chủ đề {theme}"
                    elif rfonts.get(w(slot)) is not None:
                        fonts[slot] = rfonts.get(w(slot))
            sz = rpr.find(w("sz"))
            half_points = to_int(sz.get(w("val"))) if sz is not None else None
            if half_points is not None:
                size = half_points / 2
            for tag in toggles:  # later levels override (Word's XOR of toggles in styles is rare)
                value = on_off(rpr.find(w(tag)))
                if value is not None:
                    toggles[tag] = value
            col = rpr.find(w("color"))
            if col is not None and col.get(w("val")):
                color = col.get(w("val"))
        return RunFormat(
            tuple(fonts.items()),
            size,
            toggles["b"],
            toggles["i"],
            color,
            toggles["caps"],
            toggles["vanish"],
        )

    # -- paragraphs --------------------------------------------------------------------------
    def para_format(self, p: etree._Element, tbl: etree._Element | None = None) -> ParaFormat:
        key = (p, tbl)
        if key not in self._para_cache:
            self._para_cache[key] = self._resolve_para(p, tbl)
        return self._para_cache[key]

    def _resolve_para(self, p, tbl) -> ParaFormat:
        layers: list[etree._Element] = []
        if self._ppr_default is not None:
            layers.append(self._ppr_default)
        layers += self._props(self.table_style_chain(tbl), "pPr")
        style_id = self.paragraph_style_id(p)
        layers += self._props(self._chain(style_id, "paragraph"), "pPr")
        direct = p.find(w("pPr"))
        if direct is not None:
            layers.append(direct)

        jc, left, right, first = "left", 0, 0, 0
        before, after, line, rule, contextual, border = 0, 0, 240, "auto", False, None
        for ppr in layers:
            el = ppr.find(w("jc"))
            if el is not None and el.get(w("val")):
                jc = {"start": "left", "end": "right", "distribute": "both"}.get(
                    el.get(w("val")), el.get(w("val"))
                )
            ind = ppr.find(w("ind"))
            if ind is not None:
                left = to_int(ind.get(w("left"), ind.get(w("start"))), left)
                right = to_int(ind.get(w("right"), ind.get(w("end"))), right)
                if ind.get(w("hanging")) is not None:
                    first = -to_int(ind.get(w("hanging")), 0)
                elif ind.get(w("firstLine")) is not None:
                    first = to_int(ind.get(w("firstLine")), 0)
            sp = ppr.find(w("spacing"))
            if sp is not None:
                before = to_int(sp.get(w("before")), before)
                after = to_int(sp.get(w("after")), after)
                line = to_int(sp.get(w("line")), line)
                rule = sp.get(w("lineRule"), rule if sp.get(w("line")) is None else "auto")
            value = on_off(ppr.find(w("contextualSpacing")))
            if value is not None:
                contextual = value
            bottom = ppr.find(f"{w('pBdr')}/{w('bottom')}")
            if bottom is not None:
                kind = bottom.get(w("val"), "none")
                border = None if kind in ("nil", "none") else kind
        return ParaFormat(
            style_id, jc, left, right, first, before, after, line, rule, contextual, border
        )

    # -- tables ------------------------------------------------------------------------------
    def cell_margins(self, tbl: etree._Element, tc: etree._Element) -> tuple[int, int]:
        """Left and right cell margins (twips): cell, then table, then table style, then 108."""
        left = right = None
        sources = [
            tc.find(f"{w('tcPr')}/{w('tcMar')}"),
            tbl.find(f"{w('tblPr')}/{w('tblCellMar')}"),
        ]
        sources += [
            s.find(f"{w('tblPr')}/{w('tblCellMar')}") for s in self.table_style_chain(tbl)[::-1]
        ]
        for mar in sources:
            if mar is None:
                continue
            if left is None:
                left = _margin(mar, "left", "start")
            if right is None:
                right = _margin(mar, "right", "end")
        return (108 if left is None else left, 108 if right is None else right)

    def table_borders_visible(self, tbl: etree._Element) -> bool:
        """Whether any border of the table or of one of its cells would be printed."""
        holders = [tbl.find(f"{w('tblPr')}/{w('tblBorders')}")]
        holders += [s.find(f"{w('tblPr')}/{w('tblBorders')}") for s in self.table_style_chain(tbl)]
        holders += list(tbl.iter(w("tcBorders")))
        for holder in holders:
            if holder is None:
                continue
            for edge in holder:
                if edge.get(w("val"), "none") not in ("nil", "none") and to_int(
                    edge.get(w("sz")), 1
                ):
                    return True
        return False


def _margin(mar: etree._Element, side: str, logical: str) -> int | None:
    el = mar.find(w(side))
    el = el if el is not None else mar.find(w(logical))
    if el is not None and el.get(w("type"), "dxa") == "dxa":
        return to_int(el.get(w("w")))
    return None


@dataclass
class DocxPackage:
    """The parts of a DOCX the checker reads."""

    document: etree._Element
    styles: StyleSheet
    parts: dict[str, etree._Element] = field(default_factory=dict)  # rId → header/footer root
    part_kinds: dict[str, str] = field(default_factory=dict)  # rId → "header" / "footer"
    even_and_odd_headers: bool = False


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationships of a part: rId → (type suffix, target part name)."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in z.namelist():
        return {}
    out = {}
    for rel in _parse(z.read(rels_name)).iter(f"{{{_PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        target = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
    return out


def _theme_fonts(theme: etree._Element | None) -> dict[str, str | None]:
    fonts: dict[str, str | None] = {}
    if theme is None:
        return fonts
    for major in ("major", "minor"):
        scheme = theme.find(f".//{{{_A}}}{major}Font")
        if scheme is None:
            continue
        fonts[f"{major}Ascii"] = fonts[f"{major}HAnsi"] = _typeface(scheme, "latin")
        fonts[f"{major}Bidi"] = _typeface(scheme, "cs")
        fonts[f"{major}EastAsia"] = _typeface(scheme, "ea")
    return fonts


def _typeface(scheme: etree._Element, tag: str) -> str | None:
    el = scheme.find(f"{{{_A}}}{tag}")
    return (el.get("typeface") or None) if el is not None else None


def read_package(path: Path) -> DocxPackage:
    """Open a DOCX; raises ``zipfile.BadZipFile``, ``KeyError`` or ``etree.XMLSyntaxError``."""
    with zipfile.ZipFile(path) as z:
        main = "word/document.xml"
        for kind, target in _rels(z, "").values():
            if kind == "officeDocument":
                main = target
        document = _parse(z.read(main))
        styles_el = theme_el = settings_el = None
        parts: dict[str, etree._Element] = {}
        kinds: dict[str, str] = {}
        for rid, (kind, target) in _rels(z, main).items():
            if target not in z.namelist():
                continue
            if kind == "styles":
                styles_el = _parse(z.read(target))
            elif kind == "theme":
                theme_el = _parse(z.read(target))
            elif kind == "settings":
                settings_el = _parse(z.read(target))
            elif kind in ("header", "footer"):
                parts[rid] = _parse(z.read(target))
                kinds[rid] = kind
    even_odd = bool(settings_el is not None and on_off(settings_el.find(w("evenAndOddHeaders"))))
    return DocxPackage(
        document, StyleSheet(styles_el, _theme_fonts(theme_el)), parts, kinds, even_odd
    )


# -- text ----------------------------------------------------------------------------------------
_SKIP_ANCESTORS = {w("del"), w("moveFrom"), w("txbxContent"), f"{{{_MC}}}Fallback"}


def paragraph_runs(p: etree._Element) -> list[etree._Element]:
    """The runs displayed as part of ``p``: not deleted, not inside a text box of ``p``."""
    runs = []
    for r in p.iter(w("r")):
        parent = r.getparent()
        while parent is not None and parent is not p:
            if parent.tag in _SKIP_ANCESTORS or parent.tag == w("p"):
                break
            parent = parent.getparent()
        else:
            runs.append(r)
    return runs


def run_text(r: etree._Element) -> str:
    """Displayed text of a run: line breaks as ``\\n``, tabs as ``\\t``."""
    out = []
    for child in r:
        tag = child.tag
        if tag == w("t"):
            out.append(child.text or "")
        elif tag == w("tab"):
            out.append("\t")
        elif tag in (w("cr"),) or (
            tag == w("br") and child.get(w("type"), "textWrapping") == "textWrapping"
        ):
            out.append("\n")
        elif tag == w("noBreakHyphen"):
            out.append("-")
    return "".join(out)


def paragraph_text(p: etree._Element) -> str:
    return "".join(run_text(r) for r in paragraph_runs(p))
