"""A whole run: check → documents → DOCX → PDF → bundle → sign → manifest, written atomically.

``render`` is the library call behind ``k39docs render``. Everything is produced in a staging
folder beside OUTDIR and moved into place only when every stage succeeded, so a failure leaves
the previous output as it was and bad input creates nothing. The stages live in
:mod:`k39docs.pipeline`; this module is their public face (interface.md's ``render``,
``Session``, ``RenderOptions``).
"""

from __future__ import annotations

import sys
import types

from .dossier.model import VIETNAM_TZ
from .manifest import Manifest
from .pipeline.options import Progress, RenderOptions
from .pipeline.session import Session, render

__all__ = ["render", "Session", "RenderOptions", "Progress", "VIETNAM_TZ"]


class _CallableModule(types.ModuleType):
    """``k39docs.render`` is the function of interface.md, and this module is
    ``k39docs.render`` too: once the module is imported, Python makes the package attribute
    the module, so that ``from k39docs import render`` after ``from k39docs.render import
    Session`` gave the module. Calling the module calls the function."""

    def __call__(self, *args, **kwargs) -> Manifest:
        return render(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
