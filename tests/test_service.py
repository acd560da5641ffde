"""The HTTP service through FastAPI's test client, on one real warm LibreOffice: validate (good,
bad with paths and lines), a render job to a dossier.pdf poppler accepts, cancelling a running
job, the queue bound, the body bound, the token, /health while LibreOffice is missing, a
callback with its HMAC, scans sent with a request, and what a request may not name (a key
file, a file outside its upload).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from k39docs.service.app import create_app
from k39docs.service.jobs import ServiceSession
from k39docs.service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
IMAGES = sorted((ROOT / "fixtures" / "images").glob("*.png"))
API = "/api/v1"


def _parts(text: str, images: bool = True) -> list:
    parts = [("dossier", ("hoso.yaml", text.encode("utf-8"), "application/yaml"))]
    if images:
        parts += [("files", (f"images/{p.name}", p.read_bytes(), "image/png")) for p in IMAGES]
    return parts


def _wait(
    client: TestClient, url: str, until=("done", "failed", "cancelled"), timeout: float = 240
) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = client.get(url).json()
        if job["status"] in until:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job['status']} after {timeout} s: {job}")


@pytest.fixture(scope="module")
def session():
    with ServiceSession() as session:
        yield session


@pytest.fixture(scope="module")
def client(session):
    with TestClient(create_app(Settings(), session)) as client:
        yield client


@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


# --- validate -----------------------------------------------------------------------------------


def test_validate_a_good_dossier_gives_the_eligibility_of_every_candidate(client, sample_text):
    answer = client.post(f"{API}/validate", files=_parts(sample_text))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["eligible"] is True and body["purpose"] == "nomination"
    assert [c["id"] for c in body["candidates"]] == [
        c["id"] for c in yaml.safe_load(sample_text)["candidates"]
    ]


def test_validate_takes_json_as_well(client, sample_text):
    data = yaml.safe_load(sample_text)
    data.pop("signing")  # unsigned: no images needed
    answer = client.post(
        f"{API}/validate",
        content=json.dumps(data, default=str),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["eligible"] is True


def test_a_bad_dossier_is_422_problem_json_naming_each_field_and_its_line(client, sample_text):
    bad = sample_text.replace("gender: nam", "gender: khac", 1).replace(
        'id_number: "051075001234"', 'id_number: "123"', 1
    )
    assert bad != sample_text
    answer = client.post(
        f"{API}/validate", files=_parts(bad), headers={"X-Request-ID": "thu-nghiem-1"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["x-request-id"] == "thu-nghiem-1"
    body = answer.json()
    assert body["type"].endswith("invalid-dossier") and body["status"] == 422
    assert body["title"] == "Hồ sơ không hợp lệ"
    where = {i["path"]: i for i in body["issues"]}
    lines = bad.splitlines()
    gender = where["candidates[0].gender"]
    assert "khac" in lines[gender["line"] - 1], gender
    cccd = where["candidates[0].id_number"]
    assert "12 chữ số" in cccd["message"] and '"123"' in lines[cccd["line"] - 1]
    assert all(set(i) == {"path", "line", "cell", "message"} for i in body["issues"])


def test_invalid_yaml_is_a_problem_with_its_line(client):
    answer = client.post(
        f"{API}/validate",
        content=b"schema_version: 1\nid: [unclosed\n",
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 422
    (issue,) = answer.json()["issues"]
    assert issue["line"] is not None and "YAML" in issue["message"]


def test_a_body_of_another_kind_is_415_in_vietnamese(client):
    answer = client.post(f"{API}/validate", content=b"hello", headers={"Content-Type": "text/csv"})
    assert answer.status_code == 415
    assert "application/yaml" in answer.json()["detail"]


# --- what a request may not name ---------------------------------------------------------------


def test_a_request_naming_a_key_file_or_a_passphrase_is_refused(client, sample_text):
    data = yaml.safe_load(sample_text)
    data["signing"] = {"pkcs12": "/etc/k39docs/ubnd.p12", "passphrase_env": "HOME"}
    answer = client.post(
        f"{API}/renders",
        content=yaml.safe_dump(data, allow_unicode=True),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 422, answer.text
    paths = {i["path"] for i in answer.json()["issues"]}
    assert paths == {"signing.pkcs12", "signing.passphrase_env"}


def test_a_key_the_operator_did_not_list_is_refused(client, sample_text):
    data = yaml.safe_load(sample_text)
    data["signing"] = {"key": "ubnd"}
    answer = client.post(
        f"{API}/validate",
        content=yaml.safe_dump(data, allow_unicode=True),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 422
    assert [i["path"] for i in answer.json()["issues"]] == ["signing.key"]


@pytest.mark.parametrize("path", ["/etc/passwd", "../images/chu-ky.png", "~/chu-ky.png"])
def test_a_dossier_cannot_name_a_file_outside_its_upload(client, sample_text, path):
    text = sample_text.replace("signature_image: images/chu-ky.png", f"signature_image: {path}", 1)
    answer = client.post(f"{API}/validate", files=_parts(text))
    assert answer.status_code == 422
    issue = answer.json()["issues"][0]
    assert issue["path"] == "signing.signature_image" and "tương đối" in issue["message"]


def test_an_uploaded_file_named_outside_the_upload_is_refused(client, sample_text):
    parts = _parts(sample_text) + [("files", ("../../evil.png", b"x", "image/png"))]
    answer = client.post(f"{API}/validate", files=parts)
    assert answer.status_code == 422
    assert "../../evil.png" in answer.json()["detail"]


# --- rendering ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(client, sample_text, tmp_path_factory):
    """The sample rendered through the service, demo-signed; its job and dossier.pdf."""
    answer = client.post(f"{API}/renders", files=_parts(sample_text))
    assert answer.status_code == 202, answer.text
    job = _wait(client, answer.json()["status_url"])
    assert job["status"] == "done", job
    pdf = tmp_path_factory.mktemp("service") / "dossier.pdf"
    download = client.get(f"{answer.json()['status_url']}/files/dossier.pdf")
    assert download.status_code == 200
    pdf.write_bytes(download.content)
    return answer.json(), job, pdf


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) not installed")
def test_a_render_job_ends_done_with_a_dossier_pdf_poppler_finds_validly_signed(rendered):
    _created, job, pdf = rendered
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    assert job["manifest"]["signed"] is True
    check = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60)
    assert check.stdout.count("Signature is Valid.") == 2, check.stdout
    listed = {f["path"]: f["sha256"] for f in job["manifest"]["files"]}
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == listed["dossier.pdf"]


@pytest.mark.soffice
def test_the_zip_holds_every_file_of_the_manifest(client, rendered, tmp_path):
    import zipfile

    created, job, _pdf = rendered
    answer = client.get(f"{created['status_url']}/files.zip")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    (tmp_path / "all.zip").write_bytes(answer.content)
    names = set(zipfile.ZipFile(tmp_path / "all.zip").namelist())
    assert {f["path"] for f in job["manifest"]["files"]} <= names
    assert "manifest.json" in names


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) not installed")
def test_scans_uploaded_with_the_request_are_enclosed_and_signed(client, sample_text, tmp_path):
    """A signed Bản cam kết and a certificate come as parts of the request: one under the path
    the dossier names, one under its bare name, as a browser sends a file. Both go into the
    bundle at their place, with their bookmark, under the signatures."""
    from pdftext import flat, pdftotext
    from pypdf import PdfReader
    from scanfiles import photo, text_pdf

    data = yaml.safe_load(sample_text)
    data["candidates"][0]["signed_commitment"] = "scans/cam-ket-ca01.pdf"
    data["candidates"][0]["attachments"] = [{"title": "Sơ yếu lý lịch", "file": "scans/2c.jpg"}]
    signed = text_pdf(tmp_path / "cam-ket-ca01.pdf", "CAMKET-CA01-HTTP", pages=2)
    resume = photo(tmp_path / "2c.jpg", "JPEG")
    parts = _parts(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    parts += [
        ("files", ("scans/cam-ket-ca01.pdf", signed.read_bytes(), "application/pdf")),
        ("files", ("2c.jpg", resume.read_bytes(), "image/jpeg")),  # its bare name
    ]
    answer = client.post(f"{API}/renders", files=parts)
    assert answer.status_code == 202, answer.text
    job = _wait(client, answer.json()["status_url"])
    assert job["status"] == "done", job
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(client.get(f"{answer.json()['status_url']}/files/dossier.pdf").content)
    check = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60)
    assert check.stdout.count("Signature is Valid.") == 2, check.stdout
    reader = PdfReader(pdf)
    titles = [o.title for o in reader.outline]
    name = data["candidates"][0]["full_name"]
    scan = titles.index(f"Bản cam kết - {name} (bản ký tay, scan)")
    assert titles[scan + 1].startswith("Sơ yếu lý lịch")
    first = reader.get_destination_page_number(reader.outline[scan])
    assert "CAMKET-CA01-HTTP 1" in flat(pdftotext(pdf, first=first + 1, last=first + 1))
    assert any(f["path"].startswith("scans/") for f in job["manifest"]["files"])


@pytest.mark.soffice
def test_a_job_renders_with_the_eligibility_its_request_found(client, sample_text, monkeypatch):
    """The rules run once per request: the job takes the report made before it queued (on the
    day it was made: the rules date a draft's commitments by today)."""
    import k39docs.pipeline.run as run

    checks = []
    check = run.check_eligibility
    monkeypatch.setattr(
        run, "check_eligibility", lambda *a, **k: checks.append(1) or check(*a, **k)
    )
    answer = client.post(f"{API}/renders", files=_parts(sample_text))
    assert answer.status_code == 202, answer.text
    job = _wait(client, answer.json()["status_url"])
    assert job["status"] == "done", job
    assert checks == []
    eligibility = client.get(f"{answer.json()['status_url']}/files/eligibility.json").json()
    assert eligibility["eligible"] is True and len(eligibility["candidates"]) == 4


def test_an_eligibility_found_yesterday_is_found_again():
    from datetime import timedelta

    from k39docs.dossier.model import today_in_vietnam
    from k39docs.service.jobs import Checked

    report = object()
    assert Checked(report).for_today() is report  # type: ignore[arg-type]
    yesterday = Checked(report, today_in_vietnam() - timedelta(days=1))  # type: ignore[arg-type]
    assert yesterday.for_today() is None


@pytest.mark.soffice
def test_verify_reads_the_signed_dossier(client, rendered):
    _created, _job, pdf = rendered
    answer = client.post(
        f"{API}/verify", content=pdf.read_bytes(), headers={"Content-Type": "application/pdf"}
    )
    assert answer.status_code == 200
    report = answer.json()
    assert report["ok"] is True and len(report["signatures"]) == 2
    tampered = pdf.read_bytes().replace(b"/Creator", b"/Creatox", 1)
    answer = client.post(f"{API}/verify", files={"file": ("x.pdf", tampered, "application/pdf")})
    assert answer.status_code == 200 and answer.json()["ok"] is False


@pytest.mark.soffice
def test_a_file_path_leading_out_of_the_job_is_not_served(client, rendered):
    created, _job, _pdf = rendered
    answer = client.get(f"{created['status_url']}/files/..%2F..%2Fupload%2Fimages%2Fchu-ky.png")
    assert answer.status_code == 404


def _render_unsigned(client, sample_text) -> dict:
    """The sample posted as JSON without signing: the job's id and status_url."""
    data = yaml.safe_load(sample_text)
    data.pop("signing")
    return client.post(
        f"{API}/renders",
        content=json.dumps(data, default=str),
        headers={"Content-Type": "application/json"},
    ).json()


@pytest.mark.soffice
def test_forgetting_a_finished_job_deletes_it(client, sample_text):
    created = _render_unsigned(client, sample_text)
    assert _wait(client, created["status_url"])["status"] == "done"
    job = client.app.state.jobs.get(created["id"])
    assert job.folder.is_dir()
    assert client.delete(created["status_url"]).status_code == 204
    assert client.get(created["status_url"]).status_code == 404
    assert not job.folder.exists()


@pytest.mark.soffice
def test_a_status_request_may_wait_for_the_job_to_end(client, sample_text):
    """``?wait=S`` answers once the job has ended (one request instead of polling), at once
    for a job that has; more than a minute is refused."""
    created = _render_unsigned(client, sample_text)
    job = client.get(created["status_url"], params={"wait": 60}).json()
    assert job["status"] == "done", job
    started = time.monotonic()
    assert client.get(created["status_url"], params={"wait": 60}).json()["status"] == "done"
    assert time.monotonic() - started < 5
    too_long = client.get(created["status_url"], params={"wait": 61})
    assert too_long.status_code == 422
    kept = client.app.state.jobs.get(created["id"])
    assert kept is not None
    # a finished job keeps its answer, not the dossier and its eligibility (a day of jobs
    # of a hundred candidates each would otherwise stay in memory until they are deleted)
    assert kept.dossier is None and kept.checked is None and kept.name == "qng-2027-trung-han-01"
    zipped = client.get(f"{created['status_url']}/files.zip")
    assert 'filename="qng-2027-trung-han-01.zip"' in zipped.headers["content-disposition"]


@pytest.mark.soffice
def test_cancelling_a_running_job_publishes_nothing_and_a_full_queue_is_429(session, sample_text):
    from k39docs.synthetic import synthetic_dossier

    data = synthetic_dossier(40, seed=7)
    data.pop("signing")
    body = json.dumps(data, default=str)
    with TestClient(create_app(Settings(queue_max=1), session)) as client:
        post = lambda: client.post(  # noqa: E731
            f"{API}/renders",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        first = post().json()
        running = _wait(client, first["status_url"], until=("running", "done", "failed"))
        assert running["status"] == "running"
        second = post()
        assert second.status_code == 202  # waits behind the first
        third = post()
        assert third.status_code == 429
        assert third.json()["title"] == "Hàng đợi đã đầy"
        assert client.get("/health").json()["queue"] == 1

        job = client.app.state.jobs.get(first["id"])
        _wait_for(lambda: job.tracker.total is not None)
        started = time.monotonic()
        assert client.delete(first["status_url"]).status_code == 202
        ended = _wait(client, first["status_url"], timeout=60)
        assert ended["status"] == "cancelled", ended
        assert time.monotonic() - started < 30
        assert not job.out.exists() and not any(job.folder.glob(".out.k39-stage-*"))
        assert client.get(f"{first['status_url']}/files/dossier.pdf").status_code == 409
        # the one that waited runs next (or is running already): cancelled too
        assert client.delete(second.json()["status_url"]).status_code == 202
        assert _wait(client, second.json()["status_url"], timeout=60)["status"] == "cancelled"


def _wait_for(condition, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_an_ineligible_nomination_is_refused_before_it_queues(client, sample_text):
    bad = sample_text.replace("health_fit: true", "health_fit: false", 1)
    assert bad != sample_text
    answer = client.post(f"{API}/renders", files=_parts(bad))
    assert answer.status_code == 422
    body = answer.json()
    assert body["type"].endswith("ineligible") and body["eligibility"]["eligible"] is False


# --- bounds, token, health ---------------------------------------------------------------------


def test_a_body_past_the_limit_is_413_while_it_is_read(session, sample_text):
    with TestClient(create_app(Settings(max_body_mb=0.01), session)) as client:
        big = sample_text + "#" * 20_000

        def chunks():  # no Content-Length: counted as it arrives
            yield big.encode("utf-8")

        answer = client.post(
            f"{API}/validate", content=chunks(), headers={"Content-Type": "application/yaml"}
        )
        assert answer.status_code == 413
        assert "K39_MAX_BODY_MB" in answer.json()["detail"]
        declared = client.post(
            f"{API}/validate",
            content=big.encode("utf-8"),
            headers={"Content-Type": "application/yaml"},
        )
        assert declared.status_code == 413


def test_a_wrong_token_is_401_and_health_needs_none(session):
    with TestClient(create_app(Settings(api_token="dung-ma"), session)) as client:
        assert client.get(f"{API}/schema").status_code == 401
        wrong = client.get(f"{API}/schema", headers={"Authorization": "Bearer sai-ma"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert wrong.json()["title"] == "Chưa xác thực"
        assert client.get("/openapi.json").status_code == 401
        right = client.get(f"{API}/schema", headers={"Authorization": "Bearer dung-ma"})
        assert right.status_code == 200
        assert client.get("/health").status_code in (200, 503)


def test_health_is_503_while_libreoffice_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("K39_SOFFICE", str(tmp_path / "no-soffice"))
    with ServiceSession() as session, TestClient(create_app(Settings(), session)) as client:
        answer = client.get("/health")
        assert answer.status_code == 503
        assert answer.json() == {"status": "down", "libreoffice": "down", "queue": 0}
        assert client.head("/health").status_code == 503


def test_health_is_up_with_libreoffice(client):
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.json()["libreoffice"] == "up"


def test_every_answer_carries_a_request_id(client):
    made = client.get("/health").headers["x-request-id"]
    assert len(made) >= 16
    assert (
        client.get("/nowhere", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )


def test_the_api_describes_itself(client):
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/validate",
        "/api/v1/renders",
        "/api/v1/renders/{job_id}",
        "/api/v1/verify",
        "/api/v1/schema",
        "/health",
    ):
        assert path in spec["paths"], path
    assert "DossierRequest" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200
    schema = client.get(f"{API}/schema").json()
    assert schema["properties"]["signing"]["properties"].keys() == {
        "demo",
        "key",
        "signature_image",
        "seal_image",
    }


# --- callbacks ----------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.calls.append((dict(self.headers), body))
        # the first attempt fails: the service tries again
        self.send_response(500 if len(self.server.calls) == 1 else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    server.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.soffice
def test_a_callback_is_retried_and_signed(session, sample_text, receiver):
    port = receiver.server_address[1]
    settings = Settings(
        callback_hosts=frozenset({f"127.0.0.1:{port}"}),
        callback_secret="bi-mat",
        callback_delays=(0.2, 0.2),
    )
    data = yaml.safe_load(sample_text)
    data.pop("signing")
    body = json.dumps(data, default=str)
    with TestClient(create_app(settings, session)) as client:
        refused = client.post(
            f"{API}/renders?callback_url=http://example.org/hook",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert refused.status_code == 422
        assert refused.json()["issues"][0]["path"] == "callback_url"
        url = f"http://127.0.0.1:{port}/k39"
        created = client.post(
            f"{API}/renders",
            params={"callback_url": url},
            content=body,
            headers={"Content-Type": "application/json"},
        ).json()
        _wait(client, created["status_url"])
        _wait_for(lambda: len(receiver.calls) >= 2, timeout=30)
    headers, payload = receiver.calls[-1]
    expected = "sha256=" + hmac.new(b"bi-mat", payload, hashlib.sha256).hexdigest()
    assert headers["X-K39-Signature"] == expected
    job = json.loads(payload)
    assert job["id"] == created["id"] and job["status"] == "done"
    assert receiver.calls[0][1] == payload  # the retry sends the same


def test_a_workbook_is_read_and_its_errors_name_the_cell(client, tmp_path):
    convert = pytest.importorskip("k39docs.workbook.convert")  # the workbook reader
    book = tmp_path / "hoso.xlsx"
    convert.init_workbook(book, force=True)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    alone = client.post(
        f"{API}/validate", content=book.read_bytes(), headers={"Content-Type": xlsx}
    )
    assert alone.status_code == 422  # the images it names were not sent with it
    issue = alone.json()["issues"][0]
    assert issue["path"] == "signing.signature_image" and issue["line"] is None
    assert issue["cell"].startswith("Hồ sơ!")
    parts = [("dossier", ("hoso.xlsx", book.read_bytes(), xlsx))] + _parts("")[1:]
    answer = client.post(f"{API}/validate", files=parts)
    assert answer.status_code == 200, answer.text
    assert answer.json()["eligible"] is True


def test_a_key_of_the_operators_keys_file_is_used_by_its_name(session, sample_text, tmp_path):
    from k39docs.service.app import create_app as make
    from k39docs.service.keys import load_keys

    (tmp_path / "ubnd.p12").write_bytes(b"not opened by validate")
    shutil.copytree(ROOT / "fixtures" / "images", tmp_path / "images")
    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text(
        "ubnd:\n  pkcs12: ubnd.p12\n  passphrase_env: K39_TEST_PASS\n"
        "  signature_image: images/chu-ky.png\n  seal_image: images/con-dau.png\n",
        encoding="utf-8",
    )
    keys = load_keys(keys_file)
    assert keys.signing("ubnd")["pkcs12"] == str(tmp_path / "ubnd.p12")
    data = yaml.safe_load(sample_text)
    data["signing"] = {"key": "ubnd"}  # no images sent: the key's own are used
    with TestClient(make(Settings(), session, keys=keys)) as client:
        answer = client.post(
            f"{API}/validate",
            content=yaml.safe_dump(data, allow_unicode=True),
            headers={"Content-Type": "application/yaml"},
        )
        assert answer.status_code == 200, answer.text
        data["signing"] = {"key": "ubnd", "demo": True}
        both = client.post(
            f"{API}/validate",
            content=yaml.safe_dump(data, allow_unicode=True),
            headers={"Content-Type": "application/yaml"},
        )
        assert [i["path"] for i in both.json()["issues"]] == ["signing.demo"]


@pytest.mark.soffice
def test_a_jobs_files_taken_from_the_cache_are_its_own_links_and_their_digests_true(
    client, sample_text
):
    """A job's files are downloaded, never edited: the ones taken from the cache are linked,
    not copied, and the manifest's digests (remembered by file, not read again) are true."""
    from pdftext import pdftotext

    from k39docs.manifest import sha256_of

    first = _render_unsigned(client, sample_text)
    assert _wait(client, first["status_url"])["status"] == "done"
    data = yaml.safe_load(sample_text)
    data.pop("signing")
    data["candidates"][1]["position"] = "Trưởng ban Tổ chức"
    again = client.post(
        f"{API}/renders",
        content=json.dumps(data, default=str),
        headers={"Content-Type": "application/json"},
    ).json()
    job = _wait(client, again["status_url"])
    assert job["status"] == "done", job
    out = client.app.state.jobs.get(again["id"]).out
    files = {entry["path"]: entry for entry in job["manifest"]["files"]}
    for path, entry in files.items():
        assert entry["sha256"] == sha256_of(out / path), path
    assert os.stat(out / "pdf" / "cam-ket-ca01.pdf").st_nlink > 1  # the cache's, unchanged
    assert "Trưởng ban Tổ chức" in pdftotext(out / "pdf" / "cam-ket-ca02.pdf")


def test_a_frozen_session_collects_what_it_froze_at_the_full_collection():
    """The service's process freezes what outlives each job's collection (the next one goes
    through that job's objects only); a cycle dropped since is collected when, every
    FULL_COLLECTION_EVERY jobs, everything is unfrozen first. (A collection asked for while
    another thread collects does nothing: the collections that must happen are repeated.)"""
    import gc
    import weakref

    from k39docs.service.jobs import FULL_COLLECTION_EVERY

    class Node:
        pass

    with ServiceSession(freeze=True) as frozen:
        try:
            node = Node()
            node.me = node  # a cycle: only the collector frees it
            alive = weakref.ref(node)
            frozen.settle()  # the first job's end: the node is alive, and frozen with the rest
            assert gc.get_freeze_count() > 0
            del node
            for _ in range(FULL_COLLECTION_EVERY - 2):  # every job's end before the full one
                frozen.settle()
            assert alive() is not None  # frozen: the jobs' collections do not go through it
            for _ in range(3 * FULL_COLLECTION_EVERY):
                frozen.settle()
                if alive() is None:
                    break
            assert alive() is None
            assert gc.get_freeze_count() > 0  # frozen again after the full collection
        finally:
            gc.unfreeze()  # the test process's own collector as it was

    with ServiceSession() as plain:  # tests and library users: nothing frozen
        node = Node()
        node.me = node
        alive = weakref.ref(node)
        del node
        for _ in range(5):
            plain.settle()
            if alive() is None:
                break
        assert alive() is None
