"""Files shipped with k39docs: the DOCX templates and the sample dossier with its demo images.

In a wheel they live inside the package (``k39docs/templates``, ``k39docs/data``); in a checkout
they are the top-level ``templates/`` and ``fixtures/`` folders. One place decides which.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["template_dir", "sample_dossier", "sample_images"]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _first_dir(*candidates: Path) -> Path:
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise FileNotFoundError(f"k39docs data folder missing: tried {', '.join(map(str, candidates))}")


def template_dir() -> Path:
    """The built-in DOCX templates."""
    return _first_dir(_PACKAGE / "templates", _CHECKOUT / "templates")


def _data_dir() -> Path:
    return _first_dir(_PACKAGE / "data", _CHECKOUT / "fixtures")


_SEAL_NOTE = (
    "  # demo: true vẽ con dấu thử nghiệm theo issuer.name khi bỏ seal_image; con dấu mẫu của cơ\n"
    "  # quan khác (con dấu Quảng Ngãi của tệp mẫu này) được thay bằng dấu của issuer, có cảnh báo\n"
)


def sample_dossier() -> str:
    """The commented sample dossier (``fixtures/sample.yaml``), as text, with a note above its
    ``seal_image`` line: a user of another province keeps no Quảng Ngãi seal by mistake."""
    text = (_data_dir() / "sample.yaml").read_text(encoding="utf-8")
    at = text.find("\n  seal_image:")
    return text if at < 0 or _SEAL_NOTE in text else text[: at + 1] + _SEAL_NOTE + text[at + 1 :]


def sample_images() -> list[Path]:
    """The demo signature and seal images the sample dossier refers to."""
    return sorted((_data_dir() / "images").glob("*.png"))
