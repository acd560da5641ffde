"""Where k39docs keeps things between runs: the user cache folder (``$K39_CACHE_DIR`` or the
platform's, e.g. ``~/.cache/k39docs``) holding the content cache, LibreOffice's seed profile and
the signature stamp's font. One small module so that every stage can name it without importing
the stage that fills it."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root"]


def cache_root() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("K39_CACHE_DIR") or user_cache_dir("k39docs"))
