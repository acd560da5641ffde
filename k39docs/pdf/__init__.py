"""PDFs after LibreOffice: what a PDF holds (:mod:`.pdfinfo`), documents of one template converted
as one and cut apart (:mod:`.combine`), long lists converted again only on their changed pages
(:mod:`.pagepatch`), and the bundles (:mod:`.bundle`)."""
