"""Where signing keys come from: a throw-away demo CA, a PKCS#12 file, or a PKCS#11 token.

Every source yields a :class:`SigningKeys` pair: the key of the person who signs the công văn and
the key of the agency (the seal). The demo source makes two certificates under a fresh test CA
whose names say they have no legal value, and writes the CA certificate next to the output so
``k39docs verify --trust-root`` can check the chain. A real source (PKCS#12 or PKCS#11) holds one
key; both signatures are then made with it (the configuration has a single key source).

Secrets are read from the environment variable the configuration names and are never put into a
message, a log line or an exception: errors say which variable or file is wrong, not what it holds.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ..dossier.model import Pkcs11, Signing
from ..errors import SigningError

if TYPE_CHECKING:
    import pkcs11 as p11  # imported where a token is opened: most runs never load it
    from pyhanko.sign.signers import Signer, SimpleSigner  # where a signer is made

__all__ = [
    "DEMO_CA_NAME",
    "DEMO_CA_FILENAME",
    "SigningKeys",
    "open_signing_keys",
    "check_key_source",
    "check_certificate",
    "demo_keys",
]

DEMO_CA_NAME = "K39DOCS TEST CA – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
DEMO_MARK = "THỬ NGHIỆM"
DEMO_UNIT = "K39DOCS TEST – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
DEMO_CA_FILENAME = "demo-ca.pem"


@dataclass(frozen=True)
class SigningKeys:
    """The two signers of a dossier and what a verifier needs to know about them."""

    person: Signer  # signs the công văn (chữ ký số của người có thẩm quyền)
    agency: Signer  # the agency's signature (dấu): same signer as ``person`` with one real key
    person_subject: str
    agency_subject: str
    demo: bool = False
    demo_ca_pem: Path | None = None  # the throw-away CA certificate written for ``verify``


# --- certificate checks -----------------------------------------------------------------------


def _subject(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def check_certificate(
    cert: x509.Certificate, where: str, *, now: dt.datetime | None = None
) -> None:
    """Refuse a certificate that is expired, not yet valid, or not meant for digital signatures."""
    now = now or dt.datetime.now(dt.UTC)
    who = _subject(cert)
    if cert.not_valid_after_utc < now:
        raise SigningError(
            f"Chứng thư số “{who}” ({where}) đã hết hạn ngày "
            f"{cert.not_valid_after_utc:%d/%m/%Y}: không thể ký. Hãy gia hạn hoặc dùng chứng thư số khác."
        )
    if cert.not_valid_before_utc > now:
        raise SigningError(
            f"Chứng thư số “{who}” ({where}) chưa có hiệu lực (hiệu lực từ ngày "
            f"{cert.not_valid_before_utc:%d/%m/%Y})."
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction (RFC 5280 §4.2.1.3)
    if not usage.digital_signature:
        raise SigningError(
            f"Chứng thư số “{who}” ({where}) không được cấp cho mục đích ký số "
            "(thiếu digitalSignature trong Key Usage): không dùng được để ký hồ sơ."
        )


def _to_pyhanko(key, cert: x509.Certificate, chain: list[x509.Certificate]) -> SimpleSigner:
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    as_asn1 = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain
    ]
    return SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(as_asn1),
    )


# --- demo -------------------------------------------------------------------------------------


def _demo_cert(
    subject: x509.Name,
    issuer: x509.Name,
    public_key,
    signing_key,
    *,
    ca: bool,
    now: dt.datetime,
    days: int,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    return builder.sign(signing_key, hashes.SHA256())


_UB_NAME = 64  # RFC 5280 ub-common-name / ub-organization-name; cryptography counts UTF-8 bytes


def _cut_utf8(text: str, limit: int) -> str:
    """``text`` cut at a character boundary so that its UTF-8 encoding is at most ``limit``
    bytes (a Vietnamese letter takes 2–3 bytes: cutting by characters overflowed the limit);
    a cut name ends in "…" so nobody reads it as the whole name."""
    if len(text.encode("utf-8")) <= limit:
        return text
    data = text.encode("utf-8")[: limit - len("…".encode())]
    return data.decode("utf-8", errors="ignore").rstrip(" -") + "…"


def demo_keys(signer_name: str, agency_name: str, out_dir: Path) -> SigningKeys:
    """A fresh test CA and two certificates (person, agency); the CA is written to ``out_dir``.

    The keys are ECDSA P-256: generated at once (an RSA key takes a long and random time to
    generate) and validated by pyHanko and poppler/NSS alike.
    """
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "k39docs (chứng thư thử nghiệm)"),
        ]
    )
    ca_cert = _demo_cert(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True, now=now, days=3650)

    mark = f" ({DEMO_MARK})"

    def leaf(common_name: str) -> tuple[SimpleSigner, str]:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(
                    NameOID.COMMON_NAME,
                    f"{_cut_utf8(common_name, _UB_NAME - len(mark.encode()))}{mark}",
                ),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut_utf8(agency_name, _UB_NAME)),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_UNIT),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            ]
        )
        cert = _demo_cert(name, ca_name, key.public_key(), ca_key, ca=False, now=now, days=730)
        return _to_pyhanko(key, cert, [ca_cert]), _subject(cert)

    person, person_subject = leaf(signer_name)
    agency, agency_subject = leaf(agency_name)
    out_dir.mkdir(parents=True, exist_ok=True)
    ca_path = out_dir / DEMO_CA_FILENAME
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return SigningKeys(
        person, agency, person_subject, agency_subject, demo=True, demo_ca_pem=ca_path
    )


# --- PKCS#12 ----------------------------------------------------------------------------------


def _secret(env_name: str | None, field: str, what: str) -> str:
    if not env_name:
        raise SigningError(f"Chưa khai báo `signing.{field}`: tên biến môi trường chứa {what}.")
    value = os.environ.get(env_name)
    if value is None:
        raise SigningError(
            f"Biến môi trường `{env_name}` (chứa {what}, theo `signing.{field}`) chưa được đặt."
        )
    return value


def _resolve(path: Path, base_dir: Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else base_dir / path


def _load_pkcs12(signing: Signing, pkcs12_file: Path, base_dir: Path):
    """The key, certificate and chain in ``pkcs12_file`` (``signing.pkcs12``)."""
    path = _resolve(pkcs12_file, base_dir)
    if not path.is_file():
        raise SigningError(f"Không tìm thấy tệp khóa PKCS#12 `{path}` (signing.pkcs12).")
    passphrase = _secret(signing.passphrase_env, "passphrase_env", "mật khẩu của tệp PKCS#12")
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            path.read_bytes(), passphrase.encode("utf-8") if passphrase else None
        )
    except Exception:  # noqa: BLE001  (wrong passphrase or a damaged file: the message says both)
        # never echo the exception (it may quote input)
        raise SigningError(
            f"Không mở được tệp PKCS#12 `{path}`: sai mật khẩu (biến môi trường "
            f"`{signing.passphrase_env}`) hoặc tệp bị hỏng."
        ) from None
    if key is None or cert is None:
        raise SigningError(f"Tệp PKCS#12 `{path}` không chứa cả khóa bí mật và chứng thư số.")
    check_certificate(cert, f"tệp {path.name}")
    return key, cert, list(chain or ())


# --- PKCS#11 ----------------------------------------------------------------------------------


@contextmanager
def _pkcs11_session(cfg: Pkcs11) -> Iterator[p11.Session]:
    import pkcs11 as p11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    library = Path(cfg.library).expanduser()
    if not library.is_file():
        raise SigningError(
            f"Không tìm thấy thư viện PKCS#11 `{library}` (signing.pkcs11.library). "
            "Hãy cài phần mềm của token USB hoặc sửa đường dẫn."
        )
    pin = _secret(cfg.pin_env, "pkcs11.pin_env", "mã PIN của token")
    try:
        session = open_pkcs11_session(
            str(library), token_criteria=TokenCriteria(label=cfg.token), user_pin=pin
        )
    except p11.PinIncorrect:
        raise SigningError(
            f"Sai mã PIN của token “{cfg.token}” (biến môi trường `{cfg.pin_env}`)."
        ) from None
    except p11.PinLocked:
        raise SigningError(f"Token “{cfg.token}” đã bị khóa mã PIN.") from None
    except Exception as exc:  # noqa: BLE001  (a token's library may raise anything: it is named)
        raise SigningError(
            f"Không mở được token “{cfg.token}” qua thư viện `{library}`: chưa cắm token, "
            f"sai nhãn token hoặc thư viện không dùng được ({type(exc).__name__})."
        ) from None
    try:
        yield session
    finally:
        try:
            session.close()
        except Exception:  # noqa: BLE001  # pragma: no cover - closing a dead session
            pass


def _pkcs11_certificate(session, cfg: Pkcs11) -> x509.Certificate:
    import pkcs11 as p11
    from pkcs11 import Attribute, ObjectClass

    label = cfg.cert_label or cfg.key_label
    try:
        keys = list(
            session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: cfg.key_label}
            )
        )
        certs = list(
            session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label})
        )
    except p11.PKCS11Error as exc:
        raise SigningError(
            f"Không đọc được đối tượng trên token “{cfg.token}” ({type(exc).__name__})."
        ) from None
    if not keys:
        raise SigningError(
            f"Không tìm thấy khóa bí mật nhãn “{cfg.key_label}” trên token “{cfg.token}” "
            "(signing.pkcs11.key_label)."
        )
    if not certs:
        raise SigningError(
            f"Không tìm thấy chứng thư số nhãn “{label}” trên token “{cfg.token}” "
            "(signing.pkcs11.cert_label)."
        )
    cert = x509.load_der_x509_certificate(bytes(certs[0][Attribute.VALUE]))
    check_certificate(cert, f"token {cfg.token}")
    return cert


# --- the public entry points ------------------------------------------------------------------


def check_key_source(signing: Signing, base_dir: Path) -> None:
    """Load the configured key once (opening the token) and check its certificate; sign nothing."""
    if signing.pkcs12:
        _load_pkcs12(signing, signing.pkcs12, base_dir)
    elif signing.pkcs11:
        with _pkcs11_session(signing.pkcs11) as session:
            _pkcs11_certificate(session, signing.pkcs11)


@contextmanager
def open_signing_keys(
    signing: Signing, *, base_dir: Path, out_dir: Path, signer_name: str, agency_name: str
) -> Iterator[SigningKeys]:
    """The keys to sign with, for the duration of the ``with`` block (a token session stays open)."""
    if signing.demo:
        yield demo_keys(signer_name, agency_name, out_dir)
    elif signing.pkcs12:
        key, cert, chain = _load_pkcs12(signing, signing.pkcs12, base_dir)
        signer = _to_pyhanko(key, cert, chain)
        yield SigningKeys(signer, signer, _subject(cert), _subject(cert))
    elif signing.pkcs11:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        cfg = signing.pkcs11
        with _pkcs11_session(cfg) as session:
            cert = _pkcs11_certificate(session, cfg)
            token_signer = PKCS11Signer(
                session,
                cert_label=cfg.cert_label or cfg.key_label,
                key_label=cfg.key_label,
                other_certs_to_pull=None,  # embed the CA chain the token carries, if any
            )
            yield SigningKeys(token_signer, token_signer, _subject(cert), _subject(cert))
    else:
        raise SigningError(
            "Chưa cấu hình khóa ký: đặt `signing.demo: true`, `signing.pkcs12` hoặc `signing.pkcs11`."
        )
