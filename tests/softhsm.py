"""A real PKCS#11 software token for tests: SoftHSM2 in a temporary folder.

:func:`make_token` writes a private ``softhsm2.conf`` (tokens under ``directory``), points
``SOFTHSM2_CONF`` at it, initialises a token with ``softhsm2-util --init-token``, imports an RSA
key (PKCS#8 PEM, ``softhsm2-util --import``) and stores the matching X.509 certificate object
with python-pkcs11, the way a CA's enrolment tool fills a USB token.

SoftHSM reads ``SOFTHSM2_CONF`` when the library is first initialised in a process, so a test
session uses one token folder (a session fixture) for every PKCS#11 test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.hazmat.primitives import serialization

LIBRARY_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
)


def softhsm_library() -> str | None:
    for path in LIBRARY_CANDIDATES:
        if Path(path).is_file():
            return path
    return None


def available() -> bool:
    return shutil.which("softhsm2-util") is not None and softhsm_library() is not None


@dataclass(frozen=True)
class Token:
    library: str
    label: str
    key_label: str
    pin: str
    so_pin: str
    conf: Path


def make_token(
    directory: Path,
    key,
    cert: x509.Certificate,
    *,
    label: str = "K39TEST",
    key_label: str = "ubnd-signer",
    pin: str = "246810",
    so_pin: str = "13579111",
) -> Token:
    library = softhsm_library()
    assert library, "SoftHSM2 library not found"
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
        "slots.removable = false\n",
        encoding="utf-8",
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)

    def util(*args: str) -> None:
        subprocess.run(["softhsm2-util", *args], check=True, capture_output=True, timeout=60)

    util("--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin)
    pem = directory / "key.p8.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    try:
        util(
            "--import", str(pem), "--token", label, "--label", key_label, "--id", "01", "--pin", pin
        )
    finally:
        pem.unlink()

    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = pkcs11.lib(library)
    lib.reinitialize()  # SoftHSM reads SOFTHSM2_CONF and the token folder at C_Initialize
    token = lib.get_token(token_label=label)
    with token.open(rw=True, user_pin=pin) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: key_label,
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.ISSUER: cert.issuer.public_bytes(),
                Attribute.SERIAL_NUMBER: asn1_core.Integer(cert.serial_number).dump(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )
    return Token(
        library=library, label=label, key_label=key_label, pin=pin, so_pin=so_pin, conf=conf
    )
