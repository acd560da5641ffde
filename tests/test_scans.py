"""The clerk's scans in the dossier: a wet-signed Bản cam kết (PDF or JPG) takes the generated
one's place in dossier.pdf, supporting papers follow the person's Bản cam kết; each has its
bookmark, its contents line, its line in the công văn and the agency's signing information;
the signatures stay valid; a scan that would break the bundle is refused naming its field.

One render of the sample with scans made here (Pillow, pypdf), shared by the module.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pdftext import flat, pdftotext
from PIL import Image
from pypdf import PdfReader, PdfWriter
from scanfiles import photo, text_pdf

from k39docs.documents.enclosures import enclosed, enclosures
from k39docs.dossier.loader import load_dossier
from k39docs.errors import DossierError
from k39docs.scans import MAX_SCAN_BYTES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
K39 = [sys.executable, "-m", "k39docs"]
STAMP = "3512/UBND-NC"  # the công văn's number, in the signing information of every attachment


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A dossier folder: the sample with ca01's signed Bản cam kết as a JPG, ca02's as a
    two-page PDF and two papers (a PDF certificate, a PNG sơ yếu lý lịch)."""
    root = tmp_path_factory.mktemp("scans")
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    (root / "images").symlink_to(SAMPLE.parent / "images")
    scans = root / "scans"
    scans.mkdir()
    photo(scans / "cam-ket-ca01.jpg", "JPEG")
    text_pdf(scans / "cam-ket-ca02.pdf", "CAMKET-CA02", pages=2)
    text_pdf(scans / "ca02-ielts.pdf", "IELTS-CA02", size=(842, 595))  # landscape certificate
    photo(scans / "ca02-2c.png", "PNG", mode="RGBA")
    data["candidates"][0]["signed_commitment"] = "scans/cam-ket-ca01.jpg"
    data["candidates"][1]["signed_commitment"] = "scans/cam-ket-ca02.pdf"
    data["candidates"][1]["attachments"] = [
        {"title": "Chứng chỉ IELTS", "file": "scans/ca02-ielts.pdf"},
        {"title": "Sơ yếu lý lịch", "file": "scans/ca02-2c.png"},
    ]
    (root / "hoso.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def rendered(folder):
    from k39docs.render import RenderOptions, render

    dossier = load_dossier(folder / "hoso.yaml")
    outdir = folder / "out"
    manifest = render(dossier, outdir, options=RenderOptions(base_dir=folder))
    return dossier, outdir, manifest


def outline(path: Path) -> list[tuple[str, int]]:
    reader = PdfReader(path)
    return [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]


def images_on(page) -> list:
    xobjects = page["/Resources"].get("/XObject") or {}
    return [
        xobjects[name].get_object()
        for name in xobjects
        if xobjects[name].get_object().get("/Subtype") == "/Image"
    ]


# --- in the bundle ----------------------------------------------------------------------------


@pytest.mark.soffice
def test_each_scan_has_its_bookmark_in_order_with_the_agency_stamp(rendered, folder):
    dossier, outdir, _ = rendered
    bundle = outdir / "dossier.pdf"
    marks = outline(bundle)
    titles = [t for t, _ in marks]
    an, ngoc = dossier.candidates[0].full_name, dossier.candidates[1].full_name
    i = titles.index(f"Bản cam kết - {an} (bản ký tay, scan)")
    j = titles.index(f"Bản cam kết - {ngoc} (bản ký tay, scan)")
    # ca02's papers follow her Bản cam kết; the generated ones of ca01, ca02 are not there
    assert titles[j : j + 3] == [
        f"Bản cam kết - {ngoc} (bản ký tay, scan)",
        f"Chứng chỉ IELTS - {ngoc}",
        f"Sơ yếu lý lịch - {ngoc}",
    ]
    assert i < j and f"Bản cam kết - {an}" not in titles and f"Bản cam kết - {ngoc}" not in titles
    assert f"Bản cam kết - {dossier.candidates[2].full_name}" in titles  # generated, as before
    pages = dict(marks)
    ca02 = pages[titles[j]]
    assert "CAMKET-CA02 1" in pdftotext(bundle, ca02 + 1, ca02 + 1)
    assert "CAMKET-CA02 2" in pdftotext(bundle, ca02 + 2, ca02 + 2)
    assert pages[titles[j + 1]] == ca02 + 2  # after both pages of the signed Bản cam kết
    assert "IELTS-CA02" in pdftotext(bundle, ca02 + 3, ca02 + 3)
    reader = PdfReader(bundle)
    for title in titles[i], titles[j], titles[j + 1], titles[j + 2]:
        first = pages[title] + 1
        top = pdftotext(bundle, first, first)
        assert STAMP in top and "+07:00" in top, f"{title}: no signing information: {top!r}"
    second = pdftotext(bundle, ca02 + 2, ca02 + 2)
    assert STAMP not in second  # only the first page of each attachment
    # the landscape certificate stays landscape, and its stamp is at its top right as seen
    cert = reader.pages[pages[titles[j + 1]]]
    assert cert.mediabox.width > cert.mediabox.height


@pytest.mark.soffice
def test_contents_page_and_cover_letter_list_the_scans_as_the_bundle_holds_them(rendered):
    dossier, outdir, _ = rendered
    bundle = outdir / "dossier.pdf"
    lines = enclosures(dossier)
    assert lines == [
        "Danh sách cán bộ đăng ký tham gia bồi dưỡng;",
        "Bản cam kết của 04 cán bộ (02 bản ký tay, scan);",
        "Tài liệu kèm theo của từng cán bộ: Chứng chỉ IELTS (01 bản), Sơ yếu lý lịch (01 bản).",
    ]
    marks = outline(bundle)
    cover = dict(marks)[marks[0][0]]
    letter = flat(pdftotext(bundle, cover + 1, cover + 2))
    for line in lines:
        assert flat(line) in letter, f"the công văn does not list {line!r}"
    contents = flat(pdftotext(bundle, 1, 1))
    for e in enclosed(dossier):
        assert flat(e.text) in contents
    # each document of the bundle, on a row of the contents page with the page it starts on
    rows = pdftotext(bundle, 1, 1, layout=True).splitlines()
    for title, page in marks:
        assert any(
            re.search(re.escape(title) + r"\s+" + str(page + 1) + "$", row.rstrip()) for row in rows
        ), (title, page + 1)
    counts = {e.kind: e.count for e in enclosed(dossier)}
    kinds = {"commitment": "Bản cam kết - ", "attachment": ("Chứng chỉ", "Sơ yếu")}
    assert counts["commitment"] == sum(t.startswith(kinds["commitment"]) for t, _ in marks)
    assert counts["attachment"] == sum(t.startswith(kinds["attachment"]) for t, _ in marks)


@pytest.mark.soffice
def test_the_jpeg_goes_in_as_its_own_bytes_and_the_png_without_loss(rendered, folder):
    dossier, outdir, _manifest = rendered
    jpeg = (folder / "scans" / "cam-ket-ca01.jpg").read_bytes()
    page = dict(outline(outdir / "dossier.pdf"))[
        f"Bản cam kết - {dossier.candidates[0].full_name} (bản ký tay, scan)"
    ]
    reader = PdfReader(outdir / "dossier.pdf")
    [image] = images_on(reader.pages[page])
    assert image["/Filter"] == "/DCTDecode" and image._data == jpeg
    box = reader.pages[page].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)  # A4
    ngoc = dossier.candidates[1].full_name
    png = dict(outline(outdir / "dossier.pdf"))[f"Sơ yếu lý lịch - {ngoc}"]
    [image] = images_on(reader.pages[png])
    assert image["/Filter"] == "/FlateDecode"
    original = Image.open(folder / "scans" / "ca02-2c.png").convert("RGB")
    decoded = Image.frombytes("RGB", (image["/Width"], image["/Height"]), image.get_data())
    assert decoded.tobytes() == original.tobytes()


