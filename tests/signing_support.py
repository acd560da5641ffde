"""Shared material for the signing and verification tests: a real PDF made by LibreOffice, keys.

The PDF imitates a small dossier: a cover page, a công văn whose signature block ("TM. ỦY BAN NHÂN
DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", four empty lines, "Đặng Quốc Bảo") sits on page 2 next to
"Nơi nhận", then two attachments (a landscape danh sách and a bản cam kết). It is built with
python-docx and converted once per test session with ``soffice --headless``; every test copies it.
Certificates are made with ``cryptography`` once per session as well.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:  # imported where used: collecting the tests loads no pyHanko
    from k39docs.dossier.model import Signing
    from k39docs.signing import SignatureRequest, SignResult

SIGNER_NAME = "Đặng Quốc Bảo"
TITLE_LINES = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
AGENCY = "Ủy ban nhân dân tỉnh Quảng Ngãi"
DOC_NUMBER = "3512/UBND-NC"
COVER_LETTER_PAGES = [1, 2]  # 0-based: page 1 is the contents page
ATTACHMENT_FIRST_PAGES = [3, 4]
PAGE_COUNT = 5
PASSPHRASE = "mật-khẩu thử 123"
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = (
    ROOT / "fixtures"
)  # base_dir of the sample dossier: holds images/chu-ky.png, images/con-dau.png


# --- the PDF ----------------------------------------------------------------------------------


def _build_docx(path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)

    def para(text="", *, bold=False, italic=False, size=14, align=None, after=6):
        p = doc.add_paragraph()
        if text:
            r = p.add_run(text)
            r.bold, r.italic, r.font.size = bold, italic, Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(after)
        return p

    # page 0: contents page of the bundle
    para("MỤC LỤC HỒ SƠ", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("1. Công văn số 3512/UBND-NC")
    para("2. Danh sách cán bộ đăng ký tham gia bồi dưỡng")
    para("3. Bản cam kết")
    para().add_run().add_break(WD_BREAK.PAGE)

    # pages 1-2: the công văn, long enough that the signature block falls on its second page
    para("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.LEFT)
    para("Số: 3512/UBND-NC", size=13)
    para("V/v cử cán bộ tham gia bồi dưỡng ở nước ngoài theo Kết luận số 39-KL/TW", size=12)
    para("Kính gửi: Ban Tổ chức Trung ương.", align=WD_ALIGN_PARAGRAPH.CENTER)
    body = (
        "Thực hiện Thông báo số 27-TB/BCĐ ngày 20 tháng 10 năm 2026 của Ban Chỉ đạo thực hiện "
        "Kết luận số 39-KL/TW, Ủy ban nhân dân tỉnh Quảng Ngãi cử cán bộ tham gia khóa bồi "
        "dưỡng trung hạn về kỹ năng lãnh đạo, quản lý khu vực công tại Ô-xtrây-li-a."
    )
    for _ in range(11):
        para(body, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    lp = left.paragraphs[0]
    r = lp.add_run("Nơi nhận:")
    r.bold, r.italic, r.font.size = True, True, Pt(12)
    for line in [
        "- Như trên;",
        "- TTTU (b/c);",
        "- CT, các PCT UBND tỉnh;",
        "- Sở Nội vụ;",
        "- Lưu: VT, NC.",
    ]:
        p = left.add_paragraph()
        p.add_run(line).font.size = Pt(11)
    first = True
    for line in [*TITLE_LINES, "", "", "", "", SIGNER_NAME]:
        p = right.paragraphs[0] if first else right.add_paragraph()
        first = False
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if line:
            r = p.add_run(line)
            r.bold, r.font.size = True, Pt(14)

    # page 3: the danh sách, landscape
    new = doc.add_section()
    new.orientation = WD_ORIENT.LANDSCAPE
    new.page_width, new.page_height = Mm(297), Mm(210)
    para("Phụ lục", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        "DANH SÁCH CÁN BỘ ĐĂNG KÝ THAM GIA BỒI DƯỠNG Ở NƯỚC NGOÀI",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    para(
        "(Kèm theo Công văn số 3512/UBND-NC ngày 10 tháng 12 năm 2026 của Ủy ban nhân dân tỉnh Quảng Ngãi)",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    para("1. Nguyễn Văn An, Phó Giám đốc Sở Tài chính")

    # page 4: a bản cam kết, portrait again
    new = doc.add_section()
    new.orientation = WD_ORIENT.PORTRAIT
    new.page_width, new.page_height = Mm(210), Mm(297)
    para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("BẢN CAM KẾT", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        "Tôi là Nguyễn Văn An, cam kết thực hiện đầy đủ trách nhiệm, nghĩa vụ khi được cử đi bồi dưỡng."
    )
    doc.save(path)


def build_block_pdf(directory: Path) -> Path:
    """The test dossier PDF in ``directory`` (converted by LibreOffice once, then reused)."""
    pdf = directory / "ho-so.pdf"
    if pdf.exists():
        return pdf
    directory.mkdir(parents=True, exist_ok=True)
    docx = directory / "ho-so.docx"
    _build_docx(docx)
    profile = directory / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(directory),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return pdf


@pytest.fixture(scope="session")
def block_pdf(tmp_path_factory) -> Path:
    """Path of the LibreOffice-made test PDF; shared by every test module of the session."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    return build_block_pdf(tmp_path_factory.getbasetemp() / "signing-pdf")


