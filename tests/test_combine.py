"""Documents of one template converted as one LibreOffice document, then cut apart again."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from concurrent.futures import Future
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader, PdfWriter

from k39docs.errors import ConversionError
from k39docs.office import ConvertOptions, Office, convert_to_pdf
from k39docs.pdf.combine import CombineError, combine_docx, split_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _members(rendered, kind: str) -> list[Path]:
    outdir, _manifest = rendered
    return sorted((outdir / "docx").glob(f"{kind}-*.docx"))


def _return_reports(folder: Path) -> list[Path]:
    """The báo cáo of the return sample (a dossier of its own, not the nomination rendered)."""
    from k39docs import load_dossier
    from k39docs.documents import build_documents
    from k39docs.docx.writer import write_docx

    dossier = load_dossier(Path(__file__).resolve().parents[1] / "fixtures" / "sample-return.yaml")
    return [
        write_docx(doc, folder / f"{doc.stem}.docx")
        for doc in build_documents(dossier, None)
        if doc.kind == "return_report"
    ]


def _body(docx: Path):
    with zipfile.ZipFile(docx) as zf:
        return etree.fromstring(zf.read("word/document.xml")).find(f"{W}body")


def _texts(element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{W}t")]


def test_each_member_ends_its_own_section_numbered_from_one(rendered, tmp_path):
    members = _members(rendered, "cam-ket")
    assert len(members) == 4
    combine_docx(members, tmp_path / "gop.docx")
    body = _body(tmp_path / "gop.docx")
    sections = list(body.iter(f"{W}sectPr"))
    assert len(sections) == len(members)
    assert all(s.find(f"{W}pgNumType").get(f"{W}start") == "1" for s in sections)
    assert body[-1].tag == f"{W}sectPr"  # the last member's is the body's own
    marks = [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")]
    assert marks == [f"k39doc{i}" for i in range(len(members))]
    # every member's text, in order, nothing added or lost
    assert _texts(body) == [t for m in members for t in _texts(_body(m))]
    # the first page of each member: its bookmark sits in its first paragraph
    first_paragraphs = [next(_body(m).iter(f"{W}p")) for m in members]
    marked = [b.getparent() for b in body.iter(f"{W}bookmarkStart")]
    assert [_texts(p) for p in marked] == [_texts(p) for p in first_paragraphs]


def _changed(docx: Path, out: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of ``docx`` with ``old`` replaced by ``new`` in ``part``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                assert old in data
                data = data.replace(old, new, 1)
            dst.writestr(info, data)
    return out


def test_documents_of_different_templates_are_not_combined(rendered, tmp_path):
    members = _members(rendered, "cam-ket")[:2]
    other = _changed(
        members[1],
        tmp_path / "other.docx",
        "word/styles.xml",
        b"<w:style ",
        b'<w:style w:customStyle="1" ',
    )
    with pytest.raises(CombineError, match="template"):
        combine_docx([members[0], other], tmp_path / "gop.docx")
    assert not (tmp_path / "gop.docx").exists()


def test_a_document_with_bookmarks_of_its_own_is_not_combined(rendered, tmp_path):
    members = _members(rendered, "cam-ket")[:2]
    marked = _changed(
        members[1],
        tmp_path / "marked.docx",
        "word/document.xml",
        b"<w:body>",
        b'<w:body><w:bookmarkStart w:id="0" w:name="x"/><w:bookmarkEnd w:id="0"/>',
    )
    with pytest.raises(CombineError, match="marks"):
        combine_docx([members[0], marked], tmp_path / "gop.docx")


@pytest.mark.parametrize("field", ["NUMPAGES", "TITLE", "FILENAME \\p"])
def test_a_document_printing_a_field_other_than_its_page_number_is_not_combined(
    rendered, tmp_path, field
):
    # together, NUMPAGES would count every member's pages, TITLE print the first one's title
    members = _members(rendered, "cam-ket")[:2]
    fielded = [
        _changed(
            m,
            tmp_path / f"f{i}.docx",
            "word/document.xml",
            b"</w:body>",
            f'<w:p><w:fldSimple w:instr=" {field} "/></w:p></w:body>'.encode(),
        )
        for i, m in enumerate(members)
    ]
    with pytest.raises(CombineError, match=field.split()[0]):
        combine_docx(fielded, tmp_path / "gop.docx")


def test_page_numbers_restart_in_each_member_s_first_section_only(rendered, tmp_path):
    """A member of two sections (a landscape annex, say) numbers its first page 1 and goes on
    from there; a first section meant to follow on the same page starts a page of its own."""
    member = _members(rendered, "cam-ket")[0]
    body = _body(member)
    sect = etree.tostring(body.find(f"{W}sectPr"))
    two = sect.replace(b"<w:pgSz", b'<w:type w:val="continuous"/><w:pgSz', 1)
    split = _changed(
        member,
        tmp_path / "two.docx",
        "word/document.xml",
        b"<w:body>",
        b"<w:body><w:p><w:r><w:t>A</w:t></w:r></w:p><w:p><w:pPr>" + two + b"</w:pPr></w:p>",
    )
    copy = shutil.copy(split, tmp_path / "two-b.docx")
    combine_docx([split, Path(copy)], tmp_path / "gop.docx")
    sections = list(_body(tmp_path / "gop.docx").iter(f"{W}sectPr"))
    assert len(sections) == 4
    starts = [
        s.find(f"{W}pgNumType").get(f"{W}start") if s.find(f"{W}pgNumType") is not None else None
        for s in sections
    ]
    assert starts == ["1", None, "1", None]
    assert [s.find(f"{W}type") for s in sections[::2]] == [None, None]  # a new page each


def _words(pdf: Path) -> list[str]:
    """Each word with its box, page by page, as poppler reads them."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        line.strip() for line in out.splitlines() if line.strip().startswith(("<page", "<word"))
    ]


