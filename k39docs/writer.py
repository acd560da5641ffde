"""The DOCX writer: fills a document's template with its context and finishes the layout.

Templates are rendered with autoescape on and ``StrictUndefined``, so data is printed literally
(``&``, ``<``, ``{{ x }}`` stay text) and a misspelt variable fails loudly. After rendering, the
ND30 rules under the header lines are sized to the text actually printed (``fit_rules``): docxtpl
cannot compute a width, and a rule of the wrong length is the first thing a reviewer sees.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import jinja2
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from .documents import Document
from .fonts import text_width_mm
from .resources import template_dir
from .layout import CELL_MARGIN_MM, COMPONENTS, PAGE, RULE_FRACTION, STYLE_NAMES
from .vietnamese import FILTERS

__all__ = ["jinja_environment", "write_docx", "fit_rules"]

_TWIPS_PER_MM = 1440 / 25.4
_STYLE_COMPONENT = {name: key for key, name in STYLE_NAMES.items()}


def jinja_environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(FILTERS)
    return env


def write_docx(document: Document, out_path: Path, *, templates: Path | None = None,
               author: str = "", issued: datetime | None = None) -> Path:
    """Render ``document`` into ``out_path`` and return it."""
    tpl = DocxTemplate(str((templates or template_dir()) / document.template))
    tpl.render(document.context, jinja_environment(), autoescape=True)
    fit_rules(tpl.docx)
    props = tpl.docx.core_properties
    props.title = document.title
    props.author = author
    props.language = "vi-VN"
    props.subject = document.kind
    # fixed dates keep the file identical for identical input (content cache, reproducible diffs)
    stamp = issued or datetime(2000, 1, 1)
    props.created = props.modified = stamp
    props.last_modified_by = author
    props.revision = 1
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tpl.save(str(out_path))
    return out_path


def _paragraph_text_width(p) -> float:
    key = _STYLE_COMPONENT.get(p.style.name if p.style is not None else "", "body")
    comp = COMPONENTS[key]
    bold = comp.bold
    widest = 0.0
    for line in p.text.split("\n"):
        widest = max(widest, text_width_mm(line.strip(), comp.size, bold=bold, italic=comp.italic))
    return widest


def _container_width_mm(p, section) -> float:
    tc = p._p.getparent()
    if tc.tag == qn("w:tc"):
        tc_w = tc.find(qn("w:tcPr") + "/" + qn("w:tcW"))
        if tc_w is not None and tc_w.get(qn("w:type")) == "dxa":
            return int(tc_w.get(qn("w:w"))) / _TWIPS_PER_MM - 2 * CELL_MARGIN_MM
    width = section.page_width.mm if section.page_width is not None else PAGE.width
    return width - section.left_margin.mm - section.right_margin.mm


def fit_rules(doc) -> None:
    """Set each rule paragraph's indents so its bottom border spans the right length, centred.

    A rule measures the text paragraphs directly above it in the same cell or body (the agency
    name may span several lines): the full rule is as long as the widest line (Tiêu ngữ), the
    short rule a fraction of it (ND30: 1/3 to 1/2).
    """
    section = doc.sections[0]
    containers = [doc] + [cell for table in doc.tables for row in table.rows for cell in row.cells]
    seen = set()
    for container in containers:
        if id(container._element) in seen:  # merged cells repeat
            continue
        seen.add(id(container._element))
        above: list = []
        for p in container.paragraphs:
            name = p.style.name if p.style is not None else ""
            if name in RULE_FRACTION:
                if above:
                    target = RULE_FRACTION[name] * max(_paragraph_text_width(q) for q in above)
                    side = max(0.0, (_container_width_mm(p, section) - target) / 2)
                    _set_indent(p, side)
                above = []
            elif p.text.strip():
                if above and p.style.name != above[-1].style.name:
                    above = []
                above.append(p)
            # empty paragraphs keep the group: a rule may follow a spacer


def _set_indent(p, side_mm: float) -> None:
    p_pr = p._p.get_or_add_pPr()
    ind = p_pr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        p_pr.append(ind)
    twips = str(int(round(side_mm * _TWIPS_PER_MM)))
    ind.set(qn("w:left"), twips)
    ind.set(qn("w:right"), twips)
    ind.set(qn("w:firstLine"), "0")
