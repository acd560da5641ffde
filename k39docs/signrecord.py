"""``sign-request.json``: what ``render`` leaves beside an unsigned ``dossier.pdf`` so that
``k39docs sign`` can add the signatures later, as the render would have placed them.

It holds what only the render knows — which pages are the công văn and which are the first
pages of its attachments, who signs and with which chức vụ lines, the số ký hiệu, the agency —
plus whether the dossier is a draft (no number or date yet: never signed) and the sha256 of
``dossier.pdf`` as it was left (the manifest's too; both are updated after each signature).
Where exactly the signatures go is found again on the PDF itself at signing (the signer's
name and chức vụ lines, as at render), so the record holds no coordinates that could go stale.
Plain JSON, written without importing pyHanko (most renders never sign).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["RECORD_NAME", "RECORD_FORMAT", "write_sign_record", "read_sign_record"]

RECORD_NAME = "sign-request.json"
RECORD_FORMAT = 1


def write_sign_record(
    path: Path,
    fields: dict[str, Any],
    *,
    draft: bool,
    letter_date: str | None,
    sha256: str,
    signature_image: Path | None = None,
    seal_image: Path | None = None,
    tsa_url: str | None = None,
) -> None:
    """Write the record; ``fields`` are :class:`~k39docs.signing.SignatureRequest`'s plain
    fields (pages 0-based), the images absolute paths when the dossier's ``signing`` names
    them (``sign`` uses them unless told otherwise)."""
    data: dict[str, object] = {
        "format": RECORD_FORMAT,
        "draft": draft,
        "cover_letter_date": letter_date,
        "sha256": sha256,
        "request": {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()},
        "signature_image": str(signature_image) if signature_image else None,
        "seal_image": str(seal_image) if seal_image else None,
        "tsa_url": tsa_url,
        "signed_as": [],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_sign_record(path: Path) -> dict[str, Any]:
    """The record at ``path``; ``ValueError`` when it is not one this version can read."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if (
        not isinstance(data, dict)
        or data.get("format") != RECORD_FORMAT
        or not isinstance(data.get("request"), dict)
    ):
        raise ValueError(f"not a k39docs sign record (format {RECORD_FORMAT})")
    return data
