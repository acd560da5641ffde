"""The bundled ``dossier.pdf``: a contents page (MỤC LỤC HỒ SƠ), then every document in the
fixed order, one bookmark per document, and document metadata (title, author, subject, vi-VN).

The contents page is itself a rendered template; its page numbers depend on how many pages it
takes, so ``contents_rows`` counts from the contents' own length.

The documents are LibreOffice PDFs: classic cross-reference tables, no object streams, nothing
encrypted. Those are bundled by copying their objects' bytes (renumbered, reachable from their
pages only) instead of parsing every object with pypdf and writing it out again: a few hundred
milliseconds for 400 documents instead of several seconds. Any other PDF (object or
cross-reference streams, incremental updates, encryption, anything unexpected) makes the whole
bundle go through pypdf as before; the result is the same document either way.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

__all__ = ["Part", "page_count", "contents_rows", "bundle_pdf"]


@dataclass(frozen=True)
class Part:
    """One document in the bundle."""

    title: str
    pdf: Path
    kind: str
    candidate: str | None = None


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def contents_rows(parts: list[Part], counts: list[int], contents_pages: int) -> list[dict]:
    """One row per part with its first page in the bundle (page 1 is the contents page)."""
    rows, page = [], contents_pages + 1
    for index, (part, count) in enumerate(zip(parts, counts), start=1):
        rows.append({"index": index, "title": part.title, "page": page, "pages": count})
        page += count
    return rows


@dataclass(frozen=True)
class _Metadata:
    title: str
    author: str
    subject: str
    creator: str = "k39docs"
    lang: str = "vi-VN"


def bundle_pdf(contents: Path, parts: list[Part], out: Path, *, title: str, author: str,
               subject: str) -> list[int]:
    """Write the bundle; return each part's first page (0-based) in it."""
    meta = _Metadata(title=title, author=author, subject=subject)
    sources = [Path(contents), *(Path(p.pdf) for p in parts)]
    try:
        data, starts = _copy_bundle(sources, [p.title for p in parts], meta)
    except _NotPlain:
        data, starts = _pypdf_bundle(sources, [p.title for p in parts], meta)
    out.parent.mkdir(parents=True, exist_ok=True)
    # a new name opened exclusively (not mkstemp: the file gets the usual permissions, not 0600)
    tmp = out.parent / f".bundle-{os.getpid()}-{secrets.token_hex(4)}.pdf"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return starts


def _pypdf_bundle(sources: list[Path], titles: list[str], meta: _Metadata) -> tuple[bytes | bytearray, list[int]]:
    """The general path: every object parsed and written again by pypdf."""
    from io import BytesIO

    writer = PdfWriter()
    starts = []
    for index, source in enumerate(sources):
        start = len(writer.pages)
        writer.append(str(source), import_outline=False)
        if index:
            writer.add_outline_item(title=titles[index - 1], page_number=start)
            starts.append(start)
    writer.add_metadata({"/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
                         "/Creator": meta.creator})
    writer._root_object[NameObject("/Lang")] = TextStringObject(meta.lang)
    writer.page_mode = "/UseOutlines"
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), starts


# --- copying the objects of plain PDFs ----------------------------------------------------------


class _NotPlain(Exception):
    """This PDF is not a plain one (see the module docstring): bundle with pypdf instead."""


_WS = b" \t\r\n\f\x00"
_DELIMS = b"()<>[]{}/%"
_REF = re.compile(rb"(?<![0-9A-Za-z_.+\-/#])(\d+)\s+(\d+)\s+R(?![0-9A-Za-z_])")
_SPECIAL = re.compile(rb"[()<>\[\]%]")
_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj")
_INHERITED = (b"/Resources", b"/MediaBox", b"/CropBox", b"/Rotate")
_PAGE_KEYS_DROPPED = (b"/Type", b"/Parent")


def _skip_ws(data: bytes, pos: int) -> int:
    n = len(data)
    while pos < n:
        c = data[pos]
        if c in _WS:
            pos += 1
        elif c == 0x25:  # % comment
            end = data.find(b"\n", pos)
            pos = n if end < 0 else end + 1
        else:
            break
    return pos


def _string_end(data: bytes, pos: int) -> int:
    """End (exclusive) of the literal string starting at ``data[pos] == '('``."""
    depth, i, n = 0, pos, len(data)
    while i < n:
        c = data[i]
        if c == 0x5C:  # backslash: skip the escaped byte
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise _NotPlain("unterminated string")


