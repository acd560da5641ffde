"""WordprocessingML names and the one rule that editing it needs: children in schema order."""

from __future__ import annotations

import re
from collections.abc import Container

from lxml import etree

__all__ = [
    "W",
    "w",
    "insert_in_order",
    "field_other_than_page",
    "bookmark",
    "no_break_hyphens",
    "AFTER_PGNUMTYPE",
]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# the children of w:sectPr that come after w:pgNumType (schema order matters to Word)
AFTER_PGNUMTYPE = {
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
}


def w(tag: str) -> str:
    """Clark name of a WordprocessingML element or attribute: ``w('p')`` → ``{…main}p``."""
    return f"{{{W}}}{tag}"


def insert_in_order(parent, child, later: Container[str]) -> None:
    """Put ``child`` in ``parent`` before the first child whose local name is in ``later`` (the
    elements the schema puts after it), else last: Word refuses children out of order."""
    following = next((c for c in parent if etree.QName(c).localname in later), None)
    if following is None:
        parent.append(child)
    else:
        following.addprevious(child)


_FIELD = re.compile(rb'<w:instrText[^>]*>([^<]*)</w:instrText>|<w:fldSimple [^>]*w:instr="([^"]*)"')


def field_other_than_page(xml: bytes) -> str | None:
    """The name of the first field in a part other than PAGE, else None. Documents converted
    as pieces of a larger one (k39docs.pdf.combine) or in pieces (k39docs.pdf.pagepatch) print PAGE
    right, and would print NUMPAGES, TITLE or FILENAME wrong."""
    for match in _FIELD.finditer(xml):
        words = (match.group(1) or match.group(2) or b"").split()
        # (a field's code may come in pieces: the switches after its name are let through)
        if words and not words[0].startswith(b"\\") and words[0].upper() != b"PAGE":
            return words[0].decode(errors="replace")
    return None


def bookmark(p, name: str, ident: int) -> tuple:
    """Put an empty bookmark ``name`` at the start of paragraph ``p`` and return its two
    elements. LibreOffice exports bookmarks as named destinations: the PDF then tells on which
    page the paragraph begins."""
    start = etree.Element(w("bookmarkStart"))
    start.set(w("id"), str(ident))
    start.set(w("name"), name)
    end = etree.Element(w("bookmarkEnd"))
    end.set(w("id"), str(ident))
    at = 1 if len(p) and p[0].tag == w("pPr") else 0
    p.insert(at, start)
    p.insert(at + 1, end)
    return start, end


def no_break_hyphens(root, where) -> None:
    """Make the hyphens ``where(text)`` finds in each text run non-breaking: Word's
    ``<w:noBreakHyphen/>`` (printed and copied as "-"), the text split around it."""
    space = "{http://www.w3.org/XML/1998/namespace}space"
    for t in list(root.iter(w("t"))):
        text = t.text or ""
        cuts = where(text) if "-" in text else []
        if not cuts:
            continue
        pieces = [text[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(text)], strict=True)]
        t.text = pieces[0]
        t.set(space, "preserve")
        at = t
        for piece in pieces[1:]:
            hyphen = etree.Element(w("noBreakHyphen"))
            at.addnext(hyphen)
            at = hyphen
            if piece:
                rest = etree.Element(w("t"))
                rest.text = piece
                rest.set(space, "preserve")
                at.addnext(rest)
                at = rest
