"""Signing a real LibreOffice PDF: two PAdES signatures, where they sit, what they show.

Validity is checked twice, independently: with pyHanko's validator and with poppler's ``pdfsig``
(NSS). Positions are checked against poppler's own text boxes (``pdftotext -bbox``) and against
the colours of the rendered page, i.e. what a clerk sees.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from pdftext import pdftotext
from PIL import Image
from pypdf import PdfReader
from signing_support import (  # noqa: F401  (fixtures)
    AGENCY,
    ATTACHMENT_FIRST_PAGES,
    COVER_LETTER_PAGES,
    DOC_NUMBER,
    FIXTURES,
    SIGNER_NAME,
    TITLE_LINES,
    block_pdf,
    demo_signing,
    pki,
    signature_request,
    signed_demo,
)

from k39docs.dossier.model import VIETNAM_TZ
from k39docs.errors import SigningError
from k39docs.signing import AGENCY_FIELD, PERSON_FIELD, locate_signature, sign_dossier

pytestmark = pytest.mark.soffice

ISO_VN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


# --- helpers ----------------------------------------------------------------------------------


def _validate_with_pyhanko(pdf: Path, roots: list[Path]):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    with pdf.open("rb") as fh:
        reader = PdfFileReader(fh)
        ctx = ValidationContext(trust_roots=[load_cert_from_pemder(str(p)) for p in roots])
        usage = KeyUsageConstraints(
            key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
        )
        return [
            (
                sig.field_name,
                sig.sig_object["/SubFilter"],
                validate_pdf_signature(sig, ctx, key_usage_settings=usage),
            )
            for sig in reader.embedded_signatures
        ]


def _pdfsig(pdf: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    sigs: list[dict[str, str]] = []
    for line in out.splitlines():
        if re.match(r"^Signature #\d+:", line):
            sigs.append({"flags": ""})
        elif sigs and line.strip().startswith("- "):
            item = line.strip()[2:]
            if ": " in item:
                key, value = item.split(": ", 1)
                sigs[-1][key] = value
            else:
                sigs[-1]["flags"] += item + ";"
    return sigs


def _words(
    pdf: Path, page_no: int
) -> tuple[float, float, list[tuple[str, float, float, float, float]]]:
    """poppler's text boxes of a 1-based page: (width, height, [(text, xmin, ymin, xmax, ymax)]), top-left origin."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page_no), "-l", str(page_no), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    words = [
        (
            unescape(m.group(5)),
            float(m.group(1)),
            float(m.group(2)),
            float(m.group(3)),
            float(m.group(4)),
        )
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]
    return float(page.group(1)), float(page.group(2)), words


def _line_box(words, text: str, *, below: float = -1.0) -> tuple[float, float, float, float]:
    """Bounding box (top-left origin) of the consecutive words spelling ``text`` (first one under ``below``)."""
    words = [w for w in words if w[2] > below]
    parts = text.split()
    texts = [w[0] for w in words]
    for i in range(len(words)):
        if " ".join(texts[i : i + len(parts)]) == text or texts[i] == text:
            n = 1 if texts[i] == text else len(parts)
            chunk = words[i : i + n]
            return (
                min(w[1] for w in chunk),
                min(w[2] for w in chunk),
                max(w[3] for w in chunk),
                max(w[4] for w in chunk),
            )
    raise AssertionError(f"'{text}' not found on the page; words: {texts[:80]}")


def _widget_rects(pdf: Path, page_index: int) -> dict[str, list[float]]:
    reader = PdfReader(pdf)
    rects = {}
    for annot in reader.pages[page_index].get("/Annots", []):
        annot = annot.get_object()
        if annot.get("/FT") == "/Sig" or "/T" in annot:
            rects[str(annot["/T"])] = [float(v) for v in annot["/Rect"]]
    return rects


def _render(pdf: Path, page_no: int, dpi: int = 72) -> Image.Image:
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page_no), "-l", str(page_no), str(pdf)],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return Image.open(BytesIO(png)).convert("RGB")


def _count(img: Image.Image, box, predicate) -> int:
    x0, y0, x1, y1 = (round(v) for v in box)
    data = img.crop((x0, y0, x1, y1)).tobytes()
    return sum(1 for i in range(0, len(data), 3) if predicate(data[i : i + 3]))


def _is_red(px) -> bool:
    r, g, b = px
    return r > 150 and g < 110 and b < 110


