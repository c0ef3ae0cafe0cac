"""CSV and Excel files of tables: the monthly report and any filtered admin list. CSV carries a
byte-order mark so that Excel on a Chinese Windows reads it as UTF-8."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

Sheet = tuple[str, Sequence[str], Iterable[Sequence]]  # title, header, rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    """One CSV; several tables follow each other, each under its title."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for i, (title, header, rows) in enumerate(sheets):
        if len(sheets) > 1:
            if i:
                writer.writerow([])
            writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return _attachment(
        HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8"), filename
    )


def xlsx_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    """One workbook, a worksheet per table, the header row frozen."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])  # Excel's limit for a sheet's name
        sheet.append(list(header))
        widths = [len(str(h)) for h in header]
        for row in rows:
            sheet.append(list(row))
            widths = [max(w, len(str(v))) for w, v in zip(widths, row, strict=False)]
        sheet.freeze_panes = "A2"
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = min(width * 2 + 2, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), filename)
