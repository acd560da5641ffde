"""Where the signatures go on the page, and how they look (Nghị định 30/2020, Phụ lục I, chữ ký số).

The công văn's signature block is found in the rendered PDF, not at fixed coordinates: the text
lines of its pages are read with pypdf (position, size, font), the signer's name is matched with
the chức vụ lines above it, and the empty lines between them become the place of the signature.
From that block :func:`plan_block_layout` derives

* the person's signature: the blue PNG centred between the chức vụ and the name;
* the agency's signature: the red seal at its real size over the left third of the signature
  image, and the signing information (agency name, ISO 8601 time in Vietnam time) in Times New
  Roman (Liberation Serif) 10 pt under the name.

Attachments of the công văn get the agency's signing information (số ký hiệu, time, agency name)
in the top-right corner of their first page as page content (:func:`stamp_attachments`: drawn
once, painted on every such page).
Text is drawn with pyHanko's OpenType engine (HarfBuzz shaping, subset embedding, ToUnicode), so
Vietnamese renders and can be extracted again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from itertools import pairwise
from pathlib import Path

from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle
from pypdf import PageObject, PdfReader

from ..errors import SigningError
from ..fonts import serif_font_path, text_width_mm

__all__ = [
    "Rect",
    "TextLine",
    "SignatureBlock",
    "BlockLayout",
    "PlacedImage",
    "PlacedText",
    "DrawingStyle",
    "INFO_FONT_SIZE",
    "page_text_lines",
    "find_signature_block",
    "plan_block_layout",
    "attachment_info_lines",
    "stamp_attachment",
    "stamp_attachments",
    "image_size_pt",
    "signing_font_path",
]

PT_PER_MM = 72 / 25.4
INFO_FONT_SIZE = 10  # ND30: thông tin chữ ký số, Times New Roman 10
INFO_LEADING = 12
SEAL_DEFAULT_MM = 36.0  # a UBND seal; used when the PNG does not say its resolution
SIGNATURE_DEFAULT_WIDTH_MM = 50.0
MIN_GAP_MM = 10.0


# --- geometry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    """A rectangle in PDF user space (points, origin bottom left)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def union(self, other: Rect) -> Rect:
        return Rect(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def snapped(self) -> Rect:
        """The smallest rectangle with whole-point corners containing this one."""
        return Rect(
            math.floor(self.x0), math.floor(self.y0), math.ceil(self.x1), math.ceil(self.y1)
        )

    def as_box(self) -> tuple[int, int, int, int]:
        """Integer box for pyHanko's ``SigFieldSpec`` (rounded outwards)."""
        r = self.snapped()
        return int(r.x0), int(r.y0), int(r.x1), int(r.y1)


# --- reading the rendered text ----------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """One line of text on a page as the PDF draws it (a run of chunks on one baseline)."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _mul(m, n):
    """Product of two PDF matrices [a b c d e f] (m applied first, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    ]


def _style_of(font_dict) -> tuple[bool, bool]:
    name = str((font_dict or {}).get("/BaseFont", "")).lower()
    return "bold" in name, ("italic" in name or "oblique" in name)


def page_text_lines(page: PageObject) -> list[TextLine]:
    """The text lines of a page, left to right on each baseline, top of the page first."""
    chunks: list[tuple[float, float, float, float, str]] = []  # baseline, x0, x1, size, text

    def visit(text, cm, tm, font_dict, font_size):
        if not text or not text.strip():
            return
        m = _mul(tm, cm)
        scale = abs(m[0] * m[3] - m[1] * m[2]) ** 0.5 or 1.0
        size = (font_size or 0) * scale
        if size <= 0:
            return
        for part in text.split("\n"):
            if not part.strip():
                continue
            bold, italic = _style_of(font_dict)
            width = (
                text_width_mm(unicodedata.normalize("NFC", part), size, bold=bold, italic=italic)
                * PT_PER_MM
            )
            chunks.append((m[5], m[4], m[4] + width, size, part))

    page.extract_text(visitor_text=visit)

    def joined(parts) -> str:
        # chunks drawn apart (words positioned separately) are separate words
        text = parts[0][4]
        for prev, nxt in pairwise(parts):
            gap = nxt[1] - prev[2]
            if gap > 0.15 * prev[3] and not text.endswith(" ") and not nxt[4].startswith(" "):
                text += " "
            text += nxt[4]
        return text

    # chunks on (nearly) the same baseline, then split where a column gap separates them
    chunks.sort(key=lambda c: -c[0])
    rows: list[list[tuple[float, float, float, float, str]]] = []
    for chunk in chunks:
        if rows and abs(rows[-1][0][0] - chunk[0]) <= 1.5:
            rows[-1].append(chunk)
        else:
            rows.append([chunk])
    lines: list[TextLine] = []
    for row in rows:
        row.sort(key=lambda c: c[1])
        run = [row[0]]
        for following in [*row[1:], None]:  # None: the row's end
            if following is not None and following[1] - max(c[2] for c in run) < 1.5 * run[-1][3]:
                run.append(following)
                continue
            lines.append(
                TextLine(
                    text=_norm(joined(run)),
                    x0=run[0][1],
                    x1=max(c[2] for c in run),
                    baseline=run[0][0],
                    size=max(c[3] for c in run),
                )
            )
            if following is not None:
                run = [following]
    lines.sort(key=lambda ln: (-ln.baseline, ln.x0))
    return lines


@dataclass(frozen=True)
class SignatureBlock:
    """The signer's block on a page: the last chức vụ line, the name, and the empty space between."""

    page: int
    title: TextLine  # the last chức vụ line (e.g. "PHÓ CHỦ TỊCH")
    name: TextLine  # họ tên người ký
    column_width: float  # width of the widest line of the block

    @property
    def centre_x(self) -> float:
        return self.name.centre_x

    @property
    def gap(self) -> Rect:
        """The free space between the chức vụ and the name (without their descenders/accents)."""
        top = self.title.baseline - 0.25 * self.title.size
        bottom = self.name.baseline + 0.95 * self.name.size
        half = self.column_width / 2
        return Rect(self.centre_x - half, bottom, self.centre_x + half, top)


def find_signature_block(
    reader: PdfReader, pages: Sequence[int], signer_name: str, title_lines: Sequence[str]
) -> SignatureBlock:
    """Locate the signature block of ``signer_name`` on the given pages (the last match wins)."""
    want_name = _norm(signer_name)
    want_titles = [_norm(t) for t in title_lines if t and t.strip()]
    for index in sorted(pages, reverse=True):
        if not 0 <= index < len(reader.pages):
            raise SigningError(
                f"Trang {index + 1} của công văn không có trong tệp PDF ({len(reader.pages)} trang)."
            )
        lines = page_text_lines(reader.pages[index])
        for name in sorted(
            (ln for ln in lines if ln.text == want_name), key=lambda ln: ln.baseline
        ):
            above = [
                ln
                for ln in lines
                if ln.baseline > name.baseline + name.size and abs(ln.centre_x - name.centre_x) < 60
            ]
            if not want_titles:
                title = min(above, key=lambda ln: ln.baseline, default=None)
                if title is None:
                    continue
                block_lines = [title, name]
            else:
                matches = [ln for ln in above if ln.text == want_titles[-1]]
                if not matches:
                    continue
                title = min(matches, key=lambda ln: ln.baseline)
                # nothing else may sit between the chức vụ and the name in that column
                between = [ln for ln in above if ln.baseline < title.baseline]
                if between:
                    continue
                block_lines = [ln for ln in above if ln.text in want_titles] + [name]
            width = max(ln.x1 - ln.x0 for ln in block_lines)
            return SignatureBlock(page=index, title=title, name=name, column_width=width)
    shown = " / ".join([*title_lines, signer_name])
    raise SigningError(
        f"Không tìm thấy khối chữ ký “{shown}” trên các trang công văn "
        f"({', '.join(str(p + 1) for p in pages)}) của tệp PDF: không biết đặt chữ ký số ở đâu. "
        "Họ tên và chức vụ người ký (documents.cover_letter.signer) phải in được mỗi dòng trên một "
        "dòng của cột chữ ký, bằng phông Times New Roman; mẫu công văn riêng (--templates) phải in "
        "chúng đúng như trong hồ sơ."
    )


# --- layout -----------------------------------------------------------------------------------


def image_size_pt(path: Path, default_width_mm: float) -> tuple[float, float]:
    """Physical size of a PNG from its DPI; ``default_width_mm`` wide when the file has no DPI."""
    with Image.open(path) as img:
        w, h = img.size
        dpi = img.info.get("dpi")
    if dpi and dpi[0] and dpi[1] and dpi[0] > 1:
        return w / float(dpi[0]) * 72, h / float(dpi[1]) * 72
    width = default_width_mm * PT_PER_MM
    return width, width * h / w


def _text_width(text: str, size: float = INFO_FONT_SIZE) -> float:
    return text_width_mm(unicodedata.normalize("NFC", text), size) * PT_PER_MM


@dataclass(frozen=True)
class PlacedImage:
    path: Path
    rect: Rect  # relative to the stamp's lower left corner


@dataclass(frozen=True)
class PlacedText:
    lines: tuple[str, ...]
    anchor_x: float  # relative x of the left edge, centre or right edge (per ``align``)
    top: float  # relative y of the top of the first line
    align: str = "center"  # left | center | right
    size: float = INFO_FONT_SIZE
    leading: float = INFO_LEADING

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)

    def width(self) -> float:
        return max((_text_width(t, self.size) for t in self.lines), default=0.0)


