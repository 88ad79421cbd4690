"""CSV output: `?format=csv` or `Accept: text/csv`, UTF-8 with a BOM so Excel reads Chinese correctly;
cells through common.spreadsheets.csv_cell, so no text runs as a formula."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

from common.spreadsheets import csv_cell

BOM = "\ufeff"


def flatten_row(row: dict, prefix: str = "") -> dict:
    """Nested objects become dotted columns; lists (e.g. committee members) become one JSON cell."""
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_row(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            flat[name] = "" if value is None else value
    return flat


class _Line:
    """A file-like sink that hands back what csv.writer wrote for one row."""

    def __init__(self):
        self.buffer = io.StringIO()

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The BOM, a header from the first row's columns, then one line per row."""
    sink = _Line()
    writer = None
    yield BOM
    for row in rows:
        flat = flatten_row(row)
        if writer is None:
            writer = csv.DictWriter(sink, fieldnames=list(flat), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({name: csv_cell(value) for name, value in flat.items()})
        yield sink.take()


def streaming_csv_response(rows: Iterable[dict], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class CSVRenderer(BaseRenderer):
    """Renders a page, a list or one object; whole lists are streamed by CSVListMixin instead."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        return "".join(csv_lines(rows)).encode(self.charset)
