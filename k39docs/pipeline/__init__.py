"""A render's stages, in the order data flows through them (:mod:`k39docs.render` is the public
face):

* :mod:`.options`: what a render is asked to do;
* :mod:`.produce`: every document as DOCX and PDF (cached, grouped, page-patched or whole);
* :mod:`.assemble`: the bundles and their contents page, as the PDFs come back;
* :mod:`.signatures`: what the signer is told (where the signatures go, which pages);
* :mod:`.run`: one render, start to end, all or nothing;
* :mod:`.session`: :func:`~k39docs.render.render` and the ``Session`` that keeps LibreOffice
  (and :mod:`.kept`: what it keeps) between renders.
"""
