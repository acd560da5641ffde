"""The clerks' web page at ``/`` of ``k39docs serve``.

Through FastAPI's test client (no browser): the page and its files are served without the token
(they hold no data) while the API still needs it; the ``review`` field a page sends adds notes and
an exception to a YAML or a workbook dossier; bare file names find the dossier's images.

In a real browser (Playwright driving Debian's ``/usr/bin/chromium``) against a real
``k39docs serve`` with a token on a random loopback port, as a clerk uses it: the token is asked
for once; the sample and its images validate into the eligibility table; a render shows its
progress and offers dossier.pdf (whose two signatures poppler accepts), the DOCX zip and the
check of its signatures; a broken dossier shows each message next to its field or cell; a
reviewer's note settles an unsettled IV.1.d and an exception lets a failing candidate through.
Every wait is on a page event or a selector. Screenshots (1366×768) of each state go to
``$K39_WEB_SCREENSHOTS`` (``docs/`` to refresh docs/web-*.png) or a temporary folder.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from k39docs.service.app import create_app  # noqa: E402
from k39docs.service.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
IMAGES = sorted((ROOT / "fixtures" / "images").glob("*.png"))
TOKEN = "ma-trang-web-thu-nghiem"
CHROMIUM = Path("/usr/bin/chromium")
CA02_NOTE = '    reviewed: {IV.1.d: "Phù hợp lĩnh vực quản lý khu kinh tế, khu công nghiệp"}\n'


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def unsettled_text() -> str:
    """The sample with ca02's IV.1.d review note taken out: that check needs a person."""
    text = sample_text()
    assert CA02_NOTE in text
    return text.replace(CA02_NOTE, "")


def to_workbook(text: str, folder: Path) -> Path:
    """``text`` (a YAML dossier) as the clerks' Excel workbook."""
    from k39docs import load_dossier
    from k39docs.workbook.write import write_workbook

    book = folder / "hoso.xlsx"
    base = SAMPLE.parent
    write_workbook(load_dossier(yaml.safe_load(text), base_dir=base), book, base_dir=base)
    return book


# --- the API side, through the test client ------------------------------------------------------


class _Office:
    def state(self) -> str:
        return "up"


class _NoRenders:
    """A session for what needs no LibreOffice: validate, the page, the schema."""

    office = _Office()


@pytest.fixture(scope="module")
def client():
    app = create_app(Settings(api_token=TOKEN), _NoRenders())  # type: ignore[arg-type]
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def _parts(dossier: tuple, review: dict | None = None, bare_names: bool = False) -> list:
    parts = [("dossier", dossier)]
    parts += [
        ("files", (p.name if bare_names else f"images/{p.name}", p.read_bytes(), "image/png"))
        for p in IMAGES
    ]
    if review is not None:
        parts.append(("review", (None, json.dumps(review, ensure_ascii=False))))
    return parts


def _yaml(text: str) -> tuple:
    return ("hoso.yaml", text.encode("utf-8"), "application/yaml")


def _status(body: dict, cid: str, rule: str) -> str:
    candidate = next(c for c in body["candidates"] if c["id"] == cid)
    return next(k["status"] for k in candidate["checks"] if k["rule"] == rule)


def test_the_page_and_its_files_need_no_token_but_the_api_does(client):
    bare = httpx.Client(transport=client._transport, base_url=str(client.base_url))
    page = bare.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in page.text and 'data-token-needed="true"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in re.findall(r'(?:href|src)="(static/[^"?]+)', page.text):
        assert bare.get(f"/{asset}").status_code == 200, asset
    assert bare.get("/api/v1/schema").status_code == 401
    assert bare.get("/openapi.json").status_code == 401
    # every input of the page has a label
    inputs = set(re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page.text))
    labelled = set(re.findall(r'<label for="([^"]+)"', page.text))
    assert inputs and inputs <= labelled, inputs - labelled


