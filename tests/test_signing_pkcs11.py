"""Signing through PKCS#11 with a real software token (SoftHSM2), the way a USB token is used."""

from __future__ import annotations

import os
import shutil

import pytest
import softhsm
from signing_support import (  # noqa: F401  (fixtures)
    AGENCY,
    FIXTURES,
    block_pdf,
    demo_signing,
    pki,
    signature_request,
)

from k39docs.dossier.model import Pkcs11, Signing
from k39docs.errors import SigningError
from k39docs.signing import check_signing_config, sign_dossier, verify_pdf

pytestmark = [
    pytest.mark.softhsm,
    pytest.mark.skipif(not softhsm.available(), reason="SoftHSM2 (softhsm2-util) not installed"),
]

PIN_ENV = "K39_TEST_TOKEN_PIN"


@pytest.fixture(scope="module")
def token(pki, tmp_path_factory):
    key, cert = pki.issue(AGENCY)
    saved = os.environ.get("SOFTHSM2_CONF")
    tok = softhsm.make_token(tmp_path_factory.mktemp("softhsm"), key, cert)
    yield tok
    if saved is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = saved


def _signing(tok, **changes) -> Signing:
    cfg = {
        "library": tok.library,
        "token": tok.label,
        "key_label": tok.key_label,
        "pin_env": PIN_ENV,
    }
    cfg.update(changes)
    return demo_signing(demo=False, pkcs11=Pkcs11(**cfg))


def test_token_config_passes_the_check(token, monkeypatch):
    monkeypatch.setenv(PIN_ENV, token.pin)
    check_signing_config(_signing(token), FIXTURES)


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_signs_through_pkcs11_and_verifies(token, pki, block_pdf, tmp_path, monkeypatch):
    monkeypatch.setenv(PIN_ENV, token.pin)
    out = tmp_path / "dossier.pdf"
    result = sign_dossier(
        block_pdf, out, _signing(token), signature_request(), base_dir=FIXTURES, out_dir=tmp_path
    )
    assert result.person_subject == result.agency_subject == AGENCY
    report = verify_pdf(out, [pki.write_ca_pem(tmp_path / "ca.pem")])
    assert report.ok, report
    assert [s.signer for s in report.signatures] == [AGENCY, AGENCY]
    assert all(s.trusted for s in report.signatures)
    assert token.pin.encode() not in out.read_bytes()


def test_wrong_pin_is_refused_without_showing_it(token, monkeypatch):
    monkeypatch.setenv(PIN_ENV, "999999")
    with pytest.raises(SigningError) as err:
        check_signing_config(_signing(token), FIXTURES)
    assert "Sai mã PIN" in str(err.value) and PIN_ENV in str(err.value)
    assert "999999" not in str(err.value) and token.pin not in str(err.value)


def test_unknown_token_label(token, monkeypatch):
    monkeypatch.setenv(PIN_ENV, token.pin)
    with pytest.raises(SigningError) as err:
        check_signing_config(_signing(token, token="KHONG-CO"), FIXTURES)
    assert "KHONG-CO" in str(err.value) and "token" in str(err.value)


def test_unknown_key_label(token, monkeypatch):
    monkeypatch.setenv(PIN_ENV, token.pin)
    with pytest.raises(SigningError) as err:
        check_signing_config(_signing(token, key_label="khoa-khac"), FIXTURES)
    assert "khoa-khac" in str(err.value) and "khóa bí mật" in str(err.value)


def test_pin_variable_not_set(token, monkeypatch):
    monkeypatch.delenv(PIN_ENV, raising=False)
    with pytest.raises(SigningError) as err:
        check_signing_config(_signing(token), FIXTURES)
    assert f"`{PIN_ENV}`" in str(err.value) and "chưa được đặt" in str(err.value)
