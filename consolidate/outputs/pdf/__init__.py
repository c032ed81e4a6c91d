"""The board's month report as a PDF (SPEC §15), drawn with ReportLab.

`write_pdf(result, path, unit, ...)` writes it whole or not at all; `pdf_name` names
it as the workbook is named. Besides the `Result` it takes the months of the year so
far (`TrendPoint`s, from the history store) and the entities' comments (a mapping of
entity code to text, or `UnitComment`s). Modules: `report` (what each page holds),
`tables` (tables fitted to the page and broken across pages), `chart` (the vector
chart of the accumulated result), `layout` (pages as drawing operations, fonts,
drawing), `inputs` (the trend and the comments), `writer` (the file).
"""

from consolidate.outputs.pdf.inputs import TrendPoint, UnitComment
from consolidate.outputs.pdf.writer import pdf_name, write_pdf

__all__ = ["TrendPoint", "UnitComment", "pdf_name", "write_pdf"]