def _value_end(data: bytes, pos: int) -> int:
    """End (exclusive) of the PDF value starting at ``pos`` (an indirect reference counts as one)."""
    c = data[pos:pos + 1]
    if c in (b"[", b"<") and data[pos:pos + 2] != b"<>":
        if c == b"<" and data[pos + 1:pos + 2] != b"<":  # hex string
            end = data.find(b">", pos)
            if end < 0:
                raise _NotPlain("unterminated hex string")
            return end + 1
        depth, i = 0, pos
        while True:
            m = _SPECIAL.search(data, i)
            if m is None:
                raise _NotPlain("unterminated array or dictionary")
            i = m.start()
            ch = data[i]
            if ch == 0x28:
                i = _string_end(data, i)
            elif ch == 0x25:
                end = data.find(b"\n", i)
                i = len(data) if end < 0 else end + 1
            elif ch == 0x5B:
                depth, i = depth + 1, i + 1
            elif ch == 0x5D:
                depth, i = depth - 1, i + 1
            elif data[i:i + 2] == b"<<":
                depth, i = depth + 1, i + 2
            elif data[i:i + 2] == b">>":
                depth, i = depth - 1, i + 2
            elif ch == 0x3C:  # hex string inside
                end = data.find(b">", i)
                if end < 0:
                    raise _NotPlain("unterminated hex string")
                i = end + 1
            else:  # a lone '>' or ')' is malformed
                raise _NotPlain("stray delimiter")
            if depth == 0:
                return i
    if c == b"(":
        return _string_end(data, pos)
    if c == b"<":  # "<>": an empty hex string
        return pos + 2
    m = _REF.match(data, pos)
    if m is not None:
        return m.end()
    i = pos + 1 if c == b"/" else pos
    n = len(data)
    while i < n and data[i] not in _WS and data[i] not in _DELIMS:
        i += 1
    if i == pos:
        raise _NotPlain("empty value")
    return i


def _dict_items(data: bytes, pos: int) -> tuple[dict[bytes, bytes], int]:
    """The raw entries of the dictionary at ``pos`` (``<<`` … ``>>``) and the position after it."""
    if data[pos:pos + 2] != b"<<":
        raise _NotPlain("dictionary expected")
    items: dict[bytes, bytes] = {}
    pos = _skip_ws(data, pos + 2)
    while data[pos:pos + 2] != b">>":
        if data[pos:pos + 1] != b"/":
            raise _NotPlain("name expected as dictionary key")
        key_end = _value_end(data, pos)
        key = data[pos:key_end]
        start = _skip_ws(data, key_end)
        end = _value_end(data, start)
        items[key] = data[start:end]
        pos = _skip_ws(data, end)
    return items, pos + 2


def _ref(raw: bytes) -> int:
    m = _REF.fullmatch(raw.strip())
    if m is None:
        raise _NotPlain("indirect reference expected")
    return int(m.group(1))


def _refs(raw: bytes) -> list[int]:
    return [int(m.group(1)) for m in _REF.finditer(raw)]


@dataclass
class _Object:
    head: bytes  # the object's value, or the stream's dictionary (references to renumber)
    tail: bytes  # b"" or b"stream…endstream" (copied as is)


