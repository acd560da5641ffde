"""The font the signing information is printed in (ND30: Times New Roman): Liberation Serif,
its Vietnamese part rescaled to 1000 units per em and kept in the user cache, shaped as
pyHanko's OpenType engine shapes it (HarfBuzz, kerning, /ActualText and ToUnicode) and embedded
as one subset per signed file, so Vietnamese renders and can be extracted again."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

import uharfbuzz as hb
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine, ShapeResult
from pyhanko.pdf_utils.font.opentype import CIDFontType2, FontDescriptor, GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter, PdfFileWriter

from ..errors import SigningError
from ..nd30.fonts import serif_font_path

__all__ = [
    "signing_font_path",
    "font_program",
    "font_engine",
    "embedded_font",
    "reuse_font",
    "EmbeddedFont",
    "SharedFont",
]


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
_SHARED_ATTRIBUTE = "_k39_shared_font"
_SANS_LAYOUT = ["GPOS", "GSUB", "GDEF"]  # what shaping reads; a PDF viewer never does
# in every subset, so that a signing's time (its digits) does not change which subset it needs
_ALWAYS = "0123456789:+-T"


@dataclass(frozen=True)
class SharedFont:
    """A font one revision embedded, for the next revision of the file to print with."""

    number: int  # its object number in the file
    glyphs: frozenset[int]  # the glyph ids it holds


class EmbeddedFont(FontEngine):
    """The signing font as one PDF revision prints with it: shaped as pyHanko's OpenType engine
    shapes it (HarfBuzz, kerning, /ActualText), by one shaper per process, and embedded as a
    subset of the glyphs the revision printed and :meth:`include` named.

    A subset is made once per process for each set of glyphs (:func:`_subset`): a service
    signs the same dossier again and again, and the set does not change with the signing time
    (the digits are always in). A second revision prints with the first one's subset
    (:func:`reuse_font`) when that holds its glyphs: one font for the file's two signatures."""

    def __init__(self, writer: BasePdfFileWriter, size: float, shared: SharedFont | None = None):
        super().__init__(writer, _shaper().cidfont_obj.name, embedded_subset=False)
        # pyHanko annotates font_size as int, yet sizes in points are floats there too
        self.font_size = size  # type: ignore[assignment]
        self._shared = shared
        self._embedded = False
        self._glyphs = set(_glyph_ids(_ALWAYS))
        self._font = (
            generic.IndirectObject(shared.number, 0, writer)
            if shared is not None
            else writer.allocate_placeholder()
        )

    def include(self, texts: Iterable[str]) -> None:
        """Put the glyphs of ``texts`` into the subset too (a later revision's, to share it)."""
        for text in texts:
            self._add(_glyph_ids(text))

    def shape(self, txt: str, with_actual_text: bool = True) -> ShapeResult:
        self._add(_glyph_ids(txt))
        shaper = _shaper()
        with _SHAPING:  # the shaper's size is this call's
            shaper.font_size = self.font_size
            return shaper.shape(txt, with_actual_text=with_actual_text)

    def _add(self, glyphs: frozenset[int]) -> None:
        if self._shared is not None and not glyphs <= self._shared.glyphs:
            # reuse_font was given a font that does not hold this text: a mistake in the caller
            raise SigningError("Phông chữ của lần ký trước thiếu ký tự cho thông tin chữ ký.")
        self._glyphs |= glyphs

    def as_resource(self) -> generic.IndirectObject:
        return self._font

    def prepare_write(self) -> None:
        """Called by the writer before it writes: the subset goes into the reserved object."""
        if self._shared is None and not self._embedded:
            _subset(frozenset(self._glyphs)).embed(self.writer, self._font)
            self._embedded = True

    @property
    def shared(self) -> SharedFont:
        if self._shared is not None:
            return self._shared
        return SharedFont(self._font.idnum, frozenset(self._glyphs))


_SHAPING = threading.Lock()


@cache
def _shaper() -> GlyphAccumulator:
    """HarfBuzz shaping over :func:`font_program`, for the process (bound to a scratch writer
    that is never written: shaping only reads the font)."""
    return GlyphAccumulator(
        writer=PdfFileWriter(), font_handle=BytesIO(font_program()), font_size=10
    )


@lru_cache(maxsize=1024)
def _glyph_ids(text: str) -> frozenset[int]:
    """The glyph ids HarfBuzz prints ``text`` with (as the shaper does)."""
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    shaper = _shaper()
    hb.shape(shaper.hb_font, buffer, shaper.features)
    return frozenset(info.codepoint for info in buffer.glyph_infos) | {0}