@pytest.mark.soffice
def test_scans_are_in_outdir_and_the_manifest_the_generated_commitment_kept_for_the_record(
    rendered, folder
):
    _dossier, outdir, _manifest = rendered
    data = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    by_path = {f["path"]: f for f in data["files"]}
    signed = by_path["scans/cam-ket-ca01.pdf"]
    assert (signed["kind"], signed["candidate"], signed["scanned"], signed["pages"]) == (
        "commitment",
        "ca01",
        True,
        1,
    )
    assert by_path["scans/cam-ket-ca02.pdf"]["pages"] == 2
    papers = [f for f in data["files"] if f["kind"] == "attachment"]
    assert [(f["path"], f["title"], f["candidate"]) for f in papers] == [
        ("scans/ca02-01-chung-chi-ielts.pdf", "Chứng chỉ IELTS", "ca02"),
        ("scans/ca02-02-so-yeu-ly-lich.pdf", "Sơ yếu lý lịch", "ca02"),
    ]
    assert (outdir / "scans/ca02-01-chung-chi-ielts.pdf").read_bytes() == (
        folder / "scans/ca02-ielts.pdf"
    ).read_bytes()
    for stem in ("cam-ket-ca01", "cam-ket-ca02"):  # generated, written, not bundled
        assert by_path[f"pdf/{stem}.pdf"].get("scanned") is None
        assert (outdir / "docx" / f"{stem}.docx").is_file()
    assert by_path["dossier.pdf"]["signed"] is True


