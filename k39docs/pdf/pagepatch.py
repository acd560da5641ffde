"""Long documents converted again only on the pages that changed.

The two documents that list every candidate in a table (the nomination list, the eligibility
working paper) take LibreOffice about a second each at a hundred candidates; one page of them
takes a tenth of that. When one candidate changes, a row or two change. So a render that has
the previous version's PDF converts only the pages holding changed rows, and puts them in
place of the old ones:

* a document's *units* are its body's blocks, each row of a long table counted as a block of
  its own. A table qualifies when its column widths are fixed and its rows under the repeated
  header rows cannot split across pages: a row's height then depends on nothing but its own
  content, and where a page breaks on nothing but the rows before it;
* a whole conversion is of a copy with a bookmark at the start of each unit
  (:meth:`Layout.write_marked`). LibreOffice exports the bookmarks as named destinations,
  which tell each unit's first page: the :class:`PageMap`, kept in the content cache. The
  destinations are taken out of the PDF (:func:`unmark`);
* the next version's units are compared with that map (:func:`plan`). The pages whose units
  changed make *runs*. A run can be converted alone when it starts on the first page or at a
  row that continues a table from the page before (such a page starts with the table's header
  rows, and nothing else carries over from the pages before), and ends at the document's end
  or before such a row; otherwise it takes in the page before or after;
* each run is written as a document of its own (:meth:`Layout.write_run`): its units, each
  table under its header rows, and the first row after the run, with page numbers starting at
  the run's first page and that page's header;
* :func:`splice` checks that the run came out on as many pages as before, with the row after
  it starting a new page, and puts its pages in place of the old ones. Otherwise (or when a
  run's conversion fails) the whole document is converted again.

The tests compare every word's position on every page of a spliced PDF with a whole
conversion of the same DOCX.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import zipfile
from collections.abc import Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from lxml import etree

from ..docx.wordml import AFTER_PGNUMTYPE, W, bookmark, field_other_than_page, insert_in_order
from ..docx.wordml import w as _w
from .pdfinfo import marked_pages

log = logging.getLogger(__name__)

__all__ = [
    "Layout",
    "PageMap",
    "PatchError",
    "read_layout",
    "layout_of",
    "plan",
    "splice",
    "unmark",
    "convert",
]

MARK = "k39u"  # bookmark names: k39u0, k39u1 … one per unit
_MARK_ID = 800_000  # their ids: above any a template would use, below k39docs.pdf.combine's
MIN_ROWS = 30  # a document whose longest table is shorter converts fast enough whole
MOST_PAGES = 0.5  # converting more than this share of the pages again: convert the whole
_BODY = "word/document.xml"
_PRINTED_PART = ("word/document.xml", "word/header", "word/footer")


class PatchError(Exception):
    """The run converted alone did not come out as the old pages did (the whole document is
    converted again). ``run``: the index of that run, when one is to blame."""

    def __init__(self, message: str, run: int | None = None):
        super().__init__(message)
        self.run = run


@dataclass(frozen=True)
class PageMap:
    """Where each unit of a converted document begins: kept with its PDF in the cache."""

    frame: str  # digest of everything in the package but the units and the document properties
    digests: tuple[str, ...]  # each unit's
    tables: tuple[int, ...]  # the body table a unit is a row of; -1 for a block of its own
    starts: tuple[int, ...]  # each unit's first page, from 0
    pages: int

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "frame": self.frame,
                "digests": self.digests,
                "tables": self.tables,
                "starts": self.starts,
                "pages": self.pages,
            }
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> PageMap:
        raw = json.loads(data)
        return cls(
            raw["frame"],
            tuple(raw["digests"]),
            tuple(raw["tables"]),
            tuple(raw["starts"]),
            raw["pages"],
        )


@dataclass
class Layout:
    """A DOCX split into units, to be converted whole (marked) or in runs."""

    parts: dict[str, bytes]
    root: etree._Element  # the document element
    units: list[etree._Element]  # body blocks and long tables' rows, in order
    tables: list[int]  # per unit, as in PageMap.tables
    shells: dict[int, etree._Element]  # a long table without its data rows, by body index
    digests: list[str]
    frame: str

    def write_marked(self, out: Path) -> None:
        """The DOCX with a bookmark at the start of each unit."""
        marks = [
            bookmark(_first_p(unit), f"{MARK}{i}", _MARK_ID + i)
            for i, unit in enumerate(self.units)
        ]
        try:
            self._write(self.root, out)
        finally:
            for start, end in marks:
                start.getparent().remove(start)
                end.getparent().remove(end)

    def write_run(self, units: range, first_page: int, out: Path) -> None:
        """A DOCX of ``units`` alone (each long table's rows under its shell), marked, its pages
        numbered from ``first_page`` (from 0) with the headers of a page after the first."""
        root = etree.Element(self.root.tag, attrib=dict(self.root.attrib), nsmap=self.root.nsmap)
        body = etree.SubElement(root, _w("body"))
        shell_of, table = None, None
        for i in units:
            unit = copy.deepcopy(self.units[i])
            bookmark(_first_p(unit), f"{MARK}{i}", _MARK_ID + i)
            if self.tables[i] < 0:
                body.append(unit)
                table = None
                continue
            if self.tables[i] != table:
                table = self.tables[i]
                shell_of = copy.deepcopy(self.shells[table])
                body.append(shell_of)
            assert shell_of is not None  # copied when the table's first unit came
            shell_of.append(unit)
        sect = copy.deepcopy(self.root.find(_w("body"))[-1])
        if first_page > 0:
            for title_page in sect.findall(_w("titlePg")):
                sect.remove(title_page)  # the first page's own header is for page 1 only
            numbering = sect.find(_w("pgNumType"))
            if numbering is None:
                numbering = etree.Element(_w("pgNumType"))
                insert_in_order(sect, numbering, AFTER_PGNUMTYPE)
            numbering.set(_w("start"), str(int(numbering.get(_w("start"), "1")) + first_page))
        body.append(sect)
        self._write(root, out)

    def _write(self, root, out: Path) -> None:
        xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.parts.items():
                zf.writestr(name, xml if name == _BODY else data)


def _first_p(unit):
    return unit if unit.tag == _w("p") else next(unit.iter(_w("p")))


def _digest(*chunks: bytes, start=None) -> str:
    """The digest of ``chunks``, each with its length; ``start``: a :func:`_hashing` of the
    chunks before them (a table's shell, hashed once for all its rows)."""
    return _hashing(*chunks, start=start).hexdigest()


def _hashing(*chunks: bytes, start=None):
    h = start if start is not None else hashlib.sha1()
    for chunk in chunks:
        h.update(len(chunk).to_bytes(8, "big"))
        h.update(chunk)
    return h


def read_layout(docx: Path) -> Layout | None:
    """``docx`` split into units; None when it has no long table, or holds anything a run
    converted alone could print otherwise than the whole document does: numbered lists
    (a run would number from 1), fields other than PAGE, notes, comments, bookmarks or tracked
    changes, more than one section, a floating table."""
    with zipfile.ZipFile(docx) as zf:
        names = zf.namelist()
        xml = zf.read(_BODY) if _BODY in names else b""
        if xml.count(b"<w:cantSplit") < MIN_ROWS:  # no long table (a glance, before parsing)
            return None
        parts = {name: zf.read(name) for name in names}
    return layout_of(parts)


def layout_of(parts: dict[str, bytes], root=None) -> Layout | None:
    """:func:`read_layout` of a DOCX's ``parts`` (name → bytes, in the order of the file);
    ``root``: its ``word/document.xml`` already parsed (the writer's, handed over), else it is
    parsed here."""
    xml = parts.get(_BODY, b"")
    if xml.count(b"<w:cantSplit") < MIN_ROWS:
        return None
    if b"numPr" in xml or b"numPr" in parts.get("word/styles.xml", b""):
        return None
    if b"evenAndOddHeaders" in parts.get("word/settings.xml", b""):
        return None  # a run's page parity would pick its header
    if any(
        name.startswith(_PRINTED_PART) and field_other_than_page(data) is not None
        for name, data in parts.items()
    ):
        return None
    if root is None:
        root = etree.fromstring(xml)
    body = root.find(_w("body"))
    if body is None or not len(body) or body[-1].tag != _w("sectPr"):
        return None
    if (
        body.xpath("boolean(.//@w:id)", namespaces=_NS)
        or sum(1 for _ in body.iter(_w("sectPr"))) > 1
    ):
        return None
    units, tables, shells, digests, longest = [], [], {}, [], 0
    for index, block in enumerate(body[:-1]):
        if block.tag == _w("tbl") and block.find(f"{_w('tblPr')}/{_w('tblpPr')}") is not None:
            return None  # a floating table: where it goes depends on the text around it
        split = _long_table(block)
        if split is None:
            if next(block.iter(_w("p")), None) is None:
                return None  # nothing to mark
            units.append(block)
            tables.append(-1)
            digests.append(_digest(etree.tostring(block)))
            continue
        shell, rows = split
        shells[index] = shell
        under = _hashing(etree.tostring(shell))  # each row's digest starts with its shell's
        longest = max(longest, len(rows))
        for row in rows:
            units.append(row)
            tables.append(index)
            digests.append(_digest(etree.tostring(row), start=under.copy()))
    if longest < MIN_ROWS:
        return None
    frame = _digest(
        xml[: xml.find(b"<w:body")],
        etree.tostring(body[-1]),
        *(
            name.encode() + b"\0" + data
            for name, data in sorted(parts.items())
            if name != _BODY and not name.startswith("docProps/")
        ),
    )
    return Layout(parts, root, units, tables, shells, digests, frame)


def _long_table(block):
    """(shell, data rows) of a table whose rows page independently, else None."""
    if block.tag != _w("tbl"):
        return None
    props = block.find(_w("tblPr"))
    if props is None:
        return None
    fixed = props.find(_w("tblLayout"))
    if fixed is None or fixed.get(_w("type")) != "fixed":
        return None  # autofit: every row's content sets the column widths
    rows = block.findall(_w("tr"))
    header = 0
    while header < len(rows) and _on(rows[header], "tblHeader"):
        header += 1
    data = rows[header:]
    # (each asked of the whole table at once: a hundred rows' finds one by one took 3 ms)
    unsplit = {
        el.getparent().getparent()
        for el in block.xpath("w:tr/w:trPr/w:cantSplit", namespaces=_NS)
        if _true(el)
    }
    if not data or not all(row in unsplit for row in data):
        return None
    merged = {  # vMerge → tcPr → tc → tr
        el.getparent().getparent().getparent()
        for el in block.xpath("w:tr/w:tc/w:tcPr/w:vMerge", namespaces=_NS)
    }
    if any(row in merged for row in data):
        return None  # cells merged down rows: the rows' heights go together
    shell = etree.Element(block.tag, nsmap=block.nsmap)
    for child in block:
        if child.tag != _w("tr"):
            shell.append(copy.deepcopy(child))
    for row in rows[:header]:
        shell.append(copy.deepcopy(row))
    return shell, data


def _on(row, prop: str) -> bool:
    el = row.find(f"{_w('trPr')}/{_w(prop)}")
    return el is not None and _true(el)


def _true(el) -> bool:
    """A Word on/off property that is on (no ``w:val``, or one that is not false)."""
    return el.get(_w("val"), "true") not in ("false", "0", "off")


_NS = {"w": W}


# --- the page map out of a converted PDF ------------------------------------------------------


def unmark(marked_pdf: Path, layout: Layout, out: Path) -> PageMap:
    """Write the PDF of :meth:`Layout.write_marked` to ``out`` without the marks' named
    destinations, and return its page map."""
    with pikepdf.open(marked_pdf, allow_overwriting_input=True) as pdf:
        marks = marked_pages(pdf, MARK)
        if len(marks) != len(layout.units):
            raise PatchError(f"{marked_pdf.name}: {len(layout.units) - len(marks)} marks missing")
        catalog = pdf.Root
        if "/Dests" in catalog:
            del catalog.Dests
        names = catalog.get("/Names")
        if names is not None:
            if "/Dests" in names:
                del names.Dests
            if not names.keys():
                del catalog.Names
        pdf.save(out)
        pages = len(pdf.pages)
    return PageMap(
        layout.frame,
        tuple(layout.digests),
        tuple(layout.tables),
        tuple(marks[i] for i in range(len(layout.units))),
        pages,
    )


# --- runs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    first: int  # its first and last page (from 0), in the old and the new PDF alike
    last: int
    units: range  # the units written in its DOCX: its own, and the one after it, if any
    after: int | None  # that unit, the first on the page after the run


def plan(old: PageMap, new: Layout) -> list[Run] | None:
    """The runs of pages to convert again for ``new``, the next version of the document
    ``old`` maps; None when it must be converted whole (another template, units added or
    removed, too many pages changed)."""
    n = len(new.units)
    if old.frame != new.frame or len(old.digests) != n or tuple(new.tables) != old.tables:
        return None
    starts = old.starts
    first_on = {}  # page → the first unit starting on it
    for i in range(n - 1, -1, -1):
        first_on[starts[i]] = i
    changed: set[int] = set()
    for i in (i for i in range(n) if old.digests[i] != new.digests[i]):
        # a row stays on its first page; a block may run on to the next unit's page
        end = starts[i + 1] if i + 1 < n else old.pages - 1
        if new.tables[i] >= 0 and i + 1 < n:
            end = starts[i]
        changed.update(range(starts[i], end + 1))
    if not changed:
        return None  # only the properties changed: LibreOffice prints them in the metadata

    def clean(page: int) -> bool:
        """Whether ``page`` starts at a row continuing a table from the page before."""
        i = first_on.get(page)
        return i is not None and i > 0 and new.tables[i] >= 0 and new.tables[i - 1] == new.tables[i]

    runs: list[list[int]] = []  # [first, last] pages
    for page in sorted(changed):
        if runs and page <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], page)
        else:
            runs.append([page, page])
    widened: list[list[int]] = []
    for first, last in runs:
        while first > 0 and not clean(first):
            first -= 1
        while last < old.pages - 1 and not clean(last + 1):
            last += 1
        if widened and first <= widened[-1][1] + 1:
            widened[-1][1] = last
        else:
            widened.append([first, last])
    if sum(last - first + 1 for first, last in widened) > MOST_PAGES * old.pages:
        return None
    out = []
    for first, last in widened:
        begin = first_on[first] if first > 0 else 0
        after = first_on[last + 1] if last + 1 < old.pages else None
        out.append(Run(first, last, range(begin, n if after is None else after + 1), after))
    return out