@dataclass(frozen=True)
class BlockLayout:
    """Where each signature appearance goes on the signature-block page (page coordinates)."""

    page: int
    person_rect: Rect
    person: DrawingStyle
    agency_rect: Rect
    agency: DrawingStyle
    signature_rect: Rect  # the signature image (or text) inside person_rect
    seal_rect: Rect | None  # the seal image inside agency_rect
    info_rect: Rect  # the agency's signing information text


def _texts_box(anchor_x: float, top: float, lines: Sequence[str], align: str = "center") -> Rect:
    width = max(_text_width(t) for t in lines) + 2
    height = INFO_LEADING * len(lines) + 3
    if align == "center":
        x0 = anchor_x - width / 2
    elif align == "right":
        x0 = anchor_x - width
    else:
        x0 = anchor_x
    return Rect(x0, top - height, x0 + width, top)


def plan_block_layout(
    block: SignatureBlock,
    *,
    page_box: Rect,
    signature_image: Path | None,
    seal_image: Path | None,
    person_lines: Sequence[str],
    agency_lines: Sequence[str],
    signed_rect: Rect | None = None,
    signed_with_image: bool = True,
) -> BlockLayout:
    """Place the signature image, the seal and the signing information around ``block``.

    ``signed_rect``: the person's signature is there already (signing later, the agency's
    turn: its widget as the PDF has it; ``signed_with_image`` whether it is an image), so the
    seal goes where it went had both been signed at once."""
    gap = block.gap
    if gap.height < MIN_GAP_MM * PT_PER_MM:
        raise SigningError(
            f"Khoảng trống giữa chức vụ và họ tên người ký trên trang {block.page + 1} chỉ "
            f"{gap.height / PT_PER_MM:.0f} mm: không đủ chỗ đặt hình chữ ký (cần ít nhất {MIN_GAP_MM:.0f} mm)."
        )
    cx, cy = block.centre_x, (gap.y0 + gap.y1) / 2

    # the person's signature: the image centred in the gap (shrunk to fit), or text
    if signed_rect is not None:
        sig = person_rect = signed_rect
        person = DrawingStyle()
        signature_image = Path("signed") if signed_with_image else None  # only tested for None
    elif signature_image is not None:
        w, h = image_size_pt(signature_image, SIGNATURE_DEFAULT_WIDTH_MM)
        scale = min(1.0, gap.height * 0.92 / h, max(block.column_width, 60 * PT_PER_MM) / w)
        w, h = w * scale, h * scale
        sig = Rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        person_rect = sig.snapped()
        person = DrawingStyle(
            images=(PlacedImage(signature_image, sig.moved(-person_rect.x0, -person_rect.y0)),)
        )
    else:
        sig = _texts_box(cx, cy + INFO_LEADING * len(person_lines) / 2 + 1.5, person_lines)
        person_rect = sig.snapped()
        person = DrawingStyle(
            texts=(
                PlacedText(
                    tuple(person_lines),
                    sig.centre[0] - person_rect.x0,
                    sig.y1 - person_rect.y0 - 1.5,
                ),
            )
        )

    # the agency: seal over the left third of the signature, information under the name
    seal = None
    if seal_image is not None:
        d_w, d_h = image_size_pt(seal_image, SEAL_DEFAULT_MM)
        # over the left third of the signature image; beside the signing text when there is
        # no image (a seal over the words "Ký bởi …" made them unreadable)
        right = sig.x0 + sig.width / 3 if signature_image is not None else sig.x0 - 2
        seal = Rect(right - d_w, cy - d_h / 2, right, cy + d_h / 2)
    info_top = block.name.baseline - 0.3 * block.name.size - 2
    info = _texts_box(cx, info_top, agency_lines)
    if info.y0 < page_box.y0 + 4 * PT_PER_MM:  # no room under the name: beside the signature
        info = _texts_box(sig.x1 + 4, cy + info.height / 2, agency_lines, align="left")
        if info.x1 > page_box.x1 - 4 * PT_PER_MM:
            info = info.moved(page_box.x1 - 4 * PT_PER_MM - info.x1, 0)
    agency_rect = (info if seal is None else info.union(seal)).snapped()
    images: tuple[PlacedImage, ...] = ()
    if seal_image is not None and seal is not None:  # the seal is placed when there is an image
        images = (PlacedImage(seal_image, seal.moved(-agency_rect.x0, -agency_rect.y0)),)
    texts = (
        PlacedText(
            tuple(agency_lines), info.centre[0] - agency_rect.x0, info.y1 - agency_rect.y0 - 1.5
        ),
    )
    agency = DrawingStyle(images=images, texts=texts)
    return BlockLayout(
        page=block.page,
        person_rect=person_rect,
        person=person,
        agency_rect=agency_rect,
        agency=agency,
        signature_rect=sig,
        seal_rect=seal,
        info_rect=info,
    )


