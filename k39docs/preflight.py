"""Problems known before anything is rendered: found by ``validate`` and before LibreOffice
starts, each naming its field (and its YAML line when the file is known), in the loader's form.

The checks that need more than the model: a signer's line that would not fit one line of the
signature column or has characters the font lacks (:mod:`k39docs.signer_fit`), the signature
and seal images (:mod:`k39docs.images`), and the clerk's scans (:mod:`k39docs.scans`: missing,
encrypted, broken, not a PDF or picture, too large). None of them imports pyHanko.
"""

from __future__ import annotations

from pathlib import Path

from .dossier.model import Dossier
from .errors import DossierError, FieldIssue
from .images import signing_image_issues
from .scans import scan_issues
from .signer_fit import signer_issues

__all__ = ["dossier_issues", "check_dossier"]


def dossier_issues(
    dossier: Dossier, base_dir: Path | None = None, *, signing: bool | None = None
) -> list[tuple[str, str]]:
    """(field path, Vietnamese message) for each problem found before rendering. The images
    matter only to signing: ``signing`` says whether this run signs (None: whenever the
    dossier's ``signing`` is set up, as ``validate`` asks)."""
    issues = signer_issues(dossier)
    if dossier.signing.enabled if signing is None else signing:
        issues += signing_image_issues(dossier, base_dir)
    return issues + scan_issues(dossier, base_dir)


def check_dossier(
    dossier: Dossier,
    source: str | Path | None = None,
    *,
    base_dir: Path | None = None,
    signing: bool | None = None,
) -> None:
    """Raise :class:`DossierError` listing :func:`dossier_issues`; ``source`` is the file the
    dossier was read from, read again (only when there is an issue) for the YAML lines or the
    workbook's cells."""
    issues = dossier_issues(dossier, base_dir, signing=signing)
    if not issues:
        return
    from .dossier.loader import WORKBOOK_SUFFIXES, _parse_at, read_yaml

    where = book = None
    if source is not None:
        try:
            if Path(source).suffix.lower() in WORKBOOK_SUFFIXES:
                from .workbook.read import read_workbook

                book = read_workbook(Path(source))
            else:
                _, where = read_yaml(Path(source))
        except Exception:  # noqa: BLE001 — the lines are a help; the issues stand without them
            where = book = None
    found = []
    for path, message in issues:
        if book is not None:
            found.append(FieldIssue(path, None, message, cell=book.cell_of(path)))
        else:
            found.append(
                FieldIssue(
                    path, where.line_of(_parse_at(path)) if where is not None else None, message
                )
            )
    raise DossierError(found, str(source) if source is not None else None)
