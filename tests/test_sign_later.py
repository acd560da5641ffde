"""Signing later, by the right people: the sample rendered without `signing` (one LibreOffice
render), then `k39docs sign --as signer` with the leader's SoftHSM2 token and `--as agency` with
the văn thư's — two tokens, two keys. Checked with `k39docs verify`, poppler's pdfsig, pyHanko
and pdftotext; the wrong order, a changed file and key problems are refused."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import softhsm
from cryptography.hazmat.primitives import serialization
from pdftext import pdftotext
from pyhanko.pdf_utils.reader import PdfFileReader
from signing_support import AGENCY, SIGNER_NAME, pki  # noqa: F401  (fixture)

from k39docs import load_dossier
from k39docs.dossier.model import today_in_vietnam
from k39docs.signing import AGENCY_FIELD, PERSON_FIELD

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
IMAGES = ROOT / "fixtures" / "images"
SIGNER_PIN_ENV = "K39_TEST_LEADER_PIN"
AGENCY_PIN_ENV = "K39_TEST_CLERK_PIN"
LEADER = f"{SIGNER_NAME} (lãnh đạo)"  # the leader's certificate: another name than the agency's

pytestmark = [
    pytest.mark.softhsm,
    pytest.mark.soffice,
    pytest.mark.skipif(not softhsm.available(), reason="SoftHSM2 (softhsm2-util) not installed"),
    pytest.mark.skipif(
        shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) not installed"
    ),
]


@pytest.fixture(scope="module")
def tokens(pki, tmp_path_factory):
    """Two tokens in one SoftHSM2 store: the leader's and the văn thư's, each with its key."""
    saved = os.environ.get("SOFTHSM2_CONF")
    store = tmp_path_factory.mktemp("softhsm")
    leader = softhsm.make_token(
        store, *pki.issue(LEADER), label="LANHDAO", key_label="lanh-dao", pin="111222"
    )
    clerk = softhsm.make_token(
        store, *pki.issue(AGENCY), label="VANTHU", key_label="van-thu", pin="333444"
    )
    ca = store / "ca.pem"
    ca.write_bytes(pki.ca_cert.public_bytes(serialization.Encoding.PEM))
    yield leader, clerk, ca
    if saved is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = saved


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory, sample_data):
    """The sample dated today, rendered without `signing`: an unsigned dossier.pdf."""
    from k39docs.render import RenderOptions, render

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    mapping = copy.deepcopy(sample_data)
    del mapping["signing"]
    _clear_of_vietnam_midnight(minutes=15)
    today = today_in_vietnam()
    for paper in ("cover_letter", "submission"):
        mapping["documents"][paper]["date"] = today.isoformat()
    for c in mapping["candidates"]:
        signed = dt.date.fromisoformat(str(c["commitment"]["date"]))
        c["commitment"]["date"] = min(signed, today).isoformat()
    out = tmp_path_factory.mktemp("unsigned") / "out"
    manifest = render(load_dossier(mapping), out, options=RenderOptions(base_dir=SAMPLE.parent))
    assert manifest.signed is False
    return out


def _clear_of_vietnam_midnight(minutes: int) -> None:
    """Wait for the next day in Vietnam when it is less than ``minutes`` away: the papers are
    dated today, and a token signs only on the day the công văn bears (the module's tests take
    a few minutes; run across midnight, the later ones were refused)."""
    import time

    from k39docs.dossier.model import VIETNAM_TZ

    now = dt.datetime.now(VIETNAM_TZ)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), VIETNAM_TZ)
    left = (midnight - now).total_seconds()
    if left < minutes * 60:
        time.sleep(left + 1)


@pytest.fixture
def dossier(unsigned, tmp_path) -> Path:
    """A fresh copy of the rendered folder: each test signs its own."""
    out = tmp_path / "out"
    shutil.copytree(unsigned, out)
    return out / "dossier.pdf"


def k39(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def token_args(tok, pin_env: str) -> list[str]:
    return [
        "--pkcs11-library",
        tok.library,
        "--token",
        tok.label,
        "--key-label",
        tok.key_label,
        "--pin-env",
        pin_env,
    ]


def as_signer(pdf, leader, *extra, env=None):
    return k39(
        "sign",
        pdf,
        "--as",
        "signer",
        *token_args(leader, SIGNER_PIN_ENV),
        "--signature-image",
        IMAGES / "chu-ky.png",
        *extra,
        env={SIGNER_PIN_ENV: leader.pin, **(env or {})},
    )


def as_agency(pdf, clerk, *extra, env=None):
    return k39(
        "sign",
        pdf,
        "--as",
        "agency",
        *token_args(clerk, AGENCY_PIN_ENV),
        "--seal-image",
        IMAGES / "con-dau.png",
        *extra,
        env={AGENCY_PIN_ENV: clerk.pin, **(env or {})},
    )


def signatures(pdf: Path) -> dict[str, str]:
    with open(pdf, "rb") as fh:
        return {
            s.field_name: s.signer_cert.subject.native["common_name"]
            for s in PdfFileReader(fh).embedded_signatures
        }


def test_the_render_leaves_an_unsigned_dossier_and_its_record(unsigned):
    assert signatures(unsigned / "dossier.pdf") == {}
    record = json.loads((unsigned / "sign-request.json").read_text(encoding="utf-8"))
    assert record["draft"] is False and record["signed_as"] == []
    assert record["request"]["document_number"] == "3512/UBND-NC"
    assert record["request"]["attachment_first_pages"]


def test_signer_then_agency_with_two_tokens(dossier, tokens):
    leader, clerk, ca = tokens
    first = as_signer(dossier, leader)
    assert first.returncode == 0, first.stdout + first.stderr
    assert leader.pin not in first.stdout + first.stderr
    assert signatures(dossier) == {PERSON_FIELD: LEADER}
    manifest = json.loads((dossier.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["signed"] is False  # half signed

    again = as_signer(dossier, leader)  # a second signer signature
    assert again.returncode == 1 and "lần thứ hai" in again.stderr, again.stderr

    second = as_agency(dossier, clerk)
    assert second.returncode == 0, second.stdout + second.stderr
    assert signatures(dossier) == {PERSON_FIELD: LEADER, AGENCY_FIELD: AGENCY}

    verified = k39("verify", dossier, "--trust-root", ca)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert LEADER in verified.stdout and AGENCY in verified.stdout
    check = subprocess.run(["pdfsig", str(dossier)], capture_output=True, text=True, timeout=60)
    assert check.stdout.count("Signature is Valid") == 2, check.stdout
    assert LEADER in check.stdout and AGENCY in check.stdout
    assert "Total document signed" in check.stdout  # the last covers the whole file

    manifest = json.loads((dossier.parent / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["kind"] == "dossier")
    from k39docs.manifest import sha256_of

    assert manifest["signed"] is True and entry["signed"] is True
    assert entry["sha256"] == sha256_of(dossier)

    # the agency's signing information on the first page of the first attachment
    record = json.loads((dossier.parent / "sign-request.json").read_text(encoding="utf-8"))
    page = record["request"]["attachment_first_pages"][0] + 1
    text = pdftotext(dossier, first=page, last=page)
    assert "3512/UBND-NC" in text and AGENCY in " ".join(text.split())

    twice = as_agency(dossier, clerk)
    assert twice.returncode == 1 and "lần thứ hai" in twice.stderr


def test_the_agency_before_the_signer_is_refused(dossier, tokens):
    _, clerk, _ = tokens
    before = dossier.read_bytes()
    result = as_agency(dossier, clerk)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "--as signer" in result.stderr and "Traceback" not in result.stderr
    assert dossier.read_bytes() == before


def test_a_file_changed_since_render_is_refused(dossier, tokens):
    leader, _, _ = tokens
    with open(dossier, "ab") as fh:  # an incremental update, as a PDF editor saves one
        fh.write(b"\n% edited\n")
    result = as_signer(dossier, leader)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "đã bị thay đổi" in result.stderr
    assert signatures(dossier) == {}


def test_key_problems_exit_2_and_sign_nothing(dossier, tokens):
    leader, _, _ = tokens
    before = dossier.read_bytes()
    wrong_pin = as_signer(dossier, leader, env={SIGNER_PIN_ENV: "000000"})
    assert wrong_pin.returncode == 2, wrong_pin.stdout + wrong_pin.stderr
    assert "Sai mã PIN" in wrong_pin.stderr and "000000" not in wrong_pin.stderr
    no_pin = k39("sign", dossier, "--as", "signer", *token_args(leader, "K39_TEST_UNSET_PIN"))
    assert no_pin.returncode == 2 and "K39_TEST_UNSET_PIN" in no_pin.stderr, no_pin.stderr
    no_key = k39("sign", dossier, "--as", "signer")
    assert no_key.returncode == 2 and "khóa ký" in no_key.stderr, no_key.stderr
    missing = k39(
        "sign",
        dossier,
        "--as",
        "signer",
        "--pkcs12",
        dossier.parent / "khong-co.p12",
        "--passphrase-env",
        "K39_TEST_P12",
    )
    assert missing.returncode == 2 and "PKCS#12" in missing.stderr, missing.stderr
    assert dossier.read_bytes() == before


def test_the_python_api_signs_with_demo_keys(dossier):
    import k39docs

    first = k39docs.sign(
        dossier, "signer", key={"demo": True}, signature_image=IMAGES / "chu-ky.png"
    )
    assert first.role == "signer" and not first.complete and first.attachment_pages
    done = k39docs.sign(dossier, as_="agency", key={"demo": True})
    assert done.complete and done.field_name == AGENCY_FIELD
    # each demo signing makes its own test CA: both are kept in demo-ca.pem
    ca = dossier.parent / "demo-ca.pem"
    assert ca.read_text().count("BEGIN CERTIFICATE") == 2
    report = k39docs.verify_pdf(dossier, trust_roots=k39docs_roots(ca))
    assert report.ok, report
    assert [s.field_name for s in report.signatures] == [PERSON_FIELD, AGENCY_FIELD]


def k39docs_roots(path: Path):
    from k39docs.signing import load_trust_roots

    return load_trust_roots([path])
