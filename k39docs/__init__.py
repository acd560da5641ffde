"""k39docs: the paperwork for sending officials to training abroad under Kết luận 39-KL/TW.

From one YAML dossier: the Tờ trình, the Công văn, the nomination list, the commitments and
return reports as DOCX and PDF in the Nghị định 30/2020 layout, a bundled and signed
``dossier.pdf``, the eligibility check of every nominee, and a ``manifest.json``.
"""

from __future__ import annotations

__version__ = "0.1.0"

# where each public name lives: imported on first use, so that `import k39docs` loads no
# pydantic, pypdf or pyHanko until a name that needs them is used
_EXPORTS = {
    "load_dossier": "dossier.loader",
    "check_eligibility": "rules",
    "render": "render",
    "verify_pdf": "signing.verify",
    "sign": "signing.later",  # (k39docs.signing.sign is the module that signs at render time)
    "number_in_words": "vietnamese",
    "amount_in_words": "vietnamese",
    "format_date_line": "vietnamese",
    "retirement_date": "dossier.retirement",
    "Dossier": "dossier.model",
    "EligibilityReport": "rules",
    "K39Error": "errors",
    "DossierError": "errors",
    "DependencyError": "errors",
    "ConversionError": "errors",
    "SigningError": "errors",
    "IneligibleError": "errors",
    "EditedFilesError": "errors",
}
__all__ = ["__version__", *_EXPORTS]  # noqa: PLE0604 — the names of the lazy exports above


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'k39docs' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
