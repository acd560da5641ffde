"""Finding LibreOffice (``soffice``) and a Python that can drive it (``import uno``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from ..errors import DependencyError

__all__ = ["INSTALL_HINT", "find_soffice", "find_uno_python"]

INSTALL_HINT = (
    "Không tìm thấy LibreOffice (soffice) để chuyển DOCX sang PDF. Cài đặt:\n"
    "  Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui python3-uno fonts-liberation2\n"
    "  macOS: brew install --cask libreoffice\n"
    "  Windows: cài LibreOffice từ libreoffice.org\n"
    "hoặc đặt biến môi trường K39_SOFFICE trỏ tới tệp soffice. "
    "Chỉ cần DOCX thì chạy với --format docx."
)


def _install_dirs() -> list[Path]:
    dirs = [
        Path("/usr/lib/libreoffice/program"),
        Path("/opt/libreoffice/program"),
        *sorted(Path("/opt").glob("libreoffice*/program"), reverse=True),
        Path("/Applications/LibreOffice.app/Contents/MacOS"),
        Path.home() / "Applications/LibreOffice.app/Contents/MacOS",
    ]
    if sys.platform == "win32":
        for base in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")):
            if base:
                dirs.append(Path(base) / "LibreOffice" / "program")
    return dirs


def find_soffice() -> Path:
    """Locate ``soffice``: ``$K39_SOFFICE``, then PATH, then the usual install folders."""
    override = os.environ.get("K39_SOFFICE")
    if override:
        if Path(override).is_file():
            return Path(override)
        raise DependencyError(f"K39_SOFFICE={override} không phải là tệp.\n{INSTALL_HINT}")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    exe = "soffice.exe" if sys.platform == "win32" else "soffice"
    for folder in _install_dirs():
        if (folder / exe).is_file():
            return folder / exe
    raise DependencyError(INSTALL_HINT)


@cache
def _can_import_uno(python: str) -> bool:
    try:
        return (
            subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_uno_python(soffice: Path) -> str | None:
    """A Python that can ``import uno``: ``$K39_UNO_PYTHON``, LibreOffice's own, or the system's."""
    candidates = [os.environ.get("K39_UNO_PYTHON", "")]
    program = soffice.resolve().parent
    candidates += [
        str(program / "python"),
        str(program / "python.exe"),
        str(program.parent / "Resources" / "python"),
    ]
    candidates += ["/usr/bin/python3", shutil.which("python3") or ""]
    for python in candidates:
        if python and Path(python).is_file() and _can_import_uno(python):
            return python
    return None