def _is_blue(px) -> bool:
    r, g, b = px
    return b > 110 and r < 110 and b > g + 30


# --- validity ---------------------------------------------------------------------------------


def test_two_pades_signatures_validate_with_pyhanko_and_the_last_covers_the_file(signed_demo):
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    results = _validate_with_pyhanko(signed_demo.pdf, [signed_demo.result.demo_ca_pem])
    assert [name for name, _, _ in results] == [PERSON_FIELD, AGENCY_FIELD]
    for name, subfilter, status in results:
        assert subfilter == "/ETSI.CAdES.detached", name
        assert status.intact and status.valid, f"{name}: {status.summary()}"
        assert status.trusted, f"{name} does not chain to the demo CA: {status.summary()}"
        assert status.md_algorithm == "sha256"
    person, agency = (s for _, _, s in results)
    assert person.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert (
        person.modification_level == ModificationLevel.FORM_FILLING
    )  # only the agency signature came after
    assert person.docmdp_ok
    assert agency.coverage == SignatureCoverageLevel.ENTIRE_FILE


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) not installed")
def test_poppler_pdfsig_independently_finds_both_signatures_valid(signed_demo):
    sigs = _pdfsig(signed_demo.pdf)
    assert len(sigs) == 2, sigs
    assert [s["Signature Field Name"] for s in sigs] == [PERSON_FIELD, AGENCY_FIELD]
    for s in sigs:
        assert s["Signature Validation"] == "Signature is Valid.", s
        assert s["Signature Type"] == "ETSI.CAdES.detached", s
        assert s["Signing Hash Algorithm"] == "SHA-256", s
    assert "Not total document signed" in sigs[0]["flags"]
    assert "Total document signed" in sigs[1]["flags"] and "Not total" not in sigs[1]["flags"]
    assert sigs[0]["Signer Certificate Common Name"].startswith(SIGNER_NAME)
    assert sigs[1]["Signer Certificate Common Name"].startswith(AGENCY)


def test_both_signatures_carry_the_same_vietnam_time_as_the_printed_information(signed_demo):
    result = signed_demo.result
    assert ISO_VN.match(result.signing_time_text), result.signing_time_text
    reader = PdfReader(signed_demo.pdf)
    stamp = result.signing_time.strftime("D:%Y%m%d%H%M%S+07'00'")
    times = [f.get_object()["/V"]["/M"] for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]
    assert times == [stamp, stamp]
    assert result.signing_time_text in pdftotext(signed_demo.pdf)


def test_demo_certificates_say_they_are_for_testing_and_the_ca_is_written_for_verify(signed_demo):
    from cryptography import x509

    result = signed_demo.result
    assert result.demo
    assert result.demo_ca_pem == signed_demo.out_dir / "demo-ca.pem"
    ca = x509.load_pem_x509_certificate(result.demo_ca_pem.read_bytes())
    assert "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" in ca.subject.rfc4514_string()
    assert "THỬ NGHIỆM" in result.person_subject and "THỬ NGHIỆM" in result.agency_subject


def test_signed_file_gets_the_usual_permissions(signed_demo):
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    mode = signed_demo.pdf.stat().st_mode & 0o777
    assert mode == 0o666 & ~mask, (
        f"dossier.pdf is {oct(mode)}: other users of the folder cannot read it"
    )


def test_demo_keys_are_ecdsa_p256(tmp_path):
    from asn1crypto import keys as asn1_keys

    from k39docs.signing.keys import demo_keys

    keys = demo_keys("Đặng Quốc Bảo", "Ủy ban nhân dân tỉnh Quảng Ngãi", tmp_path)
    for signer in (keys.person, keys.agency):
        public = signer.signing_cert.public_key
        assert public.algorithm == "ec" and public.curve == ("named", "secp256r1"), (
            f"demo key is {public.algorithm} {public.bit_size} bits, not ECDSA P-256 (fast to generate)"
        )
        assert isinstance(signer.signing_key, asn1_keys.PrivateKeyInfo)


# --- appearance on the công văn ---------------------------------------------------------------


