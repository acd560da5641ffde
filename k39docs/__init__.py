"""k39docs: the paperwork for sending officials to training abroad under Kết luận 39-KL/TW.

From one YAML dossier: the Tờ trình, the Công văn, the nomination list, the commitments and
return reports as DOCX and PDF in the Nghị định 30/2020 layout, a bundled and signed
``dossier.pdf``, the eligibility check of every nominee, and a ``manifest.json``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ConversionError,
    DependencyError,
    DossierError,
    IneligibleError,
    K39Error,
    SigningError,
)
from .loader import load_dossier  # noqa: E402
from .model import Dossier  # noqa: E402
from .retirement import retirement_date  # noqa: E402
from .rules import EligibilityReport, check_eligibility  # noqa: E402
from .vietnamese import amount_in_words, format_date_line, number_in_words  # noqa: E402

__all__ = [
    "__version__",
    "load_dossier",
    "check_eligibility",
    "render",
    "verify_pdf",
    "number_in_words",
    "amount_in_words",
    "format_date_line",
    "retirement_date",
    "Dossier",
    "EligibilityReport",
    "K39Error",
    "DossierError",
    "DependencyError",
    "ConversionError",
    "SigningError",
    "IneligibleError",
]


def __getattr__(name: str):
    # render and verify pull in pypdf/pyHanko: import them on first use, keep `import k39docs` light
    if name == "render":
        from .render import render

        return render
    if name == "verify_pdf":
        from .signing import verify_pdf

        return verify_pdf
    raise AttributeError(name)
