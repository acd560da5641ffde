"""The top-right corner of an attachment's first page, where the signing information goes (ND30,
Phụ lục I: số ký hiệu, thời gian ký, tên cơ quan), as its reader sees the page (/Rotate
included).

The signing information is page content painted from one form XObject. The bundle can paint a
form left empty in every such corner as it writes ``dossier.pdf`` (:func:`reserve_corners`, by
qpdf, which writes the pages anyway); signing then only fills that one form, instead of reading
and rewriting each attachment's first page in the signature's revision (a hundred of them for a
hundred candidates). What the corner looks like once filled, and the page-by-page way for a PDF
without the form: :mod:`k39docs.signing.stamps`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pikepdf
from pikepdf import Name

__all__ = [
    "CORNER_NAME",
    "CORNER_MARK",
    "RIGHT_MM",
    "TOP_MM",
    "corner_point",
    "corner_matrix",
    "reserve_corners",
]

CORNER_NAME = "/K39Info"  # the form's name in the pages' resources (another if taken)
CORNER_MARK = "/K39Corner"  # set on a form left empty for the signing information
RIGHT_MM, TOP_MM = 15.0, 5.0  # the corner's distance from the right and top edges
_PT_PER_MM = 72 / 25.4

# display space → user space, per /Rotate (before the page box offset)
_PLACEMENT: dict[int, tuple[float, float, float, float, float, float]] = {
    0: (1, 0, 0, 1, 0, 0),
    90: (0, 1, -1, 0, 1, 0),
    180: (-1, 0, 0, -1, 1, 1),
    270: (0, -1, 1, 0, 0, 1),
}


def corner_point(
    box: tuple[float, float, float, float],
    rotate: int,
    *,
    right_mm: float = RIGHT_MM,
    top_mm: float = TOP_MM,
) -> tuple[float, float]:
    """The corner ``right_mm`` and ``top_mm`` from the top-right of the visible page, as the page
    is seen (origin at its bottom left as seen; ``box``: its CropBox or MediaBox, x0 y0 x1 y1;
    ``rotate``: its /Rotate)."""
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    seen_w, seen_h = (height, width) if rotate % 360 in (90, 270) else (width, height)
    return seen_w - right_mm * _PT_PER_MM, seen_h - top_mm * _PT_PER_MM


def corner_matrix(
    box: tuple[float, float, float, float],
    rotate: int,
    *,
    right_mm: float = RIGHT_MM,
    top_mm: float = TOP_MM,
) -> tuple[float, float, float, float, float, float]:
    """The matrix (``a b c d e f``) that puts the origin of what is drawn below and to the left
    of it, upright as the page is seen, at :func:`corner_point`."""
    x0, y0 = min(box[0], box[2]), min(box[1], box[3])
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    x, y = corner_point(box, rotate, right_mm=right_mm, top_mm=top_mm)
    rotate %= 360
    a, b, c, d, e, f = _PLACEMENT[rotate if rotate in _PLACEMENT else 0]
    return a, b, c, d, a * x + c * y + e * width + x0, b * x + d * y + f * height + y0


def _rotation(page: pikepdf.Object) -> int:
    """A page's /Rotate, its own or the nearest /Pages node's."""
    node: pikepdf.Object | None = page
    seen = 0
    while node is not None and seen < 64:
        if Name.Rotate in node:
            return int(node.Rotate) % 360
        node = node.get(Name.Parent)
        seen += 1
    return 0


def reserve_corners(pdf: pikepdf.Pdf, pages: Iterable[int]) -> tuple[int, str] | None:
    """Paint one empty form XObject (marked :data:`CORNER_MARK`) in the corner of each of
    ``pages`` (0-based): each page's content is wrapped in ``q … Q`` (a graphics state it leaves
    behind cannot move the corner) and followed by a small stream painting the form, shared by
    the pages of the same size and rotation. Returns the first page and the form's name there
    (to find the form again once the file is written and its objects renumbered), or None
    when there is no page."""
    pages = list(dict.fromkeys(pages))
    if not pages:
        return None
    form = pdf.make_stream(b"", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 0, 0])
    form[CORNER_MARK] = True
    save_state = pikepdf.Stream(pdf, b"q")
    paints: dict[bytes, pikepdf.Stream] = {}
    first: tuple[int, str] | None = None
    for index in pages:
        page = pdf.pages[index]
        if Name.Resources not in page.obj:
            page.obj.Resources = pikepdf.Dictionary()
        resources = page.obj.Resources
        if Name.XObject not in resources:
            resources.XObject = pikepdf.Dictionary()
        xobjects = resources.XObject
        name, n = CORNER_NAME, 0
        while name in xobjects and xobjects[name].objgen != form.objgen:
            n += 1
            name = f"{CORNER_NAME}{n}"
        xobjects[name] = form
        x0, y0, x1, y1 = (float(v) for v in page.cropbox)  # else the MediaBox, inherited
        matrix = corner_matrix((x0, y0, x1, y1), _rotation(page.obj))
        paint = b"Q q %g %g %g %g %g %g cm %s Do Q" % (*matrix, name.encode("ascii"))
        if paint not in paints:
            paints[paint] = pikepdf.Stream(pdf, paint)
        page.contents_add(save_state, prepend=True)
        page.contents_add(paints[paint])
        if first is None:
            first = (index, name)
    return first
