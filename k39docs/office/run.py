"""A render's LibreOffice (:class:`Office`): the best converter this machine allows, started early
or on first use, grown to the documents to convert, stopped when the render is done with it
unless kept; and what comes out of it checked for fonts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DependencyError
from .batch import BatchConverter
from .find import find_soffice, find_uno_python
from .options import ConvertOptions
from .pool import WorkerPool

if TYPE_CHECKING:  # pypdf is not needed to start LibreOffice
    from ..pdf.pdfinfo import PdfLedger

__all__ = ["Office", "open_converter", "convert_to_pdf", "font_warnings"]

log = logging.getLogger(__name__)


def open_converter(
    options: ConvertOptions | None = None,
    *,
    documents: int | None = None,
    soffice: Path | None = None,
):
    """The best converter this machine allows: warm workers, else batches. ``documents``, when
    known, caps the number of workers (a second LibreOffice for one document wastes a core)."""
    options = options or ConvertOptions()
    soffice = soffice or find_soffice()
    if options.mode != "batch":
        python = find_uno_python(soffice)
        if python is not None:
            return WorkerPool(
                options, soffice=soffice, python=python, workers=options.worker_count(documents)
            )
        if options.mode == "warm":
            raise DependencyError("Không tìm thấy Python có mô-đun `uno` (python3-uno).")
    return BatchConverter(options, soffice=soffice)


class Office:
    """A render's LibreOffice, started when asked (early: LibreOffice takes over a second to
    boot) or on first use, sized to the documents to convert. Unless ``keep``, :meth:`close`
    stops it as soon as the render is done with it; a kept one (a session's) serves later
    renders and stops only at :meth:`shutdown`."""

    def __init__(self, options: ConvertOptions, *, keep: bool = False):
        self.options = options
        self.keep = keep
        self._made: Future | None = None  # the converter, being made in the background
        self._stopping: list[Future] = []  # converters told to stop, not yet waited for

    def start(self, documents: int | None = None) -> None:
        """Start LibreOffice without waiting for it. A missing ``soffice`` is raised here; the
        rest (finding a Python with ``uno`` takes a subprocess, then spawning the workers) runs
        in the background while the caller goes on."""
        # a kept office serves later runs too: as many workers as cores, not the first need
        workers_for = None if self.keep else documents
        if self._made is not None:  # started already: more workers if these need them
            if workers_for is not None:
                wanted = self.options.worker_count(workers_for)
                self._made.add_done_callback(partial(_grow, wanted))
            return
        soffice = find_soffice()
        made = self._made = Future()

        def make() -> None:
            try:
                made.set_result(
                    open_converter(self.options, documents=workers_for, soffice=soffice)
                )
            except BaseException as exc:  # noqa: BLE001 — raised where the converter is used
                made.set_exception(exc)

        threading.Thread(target=make, name="k39-office-start", daemon=True).start()

    @property
    def converter(self):
        """The converter once it is made (waits for it); None before :meth:`start`."""
        return None if self._made is None else self._made.result()

    def convert(self, docx: Path, pdf: Path, *, retries: int = 1) -> Future:
        self.start()
        return self.converter.submit(docx, pdf, retries=retries)

    def convert_together(
        self,
        pairs: Sequence[tuple[Path, Path]],
        combined: Path,
        *,
        keep: Callable[[Path, list[int]], None] | None = None,
        ledger: PdfLedger | None = None,
    ) -> list[Future]:
        """Convert documents of one template as one LibreOffice document (``combined``, a DOCX
        path to write; see :mod:`k39docs.pdf.combine`): a Future per (docx, pdf) pair, resolving to
        its PDF. When they cannot be combined, or the combined conversion or its split fails,
        each is converted alone, so a document that fails is still the one an error names.
        ``keep(pdf, page_counts)`` is shown the combined PDF before it is deleted; ``ledger``
        (the run's) learns the parsed pages of each member."""
        from ..pdf.combine import CombineError, combine_docx

        futures: list[Future] = [Future() for _ in pairs]
        try:
            metadata = combine_docx([docx for docx, _ in pairs], combined)
        except CombineError:
            self._one_by_one(pairs, futures)
            return futures
        pdf = combined.with_suffix(".pdf")
        # not tried again: if it hangs or crashes LibreOffice, its members go alone at once
        self.convert(combined, pdf, retries=0).add_done_callback(
            partial(self._split, pairs, metadata, combined, pdf, futures, keep, ledger)
        )
        return futures

    def _split(
        self,
        pairs,
        metadata: list[dict[str, str]],
        combined: Path,
        pdf: Path,
        futures: list[Future],
        keep,
        ledger: PdfLedger | None,
        conversion: Future,
    ) -> None:
        """Runs where the combined PDF is reported done: cut it into the members' PDFs."""
        from ..pdf.combine import split_pdf

        try:
            if conversion.cancelled():  # the render was abandoned: so are its members
                for future in futures:
                    future.cancel()
                return
            conversion.result()
            counts = split_pdf(pdf, metadata, [out for _, out in pairs], ledger=ledger)
            if keep is not None:
                keep(pdf, counts)
        except Exception as exc:  # noqa: BLE001 — whatever went wrong, each alone says what it was
            log.info("group %s converted one by one: %s", combined.name, exc)
            self._one_by_one(pairs, futures)
        else:
            for (_, out), future in zip(pairs, futures, strict=True):
                future.set_result(out)
        finally:
            for leftover in (combined, pdf):
                leftover.unlink(missing_ok=True)

    def _one_by_one(self, pairs, futures: list[Future]) -> None:
        try:
            for (docx, out), future in zip(pairs, futures, strict=True):
                self.convert(docx, out).add_done_callback(partial(_pass_on, future))
            self.drain()
        except BaseException as exc:  # noqa: BLE001 — a caller waits on these futures
            for future in futures:
                if not future.done():
                    future.set_exception(exc)

    def abandon(self) -> None:
        """A failed render gives up its conversions (:meth:`WorkerPool.abandon`)."""
        made = self._made
        if made is not None and made.done() and made.exception() is None:
            made.result().abandon()  # (not made yet: nothing could be submitted to it)

    def drain(self) -> None:
        drain = getattr(self.converter, "drain", None)  # the batch fallback converts on demand
        if drain is not None:
            drain()

    def close(self, wait: bool = True) -> None:
        """The run is done with LibreOffice: stop it (``wait=False``: while the run goes on)."""
        if not self.keep:
            self.shutdown(wait)

    def shutdown(self, wait: bool = True) -> None:
        if self._made is not None:
            made, self._made = self._made, None
            made.add_done_callback(_close_made)
            self._stopping.append(made)
        if wait:
            while self._stopping:
                made = self._stopping.pop()
                if made.exception() is None:
                    made.result().close()


def _grow(workers: int, made: Future) -> None:
    if made.exception() is None and isinstance(made.result(), WorkerPool):
        made.result().grow(workers)  # (the batch converter sizes itself at each drain)


def _pass_on(to: Future, done: Future) -> None:
    """``done``'s outcome becomes ``to``'s, a cancellation too (an abandoned render's documents
    are cancelled: that is no error to report)."""
    if done.cancelled():
        to.cancel()  # (a Future nobody runs: only one already done refuses, and keeps its result)
    elif done.exception() is not None:
        to.set_exception(done.exception())
    else:
        to.set_result(done.result())


def _close_made(made: Future) -> None:
    """Tell a converter to stop as soon as it is made (if making it failed, nothing runs)."""
    if made.exception() is None:
        made.result().close(wait=False)


def convert_to_pdf(
    docx_paths: Sequence[Path], pdf_dir: Path, *, options: ConvertOptions | None = None
) -> dict[Path, Path]:
    """Convert every DOCX into ``pdf_dir`` (same stem, ``.pdf``); return {docx: pdf}.

    Raises ``DependencyError`` when LibreOffice is missing and ``ConversionError`` naming the
    first document that did not come out.
    """
    options = options or ConvertOptions()
    with open_converter(options) as converter:
        futures = {p: converter.submit(p, pdf_dir / f"{Path(p).stem}.pdf") for p in docx_paths}
        drain = getattr(converter, "drain", None)
        if drain:
            drain()
        return {p: f.result() for p, f in futures.items()}


EXPECTED_FONTS = (
    "LiberationSerif",
    "TimesNewRoman",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
)


def font_warnings(pdfs: Sequence[Path], ledger: PdfLedger | None = None) -> list[str]:
    """One warning per PDF that LibreOffice set in a font other than Times New Roman's metric
    clone: the font the DOCX names is missing here, and the layout may shift. ``ledger``: the
    run's, which has read most of them already."""
    from ..pdf.pdfinfo import pdf_facts  # pikepdf: not needed to start LibreOffice

    facts = ledger.facts if ledger is not None else pdf_facts
    warnings = []
    for pdf in pdfs:
        odd = sorted(n for n in facts(pdf).fonts if not n.startswith(EXPECTED_FONTS))
        if odd:
            warnings.append(
                f"{pdf.name}: LibreOffice dùng phông {', '.join(odd)} thay cho Times New Roman "
                "(thiếu phông trên máy này? Cài: sudo apt-get install fonts-liberation2)."
            )
    return warnings
