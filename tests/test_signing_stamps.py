"""The signing information stamped on the attachments' first pages, at the scale of a real dossier.

The PDFs here are written by hand so the page tree can take every shape the stamp must cope with:
nested /Pages nodes, /MediaBox, /Rotate and /Resources inherited from them (directly or by
reference), resources shared between pages, a blank page, and an XObject already called like ours.
No LibreOffice needed; ``pdftotext`` reads the result as a clerk's viewer would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from k39docs.signing import stampfont, stamps
from k39docs.signing.stamps import stamp_attachments

MM = 72 / 25.4
LINES = ["Số: 3512/UBND-NC", "2026-12-10T09:15:02+07:00", "Ủy ban nhân dân tỉnh Quảng Ngãi"]
A4 = (595.3, 841.9)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed"
)


def _pdf(objects: dict[int, str | tuple[str, str]], root: int = 1) -> bytes:
    """A classic PDF from numbered object bodies; a stream is (dictionary entries, data)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        body = objects[num]
        if isinstance(body, tuple):
            entries, data = body[0].encode("latin-1"), body[1].encode("latin-1")
            out += b"%d 0 obj\n<< %s /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
                num,
                entries,
                len(data),
                data,
            )
        else:
            out += b"%d 0 obj\n%s\nendobj\n" % (num, body.encode("latin-1"))
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def _text(n: int) -> tuple[str, str]:
    return "", f"BT /F1 12 Tf 72 500 Td (Trang {n}) Tj ET"


def _tricky_pdf() -> bytes:
    """Seven pages in a nested tree.

    0: portrait, own resources by reference (shared with page 1)
    1: portrait, same shared resources
    2: landscape from the parent node, /Rotate 90 inherited, resources inherited by reference
    3: blank page (no /Contents), resources inherited as a direct dictionary
    4: /Rotate 270, /CropBox inside a larger MediaBox
    5: its resources already hold an XObject named /K39Info
    6: portrait, never stamped
    """
    font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return _pdf(
        {
            1: "<< /Type /Catalog /Pages 2 0 R >>",
            2: "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 7 /MediaBox [0 0 595.3 841.9] >>",
            3: "<< /Type /Pages /Parent 2 0 R /Kids [6 0 R 7 0 R] /Count 2 >>",
            4: "<< /Type /Pages /Parent 2 0 R /Kids [8 0 R 9 0 R] /Count 2 /MediaBox [0 0 841.9 595.3] "
            "/Rotate 90 /Resources 10 0 R >>",
            5: "<< /Type /Pages /Parent 2 0 R /Kids [11 0 R 12 0 R 13 0 R] /Count 3 "
            f"/Resources << /Font << /F1 {font} >> >> >>",
            6: "<< /Type /Page /Parent 3 0 R /Resources 10 0 R /Contents 20 0 R >>",
            7: "<< /Type /Page /Parent 3 0 R /Resources 10 0 R /Contents [21 0 R] >>",
            8: "<< /Type /Page /Parent 4 0 R /Contents 22 0 R >>",
            9: "<< /Type /Page /Parent 4 0 R /Rotate 0 /MediaBox [0 0 595.3 841.9] /Resources << >> >>",
            10: f"<< /Font << /F1 {font} >> >>",
            11: "<< /Type /Page /Parent 5 0 R /Rotate 270 /MediaBox [0 0 700 900] "
            "/CropBox [50 30 645.3 871.9] /Contents 23 0 R >>",
            12: "<< /Type /Page /Parent 5 0 R /Contents 24 0 R "
            f"/Resources << /Font << /F1 {font} >> /XObject << /K39Info 30 0 R >> >> >>",
            13: "<< /Type /Page /Parent 5 0 R /Contents 25 0 R >>",
            20: _text(1),
            21: _text(2),
            22: _text(3),
            23: _text(5),
            24: ("", _text(6)[1] + " q 1 0 0 1 72 600 cm /K39Info Do Q"),
            25: _text(7),
            30: (
                f"/Type /XObject /Subtype /Form /BBox [0 0 100 20] /Resources << /Font << /F1 {font} >> >>",
                "BT /F1 10 Tf 0 5 Td (Form cua trang) Tj ET",
            ),
        }
    )


def _stamped(data: bytes, pages: list[int], objects=()) -> tuple[bytes, list]:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(data))
    rects = stamp_attachments(writer, pages, LINES, page_objects=objects)
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), rects


