"""The export's file formats: CSV (export.py), Parquet and XLSX, each streamed with flat memory.

* Parquet (pyarrow): typed columns (Column.type), one row group per `ROW_GROUP` rows, each sent as
  soon as it is written; the footer comes last.
* XLSX (xlsxwriter in constant-memory mode): rows go to a temporary file on disk as they are read
  (a workbook is a zip whose directory comes last, so nothing can be sent before the end); the
  file is then sent in `SEND_BYTES` pieces and removed. Past Excel's 1,048,576 rows a sheet, the
  rows go on in a next sheet. Times are UTC (Excel has no offsets), JSON as text.
Building a row group or a sheet's rows runs in a worker thread, so the API keeps serving.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from services.api.auth import Principal
from services.api.export import Column, Dataset, ExportFilter, columns_for, csv_chunks, record_chunks
from services.common.infra.db import Conn

ROW_GROUP = 50_000
SEND_BYTES = 1 << 20
XLSX_MAX_ROWS = 1_048_576  # per sheet, the header included

_ARROW = {
    "text": pa.string(),
    "json": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "time": pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str
    chunks: Callable[[Conn, Dataset, Principal, ExportFilter], AsyncIterator[bytes]]


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.type]) for c in columns])


def _arrow_table(
    rows: Sequence[tuple[object, ...]], columns: Sequence[Column], schema: pa.Schema
) -> pa.Table:
    arrays = []
    for i, c in enumerate(columns):
        values = [r[i] for r in rows]
        if c.type == "json":
            values = [_json_text(v) for v in values]
        arrays.append(pa.array(values, type=_ARROW[c.type]))
    return pa.Table.from_arrays(arrays, schema=schema)


class _Collected(io.RawIOBase):
    """A write-only file that keeps what was written until taken (the Parquet writer's sink);
    `tell` counts every byte written, as the footer's offsets need."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        piece = bytes(data)
        self.parts.append(piece)
        self.written += len(piece)
        return len(piece)

    def tell(self) -> int:
        return self.written

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


async def parquet_chunks(
    conn: Conn, dataset: Dataset, who: Principal, wanted: ExportFilter
) -> AsyncIterator[bytes]:
    """The Parquet file, a row group at a time (an export without rows is a file without any)."""
    columns = columns_for(dataset, who)
    schema = arrow_schema(columns)
    sink = _Collected()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema, compression="zstd")
    pending: list[tuple[object, ...]] = []

    def write(rows: list[tuple[object, ...]]) -> None:
        writer.write_table(_arrow_table(rows, columns, schema), row_group_size=ROW_GROUP)

    try:
        async for chunk in record_chunks(conn, dataset, who, wanted):
            pending += chunk
            if len(pending) >= ROW_GROUP:
                rows, pending = pending, []
                await asyncio.to_thread(write, rows)
                yield sink.take()
        if pending:
            await asyncio.to_thread(write, pending)
    finally:
        writer.close()
    yield sink.take()


_EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)


def _excel_time(value: datetime) -> float:
    """An Excel date serial (days since 1899-12-30, UTC), as write_datetime computes it."""
    return (value - _EXCEL_EPOCH).total_seconds() / 86400


class _Sheets:
    """The workbook's sheets, a new one (header first) whenever one is full. Each column has its
    own cell writer, chosen once (xlsxwriter's generic `write` checks every type per cell)."""

    def __init__(self, book: Any, title: str, columns: Sequence[Column]) -> None:
        self.book, self.title, self.columns = book, title, columns
        self.times = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.count = 0
        self.sheet: Any = None
        self.row = XLSX_MAX_ROWS

    def _cells(self) -> list[Callable[[int, int, Any], object]]:
        sheet, times = self.sheet, self.times
        by_type: dict[str, Callable[[int, int, Any], object]] = {
            "text": lambda r, c, v: sheet.write_string(r, c, v if isinstance(v, str) else str(v)),
            "json": lambda r, c, v: sheet.write_string(r, c, _json_text(v)),
            "int": sheet.write_number,
            "float": sheet.write_number,
            "time": lambda r, c, v: sheet.write_number(r, c, _excel_time(v), times),
        }
        return [by_type[c.type] for c in self.columns]

    def write(self, rows: Sequence[tuple[object, ...]]) -> None:
        cells = None if self.sheet is None else self._cells()
        for values in rows:
            if self.row >= XLSX_MAX_ROWS:
                self._next()
                cells = self._cells()
            assert cells is not None
            row = self.row
            for i, value in enumerate(values):
                if value is not None:
                    cells[i](row, i, value)
            self.row += 1

    def finish(self) -> None:
        """A workbook without rows still has its sheet with the header."""
        if self.sheet is None:
            self._next()

    def _next(self) -> None:
        self.count += 1
        name = self.title if self.count == 1 else f"{self.title} ({self.count})"
        self.sheet = self.book.add_worksheet(name[:31])
        self.sheet.write_row(0, 0, [c.name for c in self.columns])
        self.row = 1


async def xlsx_chunks(
    conn: Conn, dataset: Dataset, who: Principal, wanted: ExportFilter
) -> AsyncIterator[bytes]:
    """The workbook, built in a temporary file (constant memory), then sent in pieces."""
    columns = columns_for(dataset, who)
    with tempfile.TemporaryDirectory(prefix="pollwatch-export-") as folder:
        path = Path(folder) / f"{dataset.name}.xlsx"
        book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "tmpdir": folder, "strings_to_numbers": False}
        )
        sheets = _Sheets(book, dataset.name, columns)
        try:
            async for chunk in record_chunks(conn, dataset, who, wanted):
                await asyncio.to_thread(sheets.write, chunk)
            sheets.finish()
        finally:
            await asyncio.to_thread(book.close)
        with path.open("rb") as f:
            while piece := await asyncio.to_thread(f.read, SEND_BYTES):
                yield piece


FORMATS = {
    f.name: f
    for f in (
        Format("csv", "text/csv; charset=utf-8", csv_chunks),
        Format("parquet", "application/vnd.apache.parquet", parquet_chunks),
        Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_chunks),
    )
}
