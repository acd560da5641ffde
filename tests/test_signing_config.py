"""``check_signing_config`` stops a run before anything is rendered, in Vietnamese, never leaking secrets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from signing_support import FIXTURES, PASSPHRASE, demo_signing, pki  # noqa: F401  (fixture)

from k39docs.dossier.model import Pkcs11, Signing
from k39docs.errors import SigningError
from k39docs.signing import check_signing_config

ENV = "K39_TEST_PASSPHRASE"


def _p12_signing(path: Path, **changes) -> Signing:
    values = {
        "pkcs12": path,
        "passphrase_env": ENV,
        "signature_image": Path("images/chu-ky.png"),
        "seal_image": Path("images/con-dau.png"),
    }
    values.update(changes)
    return Signing(**values)


def _error(signing: Signing, base_dir: Path = FIXTURES) -> str:
    with pytest.raises(SigningError) as err:
        check_signing_config(signing, base_dir)
    assert err.value.exit_code == 2
    return str(err.value)


@pytest.fixture(scope="module")
def good_p12(pki, tmp_path_factory) -> Path:
    key, cert = pki.issue("Ủy ban nhân dân tỉnh Quảng Ngãi")
    return pki.write_p12(tmp_path_factory.mktemp("p12") / "ubnd.p12", key, cert)


def test_demo_with_the_sample_images_passes():
    check_signing_config(demo_signing(), FIXTURES)


def test_signing_not_configured_is_not_checked(tmp_path):
    check_signing_config(Signing(), tmp_path)


def test_good_pkcs12_passes(good_p12, monkeypatch):
    monkeypatch.setenv(ENV, PASSPHRASE)
    check_signing_config(_p12_signing(good_p12), FIXTURES)


def test_pkcs12_path_is_relative_to_the_dossier_folder(good_p12, monkeypatch):
    monkeypatch.setenv(ENV, PASSPHRASE)
    check_signing_config(
        _p12_signing(Path(good_p12.name), signature_image=None, seal_image=None), good_p12.parent
    )


def test_wrong_passphrase_names_the_variable_not_the_secret(good_p12, monkeypatch):
    secret = "sai-mật-khẩu-bí-mật-987"
    monkeypatch.setenv(ENV, secret)
    message = _error(_p12_signing(good_p12))
    assert "sai mật khẩu" in message and ENV in message and good_p12.name in message
    assert secret not in message and PASSPHRASE not in message


def test_missing_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, PASSPHRASE)
    message = _error(_p12_signing(tmp_path / "khong-co.p12"))
    assert "Không tìm thấy tệp khóa PKCS#12" in message and "khong-co.p12" in message


def test_passphrase_variable_not_set(good_p12, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    message = _error(_p12_signing(good_p12))
    assert f"Biến môi trường `{ENV}`" in message and "chưa được đặt" in message


def test_passphrase_variable_not_named(good_p12):
    message = _error(_p12_signing(good_p12, passphrase_env=None))
    assert "signing.passphrase_env" in message


def test_expired_certificate(pki, tmp_path, monkeypatch):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    key, cert = pki.issue(
        "Chứng thư đã hết hạn", not_before=past, not_after=past + dt.timedelta(days=365)
    )
    p12 = pki.write_p12(tmp_path / "old.p12", key, cert)
    monkeypatch.setenv(ENV, PASSPHRASE)
    message = _error(_p12_signing(p12))
    expiry = (past + dt.timedelta(days=365)).strftime("%d/%m/%Y")
    assert "đã hết hạn" in message and expiry in message and "Chứng thư đã hết hạn" in message


def test_certificate_without_digital_signature_usage(pki, tmp_path, monkeypatch):
    key, cert = pki.issue("Chứng thư chỉ để mã hóa", digital_signature=False)
    p12 = pki.write_p12(tmp_path / "enc.p12", key, cert)
    monkeypatch.setenv(ENV, PASSPHRASE)
    message = _error(_p12_signing(p12))
    assert "digitalSignature" in message and "không được cấp cho mục đích ký số" in message


@pytest.mark.parametrize("field,what", [("signature_image", "chữ ký"), ("seal_image", "con dấu")])
def test_missing_image(field, what):
    message = _error(demo_signing(**{field: Path("images/khong-co.png")}))
    assert f"Hình {what}" in message and "không tìm thấy tệp hình" in message
    assert "khong-co.png" in message and field in message


def test_image_must_be_png(tmp_path):
    from PIL import Image

    Image.new("RGB", (10, 10), "red").save(tmp_path / "dau.jpg")
    message = _error(demo_signing(seal_image=Path("dau.jpg"), signature_image=None), tmp_path)
    assert "PNG" in message


def test_missing_pkcs11_library(monkeypatch):
    monkeypatch.setenv("K39_TEST_PIN", "123456")
    signing = Signing(
        pkcs11=Pkcs11(
            library="/khong/co/libtoken.so",
            token="UBND",
            key_label="signer",
            pin_env="K39_TEST_PIN",
        )
    )
    message = _error(signing)
    assert "Không tìm thấy thư viện PKCS#11" in message and "/khong/co/libtoken.so" in message
    assert "123456" not in message


def test_tsa_url_must_be_http():
    assert "tsa_url" in _error(demo_signing(tsa_url="tsa.example.vn"))