@pytest.mark.soffice
@pytest.mark.parametrize("kind", ["cam-ket", "bao-cao"])
def test_split_pages_print_exactly_as_each_document_alone(rendered, tmp_path, kind, monkeypatch):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    members = _members(rendered, kind) if kind == "cam-ket" else _return_reports(tmp_path)
    alone = convert_to_pdf(members, tmp_path / "alone")
    metadata = combine_docx(members, tmp_path / "gop.docx")
    combined = convert_to_pdf([tmp_path / "gop.docx"], tmp_path / "gop")[tmp_path / "gop.docx"]
    targets = [tmp_path / "split" / f"{m.stem}.pdf" for m in members]
    counts = split_pdf(combined, metadata, targets)
    for member, target, count in zip(members, targets, counts, strict=True):
        own = PdfReader(alone[member])
        assert count == len(own.pages) == len(PdfReader(target).pages)
        assert _words(target) == _words(alone[member])  # same words at the same places
        assert PdfReader(target).metadata.title == own.metadata.title
        assert PdfReader(target).metadata.subject == own.metadata.subject


def test_a_pdf_without_the_marks_is_not_split(tmp_path):
    blank = PdfWriter()
    for _ in range(4):
        blank.add_blank_page(595, 842)
    blank.write(tmp_path / "gop.pdf")
    targets = [tmp_path / f"{i}.pdf" for i in range(2)]
    with pytest.raises(CombineError, match="first pages"):
        split_pdf(tmp_path / "gop.pdf", [{}, {}], targets)
    assert not any(t.exists() for t in targets)


class _Converter:
    """Stands in for LibreOffice: blank pages without marks, or a failure for ``failing``."""

    def __init__(self, failing: str = ""):
        self.seen: list[str] = []
        self.failing = failing

    def submit(self, src: Path, dst: Path, *, retries: int = 1) -> Future:
        self.seen.append(src.name)
        future: Future = Future()
        if src.name == self.failing:
            future.set_exception(ConversionError(f"Không chuyển được {src.name} sang PDF."))
            return future
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        dst.parent.mkdir(parents=True, exist_ok=True)
        writer.write(dst)
        future.set_result(dst)
        return future


def _office(converter) -> Office:
    office = Office(ConvertOptions())
    made: Future = Future()
    made.set_result(converter)
    office._made = made
    return office


def test_when_the_combined_pdf_cannot_be_split_each_member_converts_alone(rendered, tmp_path):
    members = _members(rendered, "cam-ket")
    converter = _Converter()
    pairs = [(m, tmp_path / "out" / f"{m.stem}.pdf") for m in members]
    futures = _office(converter).convert_together(pairs, tmp_path / "gop.docx")
    assert [f.result(timeout=10) for f in futures] == [pdf for _, pdf in pairs]
    assert converter.seen == ["gop.docx"] + [m.name for m in members]
    assert not (tmp_path / "gop.docx").exists() and not (tmp_path / "gop.pdf").exists()


def test_a_member_that_fails_alone_is_the_one_the_error_names(rendered, tmp_path):
    members = _members(rendered, "cam-ket")
    converter = _Converter(failing=members[2].name)
    pairs = [(m, tmp_path / "out" / f"{m.stem}.pdf") for m in members]
    futures = _office(converter).convert_together(pairs, tmp_path / "gop.docx")
    with pytest.raises(ConversionError, match=members[2].name):
        futures[2].result(timeout=10)
    assert all(f.result(timeout=10) for i, f in enumerate(futures) if i != 2)


