"""The Excel workbook for distribution (SPEC §6). Placeholder: being written."""

from __future__ import annotations

from pathlib import Path

from .pipeline import Result


def workbook_name(result: Result) -> str:
    return f"{result.config.region_code}_{result.period}.xlsx"


def write_report(result: Result, directory: Path, unit: str, report_name: str | None = None) -> Path:
    """Write the workbook into `directory` (temporary file, then rename); return its path."""
    raise NotImplementedError
