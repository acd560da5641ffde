"""Demo seals and certificates from the dossier's own issuer: the seal drawn with the issuer's
name (also in place of the sample's Quảng Ngãi seal), long names around the rim, certificate
names cut to 64 UTF-8 bytes, and demo signing of the five longest province names."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pdftext import pdftotext
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader
from signing_support import (  # noqa: F401  (fixtures)
    FIXTURES,
    block_pdf,
    demo_signing,
    signature_request,
)

from k39docs.signing import AGENCY_FIELD, sign_dossier, verify_pdf
from k39docs.signing.demo_images import (
    DPI,
    RIM_SPAN_DEG,
    RIM_TRACKING,
    SEAL_DIAMETER_MM,
    _rim_font,
    demo_seal,
    draw_seal,
    save_png,
    seal_name_of,
)
from k39docs.signing.keys import demo_keys
from k39docs.vietnamese import upper_vn

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ROOT.parent / "shared" / "spec" / "provinces.txt"
SAMPLE_SEAL = FIXTURES / "images" / "con-dau.png"
QUANG_NGAI = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


def _longest_issuers(count: int = 5) -> list[str]:
    if not PROVINCES.is_file():
        pytest.skip(f"{PROVINCES} không có (CI có tệp này)")
    names = [
        ln.strip()
        for ln in PROVINCES.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    issuers = [f"Ủy ban nhân dân {name}" for name in names]
    return sorted(issuers, key=lambda n: -len(n.encode("utf-8")))[:count]


# --- drawing ----------------------------------------------------------------------------------


def test_the_sample_seal_is_the_sample_issuers_and_records_its_name():
    sample = yaml.safe_load((FIXTURES / "sample.yaml").read_text(encoding="utf-8"))
    assert seal_name_of(SAMPLE_SEAL) == upper_vn(sample["issuer"]["name"]) == QUANG_NGAI
    assert seal_name_of(FIXTURES / "images" / "chu-ky.png") is None  # not a seal


def test_a_seal_is_drawn_at_real_size_with_the_name_it_carries(tmp_path):
    path = save_png(draw_seal("Ủy ban nhân dân tỉnh Gia Lai"), tmp_path / "seal.png")
    assert seal_name_of(path) == "ỦY BAN NHÂN DÂN TỈNH GIA LAI"
    with Image.open(path) as img:
        side_mm = img.size[0] / img.info["dpi"][0] * 25.4
        assert abs(side_mm - SEAL_DIAMETER_MM) < 0.2
        assert img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0  # transparent outside the ring
    # another name draws another rim
    other = draw_seal(QUANG_NGAI)
    assert (
        ImageStat.Stat(
            ImageChops.difference(draw_seal("Ủy ban nhân dân tỉnh Gia Lai"), other).convert("L")
        ).mean[0]
        > 1
    )


@pytest.mark.parametrize(
    "name",
    [
        "ỦY BAN NHÂN DÂN TỈNH BÀ RỊA - VŨNG TÀU",
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH",
        "BAN QUẢN LÝ KHU KINH TẾ DUNG QUẤT VÀ CÁC KHU CÔNG NGHIỆP QUẢNG NGÃI",
    ],
)
def test_a_long_name_goes_round_the_rim_in_a_smaller_font(name):
    diameter = round(SEAL_DIAMETER_MM / 25.4 * DPI) * 4
    band = (diameter * 0.2, diameter * 0.45)
    short_font, _ = _rim_font(_bold(), "ỦY BAN NHÂN DÂN TỈNH GIA LAI", diameter, band)
    font, radius = _rim_font(_bold(), name, diameter, band)
    assert font.getlength(name) * RIM_TRACKING <= math.radians(RIM_SPAN_DEG) * radius
    assert font.size < short_font.size


def _bold() -> str:
    from k39docs.nd30.fonts import serif_font_path

    return str(serif_font_path(bold=True))


# --- which seal demo signing uses ---------------------------------------------------------------


def test_no_seal_given_draws_the_issuers(tmp_path):
    path, warning = demo_seal(None, "Ủy ban nhân dân tỉnh Gia Lai", tmp_path)
    assert warning is None and seal_name_of(path) == "ỦY BAN NHÂN DÂN TỈNH GIA LAI"


def test_the_sample_seal_in_another_provinces_dossier_is_replaced_with_a_warning(tmp_path):
    path, warning = demo_seal(SAMPLE_SEAL, "Ủy ban nhân dân tỉnh Gia Lai", tmp_path)
    assert path != SAMPLE_SEAL and seal_name_of(path) == "ỦY BAN NHÂN DÂN TỈNH GIA LAI"
    assert "QUẢNG NGÃI" in warning and "seal_image" in warning and "Gia Lai" in warning
    # a byte-identical copy anywhere (what `k39docs init` leaves in the user's folder)
    copy = tmp_path / "mine" / "con-dau.png"
    copy.parent.mkdir()
    copy.write_bytes(SAMPLE_SEAL.read_bytes())
    assert demo_seal(copy, "Ủy ban nhân dân tỉnh Gia Lai", tmp_path)[1] is not None


def test_the_issuers_own_seal_or_an_agency_image_is_used_as_given(tmp_path):
    assert demo_seal(SAMPLE_SEAL, "Ủy ban nhân dân tỉnh Quảng Ngãi", tmp_path) == (
        SAMPLE_SEAL,
        None,
    )
    own = tmp_path / "that-dau.png"
    Image.new("RGBA", (100, 100), (200, 0, 0, 255)).save(own)  # not drawn by k39docs
    assert demo_seal(own, "Ủy ban nhân dân tỉnh Gia Lai", tmp_path) == (own, None)


def test_init_writes_the_seal_note_and_the_sample_issuers_seal(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "k39docs", "init", str(tmp_path / "hoso.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "hoso.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    before_seal = text[: text.index("  seal_image:")].splitlines()[-2:]
    assert any("issuer.name" in line and line.lstrip().startswith("#") for line in before_seal)
    seal = tmp_path / data["signing"]["seal_image"]
    assert seal_name_of(seal) == upper_vn(data["issuer"]["name"])


# --- certificates -------------------------------------------------------------------------------


def test_certificate_names_are_cut_to_64_utf8_bytes(tmp_path):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    long_name = "Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu và các Khu công nghiệp Đồng Nai"
    keys = demo_keys("Nguyễn Thị Phương Thảo Hoàng Lê Ngọc Diễm Quỳnh", long_name, tmp_path)
    for signer in (keys.person, keys.agency):
        cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
            value = cert.subject.get_attributes_for_oid(oid)[0].value
            assert len(value.encode("utf-8")) <= 64, value
    assert (
        keys.agency_subject.startswith("Ủy ban nhân dân tỉnh Bà Rịa") and "…" in keys.agency_subject
    )


# --- demo signing of the longest names (LibreOffice makes the test PDF once) --------------------


def _agency_seal_image(pdf: Path) -> Image.Image:
    """The image inside the agency signature's appearance (the seal), as PIL."""
    reader = PdfReader(pdf)
    for page in reader.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/T") != AGENCY_FIELD:
                continue
            todo = [annot["/AP"]["/N"].get_object()]
            while todo:
                xobj = todo.pop()
                for child in xobj.get("/Resources", {}).get("/XObject", {}).values():
                    child = child.get_object()
                    if child.get("/Subtype") == "/Image":
                        return child.decode_as_image().convert("RGBA")
                    todo.append(child)
    raise AssertionError("no seal image in the agency signature")


