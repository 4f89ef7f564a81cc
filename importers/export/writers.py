"""Writing rows of text cells as CSV (UTF-8 with BOM, or Shift_JIS/CP932) or .xlsx.

Every cell goes through ``api.core.csvsafe.cell_safe`` (formula injection). CP932 cannot hold
every character a register contains (𠮷, emoji, ㈠ …); the ``unencodable`` policy decides:
``"error"`` stops the export naming the row, column and character, ``"replace"`` writes 〓
(the geta mark, the customary stand-in in Japanese print) and counts the cells it changed.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from typing import BinaryIO, Protocol

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from api.core.csvsafe import cell_safe
from api.core.errors import ServiceError

ENCODINGS = {"utf-8-sig": "UTF-8 (BOM付き)", "cp932": "Shift_JIS (CP932)"}
FORMATS = ("csv", "xlsx")
UNENCODABLE = ("error", "replace")
REPLACEMENT = "〓"
XLSX_MAX_ROWS = 1_048_576

# Characters Unicode has twice: the JIS-mapped form that Python's cp932 codec cannot write
# and the CP932 form it can, which is the same character on every Japanese PC (〜 and ～).
CP932_TWINS = str.maketrans(
    {
        "\u301c": "\uff5e",  # 〜 WAVE DASH
        "\u2212": "\uff0d",  # − MINUS SIGN
        "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE
        "\u2014": "\u2015",  # — EM DASH
        "\u00a2": "\uffe0",  # ¢
        "\u00a3": "\uffe1",  # £
        "\u00ac": "\uffe2",  # ¬
    }
)

BATCH = 2000


class RowSink(Protocol):
    replaced: int

    def write_header(self, labels: Sequence[str]) -> None: ...

    def write_rows(self, rows: Sequence[Sequence[str]], *, first_row: int) -> None: ...

    def close(self) -> None: ...


class CsvSink:
    """CSV with CRLF line ends (what Excel writes and expects), encoded in batches."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        encoding: str,
        unencodable: str,
        labels: Sequence[str],
        delimiter: str = ",",
    ) -> None:
        self.out = out
        self.encoding = encoding
        # str.encode("utf-8-sig") would put a BOM before every batch: write it once here.
        self.codec = "utf-8" if encoding == "utf-8-sig" else encoding
        if encoding == "utf-8-sig":
            out.write(codecs.BOM_UTF8)
        self.unencodable = unencodable
        self.labels = list(labels)
        self.replaced = 0
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=delimiter, lineterminator="\r\n")

    def write_header(self, labels: Sequence[str]) -> None:
        self._flush_rows([[cell_safe(label) for label in labels]], first_row=1)

    def write_rows(self, rows: Sequence[Sequence[str]], *, first_row: int) -> None:
        self._flush_rows([[cell_safe(value) for value in row] for row in rows], first_row)

    def _flush_rows(self, rows: list[list[str]], first_row: int) -> None:
        self._writer.writerows(rows)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        if self.encoding == "cp932":
            text = text.translate(CP932_TWINS)
        try:
            data = text.encode(self.codec)
        except UnicodeEncodeError:
            data = self._encode_rows(rows, first_row)
        self.out.write(data)

    def _encode_rows(self, rows: list[list[str]], first_row: int) -> bytes:
        """The slow path for a batch with a character the encoding lacks: find it, then
        stop with its position or replace it."""
        for offset, row in enumerate(rows):
            for index, cell in enumerate(row):
                cell = cell.translate(CP932_TWINS)
                try:
                    cell.encode(self.codec)
                except UnicodeEncodeError as exc:
                    if self.unencodable == "error":
                        bad = cell[exc.start]
                        column = self.labels[index] if index < len(self.labels) else index + 1
                        raise ServiceError(
                            f"row {first_row + offset}, column {column}: '{bad}' "
                            f"(U+{ord(bad):04X}) cannot be written in "
                            f"{ENCODINGS.get(self.encoding, self.encoding)}; export as UTF-8, "
                            "or choose to "
                            f"replace such characters with {REPLACEMENT}",
                            field="encoding",
                        ) from exc
                    row[index] = _replace(cell, self.codec)
                    self.replaced += 1
        self._writer.writerows(rows)
        text = self._buffer.getvalue().translate(CP932_TWINS)
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode(self.codec)

    def close(self) -> None:
        self.out.flush()


def _replace(cell: str, encoding: str) -> str:
    out = []
    for char in cell:
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            char = REPLACEMENT
        out.append(char)
    return "".join(out)


class XlsxSink:
    """One sheet written with openpyxl's write-only mode (rows streamed to a temporary file,
    constant memory). Control characters that XML cannot hold are dropped and counted."""

    def __init__(self, out: BinaryIO, *, title: str) -> None:
        self.out = out
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title[:31])
        self.replaced = 0
        self.rows = 0

    def write_header(self, labels: Sequence[str]) -> None:
        self._append(list(labels))

    def write_rows(self, rows: Sequence[Sequence[str]], *, first_row: int) -> None:
        for row in rows:
            self._append(row)

    def _append(self, row: Sequence[str]) -> None:
        self.rows += 1
        if self.rows > XLSX_MAX_ROWS:
            raise ServiceError(
                f"an .xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows; export as CSV",
                field="format",
            )
        cells = []
        for value in row:
            text = cell_safe(value)
            if ILLEGAL_CHARACTERS_RE.search(text):
                text = ILLEGAL_CHARACTERS_RE.sub("", text)
                self.replaced += 1
            cells.append(text)
        self.sheet.append(cells)

    def close(self) -> None:
        self.workbook.save(self.out)
