"""Digital signatures of the dossier (Nghị định 30/2020, Phụ lục I) and their verification.

``check_signing_config`` runs before rendering; ``sign_dossier`` stamps the attachments and signs
the bundled ``dossier.pdf`` as the person and as the agency (two PAdES signatures in two
incremental revisions); ``verify_pdf`` / ``format_verify_report`` back ``k39docs verify``; ``sign`` adds one of the two
signatures to a dossier rendered unsigned (``k39docs sign``, :mod:`.later`).
"""

from .later import SignedAs, SignRefusedError, sign
from .sign import (
    AGENCY_FIELD,
    PERSON_FIELD,
    SignaturePlace,
    SignatureRequest,
    SignResult,
    check_signing_config,
    format_signing_time,
    locate_signature,
    sign_dossier,
)
from .verify import SignatureCheck, VerifyReport, format_verify_report, load_trust_roots, verify_pdf

__all__ = [
    "SignatureRequest",
    "SignaturePlace",
    "SignResult",
    "check_signing_config",
    "locate_signature",
    "sign_dossier",
    "sign",
    "SignedAs",
    "SignRefusedError",
    "format_signing_time",
    "PERSON_FIELD",
    "AGENCY_FIELD",
    "SignatureCheck",
    "VerifyReport",
    "verify_pdf",
    "format_verify_report",
    "load_trust_roots",
]
