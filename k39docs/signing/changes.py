"""What a PDF's later revisions changed, said the way a clerk can check it on paper.

pyHanko judges whether the changes after a signature are allowed; this module says what they
were: signatures added, content laid over or rewritten on page N, an annotation added on page N,
pages added or removed, the document's metadata changed, other objects changed. ``verify`` uses
it so that an overlay, a rewritten content stream, an added annotation and a metadata-only update
are each named for what they are, instead of one sentence for all.

A revision that adds a signature may also update the catalog, the form, fonts, appearance
streams, the metadata (pyHanko records the signing software there) and the page that carries
the signature field: those belong to the signing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Changes", "changes_after"]

_SIGNING_KINDS = ("/Sig", "/DocTimeStamp", "/DSS", "/VRI")


@dataclass
class Changes:
    """The changes of the revisions after one revision, sorted by kind."""

    signatures: int = 0  # signatures added
    overlaid_pages: set[int] = field(default_factory=set)  # content added on top (1-based)
    rewritten_pages: set[int] = field(default_factory=set)  # a content stream replaced
    annotated_pages: set[int] = field(default_factory=set)  # annotations other than signatures
    page_attributes: set[int] = field(default_factory=set)  # box, rotation, resources …
    page_tree: bool = False  # pages added, removed or replaced
    metadata: bool = False  # document information or XMP metadata (outside a signing)
    others: int = 0  # other objects changed

    @property
    def only_signing(self) -> bool:
        return not self.descriptions() or self.descriptions() == [self._signed()]

    @property
    def only_metadata(self) -> bool:
        return self.metadata and self.descriptions() in ([_METADATA], [self._signed(), _METADATA])

    def _signed(self) -> str:
        return f"thêm {self.signatures:02d} chữ ký số"

    def descriptions(self) -> list[str]:
        """Vietnamese, one phrase per kind of change, in the order a reader checks them."""
        said = []
        if self.signatures:
            said.append(self._signed())
        if self.page_tree:
            said.append("thêm, xóa hoặc thay trang")
        if self.overlaid_pages:
            said.append(f"thêm nội dung đè lên {_pages(self.overlaid_pages)}")
        if self.rewritten_pages:
            said.append(f"viết lại nội dung {_pages(self.rewritten_pages)}")
        if self.annotated_pages:
            said.append(f"thêm chú thích (annotation) trên {_pages(self.annotated_pages)}")
        if self.page_attributes:
            said.append(
                f"sửa thuộc tính (khổ, chiều, tài nguyên) của {_pages(self.page_attributes)}"
            )
        if self.metadata:
            said.append(_METADATA)
        if self.others:
            said.append(f"sửa {self.others:02d} đối tượng khác của tệp")
        return said


_METADATA = "sửa thông tin mô tả tệp (metadata)"


def _pages(numbers: set[int]) -> str:
    listed = sorted(numbers)
    shown = ", ".join(str(n) for n in listed[:8]) + (" …" if len(listed) > 8 else "")
    return f"trang {shown}"


def _page_refs(resolver) -> list:
    """References of the pages, in order, as ``resolver`` (one revision) sees them."""
    refs = []
    stack = [resolver.root.raw_get("/Pages")]
    seen = set()
    while stack:
        ref = stack.pop()
        key = (ref.idnum, ref.generation)
        if key in seen:
            continue
        seen.add(key)
        node = resolver.get_object(ref)
        if node.get("/Type") == "/Pages":
            stack.extend(reversed(list(node.raw_get("/Kids"))))
        else:
            refs.append(ref)
    return refs


def _key(ref) -> tuple[int, int]:
    return (ref.idnum, ref.generation)


def _contents(page) -> list[tuple[int, int]]:
    from pyhanko.pdf_utils.generic import ArrayObject, IndirectObject

    raw = page.raw_get("/Contents") if "/Contents" in page else None
    if raw is None:
        return []
    if isinstance(raw, IndirectObject):
        target = raw.get_object()
        if isinstance(target, ArrayObject):
            return [_key(r) for r in target if isinstance(r, IndirectObject)]
        return [_key(raw)]
    if isinstance(raw, ArrayObject):
        return [_key(r) for r in raw if isinstance(r, IndirectObject)]
    return []


def _annotation_kinds(page) -> list[str]:
    """Each annotation of ``page``: its /FT for a form widget (``/Sig``), else its /Subtype."""
    if "/Annots" not in page:
        return []
    kinds = []
    for item in page["/Annots"]:
        annot = item.get_object()
        kinds.append(str(annot.get("/FT") or annot.get("/Subtype") or "?"))
    return kinds


def _is_signing_object(obj) -> bool:
    from pyhanko.pdf_utils.generic import DictionaryObject

    if not isinstance(obj, DictionaryObject):
        return False
    if obj.get("/Type") in _SIGNING_KINDS or "/ByteRange" in obj:
        return True
    return obj.get("/FT") == "/Sig"


def _signature_count(resolver, refs) -> int:
    return sum(1 for ref in refs if _is_signature_value(resolver.get_object(ref)))


def _is_signature_value(obj) -> bool:
    from pyhanko.pdf_utils.generic import DictionaryObject

    return isinstance(obj, DictionaryObject) and "/ByteRange" in obj


def changes_after(reader, revision: int) -> Changes:
    """What the revisions after ``revision`` (0-based, as pyHanko counts) changed."""
    changes = Changes()
    total = reader.xrefs.total_revisions
    for rev in range(revision + 1, total):
        _revision_changes(reader, rev, changes)
    return changes


def _revision_changes(reader, rev: int, changes: Changes) -> None:
    old = reader.get_historical_resolver(rev - 1)
    new = reader.get_historical_resolver(rev)
    refs = list(reader.xrefs.explicit_refs_in_revision(rev))
    added_signatures = _signature_count(new, refs)
    changes.signatures += added_signatures
    signing = added_signatures > 0
    old_pages = {_key(r): i + 1 for i, r in enumerate(_page_refs(old))}
    new_pages = [_key(r) for r in _page_refs(new)]
    if new_pages != list(old_pages):
        changes.page_tree = True
    content_of = {}
    for ref_key, number in old_pages.items():
        for content in _contents(old.get_object(_ref(reader, ref_key))):
            content_of[content] = number
    info = old.trailer_view.raw_get("/Info") if "/Info" in old.trailer_view else None
    info_key = _key(info) if info is not None and hasattr(info, "idnum") else None
    for ref in refs:
        ref_key = _key(ref)
        obj = new.get_object(ref)
        existed = reader.xrefs.get_introducing_revision(ref) < rev
        kind = obj.get("/Type") if hasattr(obj, "get") else None
        if ref_key in old_pages:
            _page_changes(old, new, ref, old_pages[ref_key], changes, signing)
        elif ref_key in content_of and existed:
            changes.rewritten_pages.add(content_of[ref_key])
        elif kind == "/Pages":
            continue  # its page list was compared above
        elif ref_key == info_key or kind == "/Metadata":
            changes.metadata = changes.metadata or not signing
        elif kind == "/Catalog":
            changes.metadata = changes.metadata or (not signing and _catalog_metadata(old, new))
        elif signing or _is_signing_object(obj) or not existed:
            continue  # the signing's own objects; a new object is counted where it is used
        else:
            changes.others += 1


def _ref(reader, key: tuple[int, int]):
    from pyhanko.pdf_utils.generic import Reference

    return Reference(key[0], key[1], reader)


def _catalog_metadata(old, new) -> bool:
    return (
        old.root.raw_get("/Metadata") != new.root.raw_get("/Metadata")
        if "/Metadata" in new.root
        else False
    )


def _page_changes(old, new, ref, number: int, changes: Changes, signing: bool) -> None:
    before, after = old.get_object(ref), new.get_object(ref)
    old_contents, new_contents = _contents(before), _contents(after)
    if new_contents != old_contents:
        if (
            new_contents[: len(old_contents)] == old_contents
            or new_contents[-len(old_contents) :] == old_contents
        ):
            changes.overlaid_pages.add(number)
        else:
            changes.rewritten_pages.add(number)
    old_annots, new_annots = _annotation_kinds(before), _annotation_kinds(after)
    added = list(new_annots)
    for kind in old_annots:
        if kind in added:
            added.remove(kind)
    if any(kind != "/Sig" for kind in added):
        changes.annotated_pages.add(number)
    ignored = {"/Contents", "/Annots", "/Parent"}
    if signing:
        ignored |= {"/Resources"}  # a signing's appearance may add fonts to the page it is on
    for key in set(before) | set(after):
        if key in ignored:
            continue
        if before.raw_get(key) != after.raw_get(key) if key in before and key in after else True:
            changes.page_attributes.add(number)
            break
