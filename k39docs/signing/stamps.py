"""The agency's signing information on the attachments of the công văn (ND30, Phụ lục I): số
ký hiệu, signing time and agency name in the top-right corner of each attachment's first page,
as page content, drawn once and painted on every such page."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from ..errors import SigningError
from ..pdf.corner import (
    CORNER_MARK,
    CORNER_NAME,
    RIGHT_MM,
    TOP_MM,
    corner_matrix,
    corner_point,
)
from .appearance import DrawingStamp, DrawingStyle, PlacedText
from .geometry import Rect

__all__ = ["attachment_info_lines", "fill_corner", "stamp_attachments", "stamp_attachment"]


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
    name, n = CORNER_NAME, 0
    while name in xobjects and xobjects.raw_get(name) != xobject:
        n += 1
        name = f"{CORNER_NAME}{n}"
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


def _drawn(
    writer: BasePdfFileWriter, lines: Sequence[str]
) -> tuple[generic.IndirectObject, float, float]:
    """``lines`` drawn right-aligned into a form XObject (its lower left corner at 0 0), with
    its width and height."""
    text = PlacedText(tuple(lines), 0, 0, align="right")
    width, height = text.width() + 4, text.height + 3
    style = DrawingStyle(texts=(PlacedText(tuple(lines), width - 2, height - 1.5, align="right"),))
    return (
        DrawingStamp(writer, style, layout.BoxConstraints(width, height)).register(),
        width,
        height,
    )


def fill_corner(writer: BasePdfFileWriter, number: int, lines: Sequence[str]) -> bool:
    """Print ``lines`` in the corner form the bundle painted on each attachment's first page
    (:func:`k39docs.pdf.corner.reserve_corners`), object ``number``: the form is replaced in
    this revision, and no page is read or written. False, with nothing done, when the object
    is no such form (:func:`stamp_attachments` stamps the pages then)."""
    ref = generic.IndirectObject(number, 0, writer)
    try:
        form = ref.get_object()
    except Exception:  # noqa: BLE001 — not an object of this file
        return False
    if not (
        isinstance(form, generic.StreamObject)
        and form.get("/Subtype") == "/Form"
        and getattr(form.get(CORNER_MARK), "value", False) is True
    ):
        return False
    drawn, width, height = _drawn(writer, lines)
    filled = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                generic.FloatObject(v) for v in (-width, -height, 0, 0)
            ),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/K39Drawn"): drawn})}
            ),
        },
        stream_data=b"1 0 0 1 %g %g cm /K39Drawn Do" % (-width, -height),
    )
    # an object written again in an incremental update replaces the one before (what
    # pyHanko's mark_update does for an object changed in place)
    writer.objects[(ref.generation, ref.idnum)] = filled
    return True


def stamp_attachments(
    writer: BasePdfFileWriter,
    page_indices: Sequence[int],
    lines: Sequence[str],
    *,
    right_margin_mm: float = RIGHT_MM,
    top_mm: float = TOP_MM,
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
    xobject, width, height = _drawn(writer, lines)
    save_state = writer.add_object(generic.StreamObject(stream_data=b"q"))
    paint_streams: dict[bytes, generic.IndirectObject] = {}
    drawn_rects: dict[int, Rect] = {}
    for page_ix in dict.fromkeys(page_indices):  # each page once, in the given order
        page = pages[page_ix]
        box = (page.box.x0, page.box.y0, page.box.x1, page.box.y1)
        at = {"right_mm": right_margin_mm, "top_mm": top_mm}
        # the stamp as the page is seen (origin at its bottom left as seen)
        x1, y1 = corner_point(box, page.rotate, **at)
        drawn_rects[page_ix] = Rect(x1 - width, y1 - height, x1, y1)
        corner = corner_matrix(box, page.rotate, **at)
        name = _xobject_name(writer, page, xobject)
        paint = b"Q q %g %g %g %g %g %g cm 1 0 0 1 %g %g cm %s Do Q" % (
            *corner,
            -width,
            -height,
            name.encode("ascii"),
        )
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
    right_margin_mm: float = RIGHT_MM,
    top_mm: float = TOP_MM,
) -> Rect:
    """:func:`stamp_attachments` for one page."""
    return stamp_attachments(
        writer, [page_ix], lines, right_margin_mm=right_margin_mm, top_mm=top_mm
    )[0]
