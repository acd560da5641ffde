"""The clerk's workbook: the dossier as an Excel file a clerk fills in, read back with cells named.

``layout`` is the one table of sheets, columns, labels and notes; ``write`` builds the workbook
(and YAML) from a dossier; ``read`` turns a workbook into the dossier's data with the cell of each
field; ``convert`` saves by extension and checks nothing was lost; ``merge`` joins the nominees of
several agencies' files. ``load_dossier`` reads a workbook through ``read``.
"""
