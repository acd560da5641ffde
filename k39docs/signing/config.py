"""Whether a dossier can be signed, checked before anything is rendered, without pyHanko.

The images, the font, the TSA address and the key (file present, passphrase or PIN variable set,
PKCS#12 opens, token and key found, certificate valid today and allowed to sign) use only
``cryptography`` and the token's library: importing pyHanko takes a noticeable part of a short
render, so a render checks here first and loads pyHanko while LibreOffice converts.
"""

from __future__ import annotations

from pathlib import Path

from ..dossier.model import Signing
from ..errors import SigningError
from ..nd30.fonts import serif_font_path
from .keys import check_key_source

__all__ = ["check_signing_config", "check_files", "resolve"]


def resolve(path: Path | None, base_dir: Path) -> Path | None:
    if path is None:
        return None
    path = Path(path).expanduser()
    return path if path.is_absolute() else base_dir / path


def _check_image(path: Path | None, field_name: str, what: str) -> None:
    from ..images import image_problem

    if path is None:
        return
    problem = image_problem(path)
    if problem is not None:
        raise SigningError(f"Hình {what} (signing.{field_name}): {problem}.")


def check_signing_config(signing: Signing, base_dir: Path) -> None:
    """Raise :class:`SigningError` now for anything that would make signing fail later.
    Does nothing when signing is not configured."""
    if not signing.enabled:
        return
    check_files(signing, Path(base_dir))
    check_key_source(signing, Path(base_dir))


def check_files(signing: Signing, base_dir: Path) -> None:
    """Everything but the key: images, font, TSA address."""
    _check_image(resolve(signing.signature_image, base_dir), "signature_image", "chữ ký")
    _check_image(resolve(signing.seal_image, base_dir), "seal_image", "con dấu")
    try:
        serif_font_path()  # the signing information is printed in it
    except FileNotFoundError as exc:
        raise SigningError(str(exc)) from None
    if signing.tsa_url and not signing.tsa_url.lower().startswith(("http://", "https://")):
        raise SigningError(
            f"Địa chỉ máy chủ dấu thời gian `{signing.tsa_url}` (signing.tsa_url) "
            "phải bắt đầu bằng http:// hoặc https://."
        )