def test_members_that_cannot_be_combined_convert_alone_at_once(rendered, tmp_path):
    members = _members(rendered, "cam-ket")[:2]
    mixed = [
        members[0],
        _changed(
            members[1],
            tmp_path / "in" / "other.docx",
            "word/styles.xml",
            b"<w:style ",
            b'<w:style w:customStyle="1" ',
        ),
    ]
    converter = _Converter()
    pairs = [(m, tmp_path / f"{m.stem}.pdf") for m in mixed]
    futures = _office(converter).convert_together(pairs, tmp_path / "gop.docx")
    assert [f.result(timeout=10) for f in futures] == [pdf for _, pdf in pairs]
    assert converter.seen == [m.name for m in mixed]


def _planned(candidates: int, cached: set[int] = frozenset()):
    from types import SimpleNamespace

    from k39docs.pipeline.produce import Planned

    docs = [SimpleNamespace(template="danh_sach.docx", candidate=None)]
    for c in range(candidates):
        docs += [
            SimpleNamespace(template="commitment.docx", candidate=f"c{c}"),
            SimpleNamespace(template="return_report.docx", candidate=f"c{c}"),
        ]
    return [Planned(doc, str(i), i in cached) for i, doc in enumerate(docs)]


def test_groups_are_of_one_template_near_equal_and_bounded():
    from collections import Counter

    from k39docs.pipeline.produce import COMBINE_MAX, COMBINE_MIN, combine_groups

    planned = _planned(100)
    groups = combine_groups(planned, listing={0}, want_pdf=True)
    assert 0 not in groups  # the list of every candidate converts alone
    assert len(groups) == 200
    sizes = Counter(groups.values())
    assert all(COMBINE_MIN <= n <= COMBINE_MAX for n in sizes.values())
    assert max(sizes.values()) - min(sizes.values()) <= 1
    for number in sizes:
        assert len({planned[i].doc.template for i, g in groups.items() if g == number}) == 1
    # a change to a few candidates: too few of a template to gain anything
    cached = set(range(len(planned))) - {1, 2, 3, 4, 5, 6}
    assert combine_groups(_planned(100, cached), listing=set(), want_pdf=True) == {}
    assert combine_groups(planned, listing={0}, want_pdf=False) == {}


@pytest.mark.soffice
def test_the_batch_converter_combines_too(tmp_path, monkeypatch, sample_dossier):
    """Without python3-uno, documents convert in batches on demand; a group converted as one
    is cut apart in the middle of a batch, and the render goes on as with warm workers."""
    from k39docs.render import RenderOptions, render

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    options = RenderOptions(sign=False, convert=ConvertOptions(mode="batch"))
    manifest = render(sample_dossier, tmp_path / "out", options=options)
    commitments = sorted((tmp_path / "out" / "pdf").glob("cam-ket-*.pdf"))
    assert len(commitments) == 4
    for pdf, candidate in zip(commitments, sample_dossier.candidates, strict=True):
        reader = PdfReader(pdf)
        assert reader.metadata.title == f"Bản cam kết - {candidate.full_name}"
        assert candidate.full_name in reader.pages[0].extract_text()
    assert len(list((tmp_path / "cache" / "documents").glob("*/*.group.pdf"))) == 1
    assert manifest.files


@pytest.mark.soffice
def test_a_document_converted_over_uno_keeps_its_marks_too(rendered, tmp_path):
    """A document a worker's batch did not produce is converted once more over UNO, with the
    same export options: a group converted that way can still be cut apart."""
    import uuid

    from k39docs.office import PDF_EXPORT_OPTIONS, bridge, find_soffice, find_uno_python

    python = find_uno_python(find_soffice())
    if python is None:
        pytest.skip("no Python with uno here")
    members = _members(rendered, "cam-ket")
    metadata = combine_docx(members, tmp_path / "gop.docx")
    script = (
        "import queue, sys\n"
        f"sys.path.insert(0, {str(Path(bridge.__file__).parent)!r})\n"
        "import bridge\n"
        f"office = bridge.RunningSoffice({str(find_soffice())!r}, {(tmp_path / 'p').as_uri()!r}, "
        f"'k39-test-{uuid.uuid4().hex[:8]}', queue.Queue(), {PDF_EXPORT_OPTIONS!r})\n"
        "try:\n"
        f"    office.convert_one({str(tmp_path / 'gop.docx')!r}, {str(tmp_path / 'gop.pdf')!r})\n"
        "finally:\n"
        "    office.close()\n"
    )
    subprocess.run([python, "-c", script], check=True, timeout=120, capture_output=True)
    targets = [tmp_path / "split" / f"{m.stem}.pdf" for m in members]
    assert split_pdf(tmp_path / "gop.pdf", metadata, targets) == [2, 2, 2, 2]