# --- drawing ----------------------------------------------------------------------------------


@cache
def signing_font_path() -> str:
    """The Times New Roman clone the signing information is printed in; SigningError if absent."""
    try:
        return str(serif_font_path())
    except FileNotFoundError as exc:
        raise SigningError(str(exc)) from None


@cache
def _font_program() -> bytes:
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


def _font_engine(writer: BasePdfFileWriter, size: float) -> GlyphAccumulator:
    """One embedded font subset per PDF writer (i.e. per revision), shared by all its stamps.

    It is kept on the writer, and goes with it. (A weak-keyed map from writer to engine kept
    both for good: the engine refers to its writer, so the key never died, and a session
    grew by a font's worth of objects with every signature.)"""
    engine = getattr(writer, _ENGINE_ATTRIBUTE, None)
    if engine is None:
        engine = GlyphAccumulator(
            writer=writer, font_handle=BytesIO(_font_program()), font_size=size
        )
        setattr(writer, _ENGINE_ATTRIBUTE, engine)
    return engine


@dataclass(frozen=True)
class DrawingStyle(BaseStampStyle):
    """A pyHanko stamp style drawing PNG images and centred/aligned text lines at fixed places."""

    images: tuple[PlacedImage, ...] = ()
    texts: tuple[PlacedText, ...] = ()
    border_width: int = 0
    background_opacity: float = 1.0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params
    ) -> DrawingStamp:
        return DrawingStamp(writer, self, box)


