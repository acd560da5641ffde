"""The DOCX writer: fills a document's template with its context and finishes the layout.

Templates are docxtpl templates: docxtpl cleans the Word XML so Jinja tags split across runs
work, and Jinja fills them. A dossier renders the same template many times (one Bản cam kết per
candidate), so each template is read and compiled once (``CompiledTemplate``) and every
document is one Jinja render plus one ZIP write — milliseconds, so Python never holds up
LibreOffice.

Every part docxtpl's own ``render`` fills is filled here too: the body, headers, footers,
footnotes and endnotes (core properties are written by k39docs: title, author, language).

Data is printed literally: autoescape is on and ``StrictUndefined`` makes a misspelt variable
fail loudly. Templates from a user folder run in Jinja's sandbox. After rendering, the ND30
rules under the header lines are sized to the text actually printed (``fit_rules``): a template
cannot compute a width, and a rule of the wrong length is the first thing a reviewer sees.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment
from lxml import etree

from ..documents import Document
from ..errors import K39Error
from ..nd30.fonts import text_width_mm
from ..nd30.layout import CELL_MARGIN_MM, COMPONENTS, PAGE, RULE_FRACTION, STYLE_NAMES
from ..resources import template_dir
from ..vietnamese import FILTERS
from ..vietnamese.text import symbol_hyphens
from .wordml import W, insert_in_order, no_break_hyphens
from .wordml import w as _w

__all__ = [
    "jinja_environment",
    "write_docx",
    "render_docx",
    "WrittenDocx",
    "fit_rules",
    "resolve_template",
    "CompiledTemplate",
    "TemplateError",
]

_NS = {"w": W}
_TWIPS_PER_MM = 1440 / 25.4
_STYLE_COMPONENT = {name: key for key, name in STYLE_NAMES.items()}
_RENDERED_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


class TemplateError(K39Error):
    """A template could not be read or rendered (a broken user template, a missing variable)."""


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing ``'x' * 10**9`` and ``9 ** 999999`` (memory, time)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise jinja2.exceptions.SecurityError(f"lũy thừa quá lớn (** {right})")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, (str, list, tuple))
                    and isinstance(times, int)
                    and len(seq) * times > MAX_RANGE
                ):
                    raise jinja2.exceptions.SecurityError("chuỗi hoặc danh sách nhân lên quá dài")
        return super().call_binop(context, operator, left, right)


def jinja_environment(
    *, sandboxed: bool = False, loader: jinja2.BaseLoader | None = None
) -> jinja2.Environment:
    env_class = _Sandbox if sandboxed else jinja2.Environment
    env = env_class(
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        loader=loader,
        # the built-in templates' compiled code, kept between runs (a user's, sandboxed, never)
        bytecode_cache=None if sandboxed else _bytecode_cache(),
    )
    env.filters.update(FILTERS)
    return env


@lru_cache(maxsize=1)
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiling the built-in templates' parts is a good part of a command's start; Jinja
    keeps the compiled code in the user cache, checked against each part's source and Jinja's
    and Python's versions, in a folder named for the code that defines the filters and the
    escaping (:func:`k39docs.cache.producer_identity`): it can never give outdated code."""
    from ..cache import cache_root, private_dirs, producer_identity

    top = cache_root()
    folder = top / "templates" / producer_identity()[:24]
    try:
        private_dirs(folder, top)
    except OSError:
        return None  # (an unwritable cache: compiled each time, as before)
    return _BestEffortBytecodeCache(str(folder))


