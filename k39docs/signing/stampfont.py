"""The font the signing information is printed in (ND30: Times New Roman): Liberation Serif,
its Vietnamese part rescaled to 1000 units per em and kept in the user cache, embedded as one
subset per PDF revision through pyHanko's OpenType engine (HarfBuzz shaping, ToUnicode), so
Vietnamese renders and can be extracted again."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from ..errors import SigningError
from ..nd30.fonts import serif_font_path

__all__ = ["signing_font_path", "font_program", "font_engine"]


@cache
def signing_font_path() -> str:
    """The Times New Roman clone the signing information is printed in; SigningError if absent."""
    try:
        return str(serif_font_path())
    except FileNotFoundError as exc:
        raise SigningError(str(exc)) from None


@cache
def font_program() -> bytes:
    """Liberation Serif rescaled to 1000 units per em (see :func:`_rescaled_font`).

    Rescaling costs about a second, so the result is kept in the user cache folder
    (``fonts/`` under :func:`k39docs.cache.cache_root`), keyed by the font file (path, size,
    modification time) and the fontTools and pyHanko versions: a run reads it back in a few
    milliseconds, and computes it at most once per process when the cache is cold, off
    (``K39_NO_CACHE=1``) or not writable.
    """
    path = Path(signing_font_path())
    cached = _font_cache_file(path)
    if cached is not None:
        try:
            data = cached.read_bytes()
        except OSError:
            data = b""
        if _looks_like_font(data):
            return data
    data = _rescaled_font(path)
    if cached is not None:
        _store_quietly(cached, data)
    return data


_FONT_CACHE_FORMAT = 1  # bump when _rescaled_font changes what it makes


def _font_cache_file(font: Path) -> Path | None:
    if os.environ.get("K39_NO_CACHE", "") in ("1", "true", "yes"):
        return None
    import fontTools
    from pyhanko.version import __version__ as pyhanko_version

    from ..cache import cache_root

    try:
        stat = font.stat()
    except OSError:
        return None
    key = json.dumps(
        [
            _FONT_CACHE_FORMAT,
            str(font.resolve()),
            stat.st_size,
            stat.st_mtime_ns,
            fontTools.version,
            pyhanko_version,
            _VIETNAMESE_RANGES,
        ]
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return cache_root() / "fonts" / f"{font.stem}-1000upem-{digest}.ttf"


def _looks_like_font(data: bytes) -> bool:
    return len(data) > 1024 and data[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO")


def _store_quietly(path: Path, data: bytes) -> None:
    """Write ``path`` atomically; a read-only or full disk only costs the next run a rescale."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".ttf")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def _rescaled_font(path: Path) -> bytes:
    """The Vietnamese part of the font at ``path``, scaled to 1000 units per em.

    pyHanko (0.38) writes glyph widths (/W) and kerning (TJ) in the font's own units, which PDF
    reads as thousandths of an em: right for 1000-unit fonts, but a 2048-unit TrueType font such
    as Liberation Serif or Times New Roman comes out with its letters twice as far apart. Scaling
    the font program to 1000 units makes the two agree.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(path))
    # keep what Vietnamese text needs (Latin, Vietnamese letters, combining marks, punctuation, ₫):
    # a smaller font scales and subsets several times faster
    options = subset.Options(
        layout_closure=True, notdef_outline=True, name_IDs=["*"], name_languages=["*"]
    )
    options.drop_tables += ["FFTM"]  # FontForge timestamp: fontTools cannot subset it and says so
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[cp for lo, hi in _VIETNAMESE_RANGES for cp in range(lo, hi + 1)])
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


_VIETNAMESE_RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2010, 0x205E),
    (0x20AB, 0x20AC),
]
_ENGINE_ATTRIBUTE = "_k39_font_engine"


def font_engine(writer: BasePdfFileWriter, size: float) -> GlyphAccumulator:
    """One embedded font subset per PDF writer (i.e. per revision), shared by all its stamps.

    It is kept on the writer, and goes with it. (A weak-keyed map from writer to engine kept
    both for good: the engine refers to its writer, so the key never died, and a session
    grew by a font's worth of objects with every signature.)"""
    engine = getattr(writer, _ENGINE_ATTRIBUTE, None)
    if engine is None:
        engine = GlyphAccumulator(
            writer=writer, font_handle=BytesIO(font_program()), font_size=size
        )
        setattr(writer, _ENGINE_ATTRIBUTE, engine)
    return engine
