"""Where the Times New Roman metric clone lives, how wide a line of text is in it, and which
characters it cannot print.

Rules under the header lines must be sized to the text (ND30 Phụ lục I), so we measure text with
the font LibreOffice actually uses on Linux: Liberation Serif, metric-compatible with TNR.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

__all__ = ["serif_font_path", "text_width_mm", "missing_glyphs", "FontMissingError"]

_FILES = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}
_TNR_FILES = {
    (False, False): "times.ttf",
    (True, False): "timesbd.ttf",
    (False, True): "timesi.ttf",
    (True, True): "timesbi.ttf",
}


class FontMissingError(FileNotFoundError):
    """Neither Liberation Serif nor Times New Roman was found on this machine."""


def _font_dirs() -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("K39_FONT_DIRS", "").split(os.pathsep) if p]
    dirs += [
        Path("/usr/share/fonts/truetype/liberation2"),
        Path("/usr/share/fonts/truetype/liberation"),
        Path("/usr/share/fonts/liberation-serif"),
        Path("/usr/share/fonts/TTF"),
        Path.home() / ".local/share/fonts",
        Path("/Library/Fonts"),
        Path.home() / "Library/Fonts",
    ]
    if sys.platform == "win32":
        dirs.append(Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
    return dirs


@cache
def serif_font_path(bold: bool = False, italic: bool = False) -> Path:
    """Path of Liberation Serif (or Times New Roman) in the requested style."""
    for names in (_FILES, _TNR_FILES):
        for folder in _font_dirs():
            candidate = folder / names[(bold, italic)]
            if candidate.is_file():
                return candidate
    raise FontMissingError(
        "Không tìm thấy phông Liberation Serif hoặc Times New Roman. "
        "Cài đặt: sudo apt-get install fonts-liberation2"
    )


@cache
def _metrics(bold: bool, italic: bool):
    from fontTools.ttLib import TTFont

    font = TTFont(serif_font_path(bold, italic), lazy=True)
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


@lru_cache(maxsize=8192)  # the same titles, names and lines are measured on every render
def text_width_mm(text: str, size_pt: float, *, bold: bool = False, italic: bool = False) -> float:
    """Advance width of ``text`` set in one line at ``size_pt`` (no kerning), in millimetres."""
    cmap, hmtx, upem = _metrics(bold, italic)
    units = 0
    for ch in text:
        glyph = cmap.get(ord(ch))
        if glyph is None:  # combining marks etc.: NFC text should not have any
            glyph = ".notdef"
        units += hmtx[glyph][0]
    return units / upem * size_pt * 25.4 / 72


def missing_glyphs(text: str, *, bold: bool = False, italic: bool = False) -> list[str]:
    """The characters of ``text`` (NFC) the font has no glyph for, each once, in order.

    Word and LibreOffice print such a character (an emoji, a rare symbol) in another font, so
    the line is neither Times New Roman nor measured right; its text may not even extract again.
    """
    cmap, _, _ = _metrics(bold, italic)
    missing: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) not in cmap and not ch.isspace() and ch not in missing:
            missing.append(ch)
    return missing