# right and top edge of each page's visible area (CropBox) in pdftotext's frame: the MediaBox
# as displayed (rotated), origin top left
VISIBLE_EDGES = {
    0: (595.3, 0.0),
    1: (595.3, 0.0),
    2: (595.3, 0.0),
    3: (595.3, 0.0),
    4: (870.0, 54.7),
    5: (595.3, 0.0),
}


def _words(pdf: bytes, page_no: int) -> list[tuple[str, float, float, float, float]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page_no), "-l", str(page_no), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode("utf-8")
    return [
        (m.group(5), float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)))
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]


def _stamp_xobjects(pdf: bytes, pages) -> dict[int, set[int]]:
    """Per page, the object numbers of the XObjects it names /K39Info…"""
    reader = PdfReader(BytesIO(pdf))
    found = {}
    for index in pages:
        xobjects = reader.pages[index].get("/Resources", {}).get("/XObject", {})
        found[index] = {
            ref.idnum
            for name, ref in xobjects.items()
            if name.startswith("/K39Info")
            and "/K39Font" in ref.get_object()["/Resources"].get("/Font", {})
        }
    return found


@needs_poppler
def test_every_requested_page_shows_the_information_top_right_whatever_its_page_tree():
    stamped = [0, 1, 2, 3, 4, 5]
    pdf, rects = _stamped(_tricky_pdf(), stamped)
    _assert_top_right(pdf, stamped)
    assert len(rects) == len(stamped)


def _assert_top_right(pdf: bytes, stamped: list[int]) -> None:
    """The lines on each of ``stamped`` in the top-right corner of the page as seen, the pages'
    own text kept, and nothing on the page never stamped (7)."""
    for index in stamped:
        words = _words(pdf, index + 1)
        texts = [w[0] for w in words]
        assert [t for t in texts if t in LINES] == LINES, (
            f"page {index + 1}: stamp missing or out of order: {texts}"
        )
        right, top = VISIBLE_EDGES[index]
        for text, _x0, y0, x1, y1 in words:
            if text in LINES:
                assert top < y0 and y1 - top < 20 * MM, (
                    f"page {index + 1}: “{text}” is not in the top margin"
                )
                assert 14 * MM < right - x1 < 17 * MM, (
                    f"page {index + 1}: “{text}” is not 15 mm from the right edge"
                )
        if index != 3:  # the blank page has no text of its own
            assert f"Trang {index + 1}" in " ".join(texts), (
                f"page {index + 1} lost its own text: {texts}"
            )
    words = _words(pdf, 7)
    assert not any(w[0] in LINES for w in words), "a page that is no attachment got the stamp"


@needs_poppler
def test_pages_given_by_object_number_are_stamped_as_the_tree_walk_stamps_them(monkeypatch):
    """The bundle tells the pages' object numbers: only those pages are read. A page that
    inherits its box or resources, or a number that is no page, falls back to the walk."""
    data = _tricky_pdf()
    stamped = [0, 1, 2, 3, 4, 5]
    reader = PdfReader(BytesIO(data))
    numbers = [reader.pages[i].indirect_reference.idnum for i in stamped]
    walked, walked_rects = _stamped(data, stamped)
    for objects in (numbers, [1] * len(stamped)):  # the right pages; the catalog: no pages
        pdf, rects = _stamped(data, stamped, objects)
        assert rects == walked_rects
        for index in stamped:
            assert _words(pdf, index + 1) == _words(walked, index + 1)
    flat = _many_pages(12)  # pages of their own box and resources, as the bundle's are
    wanted = [1, 5, 11]
    reader = PdfReader(BytesIO(flat))
    walked, walked_rects = _stamped(flat, wanted)

    def no_walk(*_args):
        raise AssertionError("the page tree was walked")

    monkeypatch.setattr(stamps, "_pages_to_stamp", no_walk)
    pdf, rects = _stamped(flat, wanted, [reader.pages[i].indirect_reference.idnum for i in wanted])
    assert rects == walked_rects
    assert _stamp_xobjects(pdf, range(12)) == _stamp_xobjects(walked, range(12))


@needs_poppler
def test_an_xobject_already_named_like_the_stamp_is_kept():
    pdf, _ = _stamped(_tricky_pdf(), [5])
    words = _words(pdf, 6)
    assert "Form" in [w[0] for w in words], "the page's own /K39Info form is no longer drawn"
    assert LINES[0] in [w[0] for w in words]