def test_signature_image_sits_between_the_title_lines_and_the_name(signed_demo):
    page_no = signed_demo.result.signature_page + 1
    assert page_no == 3, "the block is on the công văn's second page"
    _width, height, words = _words(signed_demo.pdf, page_no)
    title = _line_box(words, TITLE_LINES[-1])
    name = _line_box(words, SIGNER_NAME)
    x0, y0, x1, y1 = _widget_rects(signed_demo.pdf, page_no - 1)[PERSON_FIELD]
    top, bottom = height - y1, height - y0  # to poppler's top-left origin
    assert top >= title[3] - 1, (
        f"signature image overlaps “{TITLE_LINES[-1]}”: image top {top:.0f} < title bottom {title[3]:.0f}"
    )
    assert bottom <= name[1] + 1, (
        f"signature image overlaps the name: image bottom {bottom:.0f} > name top {name[1]:.0f}"
    )
    name_centre = (name[0] + name[2]) / 2
    assert abs((x0 + x1) / 2 - name_centre) < 3, "signature image is not centred over the name"
    gap_centre = (title[3] + name[1]) / 2
    assert abs((top + bottom) / 2 - gap_centre) < 8, (
        "signature image is not centred in the empty lines"
    )
    img = _render(signed_demo.pdf, page_no)
    # a visible signature: about a hundred blue pixels of its strokes at this resolution (none
    # when it is missing or hidden)
    assert _count(img, (x0 + (x1 - x0) / 2, top, x1, bottom), _is_blue) > 50, (
        "no blue signature visible"
    )


def test_red_seal_covers_the_left_third_of_the_signature(signed_demo):
    page_no = signed_demo.result.signature_page + 1
    _, height, _ = _words(signed_demo.pdf, page_no)
    sx0, sy0, sx1, sy1 = _widget_rects(signed_demo.pdf, page_no - 1)[PERSON_FIELD]
    img = _render(signed_demo.pdf, page_no)
    third = (sx1 - sx0) / 3
    top, bottom = height - sy1, height - sy0
    left_third = _count(img, (sx0, top, sx0 + third, bottom), _is_red)
    right_third = _count(img, (sx1 - third, top, sx1, bottom), _is_red)
    left_of_signature = _count(img, (sx0 - 80, top, sx0, bottom), _is_red)
    assert left_third > 150, "the seal does not cover the left third of the signature"
    assert right_third == 0, "the seal reaches the right third of the signature"
    assert left_of_signature > left_third, "the seal should mostly sit left of the signature"
    agency = _widget_rects(signed_demo.pdf, page_no - 1)[AGENCY_FIELD]
    seal_mm = (agency[2] - agency[0]) * 25.4 / 72
    assert seal_mm >= 35, (
        f"seal widget only {seal_mm:.0f} mm wide: the seal must be drawn at its real size (36 mm)"
    )


def test_agency_signing_information_is_printed_under_the_name_in_10pt(signed_demo):
    result = signed_demo.result
    page_no = result.signature_page + 1
    _, _, words = _words(signed_demo.pdf, page_no)
    name = _line_box(words, SIGNER_NAME)
    agency = _line_box(words, AGENCY, below=name[1])
    when = _line_box(words, result.signing_time_text, below=name[1])
    assert name[3] <= agency[1] <= when[1], "agency name and time should follow the signer's name"
    assert abs((agency[0] + agency[2]) / 2 - (name[0] + name[2]) / 2) < 3
    assert 8.5 < agency[3] - agency[1] < 12.5, (
        f"signing information is not 10 pt (box {agency[3] - agency[1]:.1f} pt)"
    )
    # the text is real text in an embedded Liberation Serif subset, not an image
    reader = PdfReader(signed_demo.pdf)
    fonts = []
    for annot in reader.pages[result.signature_page]["/Annots"]:
        annot = annot.get_object()
        if str(annot["/T"]) == AGENCY_FIELD:
            res = annot["/AP"]["/N"].get_object()["/Resources"]
            fonts = [str(f.get_object()["/BaseFont"]) for f in res["/Font"].values()]
    assert fonts and all("LiberationSerif" in f for f in fonts), fonts


# --- attachments ------------------------------------------------------------------------------


