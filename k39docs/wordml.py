"""WordprocessingML names and the one rule that editing it needs: children in schema order."""

from __future__ import annotations

from collections.abc import Container

from lxml import etree

__all__ = ["W", "w", "insert_in_order"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


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