def to_the_end(run: Run, old: PageMap) -> Run:
    """``run`` taking in every page after it: for a change that moved where the pages after
    it break (a row grown by a line, a row fewer that now fits)."""
    return Run(run.first, old.pages - 1, range(run.units.start, len(old.digests)), None)


def splice(
    old_pdf: Path,
    old: PageMap,
    new: Layout,
    runs: Sequence[Run],
    run_pdfs: Sequence[Path],
    out: Path,
) -> PageMap:
    """Write ``out``: the old PDF with each run's pages replaced by its conversion's; return
    the new page map. Raises ``PatchError`` (its ``run``: the index of the first run that did
    not come out on the old pages) when a run's pages break otherwise than before. The last run
    may go to the end: its pages then may be more or fewer."""
    from .combine import dress_like_libreoffice

    with ExitStack() as opened:
        previous = opened.enter_context(pikepdf.open(old_pdf, allow_overwriting_input=True))
        if len(previous.pages) != old.pages:
            raise PatchError(f"{old_pdf.name} has {len(previous.pages)} pages, not {old.pages}")
        starts = list(old.starts)
        spliced = opened.enter_context(pikepdf.new())
        page, latest = 0, None
        for index, (run, pdf) in enumerate(zip(runs, run_pdfs, strict=True)):
            converted = opened.enter_context(pikepdf.open(pdf))
            marks = marked_pages(converted, MARK)
            length = run.last - run.first + 1
            if run.after is None:  # to the end
                length = len(converted.pages)
                fits = True
            else:  # the row after the run starts the page after, alone: as before
                fits = len(converted.pages) == length + 1 and marks.get(run.after) == length
            own = [i for i in run.units if i != run.after]
            if not fits or any(marks.get(i, length) >= length for i in own):
                raise PatchError(f"{pdf.name}: the pages break otherwise than in the whole", index)
            for i in own:
                starts[i] = run.first + marks[i]
            spliced.pages.extend(previous.pages[page : run.first])
            spliced.pages.extend(converted.pages[:length])
            page = run.last + 1
            latest = converted  # the new version's title …
        spliced.pages.extend(previous.pages[page : old.pages])
        assert latest is not None  # a splice has a run at least
        dress_like_libreoffice(spliced, latest.Root, {k: str(v) for k, v in latest.docinfo.items()})
        spliced.save(out)
        pages = len(spliced.pages)
    return PageMap(new.frame, tuple(new.digests), tuple(new.tables), tuple(starts), pages)


