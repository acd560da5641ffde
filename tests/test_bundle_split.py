"""The outgoing ``dossier.pdf`` is exactly the công văn and the enclosures the công văn lists; the
papers that stay in the province (Tờ trình, working paper) are ``noi-bo.pdf``; a signature's time
and the công văn's date agree.

Read on the sample nomination rendered once per session (conftest ``rendered``).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from pdftext import flat, pdftotext
from pypdf import PdfReader
from signing_support import PASSPHRASE, pki  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
COVER = "Công văn số 3512/UBND-NC của Ủy ban nhân dân tỉnh Quảng Ngãi"


def outline(path: Path) -> list[tuple[str, int]]:
    reader = PdfReader(path)
    return [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]


def printed_enclosures(cover_letter_text: str) -> list[str]:
    """The "- …" lines after "Hồ sơ gửi kèm theo gồm:" in the công văn as printed (each item
    may wrap over several text lines)."""
    lines = cover_letter_text.split("Hồ sơ gửi kèm theo gồm:", 1)[1].splitlines()
    items: list[str] = []
    for line in (ln.strip() for ln in lines):
        if line.startswith("- "):
            items.append(line[2:])
        elif items and line and not items[-1].endswith("."):
            items[-1] += " " + line
        elif items and (not line or items[-1].endswith(".")):
            break
    return items


pytestmark = pytest.mark.soffice


def test_dossier_pdf_is_the_cover_letter_the_list_and_each_commitment(rendered, sample_dossier):
    outdir, _ = rendered
    titles = [t for t, _ in outline(outdir / "dossier.pdf")]
    assert titles == [
        COVER,
        "Danh sách cán bộ đăng ký tham gia bồi dưỡng",
        *(f"Bản cam kết - {c.full_name}" for c in sample_dossier.candidates),
    ]
    # and nothing else: the contents page, then exactly those pages
    reader = PdfReader(outdir / "dossier.pdf")
    counts = [
        len(PdfReader(outdir / "pdf" / name).pages)
        for name in [
            "cong-van.pdf",
            "danh-sach.pdf",
            *(f"cam-ket-{c.id}.pdf" for c in sample_dossier.candidates),
        ]
    ]
    assert len(reader.pages) == 1 + sum(counts)
    text = pdftotext(outdir / "dossier.pdf")
    assert "TỜ TRÌNH" not in text and "KẾT QUẢ RÀ SOÁT" not in text


def test_cover_letter_lists_what_the_bundle_and_its_contents_hold(rendered, sample_dossier):
    from k39docs.documents.enclosures import enclosed

    outdir, manifest = rendered
    bundle = outdir / "dossier.pdf"
    marks = outline(bundle)
    kind_of = {f.title: f.kind for f in manifest.files if f.format == "pdf"}
    cover_page = dict(marks)[COVER]
    printed = printed_enclosures(pdftotext(bundle, cover_page + 1, cover_page + 1))
    listed = enclosed(sample_dossier)
    assert [flat(p).rstrip(";.") for p in printed] == [e.text for e in listed]
    assert printed[-1].endswith(".") and all(p.endswith(";") for p in printed[:-1])
    # the bookmarks after the công văn: each printed enclosure's documents, in its order
    kinds = [kind_of[title] for title, _ in marks]
    assert kinds[0] == "cover_letter"
    at = 1
    for e in listed:
        assert kinds[at : at + e.count] == [e.kind] * e.count, e.text
        at += e.count
    assert at == len(kinds)
    # the contents page is that list: the công văn, then each enclosure, then its documents
    contents = pdftotext(bundle, 1, 1, layout=True)
    assert "MỤC LỤC HỒ SƠ" in contents
    assert "(Kèm theo" not in contents  # it is not an annex of the công văn: it lists it
    assert "Công văn số 3512/UBND-NC ngày 10 tháng 12 năm 2026" in flat(contents)
    rows = [
        ln.split(None, 1)
        for ln in contents.splitlines()
        if ln.strip()[:1].isdigit() and not ln.strip().startswith("(")
    ]
    top = [r[1] for r in rows if "." not in r[0]]
    assert [flat(t).rsplit(" ", 1)[0] if t.rstrip()[-1].isdigit() else flat(t) for t in top] == [
        COVER,
        listed[0].text,
        f"{listed[1].text}:",
    ]
    for title, page in marks:
        line = next(ln for ln in contents.splitlines() if title in ln)
        assert int(line.split()[-1]) == page + 1, line


def test_internal_papers_are_noi_bo_pdf_unsigned(rendered):
    outdir, manifest = rendered
    path = outdir / "noi-bo.pdf"
    marks = outline(path)
    assert [t for t, _ in marks] == [
        "Tờ trình số 412/TTr-SNV của Sở Nội vụ",
        "Kết quả rà soát điều kiện, tiêu chuẩn",
    ]
    sizes = [
        len(PdfReader(outdir / "pdf" / n).pages) for n in ("to-trinh.pdf", "ket-qua-ra-soat.pdf")
    ]
    assert [p for _, p in marks] == [0, sizes[0]]
    assert len(PdfReader(path).pages) == sum(sizes)
    assert "TỜ TRÌNH" in pdftotext(path, 1, 1)
    check = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    assert "Signature #" not in check.stdout
    entry = manifest.file("noi-bo.pdf")
    assert (entry.kind, entry.signed, entry.pages) == ("internal_bundle", False, sum(sizes))
    assert manifest.file("dossier.pdf").kind == "dossier" and manifest.file("dossier.pdf").signed
    assert (outdir / "eligibility.json").is_file()


def test_signatures_on_the_cover_letter_and_signing_information_on_each_attachment(rendered):
    outdir, _ = rendered
    bundle = outdir / "dossier.pdf"
    reader = PdfReader(bundle)
    marks = outline(bundle)
    cover = dict(marks)[COVER]
    assert cover == 1  # item 1 after the contents page
    signed_on = []
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            field = annot.get("/Parent", annot)
            if field.get_object().get("/FT") == "/Sig" or annot.get("/FT") == "/Sig":
                signed_on.append(index)
    assert len(signed_on) == 2 and set(signed_on) == {cover}
    for title, page in marks[1:]:
        top = pdftotext(bundle, page + 1, page + 1)
        assert "3512/UBND-NC" in top and "+07:00" in top, title
    assert "+07:00" not in pdftotext(bundle, 1, 1)  # the contents page is not an attachment


def test_signing_a_cover_letter_dated_another_day(sample_dossier, tmp_path):
    from k39docs.dossier.model import Signing
    from k39docs.errors import SigningError
    from k39docs.pipeline.signatures import signing_date_warning

    dated = sample_dossier.documents.cover_letter.date
    assert signing_date_warning(sample_dossier, today=dated) is None
    warning = signing_date_warning(sample_dossier, today=date(2026, 12, 5))
    assert "documents.cover_letter.date" in warning and "10/12/2026" in warning
    real = sample_dossier.model_copy(
        update={"signing": Signing(pkcs12=tmp_path / "ubnd.p12", passphrase_env="K39_TEST_P12")}
    )
    assert signing_date_warning(real, today=dated) is None
    with pytest.raises(SigningError) as refused:
        signing_date_warning(real, today=date(2026, 12, 5))
    assert refused.value.exit_code == 2
    assert "documents.cover_letter.date" in str(refused.value)


def test_a_real_key_is_refused_for_a_cover_letter_not_dated_today(pki, tmp_path):
    key, cert = pki.issue("Ủy ban nhân dân tỉnh Quảng Ngãi")
    p12 = pki.write_p12(tmp_path / "ubnd.p12", key, cert)
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["signing"] = {
        "pkcs12": str(p12),
        "passphrase_env": "K39_TEST_P12",
        "signature_image": str(SAMPLE.parent / "images" / "chu-ky.png"),
        "seal_image": str(SAMPLE.parent / "images" / "con-dau.png"),
    }
    from datetime import datetime, timedelta

    from k39docs.render import VIETNAM_TZ

    today = datetime.now(VIETNAM_TZ).date()
    letter = data["documents"]["cover_letter"]
    if letter["date"] == today:  # the sample's date must not be today for this test
        letter["date"] = today + timedelta(days=1)
    dossier = tmp_path / "hoso.yaml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    import os

    result = subprocess.run(
        [sys.executable, "-m", "k39docs", "render", str(dossier), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "K39_TEST_P12": PASSPHRASE},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "documents.cover_letter.date" in result.stderr
    assert not (tmp_path / "out").exists()