def test_all_pages_share_one_stamp_xobject_with_one_font():
    stamped = [0, 1, 2, 3, 4, 5]
    pdf, _ = _stamped(_tricky_pdf(), stamped)
    per_page = _stamp_xobjects(pdf, stamped)
    assert all(len(refs) == 1 for refs in per_page.values()), per_page
    assert len(set().union(*per_page.values())) == 1, f"each page got its own stamp: {per_page}"
    reader = PdfReader(BytesIO(pdf))
    stamp = reader.get_object(next(iter(per_page[0])))
    assert list(stamp["/Resources"]["/Font"]) == ["/K39Font"]
    embedded = [
        obj
        for num in range(1, int(reader.trailer["/Size"]))
        if isinstance(obj := _maybe(reader, num), dict) and obj.get("/Subtype") == "/CIDFontType2"
    ]
    assert len(embedded) == 1, f"{len(embedded)} embedded font subsets for one stamp text"


def _maybe(reader: PdfReader, num: int):
    try:
        return reader.get_object(num)
    except Exception:  # noqa: BLE001  (any object number that does not read is not a font)
        return None


def test_stamping_many_pages_adds_a_few_hundred_bytes_per_page():
    """Past the first page (the stamp drawn once, the font embedded once), each page stamped
    costs a few hundred bytes."""
    pdf = _many_pages(200)
    stamped, _ = _stamped(pdf, list(range(0, 200, 2)))
    one, _ = _stamped(pdf, [0])
    per_page = (len(stamped) - len(one)) / 99
    assert per_page < 400, (
        f"{per_page:.0f} bytes per stamped page: is the stamp drawn again for every page?"
    )


def _many_pages(n: int) -> bytes:
    kids = " ".join(f"{10 + i} 0 R" for i in range(n))
    objects = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {n} >>",
        3: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
    }
    for i in range(n):
        objects[10 + i] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] /Resources 3 0 R "
            f"/Contents {10 + n + i} 0 R >>"
        )
        objects[10 + n + i] = _text(i + 1)
    return _pdf(objects)


def test_a_page_listed_twice_is_stamped_once_and_no_attachments_add_nothing():
    pdf = _many_pages(3)
    twice, rects = _stamped(pdf, [1, 1])
    assert rects[0] == rects[1]
    contents = PdfReader(BytesIO(twice)).pages[1]["/Contents"]
    assert len(contents) == 3, (
        f"page 2 painted the stamp more than once: {len(contents)} content streams"
    )
    untouched, rects = _stamped(pdf, [])
    assert rects == [] and b"K39" not in untouched[len(pdf) :], (
        "a dossier without attachments got a stamp"
    )


def test_a_page_beyond_the_end_is_an_error():
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from k39docs.errors import SigningError

    writer = IncrementalPdfFileWriter(BytesIO(_many_pages(3)))
    with pytest.raises(SigningError, match="Trang 4"):
        stamp_attachments(writer, [0, 3], LINES)


# --- the stamp font ---------------------------------------------------------------------------


def test_the_rescaled_stamp_font_is_computed_once_and_then_read_from_the_cache(
    tmp_path, monkeypatch
):
    font = tmp_path / "LiberationSerif-Regular.ttf"
    font.write_bytes(open(stampfont.signing_font_path(), "rb").read())
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("K39_NO_CACHE", raising=False)
    monkeypatch.setattr(stampfont, "signing_font_path", lambda: str(font))
    calls = []
    real = stampfont._rescaled_font
    monkeypatch.setattr(stampfont, "_rescaled_font", lambda path: calls.append(path) or real(path))
    stampfont.font_program.cache_clear()
    try:
        first = stampfont.font_program()
        cached = list((tmp_path / "cache" / "fonts").glob("*.ttf"))
        assert len(calls) == 1 and len(cached) == 1, (calls, cached)
        stampfont.font_program.cache_clear()  # a new process
        assert stampfont.font_program() == first
        assert len(calls) == 1, "the font was rescaled again although the cache holds it"

        from fontTools.ttLib import TTFont

        assert TTFont(BytesIO(first))["head"].unitsPerEm == 1000

        import os

        stat = font.stat()
        os.utime(font, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the font file changed
        stampfont.font_program.cache_clear()
        stampfont.font_program()
        assert len(calls) == 2, "a changed font file must be rescaled again"
    finally:
        stampfont.font_program.cache_clear()


def test_a_damaged_font_cache_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("K39_NO_CACHE", raising=False)
    entry = stampfont._font_cache_file(Path(stampfont.signing_font_path()))
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"\x00\x01\x00\x00 truncated")
    stampfont.font_program.cache_clear()
    try:
        data = stampfont.font_program()
        assert len(data) > 10_000 and entry.read_bytes() == data
    finally:
        stampfont.font_program.cache_clear()


