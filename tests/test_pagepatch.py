"""Long documents converted again only on their changed pages (k39docs.pdf.pagepatch): the PDF must
come out as a whole conversion of the same DOCX would, word for word and box for box."""

from __future__ import annotations

import copy
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from pdftext import pdftotext
from pypdf import PdfReader

from k39docs import load_dossier
from k39docs.office import ConvertOptions, Office, convert_to_pdf
from k39docs.pdf import pagepatch
from k39docs.pdf.pagepatch import Layout, PageMap, plan, read_layout
from k39docs.render import RenderOptions, render
from k39docs.synthetic import synthetic_dossier

CANDIDATES = 40  # a nomination list of about 8 pages


def _words(pdf: Path) -> list[str]:
    """Every page and word of ``pdf`` with its box, as pdftotext -bbox prints them."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        line.strip() for line in out.splitlines() if line.strip().startswith(("<page", "<word"))
    ]


def _edited(docx: Path, out: Path, old: str, new: str) -> Path:
    """A copy of ``docx`` with the first ``old`` in its body replaced by ``new``."""
    with zipfile.ZipFile(docx) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    body = parts["word/document.xml"].decode()
    assert old in body
    parts["word/document.xml"] = body.replace(old, new, 1).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


@pytest.fixture(scope="module")
def office():
    office = Office(ConvertOptions(), keep=True)
    office.start()
    yield office
    office.shutdown()


def _nomination_list(data: dict, folder: Path) -> Path:
    """The nomination list of the dossier ``data``, as DOCX."""
    render(load_dossier(data), folder, options=RenderOptions(formats=("docx",), cache=False))
    return folder / "docx" / "danh-sach.docx"


@pytest.fixture(scope="module")
def listing(tmp_path_factory) -> tuple[Path, dict]:
    """The nomination list of a 40-candidate dossier (DOCX), and the dossier's data."""
    data = synthetic_dossier(CANDIDATES)
    return _nomination_list(data, tmp_path_factory.mktemp("listing") / "out"), data


def _convert(office: Office, docx: Path, pdf: Path) -> Path:
    return office.convert(docx, pdf).result()


def _whole(office, docx: Path, folder: Path) -> tuple[Path, PageMap]:
    folder.mkdir()
    layout = read_layout(docx)
    assert layout is not None
    page_map = pagepatch.convert(office, layout, folder / "danh-sach.pdf", folder).result()
    return folder / "danh-sach.pdf", page_map


@pytest.mark.soffice
def test_a_whole_conversion_prints_as_the_plain_one_and_maps_every_row(office, listing, tmp_path):
    docx, data = listing
    pdf, page_map = _whole(office, docx, tmp_path / "whole")
    plain = _convert(office, docx, tmp_path / "plain.pdf")
    assert _words(pdf) == _words(plain)  # the marks move nothing
    reader = PdfReader(pdf)
    assert reader.named_destinations == {}  # … and are gone from the PDF
    assert reader.metadata["/Title"] == PdfReader(plain).metadata["/Title"]
    assert page_map.pages == len(reader.pages) >= 5
    rows = [i for i, t in enumerate(page_map.tables) if t >= 0]
    assert len(rows) == CANDIDATES
    # each candidate's row starts on the page pdftotext finds their name on
    for i, candidate in zip(rows, data["candidates"], strict=True):
        page = page_map.starts[i] + 1
        text = pdftotext(pdf, first=page, last=page)
        assert candidate["full_name"].split()[-1] in text


@pytest.mark.soffice
def test_a_changed_row_converts_its_page_only_and_prints_as_a_whole_conversion(
    office, listing, tmp_path
):
    docx, data = listing
    old_pdf, old_map = _whole(office, docx, tmp_path / "v1")
    data = copy.deepcopy(data)
    name = data["candidates"][25]["full_name"]
    data["candidates"][25]["full_name"] = name[:-1] + "X"  # as wide: the rows stay put
    new_docx = _nomination_list(data, tmp_path / "out")
    layout = read_layout(new_docx)
    runs = plan(old_map, layout)
    assert runs is not None and len(runs) == 1 and runs[0].first == runs[0].last
    work = tmp_path / "v2"
    work.mkdir()
    page_map = pagepatch.convert(
        office, layout, work / "danh-sach.pdf", work, (old_pdf, old_map)
    ).result()
    assert sorted(p.name for p in work.glob("*.docx")) == [
        f"danh-sach.trang-{runs[0].first + 1}.docx"
    ]  # one page converted, not the whole
    whole = _convert(office, new_docx, tmp_path / "whole.pdf")
    assert _words(work / "danh-sach.pdf") == _words(whole)
    assert page_map == _whole(office, new_docx, tmp_path / "v2-whole")[1]
    spliced = PdfReader(work / "danh-sach.pdf")
    assert spliced.named_destinations == {}
    assert spliced.metadata["/Title"] == PdfReader(whole).metadata["/Title"]


