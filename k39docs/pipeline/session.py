""":func:`render` and the :class:`Session` behind it: one LibreOffice, started early, kept between
renders or stopped as soon as a render is done with it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from ..docx.writer import compiled_template
from ..dossier.model import Dossier
from ..manifest import Manifest
from ..office import ConvertOptions, Office
from ..outdir import real_outdir
from ..resources import template_dir
from ..rules import EligibilityReport
from .kept import Kept
from .options import Progress, RenderOptions, with_options
from .run import run_render

__all__ = ["render", "Session"]


def render(
    dossier: Dossier,
    outdir: str | Path,
    *,
    sign: bool = True,
    allow_ineligible: str | None = None,
    edits: str = "stop",
    progress: Progress | None = None,
    options: RenderOptions | None = None,
    say: Callable[[str], None] | None = None,
) -> Manifest:
    """Render every document of ``dossier`` into ``outdir`` and return the manifest.

    ``allow_ineligible`` and ``edits`` are the command's ``--allow-ineligible`` and
    ``--keep-edits``/``--discard-edits``; given with ``options``, they win over its fields.
    ``progress(done, total, name)`` is told the number of documents (``done`` 0, ``name``
    empty), then of each document in place, ``name`` its title (from the render's threads, one
    call at a time; an exception it raises fails the render); ``say`` gets the status
    messages ("Đóng gói dossier.pdf…").

    Raises ``IneligibleError`` (nothing written) when a candidate fails a rule and no
    ``allow_ineligible`` reason is given; ``EditedFilesError`` (nothing written) when DOCX in
    ``outdir`` were edited and ``edits`` is "stop"; ``DependencyError`` when LibreOffice is
    needed but missing; ``ConversionError``/``SigningError`` when a later stage fails
    (previous output kept).
    """
    options = with_options(
        options or RenderOptions(sign=sign), allow_ineligible, None if edits == "stop" else edits
    )
    with Session(options.convert, keep=False) as session:
        return session.render(dossier, outdir, options=options, progress=progress, say=say)


class Session:
    """Renders with one LibreOffice that can be started early and kept between renders.

    ``keep=True`` (the default; ``k39docs watch``, services): the workers start at
    :meth:`warm_up` or the first conversion and stay until :meth:`close` or the end of the
    ``with`` block, so rendering a dossier again after a change costs only the documents that
    changed, the bundle and the signatures. ``keep=False`` (one-off runs, :func:`render`):
    LibreOffice stops as soon as a render has no more use for it; :meth:`warm_up` lets it
    boot while the caller is still loading the dossier. One render runs at a time.
    """

    def __init__(
        self,
        convert: ConvertOptions | None = None,
        *,
        keep: bool = True,
        office: Office | None = None,
    ):
        """``office``: a LibreOffice the caller started already (its ``keep`` wins); the CLI
        starts one before it imports the rendering code."""
        self._office = office or Office(convert or ConvertOptions(), keep=keep)
        keep = self._office.keep
        self._kept = Kept() if keep else None  # a one-off run keeps nothing
        self._lock = threading.Lock()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def warm_up(self) -> None:
        """Start LibreOffice now, in the background, so the first conversion finds it ready;
        a kept session also compiles the built-in templates, which a first render taken from
        the cache would otherwise leave to the first change."""
        with self._lock:
            self._office.start()
            if self._kept is not None:
                for template in sorted(template_dir().glob("*.docx")):
                    compiled_template(template.name)

    def render(
        self,
        dossier: Dossier,
        outdir: str | Path,
        *,
        options: RenderOptions | None = None,
        progress: Progress | None = None,
        say: Callable[[str], None] | None = None,
        allow_ineligible: str | None = None,
        edits: str | None = None,
        eligibility: EligibilityReport | None = None,
    ) -> Manifest:
        """:func:`render` with this session's LibreOffice (``options.convert`` is not used).

        ``eligibility``: the report :func:`~k39docs.rules.check_eligibility` made of this very
        dossier today, with the same ``allow_ineligible``, when the caller has it already (the
        service checks a dossier before it queues): it is not made again."""
        options = with_options(options or RenderOptions(), allow_ineligible, edits)
        with self._lock, _rare_gc():
            try:
                return run_render(
                    dossier,
                    real_outdir(Path(outdir)),
                    options,
                    say or (lambda _msg: None),
                    self._office,
                    self._kept,
                    progress=progress,
                    eligibility=eligibility,
                )
            finally:
                self._office.close()  # a one-off run's LibreOffice, if an error ended it early

    def settle(self) -> None:
        """Collect the garbage of the last render now, while nothing waits for this session.

        A render leaves hundreds of thousands of young objects behind (the parsed PDFs it
        keeps); the first collection after it scans them all, and without this it happens in
        the middle of the next render. ``k39docs watch`` calls it once a render is reported,
        between looks at the file; the service after each job."""
        with self._lock:
            gc.collect()

    @contextmanager
    def settled_after(self):
        """Renders in this block leave their garbage to its end, where :meth:`settle` collects
        it: for a caller with something to do first, once a render is done (the service answers
        whoever waits for the job). Without it, the first young collection after a render takes
        the interpreter for as long as that settle would, as soon as the render returns."""
        with _rare_gc():
            yield
            self.settle()

    def close(self) -> None:
        """Stop LibreOffice and wait until it is gone; a later render starts it again."""
        with self._lock:
            self._office.shutdown()


_gc_lock = threading.Lock()

_gc_runs = 0  # renders running now (in any thread); the thresholds come back after the last

_gc_before: tuple[int, ...] = ()


@contextmanager
def _rare_gc():
    """Collect garbage less often while renders run: bundling copies hundreds of thousands of
    small PDF objects, and with the default thresholds the collector kept rescanning them (about
    a fifth of a large run's Python time). The thresholds are restored when no render runs."""
    global _gc_runs, _gc_before
    with _gc_lock:
        if _gc_runs == 0:
            _gc_before = gc.get_threshold()
            gc.set_threshold(100_000, 50, 1000)
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0:
                gc.set_threshold(*_gc_before)