def test_a_review_note_sent_with_a_yaml_dossier_settles_its_check(client):
    unsettled = client.post("/api/v1/validate", files=_parts(_yaml(unsettled_text())))
    assert unsettled.status_code == 200, unsettled.text
    assert _status(unsettled.json(), "ca02", "IV.1.d") == "review"
    settled = client.post(
        "/api/v1/validate",
        files=_parts(
            _yaml(unsettled_text()),
            {"ca02": {"reviewed": {"IV.1.d": "Phù hợp chức danh quy hoạch"}}},
        ),
    )
    assert settled.status_code == 200, settled.text
    body = settled.json()
    assert _status(body, "ca02", "IV.1.d") == "pass" and body["eligible"] is True
    check = next(
        k
        for c in body["candidates"]
        if c["id"] == "ca02"
        for k in c["checks"]
        if k["rule"] == "IV.1.d"
    )
    assert check["note"] == "Phù hợp chức danh quy hoạch"


def test_review_notes_and_an_exception_reach_a_workbook_dossier(client, tmp_path):
    text = unsettled_text().replace("rating: hoan_thanh_tot ", "rating: hoan_thanh ", 1)
    book = to_workbook(text, tmp_path)
    xlsx = (
        "hoso.xlsx",
        book.read_bytes(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    before = client.post("/api/v1/validate", files=_parts(xlsx)).json()
    assert _status(before, "ca01", "IV.1.a") == "fail" and not before["issuable"]
    review = {
        "ca02": {"reviewed": {"IV.1.d": "Phù hợp"}},
        "ca01": {"exception": {"rules": ["IV.1.a"], "reason": "Ban Thường vụ đồng ý"}},
    }
    after = client.post("/api/v1/validate", files=_parts(xlsx, review))
    assert after.status_code == 200, after.text
    body = after.json()
    assert _status(body, "ca02", "IV.1.d") == "pass"
    assert body["issuable"] is True and body["eligible"] is False
    assert body["exceptions"] == [
        {"candidate": "ca01", "rules": ["IV.1.a"], "reason": "Ban Thường vụ đồng ý"}
    ]


@pytest.mark.parametrize(
    ("review", "path"),
    [
        ({"ca99": {"reviewed": {"IV.1.d": "x"}}}, "review.ca99"),
        ({"ca02": {"signing": {}}}, "review.ca02"),
        ("không phải JSON", "review"),
    ],
)
def test_a_bad_review_field_is_422_naming_it(client, review, path):
    parts = _parts(_yaml(sample_text()))
    parts.append(("review", (None, review if isinstance(review, str) else json.dumps(review))))
    answer = client.post("/api/v1/validate", files=parts)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [i["path"] for i in answer.json()["issues"]] == [path]


def test_images_sent_under_their_bare_names_are_found(client):
    # a browser sends `chu-ky.png` where the dossier names `images/chu-ky.png`
    answer = client.post("/api/v1/validate", files=_parts(_yaml(sample_text()), bare_names=True))
    assert answer.status_code == 200, answer.text
    missing = client.post("/api/v1/validate", files=_parts(_yaml(sample_text()))[:1])
    assert missing.status_code == 422
    assert {i["path"] for i in missing.json()["issues"]} == {
        "signing.signature_image",
        "signing.seal_image",
    }


# --- in a real browser --------------------------------------------------------------------------


def _chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return (
            "/usr/bin/chromium is missing: install Debian's chromium (apt-get install "
            "chromium; scripts/run.sh does) to run the browser tests"
        )
    real = CHROMIUM.resolve()
    if str(real).startswith("/snap/"):
        return "/usr/bin/chromium is Ubuntu's snap, which Playwright cannot drive: use Debian's"
    if real.stat().st_size < 65536:
        text = real.read_bytes().decode("utf-8", "replace")
        if "snap" in text:
            return (
                "/usr/bin/chromium is Ubuntu's stub for the chromium snap, which Playwright "
                "cannot drive: the browser tests need Debian's chromium package"
            )
    return None


@pytest.fixture(scope="module")
def browser():
    why = _chromium_problem()
    if why:
        pytest.skip(why)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory, browser):
    from test_service_live import _serve, _stop  # the same way of starting it

    tmp = tmp_path_factory.mktemp("web")
    env = {**os.environ, "K39_API_TOKEN": TOKEN, "K39_JOBS_DIR": str(tmp / "jobs")}
    proc, base = _serve(env, tmp)
    try:
        yield base
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("K39_WEB_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser, service, shots):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        accept_downloads=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(service)
    page.wait_for_selector("body[data-ready=true]")
    yield page
    context.close()
    # an answer of 401 or 422 is logged by the browser as a resource that failed to load: the
    # page handles those; a script error is a failure
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []


def _expect():
    from playwright.sync_api import expect

    return expect


def _enter_token(page, token: str = TOKEN) -> None:
    dialog = page.get_by_role("dialog", name="Nhập mã truy cập")
    _expect()(dialog).to_be_visible()
    dialog.get_by_label("Mã truy cập").fill(token)
    dialog.get_by_role("button", name="Lưu mã").click()
    _expect()(dialog).to_be_hidden()


def _upload(page, dossier: Path, images: bool = True) -> None:
    page.get_by_label("Tệp hồ sơ").set_input_files(str(dossier))
    page.get_by_label("Ảnh chữ ký, con dấu, bản quét kèm theo").set_input_files(
        [str(p) for p in IMAGES] if images else []
    )
    page.get_by_role("button", name="Kiểm tra hồ sơ").click()


def _shot(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"web-{name}.png"))


def _cell(page, cid: str, rule: str):
    return page.locator(f"#bang-dieu-kien tr[data-candidate='{cid}'] td[data-rule='{rule}']")


def _write(folder: Path, text: str, name: str = "hoso.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_token_is_asked_once_and_the_sample_shows_its_eligibility(page, shots, tmp_path):
    expect = _expect()
    _shot(page, shots, "1-ma-truy-cap")
    _enter_token(page, "sai-ma")
    _upload(page, _write(tmp_path, sample_text()))
    # the wrong token is refused: the dialog asks again, saying so
    expect(page.get_by_text("Mã truy cập không đúng")).to_be_visible()
    _enter_token(page)
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    expect(page.locator("#bang-dieu-kien tbody tr")).to_have_count(4)
    expect(page.locator("#trang-thai-kiem-tra")).to_contain_text("Tất cả 4 ứng viên đủ điều kiện")
    for cid in ("ca01", "ca02", "ca03", "ca04"):
        expect(_cell(page, cid, "IV.1.a")).to_have_text("✓ đạt")
        expect(page.locator(f"tr[data-candidate='{cid}'] td.overall")).to_have_text("Đủ điều kiện")
    # the clause is the column's tooltip, and in the "Căn cứ" list for the keyboard
    header = page.locator("#bang-dieu-kien thead th.rule").first
    assert "Kế hoạch" in (header.get_attribute("title") or "")
    page.get_by_text("Căn cứ của các điều kiện").click()
    expect(page.locator("#danh-sach-can-cu")).to_contain_text("IV.1.a – Kết quả đánh giá")
    expect(page.get_by_role("button", name="Tạo hồ sơ")).to_be_enabled()
    page.get_by_text("Căn cứ của các điều kiện").click()
    page.locator("#buoc-dieu-kien").scroll_into_view_if_needed()
    _shot(page, shots, "2-dieu-kien")
    # the token is kept for the tab: a reload does not ask again
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('k39docs-token')") == TOKEN


def _with_token(page) -> None:
    page.evaluate(f"sessionStorage.setItem('k39docs-token', {json.dumps(TOKEN)})")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")


def test_the_keyboard_reaches_every_control_in_reading_order(page):
    _with_token(page)
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert order == [
        "skip",
        "doi-ma",
        "tep-ho-so",
        "tep-kem-theo",
        "nut-kiem-tra",
        "tep-pdf",
        "tep-goc",
        "nut-chu-ky",
    ], order
    # the browser's own file input has the focus, inside a frame that shows it
    page.locator("#tep-ho-so").focus()
    frame = page.locator("#tep-ho-so").locator("xpath=..")
    assert frame.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.locator("#tep-ho-so").set_input_files(str(SAMPLE))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Kiểm tra hồ sơ": the sample without its images
    _expect()(page.get_by_role("region", name="Lỗi cần sửa trong hồ sơ")).to_contain_text(
        "chọn tệp đó ở ô “Ảnh chữ ký, con dấu, bản quét kèm theo”"
    )
    assert page.locator("#tep-ho-so-ten").text_content() == "sample.yaml"


def test_a_broken_dossier_shows_each_message_next_to_its_field(page, shots, tmp_path):
    expect = _expect()
    _with_token(page)
    text = sample_text()
    text = text.replace("gender: nu\n", "gender: khac\n", 1)  # ca02
    text = text.replace('id_number: "051072009876"', 'id_number: "05107200"', 1)  # ca03
    line = text.splitlines().index("    gender: khac") + 1
    _upload(page, _write(tmp_path, text))
    errors = page.get_by_role("region", name="Lỗi cần sửa trong hồ sơ")
    expect(errors).to_be_visible()
    second = errors.get_by_role("region", name=re.compile(r"^Ứng viên thứ 2"))
    issue = second.locator("li.issue")
    expect(issue).to_have_count(1)
    expect(issue.locator(".where")).to_have_text(f"trường candidates[1].gender (dòng {line})")
    expect(issue.locator(".field-name")).to_have_text("Giới tính")
    expect(issue.locator(".message")).to_contain_text("Nam")
    third = errors.get_by_role("region", name=re.compile(r"^Ứng viên thứ 3"))
    expect(third.locator("li.issue .where")).to_have_text(re.compile(r"candidates\[2\]\.id_number"))
    expect(third.locator("li.issue .message")).to_contain_text("12 chữ số")
    expect(page.get_by_role("region", name="Điều kiện của từng ứng viên")).to_be_hidden()
    _shot(page, shots, "3-loi")

    # the same in the workbook: the message names the sheet and the cell
    book = to_workbook(sample_text(), tmp_path)
    from openpyxl import load_workbook

    wb = load_workbook(book)
    sheet = wb["Ứng viên"]
    column = next(c.column_letter for c in sheet[1] if c.value == "Số CCCD *")
    sheet[f"{column}3"] = "123"
    wb.save(book)
    _upload(page, book)
    where = errors.locator("li.issue .where")
    expect(where).to_have_text(
        re.compile(
            rf"^Ô Ứng viên!{column}3 / trường candidates\[1\]"
            r"\.id_number"
        )
    )
    expect(errors.get_by_role("heading", name=re.compile("^Ứng viên thứ 2"))).to_be_visible()


@pytest.mark.parametrize("kind", ["yaml", "xlsx"])
def test_a_review_note_settles_an_unsettled_check(page, shots, tmp_path, kind):
    expect = _expect()
    _with_token(page)
    dossier = (
        _write(tmp_path, unsettled_text())
        if kind == "yaml"
        else to_workbook(unsettled_text(), tmp_path)
    )
    _upload(page, dossier)
    cell = _cell(page, "ca02", "IV.1.d")
    expect(cell).to_have_text("? cần xem xét")
    expect(page.locator("tr[data-candidate='ca02'] td.overall")).to_have_text("Cần xem xét")
    render = page.get_by_role("button", name="Tạo hồ sơ")
    expect(render).to_be_disabled()
    card = page.locator("fieldset.candidate[data-candidate='ca02']")
    note = card.get_by_label("Ý kiến xem xét IV.1.d của người có thẩm quyền")
    # the table's cell leads the keyboard to the box where the note is written
    cell.get_by_role("link").click()
    expect(card.locator(".check").first).to_be_in_viewport()
    note.fill("Phù hợp lĩnh vực quản lý khu kinh tế và chức danh quy hoạch")
    if kind == "yaml":
        page.locator("#bang-dieu-kien").evaluate("e => e.scrollIntoView({block: 'start'})")
        _shot(page, shots, "5-xem-xet")
    page.get_by_role("button", name="Kiểm tra lại với các ý kiến đã ghi").click()
    expect(cell).to_have_text("✓ đạt (đã xem xét)")
    expect(page.locator("tr[data-candidate='ca02'] td.overall")).to_have_text("Đủ điều kiện")
    expect(render).to_be_enabled()
    # the note stays in its box, to be sent with the render
    expect(card.get_by_label("Ý kiến xem xét IV.1.d của người có thẩm quyền")).to_have_value(
        "Phù hợp lĩnh vực quản lý khu kinh tế và chức danh quy hoạch"
    )


def test_an_exception_needs_its_reason_and_lets_the_dossier_be_made(page, tmp_path):
    expect = _expect()
    _with_token(page)
    text = sample_text().replace("rating: hoan_thanh_tot ", "rating: hoan_thanh ", 1)  # ca01
    _upload(page, _write(tmp_path, text))
    expect(_cell(page, "ca01", "IV.1.a")).to_have_text("✗ không đạt")
    render = page.get_by_role("button", name="Tạo hồ sơ")
    expect(render).to_be_disabled()
    card = page.locator("fieldset.candidate[data-candidate='ca01']")
    card.get_by_label("Điều kiện IV.1.a").check()
    again = page.get_by_role("button", name="Kiểm tra lại với các ý kiến đã ghi")
    again.click()
    expect(card.get_by_role("alert")).to_have_text("Ghi lý do đề nghị ngoại lệ.")
    expect(card.get_by_label("Lý do đề nghị ngoại lệ")).to_be_focused()
    card.get_by_label("Lý do đề nghị ngoại lệ").fill("Ban Thường vụ Tỉnh ủy đã cho ý kiến")
    again.click()
    expect(page.locator("tr[data-candidate='ca01'] td.overall")).to_contain_text("đề nghị ngoại lệ")
    expect(render).to_be_enabled()
    expect(page.locator("#tao-goi-y")).to_contain_text("Ban Chỉ đạo quyết định")


@pytest.mark.soffice
def test_render_with_progress_download_and_check_the_signatures(page, shots, tmp_path):
    expect = _expect()
    _with_token(page)
    _upload(page, _write(tmp_path, sample_text()))
    expect(page.locator("#bang-dieu-kien tbody tr")).to_have_count(4)
    page.get_by_role("button", name="Tạo hồ sơ").click()
    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(page.get_by_role("button", name="Hủy tạo hồ sơ")).to_be_visible()
    # the screenshot once the number of documents is known (or the job already ended)
    page.wait_for_function(
        """() => /Đã tạo \\d+\\/\\d+/.test(
        document.getElementById('nhan-tien-do').textContent)
        || document.getElementById('tien-do').hidden""",
        timeout=300_000,
    )
    page.locator("#buoc-tao").evaluate("e => e.scrollIntoView({block: 'center'})")
    _shot(page, shots, "4-dang-tao")
    ended = page.locator("#ket-qua-tao .note")  # done, failed or cancelled
    expect(ended).to_be_visible(timeout=300_000)
    expect(ended).to_contain_text("Đã tạo xong hồ sơ")
    expect(progress).to_be_hidden()
    downloads = page.locator("#danh-sach-tai-ve")
    expect(downloads).to_be_visible()
    link = downloads.get_by_role("link", name=re.compile(r"^Hồ sơ gửi Trung ương"))
    expect(downloads.get_by_role("link", name=re.compile(r"^Hồ sơ lưu nội bộ"))).to_be_visible()
    _shot(page, shots, "6-tai-ve")

    with page.expect_download() as got:
        link.click()
    pdf = tmp_path / "dossier.pdf"
    got.value.save_as(pdf)
    assert got.value.suggested_filename == "qng-2027-trung-han-01-dossier.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfsig"):
        check = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60)
        assert check.stdout.count("Signature is Valid.") == 2, check.stdout
    else:
        from k39docs.signing import verify_pdf

        report = verify_pdf(pdf)
        assert len(report.signatures) == 2 and all(s.intact and s.valid for s in report.signatures)

    with page.expect_download() as got:
        downloads.get_by_role("link", name=re.compile(r"^Các văn bản Word")).click()
    names = zipfile.ZipFile(io.BytesIO(Path(got.value.path()).read_bytes())).namelist()
    assert names and all(n.endswith(".docx") and "/" not in n for n in names), names
    assert "cong-van.docx" in names

    # the signatures, checked by the page against the demo CA it rendered with
    page.get_by_role("button", name="kiểm tra chữ ký số của hồ sơ vừa tạo").click()
    verdict = page.locator("#ket-qua-chu-ky")
    expect(verdict).to_contain_text("✓ Hợp lệ", timeout=60_000)
    expect(verdict.locator(".signatures > li")).to_have_count(2)
    verdict.evaluate("e => e.scrollIntoView({block: 'end'})")
    _shot(page, shots, "7-chu-ky")

    # a PDF changed after signing, checked through the form, is not valid
    data = bytearray(pdf.read_bytes())
    at = data.index(b"/Type /Catalog") if b"/Type /Catalog" in data else len(data) // 3
    data[at + 1] ^= 0x01
    tampered = tmp_path / "da-sua.pdf"
    tampered.write_bytes(bytes(data))
    page.get_by_label("Tệp PDF đã ký số").set_input_files(str(tampered))
    page.get_by_role("button", name="Kiểm tra chữ ký", exact=True).click()
    expect(verdict).to_contain_text("✗", timeout=60_000)
    expect(verdict).not_to_contain_text("✓ Hợp lệ")
