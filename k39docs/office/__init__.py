"""DOCX → PDF with LibreOffice: finding ``soffice``, and converters that keep both cores busy.

LibreOffice is the cost that dominates a run: starting it costs far more than converting a short
document in a running instance, and one instance converts one document at a time. So:

* ``WorkerPool`` (:mod:`.pool`, the default): N warm LibreOffice workers (N = CPU cores), each
  a ``soffice`` with its own profile run by :mod:`.bridge`, all fed from one queue. A worker converts the
  documents it holds in batches through LibreOffice's own ``--convert-to`` path (cheaper than
  one UNO load/store per document). Workers start when the pool is created, so LibreOffice
  boots while Python renders the DOCX files; each document has a timeout; a hung or dead worker
  is killed with its whole process tree, replaced, and the document retried once, alone.
* ``BatchConverter`` (:mod:`.batch`, the fallback when no Python with ``uno`` is found): one
  ``soffice --convert-to pdf`` per core over a batch of files.
* ``Office`` (:mod:`.run`): the converter of a render (or of a session of renders), started
  early or on first use, and stopped as soon as the render is done with it unless kept. Its
  ``convert_together`` converts documents of one template as one LibreOffice document and cuts
  the PDF apart again (:mod:`k39docs.pdf.combine`): most of a short document's conversion is spent
  on the document, not on its pages.

Profiles are copied from a seed profile kept in the user cache (:mod:`.workdirs`), so a run does
not pay for LibreOffice's first-start initialisation; every run still gets its own copy, so two
runs never share (or lock) a profile. Finding ``soffice`` and a Python with ``uno``:
:mod:`.find`; the options of a conversion: :mod:`.options`.
"""

from __future__ import annotations

from .batch import BatchConverter
from .find import INSTALL_HINT, find_soffice, find_uno_python
from .options import PDF_EXPORT_OPTIONS, ConvertOptions
from .pool import WorkerPool
from .run import Office, convert_to_pdf, font_warnings, open_converter

__all__ = [
    "find_soffice",
    "find_uno_python",
    "ConvertOptions",
    "PDF_EXPORT_OPTIONS",
    "WorkerPool",
    "BatchConverter",
    "open_converter",
    "Office",
    "convert_to_pdf",
    "font_warnings",
    "INSTALL_HINT",
]
