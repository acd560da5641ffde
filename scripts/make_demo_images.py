"""Draw the demo signature and seal images used by the sample dossier (``fixtures/sample.yaml``).

Both are transparent PNGs as Nghị định 30/2020 Phụ lục I asks for digital copies: a blue
handwriting-like signature, and a red round seal the size of a real one (36 mm, stored with its
DPI so the signer can place it at its actual size) with the agency name set around the rim in
Vietnamese. They are illustrations for testing only: the seal carries the word "MẪU" (sample)
in the centre so nobody mistakes it for the agency's real seal.

    python scripts/make_demo_images.py [OUTDIR]     # default: fixtures/images
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k39docs.fonts import serif_font_path  # noqa: E402

__all__ = ["draw_signature", "draw_seal", "main"]

DPI = 300
SCALE = 4  # draw at 4x and downsample: cheap anti-aliasing for strokes
SIGNATURE_BLUE = (16, 52, 166, 255)
SEAL_RED = (218, 37, 29, 255)
SEAL_DIAMETER_MM = 36.0
SEAL_TEXT = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


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
    for i in range(0, 241):
        t = i / 240
        a = t * 2 * math.pi * 1.15
        x = w * (0.17 + 0.07 * math.sin(a) - 0.05 * t)
        y = h * (0.50 - 0.36 * math.sin(a / 2) ** 1 * (1 - 0.2 * t))
        initial.append((x, y))
    stroke(initial, 4)
    # the rest of the name: small cursive loops of uneven size, slowly rising
    tail = []
    for i in range(0, 501):
        t = i / 500
        phase = t * 2 * math.pi * 4.2
        amp = 0.17 * (1 - 0.45 * t) * (1 + 0.35 * math.sin(t * 7.0))
        x = w * (0.13 + 0.66 * t) + 0.035 * w * math.sin(phase)
        y = h * (0.56 - 0.10 * t) - amp * h * math.sin(phase + 1.2)
        tail.append((x, y))
    stroke(tail, 4)
    # the flourish: from the end of the name back under it, rising to the right
    flourish = []
    for i in range(0, 241):
        t = i / 240
        x = w * (0.79 - 0.72 * math.sin(t * math.pi * 0.5)) if t < 0.55 else None
        if x is None:
            u = (t - 0.55) / 0.45
            x = w * (0.79 - 0.72 * math.sin(0.55 * math.pi * 0.5) + 0.84 * u)
            y = h * (0.83 - 0.16 * u)
        else:
            y = h * (0.46 + 0.70 * t)
        flourish.append((x, min(y, h * 0.86)))
    stroke(flourish, 3)
    return big.resize((w, h), Image.LANCZOS)


def _rim_text(img: Image.Image, text: str, font: ImageFont.FreeTypeFont, centre: float,
              radius: float, span_deg: float) -> None:
    """Set ``text`` clockwise along the top of a circle, letters upright relative to the rim."""
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths)
    deg_per_px = span_deg / total
    angle = -90 - span_deg / 2  # start on the left, run over the top (0° = 3 o'clock)
    for ch, adv in zip(text, widths):
        mid = angle + adv * deg_per_px / 2
        angle += adv * deg_per_px
        if ch == " ":
            continue
        box = font.getbbox(ch, anchor="ms")
        size = int(max(box[2] - box[0], box[3] - box[1]) * 2.4) + 8
        glyph = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, font=font, fill=SEAL_RED, anchor="ms")
        glyph = glyph.rotate(-(mid + 90), resample=Image.BICUBIC, expand=False)
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


def draw_seal(name: str = SEAL_TEXT, diameter_mm: float = SEAL_DIAMETER_MM) -> Image.Image:
    """A red round seal: double rim, ``name`` around the top, a star and "MẪU" in the centre."""
    d = _px(diameter_mm)
    D = d * SCALE
    img = Image.new("RGBA", (D, D), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = D / 2
    outer = D / 2 - 2 * SCALE
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=SEAL_RED, width=round(D * 0.028))
    inner = outer * 0.66
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=SEAL_RED, width=round(D * 0.012))

    bold = str(serif_font_path(bold=True))
    rim_font = ImageFont.truetype(bold, round(D * 0.085))
    _rim_text(img, name, rim_font, c, radius=outer * 0.74, span_deg=300)

    _star(draw, c, c - inner * 0.18, inner * 0.42)
    label_font = ImageFont.truetype(bold, round(D * 0.075))
    draw.text((c, c + inner * 0.62), "MẪU", font=label_font, fill=SEAL_RED, anchor="ms")
    return img.resize((d, d), Image.LANCZOS)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else ROOT / "fixtures" / "images"
    out.mkdir(parents=True, exist_ok=True)
    draw_signature().save(out / "chu-ky.png", dpi=(DPI, DPI), optimize=True)
    draw_seal().save(out / "con-dau.png", dpi=(DPI, DPI), optimize=True)
    for name in ("chu-ky.png", "con-dau.png"):
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
