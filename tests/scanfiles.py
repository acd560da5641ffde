"""Scans as a clerk's scanner makes them, for the tests: a PDF with a text layer to find it by,
and a picture with detail that lossy re-encoding would change."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def text_pdf(path: Path, marker: str, pages: int = 1, size=(595, 842)) -> Path:
    """A PDF whose every page shows ``marker`` (a scanner's OCR layer, say), to find it by."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = writer._add_object(font)
    for n in range(pages):
        page = writer.add_blank_page(*size)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 20 Tf 72 400 Td ({marker} {n + 1}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def photo(path: Path, fmt: str, size=(620, 877), mode="RGB") -> Path:
    """A small 'scan' with detail that lossy re-encoding would change."""
    img = Image.new(mode, size, "white")
    for x in range(0, size[0], 7):
        for y in range(0, size[1], 11):
            img.putpixel((x, y), (x % 256, y % 256, 90) + ((200,) if mode == "RGBA" else ()))
    img.save(path, fmt, **({"quality": 83} if fmt == "JPEG" else {}))
    return path