@pytest.mark.soffice
def test_a_row_that_grows_onto_the_next_page_converts_the_rest_of_the_document(
    office, listing, tmp_path, monkeypatch
):
    docx, data = listing
    tried = []
    real_splice = pagepatch.splice

    def splice(old_pdf, old, new, runs, run_pdfs, out):
        tried.append([(r.first, r.last, r.after is None) for r in runs])
        return real_splice(old_pdf, old, new, runs, run_pdfs, out)

    monkeypatch.setattr(pagepatch, "splice", splice)
    old_pdf, old_map = _whole(office, docx, tmp_path / "v1")
    data = copy.deepcopy(data)
    data["candidates"][20]["position"] += " kiêm" + " Trưởng phòng Tổ chức cán bộ" * 6
    new_docx = _nomination_list(data, tmp_path / "out")
    work = tmp_path / "v2"
    work.mkdir()
    page_map = pagepatch.convert(
        office, read_layout(new_docx), work / "danh-sach.pdf", work, (old_pdf, old_map)
    ).result()
    whole = _convert(office, new_docx, tmp_path / "whole.pdf")
    assert _words(work / "danh-sach.pdf") == _words(whole)
    assert page_map.pages == len(PdfReader(whole).pages)
    # the page alone, then the page and the rest of the document: never the whole again
    assert not (work / "danh-sach.docx").exists()
    ((first, last, to_the_end),) = tried[0]
    assert first == last and not to_the_end
    assert tried[1:] == [[(first, old_map.pages - 1, True)]]