class DrawingStamp(BaseStamp):
    """Renders a :class:`DrawingStyle` into a form XObject (signature appearance or page stamp)."""

    def __init__(self, writer: BasePdfFileWriter, style: DrawingStyle, box: layout.BoxConstraints):
        super().__init__(writer=writer, style=style, box=box)

    def _render_inner_content(self):
        style: DrawingStyle = self.style
        ops: list[bytes] = []
        for n, image in enumerate(style.images):
            with Image.open(image.path) as img:
                img.load()
                pdf_image = PdfImage(
                    img.copy(),
                    writer=self.writer,
                    name=f"K39Img{n}",
                    box=layout.BoxConstraints(image.rect.width, image.rect.height),
                )
            drawn = pdf_image.render()
            self.import_resources(pdf_image.resources)
            ops.append(b"q 1 0 0 1 %g %g cm %s Q" % (image.rect.x0, image.rect.y0, drawn))
        if style.texts:
            assert self.writer is not None  # given to __init__, which requires it
            engine = _font_engine(self.writer, INFO_FONT_SIZE)
            self.set_resource(ResourceType.FONT, pdf_name("/K39Font"), engine.as_resource())
            for placed in style.texts:
                # pyHanko annotates FontEngine.font_size as int, yet sizes in points are floats
                # there too (its shaping takes a float size)
                engine.font_size = placed.size  # type: ignore[assignment]
                for i, line in enumerate(placed.lines):
                    shaped = engine.shape(unicodedata.normalize("NFC", line))
                    width = shaped.x_advance * placed.size
                    if placed.align == "center":
                        x = placed.anchor_x - width / 2
                    elif placed.align == "right":
                        x = placed.anchor_x - width
                    else:
                        x = placed.anchor_x
                    baseline = placed.top - 0.8 * placed.size - i * placed.leading
                    ops.append(
                        b"BT 0 0 0 rg /K39Font %g Tf 1 0 0 1 %g %g Tm %s ET"
                        % (placed.size, x, baseline, shaped.graphics_ops)
                    )
        return ops