@dataclass(frozen=True)
class _Subset:
    """A subset of :func:`font_program` as the objects of a PDF Type0 font: CIDs are glyph ids
    (the font keeps its glyph ids, as the shaper writes them)."""

    name: str  # "ABCDEF+LiberationSerif", the tag from the glyphs it holds
    descriptor: generic.DictionaryObject  # without /FontFile2
    program: bytes  # FontFile2, Flate-compressed
    widths: tuple[tuple[int, tuple[int, ...]], ...]  # (first glyph id, widths from it) runs
    to_unicode: bytes  # the ToUnicode CMap, Flate-compressed

    def embed(self, writer: BasePdfFileWriter, font: generic.IndirectObject) -> None:
        """Add the font's objects to ``writer``, the Type0 font as ``font`` (reserved)."""

        def compressed(data: bytes) -> generic.IndirectObject:
            return writer.add_object(
                generic.StreamObject(
                    {pdf_name("/Filter"): pdf_name("/FlateDecode")}, encoded_data=data
                )
            )

        descriptor = generic.DictionaryObject(self.descriptor)
        descriptor[pdf_name("/FontBBox")] = generic.ArrayObject(self.descriptor["/FontBBox"])
        descriptor[pdf_name("/FontFile2")] = compressed(self.program)
        widths = generic.ArrayObject()
        for first, run in self.widths:
            widths += [
                generic.NumberObject(first),
                generic.ArrayObject(generic.NumberObject(w) for w in run),
            ]
        cid_font = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
                pdf_name("/BaseFont"): pdf_name(f"/{self.name}"),
                pdf_name("/CIDSystemInfo"): generic.DictionaryObject(
                    {
                        pdf_name("/Registry"): generic.TextStringObject("Adobe"),
                        pdf_name("/Ordering"): generic.TextStringObject("Identity"),
                        pdf_name("/Supplement"): generic.NumberObject(0),
                    }
                ),
                pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
                pdf_name("/FontDescriptor"): writer.add_object(descriptor),
                pdf_name("/W"): widths,
            }
        )
        type0 = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type0"),
                pdf_name("/BaseFont"): pdf_name(f"/{self.name}-Identity-H"),
                pdf_name("/Encoding"): pdf_name("/Identity-H"),
                pdf_name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
                pdf_name("/ToUnicode"): compressed(self.to_unicode),
            }
        )
        writer.add_object(type0, idnum=font.idnum)


@lru_cache(maxsize=32)
def _subset(glyphs: frozenset[int]) -> _Subset:
    """The subset of ``glyphs``, made once per process (fontTools takes ~10 ms to make one)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(font_program()))
    order = font.getGlyphOrder()
    options = subset.Options(layout_closure=False, notdef_outline=True, retain_gids=True)
    options.drop_tables += _SANS_LAYOUT
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(gids=sorted(glyphs))
    to_unicode = {}  # each glyph's lowest code point in the BMP
    for codepoint, glyph in sorted(font.getBestCmap().items(), reverse=True):
        gid = font.getGlyphID(glyph)
        if codepoint <= 0xFFFF and gid in glyphs:
            to_unicode[gid] = codepoint
    metrics = font["hmtx"].metrics
    widths = [(gid, metrics[order[gid]][0]) for gid in sorted(glyphs)]
    subsetter.subset(font)
    program = BytesIO()
    font.save(program)
    digest = hashlib.sha256(repr(sorted(glyphs)).encode()).digest()
    tag = "".join(chr(65 + b % 26) for b in digest[:6])
    cid_font = CIDFontType2(font, _shaper().cidfont_obj.name.split("+")[-1], tag)
    return _Subset(
        name=cid_font.name,
        descriptor=FontDescriptor(cid_font),
        program=zlib.compress(program.getvalue()),
        widths=tuple(_runs(widths)),
        to_unicode=zlib.compress(_to_unicode_cmap(to_unicode)),
    )


def _runs(widths: list[tuple[int, int]]) -> Iterator[tuple[int, tuple[int, ...]]]:
    """(glyph id, width) pairs in order as /W runs: (first glyph id, widths of consecutive ids)."""
    first, run = None, []
    for gid, width in widths:
        if first is not None and gid != first + len(run):
            yield first, tuple(run)
            first, run = None, []
        if first is None:
            first = gid
        run.append(width)
    if first is not None:
        yield first, tuple(run)


def _to_unicode_cmap(to_unicode: dict[int, int]) -> bytes:
    """A ToUnicode CMap (Adobe-Identity-UCS) mapping each glyph id to its code point."""
    entries = [f"<{gid:04x}> <{cp:04x}>" for gid, cp in sorted(to_unicode.items())]
    chunks = [entries[i : i + 100] for i in range(0, len(entries), 100)]  # 100 a block at most
    body = "\n".join(
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar" for chunk in chunks
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{body}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def font_engine(writer: BasePdfFileWriter, size: float) -> EmbeddedFont:
    """The font engine of ``writer`` (one per PDF revision), shared by all its stamps; it
    prints with the font of an earlier revision when :func:`reuse_font` named one.

    It is kept on the writer, and goes with it. (A weak-keyed map from writer to engine kept
    both for good: the engine refers to its writer, so the key never died, and a session
    grew by a font's worth of objects with every signature.)"""
    engine = getattr(writer, _ENGINE_ATTRIBUTE, None)
    if engine is None:
        engine = EmbeddedFont(writer, size, getattr(writer, _SHARED_ATTRIBUTE, None))
        setattr(writer, _ENGINE_ATTRIBUTE, engine)
    return engine


def embedded_font(writer: BasePdfFileWriter) -> SharedFont | None:
    """The font ``writer`` printed with, if it printed any text."""
    engine = getattr(writer, _ENGINE_ATTRIBUTE, None)
    return None if engine is None else engine.shared


def reuse_font(writer: BasePdfFileWriter, font: SharedFont | None) -> None:
    """Let ``writer`` (the next revision of a file) print with the ``font`` an earlier revision
    embedded (:func:`embedded_font`): it must hold every glyph the revision prints (put them
    in with :meth:`EmbeddedFont.include`)."""
    if font is not None:
        setattr(writer, _SHARED_ATTRIBUTE, font)