def test_plan_converts_whole_when_the_document_is_another(listing):
    docx, _ = listing
    layout = read_layout(docx)
    n = len(layout.units)
    starts = tuple(sorted(i // 6 for i in range(n)))
    page_map = PageMap(
        layout.frame, tuple(layout.digests), tuple(layout.tables), starts, starts[-1] + 1
    )
    assert plan(page_map, layout) is None  # nothing changed in the body
    assert (
        plan(
            PageMap(
                "another", *[getattr(page_map, f) for f in ("digests", "tables", "starts", "pages")]
            ),
            layout,
        )
        is None
    )
    fewer = PageMap(
        layout.frame,
        page_map.digests[:-1],
        page_map.tables[:-1],
        page_map.starts[:-1],
        page_map.pages,
    )
    assert plan(fewer, layout) is None  # a candidate added


def _layout(tables: list[int], digests: list[str]) -> Layout:
    return Layout({}, None, [None] * len(tables), tables, {}, digests, "frame")


def test_plan_widens_a_run_to_pages_that_start_at_a_row_continuing_the_table():
    # units: 3 blocks on page 0, then a table of rows 3..20, 3 rows a page from page 1 on,
    # then a closing block on the last page
    tables = [-1, -1, -1] + [3] * 18 + [-1]
    starts = (0, 0, 0) + tuple(1 + (i // 3) for i in range(18)) + (6,)
    old = PageMap("frame", tuple(f"d{i}" for i in range(22)), tuple(tables), starts, 7)

    def changed(*units: int):
        digests = [f"d{i}" if i not in units else "new" for i in range(22)]
        return [
            (r.first, r.last, r.units.start, r.units.stop, r.after)
            for r in plan(old, _layout(tables, digests)) or []
        ]

    # a row on page 3 (units 9..11): that page, with the first row of page 4 after it
    assert changed(10) == [(3, 3, 9, 13, 12)]
    # the first row of the table (page 1): the page before it does not start at a row, so the
    # run starts at page 0; rows on two pages far apart: two runs
    assert changed(3, 16) == [(0, 1, 0, 7, 6), (5, 5, 15, 19, 18)]
    # the closing block: runs on to the end, from a page starting at a row
    assert changed(21) == [(6, 6, 18, 22, None)]
    # more than half the pages: the whole
    assert changed(3, 10, 16) == []


def test_documents_a_run_could_print_otherwise_are_converted_whole(listing, tmp_path):
    docx, _ = listing
    assert read_layout(docx) is not None
    numbered = _edited(
        docx,
        tmp_path / "numbered.docx",
        "<w:pPr>",
        '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>',
    )
    assert read_layout(numbered) is None  # a run would number its list from 1
    field = _edited(
        docx,
        tmp_path / "field.docx",
        "<w:t>DANH SÁCH</w:t>",
        '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>9</w:t></w:r></w:fldSimple>',
    )
    assert read_layout(field) is None  # it would print the run's page count
    marked = _edited(
        docx,
        tmp_path / "marked.docx",
        "<w:t>DANH SÁCH</w:t>",
        '<w:bookmarkStart w:id="1" w:name="x"/><w:t>DANH SÁCH</w:t>',
    )
    assert read_layout(marked) is None
    row = "<w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr>"  # a data row's (a header's says more)
    splits = _edited(
        docx,
        tmp_path / "splits.docx",
        row,
        '<w:trPr><w:cantSplit w:val="false"/></w:trPr><w:tc><w:tcPr>',
    )
    assert read_layout(splits) is None  # a row split across pages: where pages break moves
    merged = _edited(docx, tmp_path / "merged.docx", row, row + '<w:vMerge w:val="restart"/>')
    assert read_layout(merged) is None  # rows merged down grow together


@pytest.mark.soffice
def test_a_render_after_a_change_converts_the_changed_pages_of_the_long_lists(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    spliced = []
    real_splice = pagepatch.splice

    def splice(old_pdf, old, new, runs, run_pdfs, out):
        spliced.append((out.name, [(r.first, r.last) for r in runs]))
        return real_splice(old_pdf, old, new, runs, run_pdfs, out)

    monkeypatch.setattr(pagepatch, "splice", splice)
    data = synthetic_dossier(CANDIDATES)
    options = RenderOptions(sign=False)
    render(load_dossier(data), tmp_path / "out", options=options)
    assert spliced == []  # the first render converts them whole
    data["candidates"][30]["full_name"] = data["candidates"][30]["full_name"][:-1] + "X"
    path = tmp_path / "dossier.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    render(load_dossier(path), tmp_path / "out", options=options)
    assert sorted(name for name, _ in spliced) == ["danh-sach.pdf", "ket-qua-ra-soat.pdf"]
    # what the render wrote prints as a whole conversion of its DOCX would
    out = tmp_path / "out"
    stems = ("danh-sach", "ket-qua-ra-soat")
    plain = convert_to_pdf([out / "docx" / f"{stem}.docx" for stem in stems], tmp_path / "plain")
    for docx, pdf in plain.items():
        assert _words(out / "pdf" / f"{docx.stem}.pdf") == _words(pdf), docx.name


@pytest.mark.soffice
def test_a_damaged_page_map_or_a_lost_pdf_only_means_converting_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    data = synthetic_dossier(CANDIDATES)
    options = RenderOptions(sign=False, formats=("pdf", "docx"))
    render(load_dossier(data), tmp_path / "out", options=options)
    maps = sorted((tmp_path / "cache").rglob("*.pages"))
    assert len(maps) == 2  # the two long lists
    maps[0].write_text("{not json")
    maps[1].with_suffix(".pdf").unlink()
    data["candidates"][3]["full_name"] += " Anh"
    path = tmp_path / "dossier.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    render(load_dossier(path), tmp_path / "out", options=options)
    out = tmp_path / "out"
    plain = convert_to_pdf(
        [out / "docx" / "danh-sach.docx", out / "docx" / "ket-qua-ra-soat.docx"], tmp_path / "plain"
    )
    for docx, pdf in plain.items():
        assert _words(out / "pdf" / f"{docx.stem}.pdf") == _words(pdf), docx.name


def test_the_layout_of_a_list_just_written_is_the_layout_read_from_its_file(tmp_path):
    """A render reads the page layout from what the writer has in hand (its parts and parsed
    body), not from the file again: the two must be the same, unit for unit."""
    from k39docs import check_eligibility
    from k39docs.documents import build_documents
    from k39docs.docx.writer import render_docx

    dossier = load_dossier(synthetic_dossier(CANDIDATES))
    documents = build_documents(dossier, check_eligibility(dossier), allow_ineligible="thử")
    for stem in ("danh-sach", "ket-qua-ra-soat"):
        doc = next(d for d in documents if d.stem == stem)
        written = render_docx(doc, tmp_path / f"{stem}.docx")
        in_hand = pagepatch.layout_of(written.parts, written.body)
        from_file = read_layout(written.path)
        assert in_hand is not None and from_file is not None
        assert list(written.parts) == zipfile.ZipFile(written.path).namelist()
        assert (in_hand.digests, in_hand.frame, in_hand.tables) == (
            from_file.digests,
            from_file.frame,
            from_file.tables,
        )
