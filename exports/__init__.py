"""Board-deck exports: charts as PNG/SVG/PDF (kaleido), the board pack as PPTX or PDF.

Everything is drawn from the dashboard's own figure functions, restyled for slides:
:mod:`exports.render` (one chart), :mod:`exports.pack` (what a pack says),
:mod:`exports.native` (a figure as editable PowerPoint chart data),
:mod:`exports.pptx_pack` and :mod:`exports.pdf_pack` (the two formats), :mod:`exports.files`
(files in a directory, and :func:`exports.files.pack_bytes`).
"""