def test_first_page_of_each_attachment_carries_the_signing_information_top_right(signed_demo):
    result = signed_demo.result
    for page_index in ATTACHMENT_FIRST_PAGES:
        width, _height, words = _words(signed_demo.pdf, page_index + 1)
        lines = [f"Số: {DOC_NUMBER}", result.signing_time_text, AGENCY]
        boxes = [_line_box(words, line) for line in lines]
        assert [b[1] for b in boxes] == sorted(b[1] for b in boxes), (
            "số ký hiệu, time, agency: in this order"
        )
        for line, box in zip(lines, boxes, strict=True):
            assert box[3] < 20 * 72 / 25.4, (
                f"page {page_index + 1}: “{line}” is not in the top margin"
            )
            assert width - box[2] < 20 * 72 / 25.4, (
                f"page {page_index + 1}: “{line}” is not at the right edge"
            )
            assert box[0] > width / 2, f"page {page_index + 1}: “{line}” is not on the right"
            assert 8.5 < box[3] - box[1] < 12.5, f"page {page_index + 1}: “{line}” is not 10 pt"
    # … and is page content covered by the first signature, not an annotation
    reader = PdfReader(signed_demo.pdf)
    assert "/Annots" not in reader.pages[ATTACHMENT_FIRST_PAGES[0]]


def test_attachments_share_one_drawn_stamp(signed_demo):
    reader = PdfReader(signed_demo.pdf)
    stamps = set()
    for page_index in ATTACHMENT_FIRST_PAGES:
        xobjects = reader.pages[page_index]["/Resources"].get("/XObject", {})
        stamps |= {ref.idnum for name, ref in xobjects.items() if name.startswith("/K39Info")}
    assert len(stamps) == 1, (
        f"the signing information was drawn {len(stamps)} times instead of once: {stamps}"
    )