# --- attachment stamps ------------------------------------------------------------------------


def attachment_info_lines(
    document_number: str, signing_time_iso: str, agency_name: str
) -> list[str]:
    """ND30: "số và ký hiệu văn bản; thời gian ký; tên cơ quan, tổ chức", in that order."""
    number = (
        document_number if re.match(r"(?i)^số\b", document_number) else f"Số: {document_number}"
    )
    return [number, signing_time_iso, agency_name]


@dataclass(frozen=True)
class _StampedPage:
    """A page to stamp, as found once in the page tree (inherited attributes resolved)."""

    ref: generic.IndirectObject
    resources: generic.PdfObject | None  # the page's /Resources as written (reference or dict)
    resources_inherited: bool  # taken from a /Pages node, not from the page itself
    box: Rect  # CropBox, else MediaBox
    rotate: int


def _pages_to_stamp(writer: BasePdfFileWriter, wanted: Sequence[int]) -> dict[int, _StampedPage]:
    """The wanted pages, found in one walk of the page tree.

    pyHanko's ``find_page_for_modification`` walks the tree from the root for every call; on a
    flat tree of a few hundred pages (what pypdf writes) that made stamping 200 attachments take
    seconds. Inheritance follows the old per-page lookup: the nearest /CropBox or /MediaBox (a
    node's own /CropBox before its /MediaBox), the nearest /Rotate and /Resources.
    """
    todo = sorted(set(wanted))
    wanted_set = set(todo)
    found: dict[int, _StampedPage] = {}
    if not todo:
        return found
    root_ref = writer.root.raw_get("/Pages")

    def inherit(node, attrs: dict) -> dict:
        attrs = dict(attrs)
        if "/CropBox" in node:
            attrs["box"] = node["/CropBox"]
        elif "/MediaBox" in node:
            attrs["box"] = node["/MediaBox"]
        if "/Rotate" in node:
            attrs["rotate"] = node["/Rotate"]
        if "/Resources" in node:
            attrs["resources"] = node.raw_get("/Resources")
        return attrs

    # depth-first, skipping every subtree that holds no wanted page (by its /Count)
    # (a /Pages or /Page node, the index of its first page, what it inherits, the nodes above)
    stack: list[tuple[generic.IndirectObject, int, dict, frozenset]] = [
        (root_ref, 0, {}, frozenset())
    ]
    while stack and len(found) < len(todo):
        node_ref, first, attrs, seen = stack.pop()
        node = node_ref.get_object()
        attrs = inherit(node, attrs)
        seen = seen | {node_ref.reference}
        index = first
        children = []
        for kid_ref in node["/Kids"]:
            if not isinstance(kid_ref, generic.IndirectObject) or kid_ref.reference in seen:
                raise SigningError(
                    "Cây trang của tệp PDF bị hỏng: không đóng dấu thông tin chữ ký được."
                )
            kid = kid_ref.get_object()
            if kid.get("/Type") == "/Pages" or "/Kids" in kid:
                count = int(kid["/Count"])
                at = bisect_left(todo, index)
                if at < len(todo) and todo[at] < index + count:
                    children.append((kid_ref, index, attrs, seen))
                index += count
                continue
            if index in wanted_set:
                own = inherit(kid, {})
                box = own.get("box", attrs.get("box"))
                if box is None:
                    box = [0, 0, 595.28, 841.89]
                x0, y0, x1, y1 = (float(v) for v in box)
                found[index] = _StampedPage(
                    ref=kid_ref,
                    resources=own.get("resources", attrs.get("resources")),
                    resources_inherited="resources" not in own,
                    box=Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
                    rotate=int(own.get("rotate", attrs.get("rotate", 0))) % 360,
                )
            index += 1
        stack.extend(reversed(children))
    missing = [i for i in todo if i not in found]
    if missing:
        raise SigningError(
            f"Trang {missing[0] + 1} không có trong tệp PDF: không đóng dấu thông tin chữ ký được."
        )
    return found


