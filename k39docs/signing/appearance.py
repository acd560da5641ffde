"""How the signatures look, and where they go around the signer's block (Nghị định 30/2020,
Phụ lục I, chữ ký số).

From the block found on the công văn (:mod:`k39docs.signing.block`), :func:`plan_block_layout`
derives

* the person's signature: the blue PNG centred between the chức vụ and the name;
* the agency's signature: the red seal at its real size over the left third of the signature
  image, and the signing information (agency name, ISO 8601 time in Vietnam time) in Times New
  Roman (Liberation Serif) 10 pt under the name;

and :class:`DrawingStyle` / :class:`DrawingStamp` draw them with pyHanko (the text in the font
of :mod:`k39docs.signing.stampfont`). The attachments' stamps: :mod:`k39docs.signing.stamps`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import pil_image
from pyhanko.pdf_utils.writer import BasePdfFileWriter, PdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle

from ..errors import SigningError
from ..nd30.fonts import text_width_mm
from .block import SignatureBlock
from .geometry import PT_PER_MM, Rect
from .stampfont import font_engine

__all__ = [
    "BlockLayout",
    "PlacedImage",
    "PlacedText",
    "DrawingStyle",
    "DrawingStamp",
    "INFO_FONT_SIZE",
    "plan_block_layout",
    "image_size_pt",
]

INFO_FONT_SIZE = 10  # ND30: thông tin chữ ký số, Times New Roman 10
INFO_LEADING = 12
SEAL_DEFAULT_MM = 36.0  # a UBND seal; used when the PNG does not say its resolution
SIGNATURE_DEFAULT_WIDTH_MM = 50.0
MIN_GAP_MM = 10.0


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


@dataclass(frozen=True)
class DrawingStyle(BaseStampStyle):
    """A pyHanko stamp style drawing PNG images and centred/aligned text lines at fixed places."""

    images: tuple[PlacedImage, ...] = ()
    texts: tuple[PlacedText, ...] = ()
    border_width: int = 0
    background_opacity: float = 1.0

    def lines(self) -> list[str]:
        """Every line of text it prints, as printed (NFC)."""
        return [unicodedata.normalize("NFC", line) for t in self.texts for line in t.lines]

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
            assert self.writer is not None  # given to __init__, which requires it
            name = pdf_name(f"/ImgK39Img{n}")
            self.set_resource(ResourceType.XOBJECT, name, embed_image(self.writer, image.path))
            ops.append(
                b"q 1 0 0 1 %g %g cm q %g 0 0 %g 0 0 cm %s Do Q Q"
                % (image.rect.x0, image.rect.y0, image.rect.width, image.rect.height, name.encode())
            )
        if style.texts:
            assert self.writer is not None  # given to __init__, which requires it
            engine = font_engine(self.writer, INFO_FONT_SIZE)
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


def embed_image(writer: BasePdfFileWriter, png: Path) -> generic.IndirectObject:
    """The PNG ``png`` as an image XObject of ``writer`` (with its soft mask), as pyHanko
    writes one (:func:`pyhanko.pdf_utils.images.pil_image`); encoded once per process for each
    image (by its bytes): decoding the signature and the seal and compressing them again took
    a fifth of a signing."""
    return _encoded_image(Path(png).read_bytes()).add_to(writer)


@dataclass(frozen=True)
class _EncodedImage:
    """An image XObject as pyHanko makes it, kept as its dictionary and compressed bytes."""

    entries: tuple[tuple[str, generic.PdfObject], ...]  # without /SMask and /Length
    data: bytes  # Flate-compressed, as /Filter says
    mask: _EncodedImage | None  # the soft mask (the PNG's alpha channel)

    def add_to(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        entries = generic.DictionaryObject(dict(self.entries))
        if self.mask is not None:
            entries[pdf_name("/SMask")] = self.mask.add_to(writer)
        return writer.add_object(generic.StreamObject(entries, encoded_data=self.data))

    @classmethod
    def of(cls, stream: generic.PdfObject) -> _EncodedImage:
        assert isinstance(stream, generic.StreamObject)
        return cls(
            tuple((k, v) for k, v in stream.items() if k not in ("/SMask", "/Length")),
            stream.encoded_data,
            cls.of(stream["/SMask"]) if "/SMask" in stream else None,
        )


@lru_cache(maxsize=16)
def _encoded_image(png: bytes) -> _EncodedImage:
    with Image.open(BytesIO(png)) as img:
        img.load()
        return _EncodedImage.of(pil_image(img.copy(), PdfFileWriter()).get_object())