def test_both_signatures_and_the_stamps_print_with_one_font_subset(signed_demo):
    """One subset of the signing font for the whole file: the stamps and the person's
    signature (revision 1) and the agency's information (revision 2) share it; it holds the
    glyphs they print, not the whole font."""
    reader = PdfReader(signed_demo.pdf)
    fonts = {}
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001  (a number no object has)
            continue
        if isinstance(obj, dict) and obj.get("/Subtype") == "/CIDFontType2":
            fonts[number] = obj
    assert len(fonts) == 1, f"{len(fonts)} embedded fonts for the signing information"
    (font,) = fonts.values()
    program = font["/FontDescriptor"]["/FontFile2"].get_data()
    from fontTools.ttLib import TTFont

    glyphs = TTFont(BytesIO(program))["glyf"]
    drawn = [name for name in glyphs.keys() if glyphs[name].numberOfContours]
    assert 20 < len(drawn) < 120, f"{len(drawn)} glyphs drawn in the subset"
    stamp = reader.pages[ATTACHMENT_FIRST_PAGES[0]]["/Resources"]["/XObject"]["/K39Info"]
    agency = next(
        f["/Kids"][0] if "/Kids" in f else f
        for f in (ref.get_object() for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"])
        if f.get("/T") == AGENCY_FIELD
    )

    def fonts_under(xobject, depth=0) -> set[int]:
        resources = xobject.get("/Resources", {})
        found = {ref.idnum for ref in resources.get("/Font", {}).values()}
        for inner in resources.get("/XObject", {}).values():
            if depth < 4:
                found |= fonts_under(inner.get_object(), depth + 1)
        return found

    printed_in = fonts_under(stamp.get_object()) | fonts_under(agency["/AP"]["/N"].get_object())
    assert (
        len(printed_in) == 1
        and reader.get_object(printed_in.pop())["/DescendantFonts"][0].idnum in fonts
    ), "the stamps and the agency's information print with different fonts"
    text = pdftotext(signed_demo.pdf, first=COVER_LETTER_PAGES[-1] + 1)
    assert AGENCY in text and signed_demo.result.signing_time_text in text


def test_the_font_subset_is_made_once_for_a_dossier_signed_again(block_pdf, tmp_path):
    """A service signs the same dossier again and again, at other times: the subset it needs
    does not change with the time's digits, and is made once."""
    from k39docs.signing import stampfont

    def sign_at(minute: int) -> None:
        sign_dossier(
            block_pdf,
            tmp_path / f"signed-{minute}.pdf",
            demo_signing(),
            signature_request(),
            base_dir=FIXTURES,
            out_dir=tmp_path,
            signing_time=dt.datetime(2026, 12, 10, 9, minute, 2, tzinfo=VIETNAM_TZ),
        )

    sign_at(15)
    made = stampfont._subset.cache_info().misses
    sign_at(48)
    assert stampfont._subset.cache_info().misses == made
    assert "2026-12-10T09:48:02+07:00" in pdftotext(tmp_path / "signed-48.pdf")


def test_other_pages_get_no_attachment_stamp(signed_demo):
    text = pdftotext(signed_demo.pdf, first=1, last=2)
    assert signed_demo.result.signing_time_text not in text


# --- key sources and options ------------------------------------------------------------------


def test_pkcs12_key_signs_both_signatures(block_pdf, pki, tmp_path, monkeypatch):
    from k39docs.signing import verify_pdf

    key, cert = pki.issue(AGENCY)
    p12 = pki.write_p12(tmp_path / "ubnd.p12", key, cert)
    monkeypatch.setenv("K39_TEST_P12", "mật-khẩu thử 123")
    signing = demo_signing(demo=False, pkcs12=p12, passphrase_env="K39_TEST_P12")
    out = tmp_path / "signed.pdf"
    result = sign_dossier(
        block_pdf, out, signing, signature_request(), base_dir=FIXTURES, out_dir=tmp_path
    )
    assert not result.demo and result.demo_ca_pem is None
    assert result.person_subject == result.agency_subject == AGENCY
    report = verify_pdf(out, [pki.write_ca_pem(tmp_path / "ca.pem")])
    assert report.ok, report
    assert [s.signer for s in report.signatures] == [AGENCY, AGENCY]
    assert "mật-khẩu" not in out.read_bytes().decode("latin-1")


def test_rfc3161_timestamp_makes_pades_b_t(block_pdf, pki, tmp_path):
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from k39docs.signing import verify_pdf

    tsa_key, tsa_cert = pki.issue("K39DOCS TEST TSA")
    # a TSA certificate needs the critical timeStamping extended key usage
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(tsa_cert.subject)
        .issuer_name(tsa_cert.issuer)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(tsa_cert.not_valid_before_utc)
        .not_valid_after(tsa_cert.not_valid_after_utc)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
        .sign(pki.ca_key, hashes.SHA256())
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    out = tmp_path / "signed.pdf"
    result = sign_dossier(
        block_pdf,
        out,
        demo_signing(tsa_url="http://tsa.invalid/"),
        signature_request(),
        base_dir=FIXTURES,
        out_dir=tmp_path,
        timestamper=stamper,
    )
    assert result.timestamped
    report = verify_pdf(out, [result.demo_ca_pem, pki.write_ca_pem(tmp_path / "tsa-root.pem")])
    assert report.ok, report
    for sig in report.signatures:
        assert sig.timestamp_time is not None, f"{sig.field_name} has no signature timestamp"
        assert abs(sig.timestamp_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_without_images_the_appearances_are_text(block_pdf, tmp_path):
    out = tmp_path / "signed.pdf"
    signing = demo_signing(signature_image=None, seal_image=None)
    result = sign_dossier(
        block_pdf, out, signing, signature_request(), base_dir=FIXTURES, out_dir=tmp_path
    )
    text = pdftotext(out, first=3, last=3)
    assert f"Ký bởi: {SIGNER_NAME}" in text and AGENCY in text and result.signing_time_text in text


def test_signing_leaves_no_font_engine_or_writer_behind(block_pdf, tmp_path):
    """A service signs all day in one process: what a signing used is freed once it is done
    (a weak-keyed map from writer to font engine kept both of every signing alive); only the
    process's one shaper of the signing font stays, with its scratch writer."""
    import gc

    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
    from pyhanko.pdf_utils.writer import BasePdfFileWriter

    from k39docs.signing.stampfont import EmbeddedFont

    def alive(kind: type) -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, kind))

    counts = []
    for i in range(3):
        sign_dossier(
            block_pdf,
            tmp_path / f"signed-{i}.pdf",
            demo_signing(),
            signature_request(),
            base_dir=FIXTURES,
            out_dir=tmp_path,
        )
        # (a session's gc.freeze() may have taken the shaper out of the collector's lists)
        counts.append((alive(EmbeddedFont), alive(GlyphAccumulator), alive(BasePdfFileWriter)))
    assert counts[0][0] == 0 and counts[0][1] <= 1 and counts[0][2] <= 1, counts
    assert counts[0] == counts[1] == counts[2], counts