class _PlainPdf:
    """A PDF read from its cross-reference table: objects by number, as bytes."""

    def __init__(self, path: Path):
        self.path = path
        self.data = data = path.read_bytes()
        m = re.match(rb"%PDF-(\d\.\d)", data)
        if m is None:
            raise _NotPlain("no PDF header")
        self.version = m.group(1)
        at = data.rfind(b"startxref")
        m = re.compile(rb"startxref\s+(\d+)").match(data, at) if at >= 0 else None
        if m is None:
            raise _NotPlain("no startxref")
        pos = int(m.group(1))
        if data[pos:pos + 4] != b"xref":
            raise _NotPlain("cross-reference stream")
        self.offsets: dict[int, int] = {}
        section = re.compile(rb"\s*(\d+)\s+(\d+)\s*?[\r\n]+")
        entry = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
        pos += 4
        while True:
            pos = _skip_ws(data, pos)
            if data.startswith(b"trailer", pos):
                break
            m = section.match(data, pos)
            if m is None:
                raise _NotPlain("bad cross-reference table")
            first, count = int(m.group(1)), int(m.group(2))
            pos = m.end()
            for num in range(first, first + count):
                e = entry.match(data, pos)
                if e is None:
                    raise _NotPlain("bad cross-reference entry")
                if e.group(3) == b"n" and num:
                    if int(e.group(2)) != 0:
                        raise _NotPlain("object generation other than 0")
                    self.offsets[num] = int(e.group(1))
                pos = _skip_ws(data, e.end())
        trailer, _ = _dict_items(data, _skip_ws(data, pos + len(b"trailer")))
        if any(k in trailer for k in (b"/Prev", b"/Encrypt", b"/XRefStm")):
            raise _NotPlain("incremental update, encryption or hybrid cross-reference")
        self.root = _ref(trailer.get(b"/Root", b""))
        self.tree_nodes: set[int] = set()  # the catalog and the /Pages nodes: never copied
        self._cache: dict[int, _Object] = {}

    def object(self, num: int) -> _Object | None:
        """Object ``num`` (None when the table has no such object: a reference to it means null)."""
        obj = self._cache.get(num)
        if obj is not None:
            return obj
        offset = self.offsets.get(num)
        if offset is None:
            return None
        data = self.data
        m = _OBJ.match(data, offset)
        if m is None or int(m.group(1)) != num:
            raise _NotPlain(f"object {num} is not where the table says")
        start = _skip_ws(data, m.end())
        end = _value_end(data, start)
        after = _skip_ws(data, end)
        if data.startswith(b"stream", after):
            head = data[start:end]
            length = _dict_items(head, 0)[0].get(b"/Length", b"")
            if _REF.fullmatch(length):
                length_obj = self.object(_ref(length))
                length = length_obj.head if length_obj is not None and not length_obj.tail else b""
            if not length.isdigit():
                raise _NotPlain(f"stream of object {num} has no usable /Length")
            begin = after + len(b"stream")
            begin += 2 if data.startswith(b"\r\n", begin) else 1
            stop = _skip_ws(data, begin + int(length))
            if not data.startswith(b"endstream", stop):
                raise _NotPlain(f"stream of object {num} does not end where its /Length says")
            obj = _Object(head, b"\n" + data[after:stop + len(b"endstream")])
        elif data.startswith(b"endobj", after):
            obj = _Object(data[start:end], b"")
        else:
            raise _NotPlain(f"object {num} does not end with endobj")
        self._cache[num] = obj
        return obj

    def dictionary(self, num: int) -> dict[bytes, bytes]:
        obj = self.object(num)
        if obj is None or obj.tail:
            raise _NotPlain(f"object {num} is not a dictionary")
        items, _ = _dict_items(obj.head, 0)
        return items

    def pages(self) -> list[tuple[int, dict[bytes, bytes]]]:
        """Every page in order, with the attributes it inherits from its /Pages nodes added.

        Document-level parts pypdf would merge into the bundle (form fields, named destinations)
        make the file not plain.
        """
        catalog = self.dictionary(self.root)
        if any(key in catalog for key in (b"/AcroForm", b"/Names", b"/Dests")):
            raise _NotPlain("form fields or named destinations")  # pypdf merges those
        self.tree_nodes.add(self.root)
        found: list[tuple[int, dict[bytes, bytes]]] = []

        def walk(num: int, inherited: dict[bytes, bytes], seen: frozenset[int]) -> None:
            if num in seen or len(seen) > 64:
                raise _NotPlain("page tree loops")
            node = self.dictionary(num)
            if node.get(b"/Type") == b"/Pages" or b"/Kids" in node:
                self.tree_nodes.add(num)
                here = dict(inherited)
                here.update({k: node[k] for k in _INHERITED if k in node})
                for kid in _refs(node[b"/Kids"]):
                    walk(kid, here, seen | {num})
            else:
                if b"/B" in node:  # article threads: pypdf rebuilds them in the bundle
                    raise _NotPlain("article threads")
                page = {k: v for k, v in inherited.items() if k not in node}
                page.update(node)
                found.append((num, page))

        walk(_ref(catalog[b"/Pages"]), {}, frozenset())
        return found


def _split_strings(body: bytes) -> Iterable[tuple[bool, bytes]]:
    """``body`` in runs of (is a literal string or comment, bytes)."""
    pos, n = 0, len(body)
    while pos < n:
        a, c = body.find(b"(", pos), body.find(b"%", pos)
        cut = min(x for x in (a, c, n) if x >= 0)
        if cut > pos:
            yield False, body[pos:cut]
        if cut == n:
            return
        if body[cut] == 0x28:
            end = _string_end(body, cut)
        else:
            nl = body.find(b"\n", cut)
            end = n if nl < 0 else nl + 1
        yield True, body[cut:end]
        pos = end


def _references(body: bytes) -> list[int]:
    if b"(" not in body and b"%" not in body:
        return _refs(body)
    return [num for quoted, run in _split_strings(body) if not quoted for num in _refs(run)]