# --- converting --------------------------------------------------------------------------------


def convert(
    office, layout: Layout, pdf: Path, work: Path, previous: tuple[Path, PageMap] | None = None
) -> Future:
    """Convert the document split into ``layout`` to ``pdf`` with ``office`` (a
    :class:`~k39docs.office.Office`): only its runs of changed pages when ``previous`` (the PDF
    and page map of an earlier version) allows, else whole. Returns a Future of its page map; it
    fails as a whole conversion fails. Like :meth:`Office.convert`, the caller drains the
    office. ``work``: a folder for the pieces (named like the document, so that an error names
    it)."""
    return _Conversion(office, layout, pdf, work, previous).start()


class _Conversion:
    """One document's conversion by :func:`convert`: its runs, then (when a run's pages broke
    otherwise than before) that run to the document's end, else the whole document."""

    def __init__(
        self, office, layout: Layout, pdf: Path, work: Path, previous: tuple[Path, PageMap] | None
    ):
        self.office, self.layout, self.pdf, self.work = office, layout, pdf, work
        self.previous = previous
        self.done: Future = Future()
        self.runs: list[Run] = []
        self.pieces: list[Path] = []

    def start(self) -> Future:
        runs = plan(self.previous[1], self.layout) if self.previous is not None else None
        if runs:
            self._convert_runs(runs, keep=0)
        else:
            self._whole()
        return self.done

    def _convert_runs(self, runs: list[Run], keep: int) -> None:
        """Convert ``runs`` but the first ``keep`` (converted already)."""
        self.runs = runs
        del self.pieces[keep:]
        waiting = [len(runs) - keep]
        results: list[Future] = []

        def back(conversion: Future) -> None:
            results.append(conversion)
            waiting[0] -= 1
            if not waiting[0]:
                self._splice(results)

        for run in runs[keep:]:
            piece = self.work / f"{self.pdf.stem}.trang-{run.first + 1}.docx"
            self.layout.write_run(run.units, run.first, piece)
            self.pieces.append(piece)
        for piece in self.pieces[keep:]:  # not tried again: if it fails, the whole goes
            self.office.convert(piece, piece.with_suffix(".pdf"), retries=0).add_done_callback(back)

    def _splice(self, results: list[Future]) -> None:
        if any(result.cancelled() for result in results):
            self.done.cancel()  # the render was given up: nothing more to convert
            return
        assert self.previous is not None  # runs are planned from a previous version only
        path, old = self.previous
        retry_from: int | None = None  # the run to convert again with every page after it
        try:
            for result in results:
                result.result()
            self.done.set_result(
                splice(
                    path,
                    old,
                    self.layout,
                    self.runs,
                    [p.with_suffix(".pdf") for p in self.pieces],
                    self.pdf,
                )
            )
            return
        except PatchError as exc:
            if exc.run is not None and self.runs[exc.run].after is not None:
                retry_from = exc.run
            log.info(
                "%s: changed pages not spliced (%s); converting %s",
                self.pdf.name,
                exc,
                "the whole document" if retry_from is None else "from that page to the end",
            )
        except Exception as exc:  # noqa: BLE001 — whatever went wrong, the whole conversion says
            log.info(
                "%s: page-wise conversion failed (%s); converting the whole document",
                self.pdf.name,
                exc,
            )
        try:
            if retry_from is not None:
                bad = retry_from
                self._convert_runs(self.runs[:bad] + [to_the_end(self.runs[bad], old)], bad)
            else:
                self._whole()
            self.office.drain()
        except BaseException as exc:  # noqa: BLE001 — the caller waits on ``done``
            self.done.set_exception(exc)

    def _whole(self) -> None:
        marked = self.work / f"{self.pdf.stem}.docx"
        self.layout.write_marked(marked)
        self.office.convert(marked, marked.with_suffix(".pdf")).add_done_callback(self._unmark)

    def _unmark(self, conversion: Future) -> None:
        if conversion.cancelled():
            self.done.cancel()
            return
        try:
            self.done.set_result(unmark(conversion.result(), self.layout, self.pdf))
        except BaseException as exc:  # noqa: BLE001 — the caller waits on ``done``
            self.done.set_exception(exc)
