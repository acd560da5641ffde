"""A PDF's text as poppler's pdftotext gives it (what a clerk's viewer copies), for the tests."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdftotext(
    path: Path, first: int | None = None, last: int | None = None, layout: bool = False
) -> str:
    """The text of ``path`` (pages ``first``–``last``; ``layout``: kept in its columns)."""
    cmd = [
        "pdftotext",
        *(["-layout"] if layout else []),
        *(["-f", str(first)] if first else []),
        *(["-l", str(last)] if last else []),
    ]
    return subprocess.run(cmd + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    """``text`` with every run of white space (line ends included) as one space."""
    return " ".join(text.split())