@pytest.mark.soffice
def test_signatures_stay_valid_with_scans(rendered):
    _, outdir, _ = rendered
    bundle = outdir / "dossier.pdf"
    check = subprocess.run(["pdfsig", str(bundle)], capture_output=True, text=True)
    assert check.stdout.count("Signature is Valid.") == 2, check.stdout
    assert "Total document signed" in check.stdout.split("Signature #2", 1)[1], check.stdout
    verify = subprocess.run(
        K39 + ["verify", str(bundle), "--trust-root", str(outdir / "demo-ca.pem")],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


# --- refused ----------------------------------------------------------------------------------


def _encrypted(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("mat-khau", algorithm="RC4-128")
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def _oversized(path: Path) -> Path:
    with open(path, "wb") as fh:  # sparse: no 20 MB written to disk
        fh.write(b"%PDF-1.7\n")
        fh.truncate(MAX_SCAN_BYTES + 1)
    return path


def _truncated_jpeg(path: Path) -> Path:
    data = photo(path, "JPEG").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


BAD = {
    "missing": (lambda p: p.with_name("khong-co.pdf"), "không tìm thấy tệp"),
    "encrypted": (_encrypted, "đặt mật khẩu hoặc mã hóa"),
    "broken pdf": (
        lambda p: (
            p.write_bytes(
                b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>"
                b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF"
            ),
            p,
        )[1],
        "bị hỏng",
    ),
    "not a pdf or picture": (
        lambda p: (p.write_bytes(b"PK\x03\x04 a .docx, say"), p)[1],
        "không phải PDF, JPG hay PNG",
    ),
    "oversized": (_oversized, "quá giới hạn 20 MB"),
    "broken jpeg": (_truncated_jpeg, "bị hỏng"),
    "empty": (lambda p: (p.write_bytes(b""), p)[1], "rỗng"),
}


def _dossier_with(tmp_path: Path, bad: Path, field: str) -> Path:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["signing"] = {"demo": True}
    good = photo(tmp_path / "good.jpg", "JPEG")
    data["candidates"][0]["attachments"] = [{"title": "Sơ yếu lý lịch", "file": good.name}]
    if field == "signed_commitment":
        data["candidates"][2]["signed_commitment"] = bad.name
    else:
        data["candidates"][2]["attachments"] = [
            {"title": "Giấy khám sức khỏe", "file": good.name},
            {"title": "Chứng chỉ", "file": bad.name},
        ]
    path = tmp_path / "hoso.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_refuses_a_bad_scan_naming_the_field_and_its_line(tmp_path, case):
    make, said = BAD[case]
    bad = make(tmp_path / "bad.pdf")
    path = _dossier_with(tmp_path, bad, "attachments")
    run = subprocess.run(
        K39 + ["validate", str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 2, run.stdout + run.stderr
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if f"file: {bad.name}" in text
    )
    assert f"trường `candidates[2].attachments[1].file` (dòng {line})" in run.stderr, run.stderr
    assert said in run.stderr and "Chứng chỉ" in run.stderr
    assert "Traceback" not in run.stderr and "good.jpg" not in run.stderr


def test_render_refuses_a_bad_signed_commitment_before_writing_anything(tmp_path):
    from k39docs.render import RenderOptions, render

    bad = _encrypted(tmp_path / "cam-ket.pdf")
    dossier = load_dossier(_dossier_with(tmp_path, bad, "signed_commitment"))
    outdir = tmp_path / "out"
    with pytest.raises(DossierError) as caught:
        render(dossier, outdir, options=RenderOptions(base_dir=tmp_path))
    [issue] = caught.value.issues
    assert issue.path == "candidates[2].signed_commitment" and "mật khẩu" in issue.message
    assert not outdir.exists()


def test_a_workbook_names_the_cell_of_a_bad_scan(tmp_path):
    from k39docs.workbook.write import write_workbook

    photo(tmp_path / "cam-ket.jpg", "JPEG")
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["signing"] = {"demo": True}
    data["candidates"][1]["signed_commitment"] = str(tmp_path / "cam-ket.jpg")
    data["candidates"][1]["attachments"] = [
        {"title": "Chứng chỉ IELTS", "file": str(_encrypted(tmp_path / "ielts.pdf"))}
    ]
    dossier = load_dossier(data)
    write_workbook(dossier, tmp_path / "hoso.xlsx")
    back = load_dossier(tmp_path / "hoso.xlsx")
    assert back.candidates[1].signed_commitment == tmp_path / "cam-ket.jpg"  # round trip
    assert back.candidates[1].attachments == dossier.candidates[1].attachments
    run = subprocess.run(
        K39 + ["validate", str(tmp_path / "hoso.xlsx")], capture_output=True, text=True
    )
    assert run.returncode == 2
    assert "trường `candidates[1].attachments[0].file` (ô Tài liệu kèm theo!C2)" in run.stderr, (
        run.stderr
    )


def test_a_return_dossier_takes_papers_but_no_signed_commitment(tmp_path):
    data = yaml.safe_load((ROOT / "fixtures" / "sample-return.yaml").read_text(encoding="utf-8"))
    data["candidates"][0]["signed_commitment"] = "cam-ket.pdf"
    with pytest.raises(DossierError) as caught:
        load_dossier(data)
    assert caught.value.issues[0].path == "candidates[0].signed_commitment"
    del data["candidates"][0]["signed_commitment"]
    data["candidates"][0]["attachments"] = [
        {"title": "Chứng chỉ hoàn thành khóa học", "file": "cc.pdf"}
    ]
    dossier = load_dossier(data)
    listed = enclosures(dossier)
    assert listed[-1] == (
        "Tài liệu kèm theo của từng cán bộ: Chứng chỉ hoàn thành khóa học (01 bản)."
    )
    from k39docs.documents.enclosures import outgoing

    kinds = [(i.kind, i.candidate) for i in outgoing(dossier)]
    first = dossier.candidates[0].id
    at = kinds.index(("return_report", first))
    assert kinds[at + 1] == ("attachment", first)


def test_enclosure_wording_for_all_some_and_no_scans(sample_data):
    data = copy.deepcopy(sample_data)
    assert enclosures(load_dossier(data))[-1] == "Bản cam kết của 04 cán bộ."
    for c in data["candidates"]:
        c["signed_commitment"] = f"{c['id']}.pdf"
    assert enclosures(load_dossier(data))[-1] == "Bản cam kết của 04 cán bộ (bản ký tay, scan)."
    data["candidates"][0]["attachments"] = [{"title": "Sơ yếu lý lịch", "file": "a.pdf"}]
    data["candidates"][1]["attachments"] = [
        {"title": "sơ yếu  lý lịch", "file": "b.pdf"},
        {"title": "Chứng chỉ TOEFL", "file": "c.pdf"},
    ]
    assert enclosures(load_dossier(data))[-1] == (
        "Tài liệu kèm theo của từng cán bộ: Sơ yếu lý lịch (02 bản), Chứng chỉ TOEFL (01 bản)."
    )
