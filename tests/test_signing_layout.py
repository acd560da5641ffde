"""Finding the signature block in a PDF's text and planning the appearances (no LibreOffice needed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
from signing_support import FIXTURES

from k39docs.errors import SigningError
from k39docs.signing.appearance import plan_block_layout
from k39docs.signing.block import find_signature_block, page_text_lines
from k39docs.signing.geometry import Rect

TITLES = ["TM. UY BAN NHAN DAN", "KT. CHU TICH", "PHO CHU TICH"]
NAME = "Dang Quoc Bao"
MM = 72 / 25.4


def _pdf(lines: list[tuple[float, float, float, str]]) -> PdfReader:
    """One A4 page drawing (x, baseline, size, text) lines in Times-Bold (WinAnsi, ASCII text)."""
    writer = PdfWriter()
    page = writer.add_blank_page(595.3, 841.9)
    ops = "".join(f"BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET\n" for x, y, size, text in lines)
    stream = DecodedStreamObject()
    stream.set_data(ops.encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Times-Bold"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    out = BytesIO()
    writer.write(out)
    return PdfReader(BytesIO(out.getvalue()))


def _block_page(name_y: float = 380) -> PdfReader:
    return _pdf(
        [
            (85, 600, 14, "Noi dung cong van."),
            (375, 532.1, 14, TITLES[0]),
            (90.6, 534.0, 12, "Noi nhan:"),
            (390, 516.0, 14, TITLES[1]),
            (
                90.6,
                515.2,
                11,
                "- Nhu tren;",
            ),  # same baseline (almost) as a title line, other column
            (388, 500.0, 14, TITLES[2]),
            (392, name_y, 14, NAME),
        ]
    )


def test_lines_in_two_columns_on_one_baseline_stay_apart():
    lines = [ln.text for ln in page_text_lines(_block_page().pages[0])]
    assert TITLES[1] in lines and "- Nhu tren;" in lines, lines


def test_block_is_found_from_the_text_not_from_fixed_coordinates():
    for name_y in (380, 300):
        block = find_signature_block(_block_page(name_y), [0], NAME, TITLES)
        assert block.title.text == TITLES[-1] and block.name.text == NAME
        assert block.gap.y1 < 500 and block.gap.y0 > name_y


def test_a_name_without_its_title_lines_is_not_a_block():
    reader = _pdf([(85, 600, 14, NAME), (85, 500, 14, "PHO CHU TICH cua mot van ban khac")])
    with pytest.raises(SigningError, match="Không tìm thấy khối chữ ký"):
        find_signature_block(reader, [0], NAME, TITLES)


def test_text_between_title_and_name_means_no_free_space():
    reader = _pdf([(388, 500, 14, TITLES[2]), (392, 450, 14, "(da ky)"), (392, 380, 14, NAME)])
    with pytest.raises(SigningError):
        find_signature_block(reader, [0], NAME, TITLES)


def test_too_little_space_for_a_signature_is_refused():
    block = find_signature_block(_block_page(name_y=480), [0], NAME, TITLES)
    with pytest.raises(SigningError, match="không đủ chỗ"):
        plan_block_layout(
            block,
            page_box=Rect(0, 0, 595.3, 841.9),
            signature_image=None,
            seal_image=None,
            person_lines=["a"],
            agency_lines=["b"],
        )


def test_plan_puts_signature_in_the_gap_and_seal_over_its_left_third():
    block = find_signature_block(_block_page(), [0], NAME, TITLES)
    plan = plan_block_layout(
        block,
        page_box=Rect(0, 0, 595.3, 841.9),
        signature_image=FIXTURES / "images" / "chu-ky.png",
        seal_image=FIXTURES / "images" / "con-dau.png",
        person_lines=["Ký bởi: x", "t"],
        agency_lines=["Ủy ban nhân dân tỉnh Quảng Ngãi", "2026-12-10T09:15:02+07:00"],
    )
    sig, seal, gap = plan.signature_rect, plan.seal_rect, block.gap
    assert gap.y0 <= sig.y0 and sig.y1 <= gap.y1, "signature image leaves the empty lines"
    assert abs(sig.centre[0] - block.name.centre_x) < 1
    assert abs(seal.x1 - (sig.x0 + sig.width / 3)) < 0.5, (
        "seal's right edge is not at a third of the signature"
    )
    assert abs(seal.centre[1] - sig.centre[1]) < 0.5
    assert 35.5 < seal.width / MM < 36.5, (
        "seal is not drawn at its real size (36 mm, from the PNG's DPI)"
    )
    assert plan.info_rect.y1 < block.name.baseline, "signing information is not under the name"
    assert plan.agency_rect.x0 <= seal.x0 and plan.agency_rect.y0 <= plan.info_rect.y0


def test_without_a_signature_image_the_seal_leaves_the_signing_text_readable():
    """A dossier with no signature image signs with text ("Ký bởi: …"); the seal, placed over
    the left third as for an image, covered the words."""
    block = find_signature_block(_block_page(), [0], NAME, TITLES)
    plan = plan_block_layout(
        block,
        page_box=Rect(0, 0, 595.3, 841.9),
        signature_image=None,
        seal_image=FIXTURES / "images" / "con-dau.png",
        person_lines=["Ký bởi: Nguyễn Tuấn Thanh", "2026-12-05T23:42:06+07:00"],
        agency_lines=["Ủy ban nhân dân tỉnh Gia Lai", "2026-12-05T23:42:06+07:00"],
    )
    sig, seal = plan.signature_rect, plan.seal_rect
    assert seal.x1 <= sig.x0, "the seal covers the signing text"
    assert sig.x0 - seal.x1 < 5, "the seal is not beside the signing text"
    assert abs(seal.centre[1] - sig.centre[1]) < 0.5


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_attachment_stamp_is_upright_top_right_on_rotated_and_blank_pages(rotate):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from k39docs.signing.stamps import stamp_attachment

    writer = PdfWriter()
    page = writer.add_blank_page(595.3, 841.9)  # no content stream at all
    if rotate:
        page.rotate(rotate)
    data = BytesIO()
    writer.write(data)
    inc = IncrementalPdfFileWriter(BytesIO(data.getvalue()))
    stamp_attachment(
        inc, 0, ["Số: 3512/UBND-NC", "2026-12-10T09:15:02+07:00", "Ủy ban nhân dân tỉnh Quảng Ngãi"]
    )
    out = BytesIO()
    inc.write(out)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=out.getvalue(), capture_output=True, check=True
    ).stdout
    words = re.findall(
        rb'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    assert [w[4].decode() for w in words] == [
        "Số: 3512/UBND-NC",
        "2026-12-10T09:15:02+07:00",
        "Ủy ban nhân dân tỉnh Quảng Ngãi",
    ]
    shown_width = 841.9 if rotate in (90, 270) else 595.3
    for x0, _y0, x1, y1, _ in words:
        assert (
            float(y1) < 20 * MM
            and shown_width - float(x1) < 17 * MM
            and float(x0) > shown_width / 2
        )