class _BestEffortBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's, but compiled code that cannot be kept (the folder removed by ``k39docs cache
    --clear`` meanwhile, a full disk) is compiled again next time: the render goes on."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class CompiledTemplate:
    """A DOCX template read and compiled once: its ZIP entries and one Jinja template per part."""

    def __init__(self, path: Path, *, sandboxed: bool = False):
        self.path = Path(path)
        try:
            self._docxtpl = DocxTemplate(str(self.path))
            with zipfile.ZipFile(self.path) as zf:
                entries = [(info, zf.read(info)) for info in zf.infolist()]
            sources = {}
            for info, data in entries:
                if _RENDERED_PARTS.match(info.filename):
                    xml = self._docxtpl.patch_xml(data.decode("utf-8"))
                    xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
                    sources[f"{self.path.name}/{info.filename}"] = _literal_escapes(xml)
            env = jinja_environment(sandboxed=sandboxed, loader=jinja2.DictLoader(sources))
            self.parts: dict[str, jinja2.Template] = {
                name.split("/", 1)[1]: env.get_template(name) for name in sources
            }
        except (OSError, zipfile.BadZipFile, KeyError) as exc:
            raise TemplateError(f"Không đọc được mẫu {self.path}: {exc}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"Mẫu {self.path.name} có lỗi cú pháp Jinja (dòng {exc.lineno}): {exc.message}"
            ) from None
        self.style_names = _style_names({i.filename: d for i, d in entries}["word/styles.xml"])
        # the parts no document changes, compressed once: each document only adds its own
        base = io.BytesIO()
        self._unchanged: dict[str, bytes] = {}
        with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in entries:
                if info.filename not in self.parts and info.filename != "docProps/core.xml":
                    zf.writestr(info, data)
                    self._unchanged[info.filename] = data
        self._base = base.getvalue()

    def _render(self, context: dict[str, Any]) -> tuple[dict[str, bytes], Any]:
        """The rendered XML of the document body, headers and footers, and the body as parsed
        (handed on with what was written: see :class:`WrittenDocx`)."""
        out, body = {}, None
        for name, template in self.parts.items():
            try:
                xml = template.render(context)
            except jinja2.TemplateError as exc:
                raise TemplateError(f"Mẫu {self.path.name}: {exc}") from None
            # the line break a block tag leaves before a paragraph (str.replace: a regular
            # expression's substitution took twice as long on the long lists)
            xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
            # line breaks and tabs typed in the data (not the one after the XML declaration)
            if _LISTING_CHARS.search(xml, xml.find("<", 1)):
                xml = self._docxtpl.resolve_listing(xml)
            if name == "word/document.xml":
                body = etree.fromstring(xml.encode("utf-8"))
                fit_rules(body, self.style_names)
                no_break_hyphens(body, symbol_hyphens)  # "39-KL/TW" never split at a line end
                out[name] = etree.tostring(
                    body, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            else:
                out[name] = xml.encode("utf-8")
        return out, body

    def write(self, out_path: Path, context: dict[str, Any], *, core_xml: bytes) -> WrittenDocx:
        rendered, body = self._render(context)
        rendered["docProps/core.xml"] = core_xml
        buffer = io.BytesIO(self._base)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as zf:
            for name, data in rendered.items():
                zf.writestr(
                    zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                    data,
                    compress_type=zipfile.ZIP_DEFLATED,
                )
        out_path.write_bytes(buffer.getvalue())
        return WrittenDocx(out_path, {**self._unchanged, **rendered}, body)


@dataclass(frozen=True)
class WrittenDocx:
    """A DOCX as it was just written: what reads it again (the page layout of a long list,
    :func:`k39docs.pdf.pagepatch.layout_of`) need not unzip and parse it."""

    path: Path
    parts: dict[str, bytes]  # every part of the package, in the order of the file's entries
    body: Any  # word/document.xml as parsed (lxml), or None; handed over, not used again


def _literal_escapes(xml: str) -> str:
    """docxtpl's ``{_{`` … ``%_}`` escapes become Jinja string literals in the template itself,
    so they print ``{{`` … ``%}`` without a post-render replace that would also rewrite data."""
    for escape_, literal in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
        xml = xml.replace(escape_, f"{{{{ '{literal}' }}}}")
    return xml


_LISTING_CHARS = re.compile(r"[\t\n\a\f]")


@lru_cache(maxsize=64)
def _compiled(path: Path, mtime_ns: int, size: int, sandboxed: bool) -> CompiledTemplate:
    return CompiledTemplate(path, sandboxed=sandboxed)


def resolve_template(name: str, templates: Path | None = None) -> tuple[Path, bool]:
    """Where template ``name`` comes from, and whether it must run sandboxed (a user's file)."""
    if templates is not None and (Path(templates) / name).is_file():
        return (Path(templates) / name).resolve(), True
    return template_dir() / name, False


def compiled_template(name: str, templates: Path | None = None) -> CompiledTemplate:
    """The template ``name`` from a user folder (sandboxed) or the built-in ones, compiled once.

    A user folder may hold only some templates: the others come from the built-in set.
    """
    path, sandboxed = resolve_template(name, templates)
    try:
        stat = path.stat()
    except OSError:
        raise TemplateError(f"Không tìm thấy mẫu văn bản {path}") from None
    return _compiled(path, stat.st_mtime_ns, stat.st_size, sandboxed)


def _core_xml(title: str, author: str, subject: str, issued: datetime) -> bytes:
    stamp = issued.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:subject>{escape(subject)}</dc:subject>"
        f"<dc:creator>{escape(author)}</dc:creator><cp:lastModifiedBy>{escape(author)}"
        "</cp:lastModifiedBy><cp:revision>1</cp:revision><dc:language>vi-VN</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def write_docx(
    document: Document,
    out_path: Path,
    *,
    templates: Path | None = None,
    author: str = "",
    issued: datetime | None = None,
) -> Path:
    """Render ``document`` into ``out_path`` and return it.

    Core properties (title, author, language vi-VN) are set; their dates are the document's own
    date, so the same input gives the same file.
    """
    return render_docx(document, out_path, templates=templates, author=author, issued=issued).path