def _pages_known(
    writer: BasePdfFileWriter, wanted: Sequence[int], objects: Sequence[int]
) -> dict[int, _StampedPage] | None:
    """The wanted pages read from their object numbers, or None (not given, or a page that
    inherits its box or resources, or is no page: the tree walk settles those)."""
    if not objects or len(objects) != len(wanted):
        return None
    found: dict[int, _StampedPage] = {}
    for index, number in zip(wanted, objects, strict=True):
        ref = generic.IndirectObject(number, 0, writer)
        try:
            page = ref.get_object()
        except Exception:  # noqa: BLE001 — not an object of this file: walk the tree instead
            return None
        if (
            not isinstance(page, generic.DictionaryObject)
            or page.get("/Type") != "/Page"
            or "/Resources" not in page
            or not ("/CropBox" in page or "/MediaBox" in page)
        ):
            return None
        box = page["/CropBox"] if "/CropBox" in page else page["/MediaBox"]
        x0, y0, x1, y1 = (float(v) for v in box)
        found[index] = _StampedPage(
            ref=ref,
            resources=page.raw_get("/Resources"),
            resources_inherited=False,
            box=Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
            rotate=_rotation(page),
        )
    return found


def _rotation(page) -> int:
    """A page's /Rotate, its own or the nearest /Pages node's (a few nodes at most)."""
    node, seen = page, 0
    while node is not None and seen < 64:
        if "/Rotate" in node:
            return int(node["/Rotate"]) % 360
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
        seen += 1
    return 0


# display space → user space, per /Rotate (before the page box offset)
_PLACEMENT: dict[int, tuple[float, float, float, float, float, float]] = {
    0: (1, 0, 0, 1, 0, 0),
    90: (0, 1, -1, 0, 1, 0),
    180: (-1, 0, 0, -1, 1, 1),
    270: (0, -1, 1, 0, 0, 1),
}
STAMP_NAME = "/K39Info"


def _xobject_name(
    writer: BasePdfFileWriter, page: _StampedPage, xobject: generic.IndirectObject
) -> str:
    """Put ``xobject`` into the page's resources; return its name there (``/K39Info`` unless taken).

    Resource dictionaries shared by several pages (LibreOffice shares one per document) get the
    entry once; a dictionary inherited from a /Pages node is copied onto the page first.
    """
    page_obj = page.ref.get_object()
    res_raw = page.resources
    if res_raw is None:
        resources, res_owner = generic.DictionaryObject(), page.ref
        page_obj[pdf_name("/Resources")] = resources
    elif isinstance(res_raw, generic.IndirectObject):
        resources, res_owner = _dictionary(res_raw.get_object()), res_raw
    elif page.resources_inherited:
        resources, res_owner = generic.DictionaryObject(res_raw), page.ref
        if "/XObject" in resources and isinstance(
            resources.raw_get("/XObject"), generic.DictionaryObject
        ):
            resources[pdf_name("/XObject")] = generic.DictionaryObject(
                resources.raw_get("/XObject")
            )
        page_obj[pdf_name("/Resources")] = resources
    else:
        resources, res_owner = _dictionary(res_raw), page.ref
    if "/XObject" in resources:
        xobjects_raw = resources.raw_get("/XObject")
        if isinstance(xobjects_raw, generic.IndirectObject):
            xobjects, owner = xobjects_raw.get_object(), xobjects_raw
        else:
            xobjects, owner = xobjects_raw, res_owner
    else:
        xobjects, owner = generic.DictionaryObject(), res_owner
        resources[pdf_name("/XObject")] = xobjects
    name, n = STAMP_NAME, 0
    while name in xobjects and xobjects.raw_get(name) != xobject:
        n += 1
        name = f"{STAMP_NAME}{n}"
    if name not in xobjects:
        xobjects[pdf_name(name)] = xobject
        writer.mark_update(owner)
    return name