# --- certificates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TestPki:
    ca_key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate

    def issue(
        self,
        common_name: str,
        *,
        digital_signature: bool = True,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        key = _key()
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=digital_signature,
                    content_commitment=True,
                    key_encipherment=not digital_signature,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.ca_key, hashes.SHA256())
        )
        return key, cert

    def write_p12(self, path: Path, key, cert, passphrase: str = PASSPHRASE) -> Path:
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"signer",
                key,
                cert,
                [self.ca_cert],
                serialization.BestAvailableEncryption(passphrase.encode()),
            )
        )
        return path

    def write_ca_pem(self, path: Path) -> Path:
        path.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))
        return path


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_pki(name: str = "K39DOCS TEST ROOT (pytest)") -> TestPki:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TestPki(key, cert)


@pytest.fixture(scope="session")
def pki() -> TestPki:
    return make_pki()


# --- a signed dossier, shared by the signing and verification tests -----------------------------


def demo_signing(**changes) -> Signing:
    from k39docs.dossier.model import Signing

    values = {
        "demo": True,
        "signature_image": Path("images/chu-ky.png"),
        "seal_image": Path("images/con-dau.png"),
    }
    values.update(changes)
    return Signing(**values)


def signature_request(**changes) -> SignatureRequest:
    from k39docs.signing import SignatureRequest

    values = {
        "cover_letter_pages": COVER_LETTER_PAGES,
        "signer_name": SIGNER_NAME,
        "signer_title_lines": TITLE_LINES,
        "document_number": DOC_NUMBER,
        "agency_name": AGENCY,
        "attachment_first_pages": ATTACHMENT_FIRST_PAGES,
        "location": "Quảng Ngãi",
    }
    values.update(changes)
    return SignatureRequest(**values)


@dataclass(frozen=True)
class SignedDossier:
    pdf: Path
    out_dir: Path
    result: SignResult


_SIGNED: dict[Path, SignedDossier] = {}


@pytest.fixture(scope="session")
def signed_demo(block_pdf, tmp_path_factory) -> SignedDossier:
    """The test PDF signed once with demo keys and the sample images (shared, do not modify)."""
    from k39docs.signing import sign_dossier

    key = tmp_path_factory.getbasetemp()
    if key not in _SIGNED:
        out_dir = key / "signed-demo"
        out_dir.mkdir()
        pdf = out_dir / "dossier.pdf"
        result = sign_dossier(
            block_pdf, pdf, demo_signing(), signature_request(), base_dir=FIXTURES, out_dir=out_dir
        )
        _SIGNED[key] = SignedDossier(pdf, out_dir, result)
    return _SIGNED[key]
