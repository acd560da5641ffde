"""``verify_pdf``: a good dossier passes; every kind of tampering fails and the report says why."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from signing_support import block_pdf, pki, signed_demo  # noqa: F401  (fixtures)

from k39docs.signing import AGENCY_FIELD, PERSON_FIELD, format_verify_report, verify_pdf

pytestmark = pytest.mark.soffice


@pytest.fixture
def signed_copy(signed_demo, tmp_path) -> Path:
    path = tmp_path / "dossier.pdf"
    shutil.copyfile(signed_demo.pdf, path)
    return path


def test_signed_dossier_is_ok_and_trusted_with_the_demo_ca(signed_demo):
    report = verify_pdf(signed_demo.pdf, [signed_demo.result.demo_ca_pem])
    assert report.ok, format_verify_report(report)
    assert [s.field_name for s in report.signatures] == [PERSON_FIELD, AGENCY_FIELD]
    person, agency = report.signatures
    assert person.trusted and agency.trusted
    assert person.coverage == "entire_revision" and person.modification == "signing"
    assert agency.covers_whole_file and not person.covers_whole_file
    assert person.signing_time == signed_demo.result.signing_time
    text = format_verify_report(report)
    assert "Kết quả: HỢP LỆ" in text and signed_demo.result.signing_time_text in text


def test_without_trust_roots_integrity_is_checked_but_trust_is_not(signed_demo):
    report = verify_pdf(signed_demo.pdf)
    assert report.ok
    assert all(s.trusted is None for s in report.signatures)
    assert "chưa kiểm tra nguồn gốc chứng thư số" in format_verify_report(report)


def test_a_different_trust_root_is_not_ok(signed_demo, pki, tmp_path):
    report = verify_pdf(signed_demo.pdf, [pki.write_ca_pem(tmp_path / "other.pem")])
    assert not report.ok
    assert all(s.trusted is False for s in report.signatures)
    assert "không dẫn về chứng thư gốc tin cậy" in format_verify_report(report)


def test_unsigned_pdf_is_not_ok(block_pdf):
    report = verify_pdf(block_pdf)
    assert not report.ok and not report.signatures
    text = format_verify_report(report)
    assert "KHÔNG HỢP LỆ" in text and "không có chữ ký số nào" in text


def test_not_a_pdf_is_not_ok(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_text("không phải PDF")
    report = verify_pdf(path)
    assert not report.ok and "không phải PDF" in format_verify_report(report)


def test_one_changed_byte_inside_the_signed_range_breaks_the_signature(signed_copy, signed_demo):
    data = bytearray(signed_copy.read_bytes())
    # change a digit of the time printed on an attachment, inside the first signature's range
    reader = PdfReader(signed_copy)
    byte_range = reader.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()["/V"]["/ByteRange"]
    target = data.find(b"BT 0 0 0 rg", 0, byte_range[1])
    assert target > 0
    data[target + 3] = ord("1")  # "BT 1 0 0 rg": the text turns red
    signed_copy.write_bytes(bytes(data))
    report = verify_pdf(signed_copy, [signed_demo.result.demo_ca_pem])
    assert not report.ok
    assert not report.signatures[0].intact and not report.signatures[0].ok
    assert "mã băm" in report.signatures[0].message
    assert "nội dung đã bị thay đổi sau khi ký" in format_verify_report(report)
    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(signed_copy)], capture_output=True, text=True).stdout
        assert "Signature is Valid" not in out.split("Signature #2")[0]


def test_a_page_appended_after_signing_is_reported(signed_copy, signed_demo):
    writer = PdfWriter(signed_copy, incremental=True)
    writer.add_blank_page(595, 842)
    with signed_copy.open("wb") as fh:
        writer.write(fh)
    report = verify_pdf(signed_copy, [signed_demo.result.demo_ca_pem])
    assert not report.ok
    assert any("không bao trùm toàn bộ tệp" in p for p in report.problems)
    agency = report.signatures[-1]
    assert agency.intact and not agency.covers_whole_file
    assert not agency.changes_allowed and agency.modification == "other"
    text = format_verify_report(report)
    assert "sửa đổi sau khi ký theo cách không được phép" in text
    assert "thêm, xóa hoặc thay trang" in text


def test_resaving_with_pypdf_is_reported(signed_copy, signed_demo):
    writer = PdfWriter(clone_from=PdfReader(signed_copy))
    with signed_copy.open("wb") as fh:
        writer.write(fh)
    report = verify_pdf(signed_copy, [signed_demo.result.demo_ca_pem])
    assert not report.ok
    assert not any(s.ok for s in report.signatures), format_verify_report(report)
    assert "KHÔNG HỢP LỆ" in format_verify_report(report)


def test_bytes_appended_after_the_last_signature_are_reported(signed_copy, signed_demo):
    with signed_copy.open("ab") as fh:
        fh.write(b"\n% them du lieu\n")
    report = verify_pdf(signed_copy, [signed_demo.result.demo_ca_pem])
    assert not report.ok
    assert "không bao trùm toàn bộ tệp" in format_verify_report(report)


def test_report_as_json_for_scripts(signed_demo):
    import json

    data = json.loads(
        json.dumps(verify_pdf(signed_demo.pdf, [signed_demo.result.demo_ca_pem]).to_dict())
    )
    assert data["ok"] is True and data["trust_roots_given"] is True
    assert [s["field_name"] for s in data["signatures"]] == [PERSON_FIELD, AGENCY_FIELD]
    assert data["signatures"][0]["signing_time"] == signed_demo.result.signing_time_text


def test_validator_tracebacks_stay_off_the_terminal(signed_copy, capfd):
    writer = PdfWriter(signed_copy, incremental=True)
    writer.add_blank_page(595, 842)
    with signed_copy.open("wb") as fh:
        writer.write(fh)
    capfd.readouterr()
    assert not verify_pdf(
        signed_copy
    ).ok  # untrusted chain + disallowed change: both logged by pyHanko
    assert "Traceback" not in capfd.readouterr().err


def test_a_dossier_with_hundreds_of_bookmarks_verifies(block_pdf, tmp_path):
    """A genuine 200-candidate dossier (861 pages, 403 bookmarks) was rejected with a
    RecursionError inside pyHanko's difference analysis; pdfsig accepted it."""
    from signing_support import FIXTURES, demo_signing, signature_request

    from k39docs.signing import sign_dossier

    writer = PdfWriter(clone_from=str(block_pdf))
    first = writer.pages[0]
    for i in range(900):  # one bookmark per document, as the bundle writes them: one /Next chain
        page = writer.add_blank_page(float(first.mediabox.width), float(first.mediabox.height))
        writer.add_outline_item(title=f"Bản cam kết - Ứng viên {i:04d}", page_number=page)
    unsigned = tmp_path / "unsigned.pdf"
    with open(unsigned, "wb") as fh:
        writer.write(fh)
    signed = tmp_path / "dossier.pdf"
    out = tmp_path / "out"
    out.mkdir()
    result = sign_dossier(
        unsigned, signed, demo_signing(), signature_request(), base_dir=FIXTURES, out_dir=out
    )
    report = verify_pdf(signed, [result.demo_ca_pem])
    assert report.ok, format_verify_report(report)
    assert len(report.signatures) == 2
    assert subprocess.run(["pdfsig", str(signed)], capture_output=True).returncode == 0


