"""The demo signature and seal images: drawn here, and the seal chosen for demo signing.

Both are transparent PNGs as Nghị định 30/2020 Phụ lục I asks for digital copies: a blue
handwriting-like signature, and a red round seal the size of a real one (36 mm, stored with its
DPI so the signer can place it at its actual size) with the agency name set around the rim in
Vietnamese. They are illustrations for testing only: the seal carries the word "MẪU" (sample) in
the centre so nobody mistakes it for an agency's real seal.

A seal drawn here records the name it carries in a PNG text chunk (:data:`SEAL_NAME_KEY`), so
demo signing can tell a demo seal drawn for another agency (the sample's Quảng Ngãi seal kept in
a Gia Lai dossier) and draw the issuer's own instead (:func:`demo_seal`).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from ..nd30.fonts import serif_font_path
from ..vietnamese import upper_vn

__all__ = [
    "DPI",
    "SEAL_DIAMETER_MM",
    "SEAL_NAME_KEY",
    "SAMPLE_SEAL_NAME",
    "draw_signature",
    "draw_seal",
    "save_png",
    "seal_name_of",
    "demo_seal",
]

DPI = 300
SCALE = 4  # draw at 4x and downsample: cheap anti-aliasing for strokes
SIGNATURE_BLUE = (16, 52, 166, 255)
SEAL_RED = (218, 37, 29, 255)
SEAL_DIAMETER_MM = 36.0
SEAL_NAME_KEY = "k39docs-demo-seal"  # PNG tEXt key: the name around the rim of a demo seal
SAMPLE_SEAL_NAME = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"  # the sample dossier's issuer
# the sample seal shipped before seals recorded their name (a copy may sit in a user's folder)
_OLD_SAMPLE_SEALS = {
    "5f1eed15eaf65fa5a398bf45904c6360b02109a229ecdfa9b6ec80ce131e0a81": SAMPLE_SEAL_NAME
}
RIM_SPAN_DEG = 300.0  # the name runs over the top, leaving the bottom of the ring open
RIM_FONT = 0.085  # rim letters' size, of the seal's diameter, for a name that has room
RIM_TRACKING = 1.25  # the least room per letter, of its advance, before the font shrinks


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def draw_signature() -> Image.Image:
    """A blue cursive-looking scrawl with an underline flourish, on a transparent background."""
    w, h = _px(50), _px(20)
    big = Image.new("RGBA", (w * SCALE, h * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)

    def stroke(points, width):
        pts = [(x * SCALE, y * SCALE) for x, y in points]
        draw.line(pts, fill=SIGNATURE_BLUE, width=width * SCALE, joint="curve")
        for x, y in (pts[0], pts[-1]):
            r = width * SCALE / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=SIGNATURE_BLUE)

    # a tall initial loop, like a capital letter written in one go
    initial = []
    for i in range(241):
        t = i / 240
        a = t * 2 * math.pi * 1.15
        x = w * (0.17 + 0.07 * math.sin(a) - 0.05 * t)
        y = h * (0.50 - 0.36 * math.sin(a / 2) ** 1 * (1 - 0.2 * t))
        initial.append((x, y))
    stroke(initial, 4)
    # the rest of the name: small cursive loops of uneven size, slowly rising
    tail = []
    for i in range(501):
        t = i / 500
        phase = t * 2 * math.pi * 4.2
        amp = 0.17 * (1 - 0.45 * t) * (1 + 0.35 * math.sin(t * 7.0))
        x = w * (0.13 + 0.66 * t) + 0.035 * w * math.sin(phase)
        y = h * (0.56 - 0.10 * t) - amp * h * math.sin(phase + 1.2)
        tail.append((x, y))
    stroke(tail, 4)
    # the flourish: from the end of the name back under it, rising to the right
    flourish = []
    for i in range(241):
        t = i / 240
        if t < 0.55:
            x = w * (0.79 - 0.72 * math.sin(t * math.pi * 0.5))
            y = h * (0.46 + 0.70 * t)
        else:
            u = (t - 0.55) / 0.45
            x = w * (0.79 - 0.72 * math.sin(0.55 * math.pi * 0.5) + 0.84 * u)
            y = h * (0.83 - 0.16 * u)
        flourish.append((x, min(y, h * 0.86)))
    stroke(flourish, 3)
    return big.resize((w, h), Image.Resampling.LANCZOS)


def _rim_text(
    img: Image.Image,
    text: str,
    font: ImageFont.FreeTypeFont,
    centre: float,
    radius: float,
    span_deg: float,
) -> None:
    """Set ``text`` clockwise along the top of a circle, letters upright relative to the rim."""
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths)
    deg_per_px = span_deg / total
    angle = -90 - span_deg / 2  # start on the left, run over the top (0° = 3 o'clock)
    for ch, adv in zip(text, widths, strict=True):
        mid = angle + adv * deg_per_px / 2
        angle += adv * deg_per_px
        if ch == " ":
            continue
        box = font.getbbox(ch, anchor="ms")
        size = int(max(box[2] - box[0], box[3] - box[1]) * 2.4) + 8
        glyph = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, font=font, fill=SEAL_RED, anchor="ms")
        glyph = glyph.rotate(-(mid + 90), resample=Image.Resampling.BICUBIC, expand=False)
        x = centre + radius * math.cos(math.radians(mid)) - size / 2
        y = centre + radius * math.sin(math.radians(mid)) - size / 2
        img.alpha_composite(glyph, (round(x), round(y)))


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.382
        a = math.radians(-90 + k * 36)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(pts, fill=SEAL_RED)


def _rim_font(
    font_path: str, name: str, diameter: float, band: tuple[float, float]
) -> tuple[ImageFont.FreeTypeFont, float]:
    """The rim font and the baseline radius: as large as :data:`RIM_FONT` allows, smaller
    for a name too long to go round at that size (``ỦY BAN NHÂN DÂN TỈNH BÀ RỊA - VŨNG TÀU``),
    the letters centred in the ring between the two circles."""
    lo, hi = band
    size = round(diameter * RIM_FONT)
    while True:
        font = ImageFont.truetype(font_path, size)
        # caps with an accent above rise about 0.95 em over the baseline, a dot below 0.15 em
        radius = (lo + hi) / 2 - 0.4 * size
        room = math.radians(RIM_SPAN_DEG) * radius
        if font.getlength(name) * RIM_TRACKING <= room or size <= 8:
            return font, radius
        size -= 1


def draw_seal(name: str = SAMPLE_SEAL_NAME, diameter_mm: float = SEAL_DIAMETER_MM) -> Image.Image:
    """A red round seal: double rim, ``name`` (in capitals) around the top, a star and "MẪU" in
    the centre. A long name is set in a smaller font so its letters never touch."""
    name = " ".join(upper_vn(name).split())
    d = _px(diameter_mm)
    D = d * SCALE
    img = Image.new("RGBA", (D, D), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = D / 2
    outer = D / 2 - 2 * SCALE
    outer_width = round(D * 0.028)
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=SEAL_RED, width=outer_width)
    inner = outer * 0.66
    draw.ellipse(
        (c - inner, c - inner, c + inner, c + inner), outline=SEAL_RED, width=round(D * 0.012)
    )

    bold = str(serif_font_path(bold=True))
    rim_font, radius = _rim_font(bold, name, D, (inner + D * 0.006, outer - outer_width))
    _rim_text(img, name, rim_font, c, radius=radius, span_deg=RIM_SPAN_DEG)

    _star(draw, c, c - inner * 0.18, inner * 0.42)
    label_font = ImageFont.truetype(bold, round(D * 0.075))
    draw.text((c, c + inner * 0.62), "MẪU", font=label_font, fill=SEAL_RED, anchor="ms")
    seal = img.resize((d, d), Image.Resampling.LANCZOS)
    seal.info[SEAL_NAME_KEY] = name
    return seal


def save_png(image: Image.Image, path: Path) -> Path:
    """Write ``image`` as a PNG with its DPI (its real size) and, for a seal, the name it carries."""
    meta = PngInfo()
    if SEAL_NAME_KEY in image.info:
        meta.add_itxt(SEAL_NAME_KEY, image.info[SEAL_NAME_KEY])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, dpi=(DPI, DPI), optimize=True, pnginfo=meta)
    return path


def seal_name_of(path: Path) -> str | None:
    """The name around the rim of a demo seal drawn by k39docs (or the sample seal of an earlier
    version); None for any other image, e.g. an agency's own seal."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    old = _OLD_SAMPLE_SEALS.get(hashlib.sha256(data).hexdigest())
    if old is not None:
        return old
    try:
        with Image.open(path) as img:
            name = img.info.get(SEAL_NAME_KEY)
    except Exception:  # noqa: BLE001 — not an image we can read: not ours
        return None
    return " ".join(str(name).split()) if name else None