def test_a_revision_prints_with_the_font_of_the_one_before_only_if_it_holds_the_text():
    """The second revision of a file reuses the first one's subset (:func:`reuse_font`); a
    subset without the glyphs of a line is a mistake said at once, not a line of blanks."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from k39docs.errors import SigningError

    first = IncrementalPdfFileWriter(BytesIO(_tricky_pdf()))
    stamp_attachments(first, [0], LINES)
    stampfont.font_engine(first, 10).include(["Ủy ban nhân dân tỉnh Gia Lai"])
    shared = stampfont.embedded_font(first)
    assert shared is not None
    out = BytesIO()
    first.write(out)

    second = IncrementalPdfFileWriter(BytesIO(out.getvalue()))
    stampfont.reuse_font(second, shared)
    stamp_attachments(second, [1], ["Ủy ban nhân dân tỉnh Gia Lai"])
    again = BytesIO()
    second.write(again)
    reader = PdfReader(again)
    fonts = [
        n
        for n in range(1, int(reader.trailer["/Size"]))
        if isinstance(o := _maybe(reader, n), dict) and o.get("/Subtype") == "/Type0"
    ]
    assert fonts == [shared.number]

    third = IncrementalPdfFileWriter(BytesIO(out.getvalue()))
    stampfont.reuse_font(third, shared)
    with pytest.raises(SigningError):
        stamp_attachments(third, [1], ["Ủy ban nhân dân thành phố Hà Nội"])


def _reserved(data: bytes, pages: list[int]) -> tuple[bytes, int]:
    """``data`` with the corner form painted on ``pages`` as the bundle paints it, and the
    form's object number."""
    import pikepdf

    from k39docs.pdf.corner import reserve_corners

    with pikepdf.open(BytesIO(data)) as pdf:
        first, name = reserve_corners(pdf, pages)
        out = BytesIO()
        pdf.save(out)
    with pikepdf.open(BytesIO(out.getvalue())) as written:
        number = written.pages[first].Resources.XObject[name].objgen[0]
    return out.getvalue(), number


def _filled(data: bytes, number: int) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(data))
    assert stamps.fill_corner(writer, number, LINES)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@needs_poppler
def test_a_corner_painted_by_the_bundle_and_filled_at_signing_prints_as_the_page_stamp():
    """The bundle paints an empty form in each attachment's corner; signing fills that one
    form. Every page then shows the information exactly where stamping it page by page puts
    it (rotated, cropped, blank pages, a name taken), and nothing before it is filled."""
    stamped = [0, 1, 2, 3, 4, 5]
    reserved, number = _reserved(_tricky_pdf(), stamped)
    for index in range(7):
        words = [w[0] for w in _words(reserved, index + 1)]
        assert not any(w in LINES for w in words), f"page {index + 1}: text before signing"
        if index != 3:
            assert f"Trang {index + 1}" in " ".join(words)
    filled = _filled(reserved, number)
    _assert_top_right(filled, stamped)
    by_page, _ = _stamped(_tricky_pdf(), stamped)

    def stamp_words(pdf: bytes, page_no: int) -> list:
        return [
            (w[0], *(round(v, 1) for v in w[1:])) for w in _words(pdf, page_no) if w[0] in LINES
        ]

    for index in stamped:
        assert stamp_words(filled, index + 1) == stamp_words(by_page, index + 1), index
        assert [w[0] for w in _words(filled, index + 1) if w[0] in LINES] == LINES
    assert "Form" in [w[0] for w in _words(filled, 6)], "the page's own /K39Info is not drawn"
    assert stamp_words(filled, 7) == []
    # the revision rewrites the form, and no page
    from pyhanko.pdf_utils.reader import PdfFileReader

    revision = PdfFileReader(BytesIO(filled)).xrefs.explicit_refs_in_revision(1)
    assert {ref.idnum for ref in revision} >= {number}
    assert not any(
        PdfFileReader(BytesIO(filled)).get_object(ref).get("/Type") == "/Page" for ref in revision
    )


def test_only_a_corner_form_is_filled():
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(_tricky_pdf()))
    assert not stamps.fill_corner(writer, 30, LINES)  # a form of the page's own
    assert not stamps.fill_corner(writer, 1, LINES)  # the catalog
    assert not stamps.fill_corner(writer, 999, LINES)  # no such object