# --- what changed after a signature, named for what it is ---------------------------------------


def _incremental(path: Path, change) -> None:
    """Apply ``change(writer)`` to ``path`` as an incremental update (what an editor does)."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(path.read_bytes()))
    change(writer)
    out = BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())


def _overlay(writer) -> None:
    from pyhanko.pdf_utils import generic

    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (DA SUA) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))


def _rewrite(writer) -> None:
    from pyhanko.pdf_utils import generic

    page_ref, _ = writer.find_page_for_modification(0)
    contents = page_ref.get_object().raw_get("/Contents")
    target = contents.get_object() if isinstance(contents, generic.IndirectObject) else contents
    first = target[0] if isinstance(target, generic.ArrayObject) else contents
    stream = first.get_object()
    stream._data = b"BT /F1 12 Tf 72 720 Td (noi dung khac) Tj ET"
    stream._encoded_data = None
    if "/Filter" in stream:
        del stream["/Filter"]
    writer.mark_update(first)


def _annotate(writer) -> None:
    from pyhanko.pdf_utils import generic

    page_ref, _ = writer.find_page_for_modification(0)
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.FloatObject(x) for x in (100, 100, 120, 120)]
            ),
            generic.NameObject("/Contents"): generic.pdf_string("ghi chú"),
        }
    )
    writer.register_annotation(page_ref, writer.add_object(annot))


def _retitle(writer) -> None:
    from pyhanko.pdf_utils import generic

    info_ref = writer.trailer_view.raw_get("/Info")
    info_ref.get_object()[generic.NameObject("/Title")] = generic.pdf_string("Tiêu đề khác")
    writer.mark_update(info_ref)


@pytest.mark.parametrize(
    ("change", "named", "not_named"),
    [
        (_overlay, "thêm nội dung đè lên trang 1", "viết lại"),
        (_rewrite, "viết lại nội dung trang 1", "đè lên"),
        (_annotate, "thêm chú thích (annotation) trên trang 1", "nội dung"),
    ],
)
def test_each_change_after_signing_is_named_for_what_it_is(
    signed_copy, signed_demo, change, named, not_named
):
    """An overlay, a rewritten content stream and an added annotation were all explained as
    "thêm, xóa hoặc thay trang"."""
    _incremental(signed_copy, change)
    report = verify_pdf(signed_copy, [signed_demo.result.demo_ca_pem])
    assert not report.ok
    person, agency = report.signatures
    for check in (person, agency):
        assert not check.ok and named in check.message, check.message
        assert not_named not in "; ".join(check.changes)
        assert "thêm, xóa hoặc thay trang" not in check.message
    assert named in format_verify_report(report)


def test_a_metadata_only_update_is_not_called_adding_a_signature(signed_copy, signed_demo):
    """It was reported as "chỉ thêm chữ ký số" on both signatures."""
    _incremental(signed_copy, _retitle)
    report = verify_pdf(signed_copy, [signed_demo.result.demo_ca_pem])
    assert not report.ok  # the last signature no longer covers the file
    person, agency = report.signatures
    assert person.modification == agency.modification == "metadata"
    for check in (person, agency):
        assert "sửa thông tin mô tả tệp (metadata)" in check.message
        assert "chỉ được thêm chữ ký số" not in check.message
    text = format_verify_report(report)
    assert "chỉ thêm chữ ký số" not in text
    assert "sau khi ký, tệp đã bị sửa thông tin mô tả tệp (metadata)" in text


def _k39_dossier(block_pdf: Path, folder: Path) -> tuple[Path, Path]:
    """The test PDF made a k39docs dossier (its Creator) and signed by both: (pdf, CA)."""
    from signing_support import FIXTURES, demo_signing, signature_request

    from k39docs.signing import sign_dossier

    writer = PdfWriter(clone_from=str(block_pdf))
    writer.add_metadata({"/Creator": "k39docs"})
    unsigned = folder / "unsigned.pdf"
    with open(unsigned, "wb") as fh:
        writer.write(fh)
    signed = folder / "dossier.pdf"
    result = sign_dossier(
        unsigned, signed, demo_signing(), signature_request(), base_dir=FIXTURES, out_dir=folder
    )
    return signed, result.demo_ca_pem


def _cut_to_first_signature(pdf: Path) -> None:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    data = pdf.read_bytes()
    reader = PdfFileReader(BytesIO(data))
    first = min(reader.embedded_regular_signatures, key=lambda s: s.signed_revision)
    pdf.write_bytes(data[: first.byte_range[-2] + first.byte_range[-1]])


def test_a_k39docs_dossier_cut_back_to_its_first_signature_is_refused(block_pdf, tmp_path):
    """It verified "HỢP LỆ — 1 chữ ký" with exit 0: a dossier must carry both signatures."""
    from typer.testing import CliRunner

    from k39docs.cli import app

    pdf, ca = _k39_dossier(block_pdf, tmp_path)
    assert verify_pdf(pdf, [ca]).ok
    _cut_to_first_signature(pdf)
    report = verify_pdf(pdf, [ca])
    assert [s.field_name for s in report.signatures] == [PERSON_FIELD]
    assert report.signatures[0].ok and not report.ok
    assert any(AGENCY_FIELD in p and "thiếu chữ ký" in p for p in report.problems)
    result = CliRunner().invoke(app, ["verify", str(pdf), "--trust-root", str(ca)])
    assert result.exit_code == 1 and "thiếu chữ ký của cơ quan ban hành" in result.stdout


def test_another_pdf_with_one_good_signature_is_still_ok(signed_copy, signed_demo):
    """The two-signature rule is for dossiers k39docs made (their Creator), not any PDF."""
    _cut_to_first_signature(signed_copy)
    report = verify_pdf(signed_copy, [signed_demo.result.demo_ca_pem])
    assert report.ok, format_verify_report(report)