def _renumbered(body: bytes, numbers: dict[int, int]) -> bytes:
    def sub(m: re.Match) -> bytes:
        new = numbers.get(int(m.group(1)))
        return b"null" if new is None else b"%d 0 R" % new

    if b"(" not in body and b"%" not in body:
        return _REF.sub(sub, body)
    return b"".join(run if quoted else _REF.sub(sub, run) for quoted, run in _split_strings(body))


def _pdf_string(text: str) -> bytes:
    """A text string: literal when ASCII, else UTF-16BE with a byte order mark (hex)."""
    if text.isascii():
        escaped = text.encode("ascii").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        return b"(" + escaped.replace(b"\r", b"\\r").replace(b"\n", b"\\n") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _copy_bundle(sources: list[Path], titles: list[str], meta: _Metadata) -> tuple[bytearray, list[int]]:
    """The bundle made of the sources' objects, copied (see the module docstring)."""
    docs = [_PlainPdf(path) for path in sources]
    # fixed objects: 1 info, 2 page tree, 3 catalog, 4 outline root; the rest numbered as copied
    next_num = 5
    offsets: dict[int, int] = {}
    out = bytearray()
    version = max([b"1.4", *(d.version for d in docs)])
    out += b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n"

    def emit(num: int, value: bytes, tail: bytes = b"") -> None:
        offsets[num] = len(out)
        out.extend(b"%d 0 obj\n" % num)
        out.extend(value)
        out.extend(tail)
        out.extend(b"\nendobj\n")

    page_nums: list[int] = []
    starts: list[int] = []
    for index, doc in enumerate(docs):
        pages = doc.pages()
        if not pages:
            raise _NotPlain(f"{doc.path.name} has no pages")
        if index:
            starts.append(len(page_nums))
        # the objects the pages need, found by following references (not /Parent: the tree is rebuilt)
        numbers: dict[int, int] = {}
        order: list[int] = []
        for num, _page in pages:
            numbers[num] = next_num
            next_num += 1
        queue = [ref for _num, page in pages for key, value in page.items() if key not in _PAGE_KEYS_DROPPED
                 for ref in _references(value)]
        while queue:
            num = queue.pop()
            if num in numbers or num in doc.tree_nodes or doc.object(num) is None:
                continue
            numbers[num] = next_num
            next_num += 1
            order.append(num)
            queue.extend(_references(doc.object(num).head))
        for num, page in pages:
            entries = [b"/Type /Page", b"/Parent 2 0 R"]
            entries += [key + b" " + _renumbered(value, numbers) for key, value in page.items()
                        if key not in _PAGE_KEYS_DROPPED]
            emit(numbers[num], b"<< " + b"\n".join(entries) + b" >>")
            page_nums.append(numbers[num])
        for num in order:
            obj = doc.object(num)
            emit(numbers[num], _renumbered(obj.head, numbers), obj.tail)
        doc._cache.clear()  # the bytes are in ``out`` now

    # bookmarks: one per part, to its first page, like pypdf's add_outline_item (GoTo actions)
    items = []
    for title, start in zip(titles, starts):
        items.append((next_num, next_num + 1, title, page_nums[start]))
        next_num += 2
    for i, (item, action, title, page) in enumerate(items):
        entries = [b"/Title " + _pdf_string(title), b"/Parent 4 0 R", b"/Count 0", b"/A %d 0 R" % action]
        if i:
            entries.append(b"/Prev %d 0 R" % items[i - 1][0])
        if i + 1 < len(items):
            entries.append(b"/Next %d 0 R" % items[i + 1][0])
        emit(item, b"<< " + b" ".join(entries) + b" >>")
        emit(action, b"<< /S /GoTo /D [%d 0 R /Fit] >>" % page)
    if items:
        emit(4, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
             % (items[0][0], items[-1][0], len(items)))
    else:
        emit(4, b"<< /Type /Outlines /Count 0 >>")
    kids = b" ".join(b"%d 0 R" % n for n in page_nums)
    emit(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(page_nums), kids))
    emit(3, b"<< /Type /Catalog /Pages 2 0 R /Outlines 4 0 R /PageMode /UseOutlines /Lang %s >>"
         % _pdf_string(meta.lang))
    emit(1, b"<< /Title %s /Author %s /Subject %s /Creator %s /Producer %s >>" % (
        _pdf_string(meta.title), _pdf_string(meta.author), _pdf_string(meta.subject),
        _pdf_string(meta.creator), _pdf_string("k39docs")))

    size = next_num
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        offset = offsets.get(num)
        out += b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 00000 f \n"
    file_id = hashlib.md5(out, usedforsecurity=False).hexdigest().upper().encode("ascii")
    out += b"trailer\n<< /Size %d /Root 3 0 R /Info 1 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, file_id, file_id, xref_at)
    return out, starts
