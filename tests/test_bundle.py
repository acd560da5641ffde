"""The bundle on its own: page numbering of the contents, bookmarks, metadata, file mode."""

from __future__ import annotations

import os
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from k39docs.pdf.bundle import BundleWriter, Part, bundle_pdf, contents_rows


def _blank_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_contents_rows_start_after_the_contents_pages():
    parts = [
        Part("A", Path("a.pdf"), "submission"),
        Part("B", Path("b.pdf"), "cover_letter"),
        Part("C", Path("c.pdf"), "commitment", "ca01"),
    ]
    rows = contents_rows(parts, [2, 1, 3], contents_pages=2)
    assert [(r["index"], r["title"], r["page"]) for r in rows] == [
        (1, "A", 3),
        (2, "B", 5),
        (3, "C", 6),
    ]


def test_bundle_has_one_bookmark_per_part_and_the_metadata(tmp_path):
    contents = _blank_pdf(tmp_path / "contents.pdf", 1)
    parts = [
        Part("Tờ trình", _blank_pdf(tmp_path / "a.pdf", 2), "submission"),
        Part("Bản cam kết - Lê Thị Bích Ngọc", _blank_pdf(tmp_path / "b.pdf", 1), "commitment"),
    ]
    out = tmp_path / "dossier.pdf"
    starts = bundle_pdf(contents, parts, out, title="Hồ sơ", author="UBND", subject="K39")
    assert starts == [1, 3]
    reader = PdfReader(out)
    assert len(reader.pages) == 4
    assert [(o.title, reader.get_destination_page_number(o)) for o in reader.outline] == [
        ("Tờ trình", 1),
        ("Bản cam kết - Lê Thị Bích Ngọc", 3),
    ]
    assert reader.metadata.title == "Hồ sơ" and reader.metadata.author == "UBND"
    assert reader.trailer["/Root"]["/Lang"] == "vi-VN"
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_parts_added_in_any_order_land_in_their_place(tmp_path):
    contents = _blank_pdf(tmp_path / "contents.pdf", 1)
    sizes = {"a": 2, "b": 1, "c": 3}
    parts = [
        Part(name.upper(), _blank_pdf(tmp_path / f"{name}.pdf", n), "commitment")
        for name, n in sizes.items()
    ]
    for page_pdf, part in zip(
        ("a", "b", "c"), parts, strict=True
    ):  # tell the parts' pages apart by width
        writer = PdfWriter()
        for _ in range(sizes[page_pdf]):
            writer.add_blank_page(width=500 + ord(page_pdf), height=842)
        writer.write(part.pdf)
    bundle = BundleWriter(parts)
    assert [bundle.add(i).pages for i in (2, 0, 1)] == [3, 2, 1]
    starts = bundle.finish(contents, tmp_path / "d.pdf", title="T", author="A", subject="S")
    assert starts == [1, 3, 4]
    reader = PdfReader(tmp_path / "d.pdf")
    widths = [round(float(p.mediabox.width)) for p in reader.pages]
    assert widths == [595, 597, 597, 598, 599, 599, 599]
    tree = reader.trailer["/Root"]["/Pages"]
    assert tree["/Count"] == 7 and len(tree["/Kids"]) == 7
    assert all(kid.get_object()["/Parent"].get_object() is tree for kid in tree["/Kids"])
    assert [(o.title, reader.get_destination_page_number(o)) for o in reader.outline] == [
        ("A", 1),
        ("B", 3),
        ("C", 4),
    ]


def test_pages_handed_on_belong_to_one_run_and_are_taken_once(tmp_path):
    """The pages a group's cut hands to the bundle live in the run's ledger (a failed run's go
    with it), not in the process: another run's ledger knows nothing of them."""
    import pikepdf

    from k39docs.pdf.pdfinfo import PdfLedger

    source = pikepdf.open(_blank_pdf(tmp_path / "group.pdf", 3))
    member = _blank_pdf(tmp_path / "cam-ket-b.pdf", 2)
    run, other_run = PdfLedger(), PdfLedger()
    run.remember_pages(member, source, 1, 3)
    assert other_run.take_pages(member) is None
    assert run.take_pages(member) == (source, range(1, 3))
    assert run.take_pages(member) is None  # taken once
    run.remember_pages(member, source, 1, 3)
    _blank_pdf(member, 1)  # the file changed since: its remembered pages are not its pages
    assert run.take_pages(member) is None


def test_a_session_keeps_the_parsed_pdfs_of_one_dossier_only():
    from k39docs.pipeline.kept import Kept

    kept = Kept()
    kept.serve("qng-2027-01")
    readers = kept.readers
    kept.places = {"key": "place"}
    kept.serve("qng-2027-01")
    assert kept.readers is readers and kept.places == {"key": "place"}
    kept.serve("qng-2027-02")  # another dossier: the first one's PDFs are let go
    assert kept.readers is not readers and kept.places == {}
