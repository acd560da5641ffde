"""Digital signatures of the dossier (Nghị định 30/2020, Phụ lục I) and their verification.

``check_signing_config`` runs before rendering (:mod:`.config`, without pyHanko);
``sign_dossier`` stamps the attachments and signs the bundled ``dossier.pdf`` as the person and
as the agency (two PAdES signatures in two incremental revisions); ``verify_pdf`` /
``format_verify_report`` back ``k39docs verify``; :func:`.later.sign` adds one of the two
signatures to a dossier rendered unsigned (``k39docs sign``). Each name is imported on first use,
so checking a dossier's signing set-up does not load pyHanko.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# where each public name lives
_EXPORTS = {
    "check_signing_config": "config",
    "SignatureRequest": "sign",
    "SignaturePlace": "block",
    "SignResult": "sign",
    "locate_signature": "block",
    "sign_dossier": "sign",
    "format_signing_time": "sign",
    "PERSON_FIELD": "sign",
    "AGENCY_FIELD": "sign",
    # ``sign`` (signing later) is reached as k39docs.sign or k39docs.signing.later.sign: here
    # the name is the submodule k39docs.signing.sign once that is loaded
    "SignedAs": "later",
    "SignRefusedError": "later",
    "SignatureCheck": "verify",
    "VerifyReport": "verify",
    "verify_pdf": "verify",
    "format_verify_report": "verify",
    "load_trust_roots": "verify",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'k39docs.signing' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value
