"""What ``k39docs render`` shows while it works: a progress bar naming the latest document, and
the status lines.

A 60-candidate render takes seconds; without a bar the clerk sees nothing move. The bar is
drawn only on a terminal (a script or a log reading stdout gets the plain lines) and only for
more than a few documents (a short render is over before a bar helps); ``-q`` shows nothing.
rich comes with typer, so the bar costs no new dependency.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

__all__ = ["RenderProgress", "BAR_FROM"]

BAR_FROM = 6  # documents: fewer, and the render is over before a bar helps


class RenderProgress:
    """``progress`` and ``say`` callbacks for :func:`k39docs.render.render`; use as a context
    manager, which takes the bar off the screen at the end, whatever happened."""

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.terminal = not quiet and _is_terminal(self.stream)
        self._bar: Any = None  # rich.progress.Progress, once the first document is in
        self._task: Any = None
        self._lock = threading.Lock()

    def __enter__(self) -> RenderProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def say(self, message: str) -> None:
        """A status line: above the bar while there is one."""
        if self.quiet:
            return
        with self._lock:
            if self._bar is not None:
                self._bar.console.print(message, markup=False, highlight=False)
                return
        print(message, file=self.stream, flush=True)

    def progress(self, done: int, total: int, name: str) -> None:
        """One more document in place (``name``: its title)."""
        if not self.terminal or total < BAR_FROM:
            return
        with self._lock:
            if self._bar is None:
                self._start(total)
            if self._bar is not None:
                self._bar.update(self._task, completed=done, total=total, name=name)

    def _start(self, total: int) -> None:
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            from rich.table import Column
        except ImportError:  # typer without rich: the status lines only
            self.terminal = False
            return
        self._bar = Progress(
            TextColumn("Văn bản"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "{task.fields[name]}",
                style="dim",
                markup=False,
                table_column=Column(no_wrap=True, overflow="ellipsis"),
            ),
            console=Console(file=self.stream),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("", total=total, name="")
        self._bar.start()

    def close(self) -> None:
        with self._lock:
            bar, self._bar = self._bar, None
        if bar is not None:
            bar.stop()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