def _cover_letter_alone(block_pdf: Path, tmp_path: Path) -> Path:
    """The công văn's pages of the test PDF as a file of their own (what a render converts)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for index in COVER_LETTER_PAGES:
        writer.add_page(PdfReader(block_pdf).pages[index])
    writer.write(tmp_path / "cong-van.pdf")
    return tmp_path / "cong-van.pdf"


def test_signature_place_found_on_the_cover_letter_alone_is_the_same(
    block_pdf, signed_demo, tmp_path
):
    """A render finds the signer's block on the công văn's own PDF while the rest converts; the
    signatures land exactly where looking through the whole bundle puts them."""
    place = locate_signature(_cover_letter_alone(block_pdf, tmp_path), SIGNER_NAME, TITLE_LINES)
    assert place.block.page == signed_demo.result.signature_page - COVER_LETTER_PAGES[0]
    result = sign_dossier(
        block_pdf,
        tmp_path / "signed.pdf",
        demo_signing(),
        signature_request(place=place),
        base_dir=FIXTURES,
        out_dir=tmp_path,
    )
    assert (result.signature_page, result.person_rect, result.agency_rect) == (
        signed_demo.result.signature_page,
        signed_demo.result.person_rect,
        signed_demo.result.agency_rect,
    )
    assert len(_pdfsig(tmp_path / "signed.pdf")) == 2


def test_signature_place_outside_the_cover_letter_is_refused(block_pdf, tmp_path):
    from dataclasses import replace

    place = locate_signature(_cover_letter_alone(block_pdf, tmp_path), SIGNER_NAME, TITLE_LINES)
    wrong = replace(place, block=replace(place.block, page=len(COVER_LETTER_PAGES)))
    with pytest.raises(SigningError, match="công văn"):
        sign_dossier(
            block_pdf,
            tmp_path / "signed.pdf",
            demo_signing(),
            signature_request(place=wrong),
            base_dir=FIXTURES,
            out_dir=tmp_path,
        )


def test_missing_signature_block_is_a_clear_error(block_pdf, tmp_path):
    with pytest.raises(SigningError) as err:
        sign_dossier(
            block_pdf,
            tmp_path / "x.pdf",
            demo_signing(),
            signature_request(signer_name="Nguyễn Văn Khác"),
            base_dir=FIXTURES,
            out_dir=tmp_path,
        )
    assert "Không tìm thấy khối chữ ký" in str(err.value) and "Nguyễn Văn Khác" in str(err.value)
    assert not (tmp_path / "x.pdf").exists()


def test_unreachable_timestamp_server_is_a_clear_error(block_pdf, tmp_path):
    with pytest.raises(SigningError) as err:
        sign_dossier(
            block_pdf,
            tmp_path / "x.pdf",
            demo_signing(tsa_url="http://127.0.0.1:9/tsa"),
            signature_request(),
            base_dir=FIXTURES,
            out_dir=tmp_path,
        )
    assert "dấu thời gian" in str(err.value) and "127.0.0.1:9" in str(err.value)
    assert not (tmp_path / "x.pdf").exists()


def test_the_signature_and_seal_images_are_encoded_once_and_are_the_pngs(block_pdf, tmp_path):
    """The PNGs go in as they are (their colours, their alpha as a soft mask), encoded once
    per process: signing again does not decode and compress them again."""
    import pikepdf

    from k39docs.signing import appearance

    signing = demo_signing()
    pdfs = [tmp_path / f"signed-{i}.pdf" for i in range(2)]
    sign_dossier(
        block_pdf, pdfs[0], signing, signature_request(), base_dir=FIXTURES, out_dir=tmp_path
    )
    made = appearance._encoded_image.cache_info().misses
    sign_dossier(
        block_pdf, pdfs[1], signing, signature_request(), base_dir=FIXTURES, out_dir=tmp_path
    )
    assert appearance._encoded_image.cache_info().misses == made
    with pikepdf.open(pdfs[1]) as pdf:
        person = next(f for f in pdf.Root.AcroForm.Fields if str(f.T) == PERSON_FIELD)
        image = next(iter(person.AP.N.Resources.XObject.values()))
        size = (int(image.Width), int(image.Height))
        drawn, mask = image.read_bytes(), image.SMask.read_bytes()
    with Image.open(FIXTURES / signing.signature_image) as png:
        rgba = png.convert("RGBA")
    assert size == rgba.size
    assert drawn == rgba.convert("RGB").tobytes()
    assert mask == rgba.split()[-1].tobytes()
