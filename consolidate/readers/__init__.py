"""Readers: finding a period's files, opening each workbook safely, the header row
and title block, the numbers in cells, and the rows of income statements and
staffing sheets. Every doubt is a `Problem` naming file, sheet and cell.

Nothing found in a file is evaluated. Never imports the core or the outputs.
"""