def demo_seal(seal_image: Path | None, agency_name: str, folder: Path) -> tuple[Path, str | None]:
    """The seal image demo signing puts on the công văn, and a warning when it is not the one
    the dossier gave.

    No ``seal_image``: a demo seal drawn with ``agency_name`` (written into ``folder``). A demo
    seal drawn for another agency (the sample's Quảng Ngãi seal in a Gia Lai dossier): the
    issuer's own is drawn instead, and the warning says so. Any other image is used as given.
    """
    wanted = " ".join(upper_vn(agency_name).split())
    if seal_image is not None:
        drawn_for = seal_name_of(seal_image)
        if drawn_for is None or drawn_for == wanted:
            return seal_image, None
    path = save_png(draw_seal(wanted), Path(folder) / "con-dau-mau.png")
    if seal_image is None:
        return path, None
    return path, (
        f"Ảnh con dấu `{seal_image}` (signing.seal_image) là con dấu mẫu của “{drawn_for}”, "
        f"không phải của cơ quan ban hành “{agency_name}”: bản ký thử nghiệm (demo: true) dùng "
        f"con dấu mẫu vẽ theo tên “{wanted}”. Hãy bỏ dòng `seal_image` (con dấu mẫu được vẽ theo "
        f"`issuer.name`) hoặc thay bằng ảnh con dấu của cơ quan."
    )
