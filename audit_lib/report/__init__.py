"""The client report: papermill notebook -> offline HTML -> PDF, and the HTML helpers its cells call."""

from .pdf import PdfError, write_pdf
from .render import ReportError, render_report

__all__ = ["PdfError", "ReportError", "render_report", "write_pdf"]