def render_docx(
    document: Document,
    out_path: Path,
    *,
    templates: Path | None = None,
    author: str = "",
    issued: datetime | None = None,
) -> WrittenDocx:
    """:func:`write_docx`, returning what was written as well as where."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    core = _core_xml(document.title, author, document.kind, issued or datetime(2000, 1, 1))
    _, sandboxed = resolve_template(document.template, templates)
    try:
        template = compiled_template(document.template, templates)
        return template.write(out_path, document.context, core_xml=core)
    except TemplateError:
        raise
    except (
        Exception
    ) as exc:  # a user's file may fail in any way (bad XML, missing parts …): bad input
        if not sandboxed:
            raise
        name = Path(templates or ".") / document.template
        raise TemplateError(f"Mẫu {name} không dùng được: {type(exc).__name__}: {exc}") from None


# --- the rules under the header lines ---------------------------------------------------------


def _style_names(styles_xml: bytes) -> dict[str, str]:
    root = etree.fromstring(styles_xml)
    names = {}
    for style in root.iterfind("w:style", _NS):
        name = style.find("w:name", _NS)
        if name is not None:
            names[style.get(_w("styleId"))] = name.get(_w("val"))
    return names


def _style_of(p, style_names: dict[str, str]) -> str:
    ref = p.find("w:pPr/w:pStyle", _NS)
    return style_names.get(ref.get(_w("val")), "") if ref is not None else ""


def _text_lines(p) -> list[str]:
    lines, current = [], []
    for el in p.iter(_w("t"), _w("br"), _w("tab")):
        if el.tag == _w("t"):
            current.append(el.text or "")
        elif el.tag == _w("tab"):
            current.append(" ")
        else:
            lines.append("".join(current))
            current = []
    lines.append("".join(current))
    return lines


def _text_width(p, style: str) -> float:
    comp = COMPONENTS[_STYLE_COMPONENT.get(style, "body")]
    return max(
        text_width_mm(line.strip(), comp.size, bold=comp.bold, italic=comp.italic)
        for line in _text_lines(p)
    )


def _body_width_mm(root) -> float:
    sect = root.find("w:body/w:sectPr", _NS)
    size = sect.find("w:pgSz", _NS) if sect is not None else None
    margins = sect.find("w:pgMar", _NS) if sect is not None else None
    if size is None or margins is None:
        return PAGE.width - PAGE.left - PAGE.right
    twips = int(size.get(_w("w"))) - int(margins.get(_w("left"))) - int(margins.get(_w("right")))
    return twips / _TWIPS_PER_MM


def _container_width_mm(container, body_width: float) -> float:
    if container.tag == _w("tc"):
        tc_w = container.find("w:tcPr/w:tcW", _NS)
        if tc_w is not None and tc_w.get(_w("type")) == "dxa":
            return int(tc_w.get(_w("w"))) / _TWIPS_PER_MM - 2 * CELL_MARGIN_MM
    return body_width


def fit_rules(root, style_names: dict[str, str]) -> None:
    """Set each rule paragraph's indents so its bottom border spans the right length, centred.

    A rule measures the text paragraphs directly above it in the same cell or body (the agency
    name may span several lines): the full rule is as long as the widest line (Tiêu ngữ), the
    short rule a fraction of it (ND30: 1/3 to 1/2). Empty paragraphs between keep the group.
    """
    body_width = _body_width_mm(root)
    # only the body and cells that hold a rule: a 100-row list has nothing to measure
    rule_ids = {sid for sid, name in style_names.items() if name in RULE_FRACTION}
    containers: dict[Any, None] = {}  # the elements, in document order (a set keeps none)
    for ref in root.iter(_w("pStyle")):
        if ref.get(_w("val")) in rule_ids:
            container = ref.getparent().getparent().getparent()  # pStyle → pPr → p → container
            if container.tag in (_w("body"), _w("tc")):
                containers[container] = None
    for container in containers:
        above: list[tuple[Any, str]] = []
        for p in container.iterfind("w:p", _NS):
            style = _style_of(p, style_names)
            if style in RULE_FRACTION:
                if above:
                    width = _container_width_mm(container, body_width)
                    # a paragraph wider than its column wraps: its widest line is the column
                    text = min(width, max(_text_width(q, s) for q, s in above))
                    _set_indent(p, max(0.0, (width - RULE_FRACTION[style] * text) / 2))
                above = []
            elif "".join(_text_lines(p)).strip():
                if above and style != above[-1][1]:
                    above = []
                above.append((p, style))


_AFTER_IND = {
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
}


def _set_indent(p, side_mm: float) -> None:
    p_pr = p.find("w:pPr", _NS)
    if p_pr is None:
        p_pr = etree.Element(_w("pPr"))
        p.insert(0, p_pr)
    ind = p_pr.find("w:ind", _NS)
    if ind is None:  # w:ind before w:jc, w:rPr …
        ind = etree.Element(_w("ind"))
        insert_in_order(p_pr, ind, _AFTER_IND)
    twips = str(round(side_mm * _TWIPS_PER_MM))
    ind.set(_w("left"), twips)
    ind.set(_w("right"), twips)
    ind.set(_w("firstLine"), "0")