def _distance(a: Image.Image, b: Image.Image) -> float:
    b = b.convert("RGBA").resize(a.size)
    return ImageStat.Stat(ImageChops.difference(a.getchannel("A"), b.getchannel("A"))).mean[0]


@pytest.mark.soffice
def test_demo_signing_works_for_the_five_longest_province_names(block_pdf, tmp_path):
    issuers = _longest_issuers()
    assert "Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu" in issuers
    for n, issuer in enumerate(issuers):
        out_dir = tmp_path / f"p{n}"
        result = sign_dossier(
            block_pdf,
            out_dir / "dossier.pdf",
            demo_signing(),
            signature_request(agency_name=issuer),
            base_dir=FIXTURES,
            out_dir=out_dir,
        )
        report = verify_pdf(result.signed_pdf, trust_roots=(result.demo_ca_pem,))
        assert report.ok, (issuer, report)
        assert len(result.agency_subject.encode("utf-8")) <= 64
        # the sample's Quảng Ngãi seal was given: replaced by the issuer's, and said so
        assert len(result.warnings) == 1 and "QUẢNG NGÃI" in result.warnings[0]
        seal = _agency_seal_image(result.signed_pdf)
        assert _distance(seal, draw_seal(issuer)) < _distance(seal, draw_seal(QUANG_NGAI)) / 3
        text = pdftotext(result.signed_pdf, first=3, last=3)
        assert " ".join(issuer.split()[-3:]) in " ".join(text.split()), issuer
