"""The operator's signing keys (``k39docs serve --keys KEYS.yaml``): name → where the key is.

A request to the service never says where a key is: it names one of these (``signing: {key:
NAME}``) or asks for the demo key. Each entry is a ``signing`` section as a dossier file would
have it (a PKCS#12 file and the environment variable of its passphrase, or a PKCS#11 library,
token and labels and the variable of its PIN, and the signature and seal images), checked by
the same model; relative paths start from the folder of KEYS.yaml::

    ubnd:
      pkcs12: /etc/k39docs/ubnd.p12
      passphrase_env: K39_UBND_PASSPHRASE
      signature_image: images/chu-ky.png
      seal_image: images/con-dau.png
    token-van-thu:
      pkcs11: {library: /usr/lib/softhsm/libsofthsm2.so, token: UBND, key_label: signer,
               pin_env: K39_UBND_PIN}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DossierError, K39Error

__all__ = ["KeyRing", "KeysError", "load_keys"]

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


class KeysError(K39Error):
    """KEYS.yaml cannot be read or one of its keys is not set up right."""


@dataclass(frozen=True)
class KeyRing:
    """The keys a request may name; each a ``signing`` mapping with absolute paths."""

    keys: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def names(self) -> list[str]:
        return sorted(self.keys)

    def signing(self, name: str) -> dict[str, Any] | None:
        """The ``signing`` section of the key ``name`` (a fresh copy), or None."""
        entry = self.keys.get(name)
        return (
            None
            if entry is None
            else {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in entry.items()}
        )


def load_keys(path: Path | None) -> KeyRing:
    """The keys of ``path`` (none without it); :class:`KeysError` names what is wrong."""
    if path is None:
        return KeyRing()
    from ..dossier.loader import read_yaml
    from ..dossier.model import Signing

    try:
        data, _where = read_yaml(Path(path))
    except DossierError as error:
        raise KeysError(f"Không đọc được tệp khóa {path}: {error}") from None
    if not isinstance(data, Mapping) or not data:
        raise KeysError(f"Tệp khóa {path} phải là một bảng: tên khóa → cấu hình khóa.")
    base = Path(path).resolve().parent
    keys: dict[str, dict[str, Any]] = {}
    for name, entry in data.items():
        if not isinstance(name, str) or not name or not set(name) <= NAME_CHARS:
            raise KeysError(
                f"Tên khóa {name!r} trong {path} chỉ gồm chữ thường không dấu, số, '-', '_', '.'."
            )
        if not isinstance(entry, Mapping) or not (entry.get("pkcs12") or entry.get("pkcs11")):
            raise KeysError(
                f"Khóa `{name}` trong {path} phải có `pkcs12` (và `passphrase_env`) hoặc `pkcs11`."
            )
        if entry.get("demo"):
            raise KeysError(
                f"Khóa `{name}` trong {path}: khóa thử nghiệm không khai báo ở đây "
                "(yêu cầu ghi `signing: {demo: true}`)."
            )
        try:
            signing = Signing.model_validate(dict(entry))
        except Exception as exc:  # noqa: BLE001 — pydantic's words, with the key's name
            raise KeysError(f"Khóa `{name}` trong {path} không hợp lệ: {exc}") from None
        resolved = signing.model_dump(mode="json", exclude_defaults=True)
        for field_ in ("pkcs12", "signature_image", "seal_image"):
            if field_ in resolved:
                resolved[field_] = str(_absolute(Path(resolved[field_]), base))
        if "pkcs11" in resolved:
            resolved["pkcs11"]["library"] = str(
                _absolute(Path(resolved["pkcs11"]["library"]), base)
            )
        keys[name] = resolved
    return KeyRing(keys)


def _absolute(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path