def _dictionary(obj: generic.PdfObject) -> generic.DictionaryObject:
    """A page's /Resources, which the PDF format requires to be a dictionary."""
    if not isinstance(obj, generic.DictionaryObject):
        raise SigningError(
            "Tệp PDF hỏng: tài nguyên (/Resources) của một trang không phải từ "
            "điển; không đóng dấu thông tin chữ ký được."
        )
    return obj


def stamp_attachments(
    writer: BasePdfFileWriter,
    page_indices: Sequence[int],
    lines: Sequence[str],
    *,
    right_margin_mm: float = 15.0,
    top_mm: float = 5.0,
    page_objects: Sequence[int] = (),
) -> list[Rect]:
    """Print ``lines`` right-aligned in the top-right corner of each page, as page content.
    ``page_objects``: the object numbers of those pages, when the caller knows them (the
    bundle does): only they are read, not every page of the tree.

    The text is drawn once, into one form XObject (one embedded font subset), and every page
    paints it with a small content stream ``Q q <matrix> cm /K39Info Do Q`` appended to its own;
    pages of the same size and rotation share that stream, and all share the ``q`` stream put in
    front of their content (so a graphics state the page leaves behind cannot move the stamp).
    Returns the stamped area of each page in its displayed orientation (for checks).
    """
    if not page_indices:
        return []
    pages = _pages_known(writer, page_indices, page_objects) or _pages_to_stamp(
        writer, page_indices
    )
    text = PlacedText(tuple(lines), 0, 0, align="right")
    width, height = text.width() + 4, text.height + 3
    style = DrawingStyle(texts=(PlacedText(tuple(lines), width - 2, height - 1.5, align="right"),))
    xobject = DrawingStamp(writer, style, layout.BoxConstraints(width, height)).register()
    save_state = writer.add_object(generic.StreamObject(stream_data=b"q"))
    paint_streams: dict[bytes, generic.IndirectObject] = {}
    drawn_rects: dict[int, Rect] = {}
    for page_ix in dict.fromkeys(page_indices):  # each page once, in the given order
        page = pages[page_ix]
        box, rotate = page.box, page.rotate
        disp_w, disp_h = (box.height, box.width) if rotate in (90, 270) else (box.width, box.height)
        # the stamp in display coordinates (origin bottom left of the page as seen)
        x1 = disp_w - right_margin_mm * PT_PER_MM
        y1 = disp_h - top_mm * PT_PER_MM
        drawn = drawn_rects[page_ix] = Rect(x1 - width, y1 - height, x1, y1)
        a, b, c, d, e, f = _PLACEMENT[rotate if rotate in _PLACEMENT else 0]
        e, f = e * box.width, f * box.height
        # place the XObject at drawn.x0, drawn.y0 in display space, then the page box offset
        tx = a * drawn.x0 + c * drawn.y0 + e + box.x0
        ty = b * drawn.x0 + d * drawn.y0 + f + box.y0
        name = _xobject_name(writer, page, xobject)
        paint = b"Q q %g %g %g %g %g %g cm %s Do Q" % (a, b, c, d, tx, ty, name.encode("ascii"))
        if paint not in paint_streams:
            paint_streams[paint] = writer.add_object(generic.StreamObject(stream_data=paint))
        page_obj = page.ref.get_object()
        contents = page_obj.get("/Contents")  # a stream, an array of streams, or none (blank page)
        if contents is None:
            own = []
        elif isinstance(contents, generic.ArrayObject):
            own = list(contents)
        else:
            own = [page_obj.raw_get("/Contents")]
        page_obj[pdf_name("/Contents")] = writer.add_object(
            generic.ArrayObject([save_state, *own, paint_streams[paint]])
        )
        writer.mark_update(page.ref)
    return [drawn_rects[page_ix] for page_ix in page_indices]


def stamp_attachment(
    writer: BasePdfFileWriter,
    page_ix: int,
    lines: Sequence[str],
    *,
    right_margin_mm: float = 15.0,
    top_mm: float = 5.0,
) -> Rect:
    """:func:`stamp_attachments` for one page."""
    return stamp_attachments(
        writer, [page_ix], lines, right_margin_mm=right_margin_mm, top_mm=top_mm
    )[0]
