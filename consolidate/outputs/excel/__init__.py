"""The Excel workbook for distribution (SPEC §6): one module per sheet, written with
XlsxWriter; the long Data sheets streamed into the package (`stream`)."""

from consolidate.outputs.excel.writer import write_report

__all__ = ["write_report"]
