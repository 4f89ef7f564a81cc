"""Reading an uploaded file in chunks of rows: what it is, its encoding, its cells.

1. ``sniff`` looks at the first MiB: refuses what is not a table (empty, binary, .xls),
   recognises .xlsx by content, detects the encoding (BOM, else UTF-8, else the one of CP932
   and EUC-JP that decodes with the fewest errors and the least mojibake) and the delimiter,
   and reads the header row. An encoding forced by the user is checked the same way.
2. ``read_chunks`` yields ``Chunk``s of about ``CHUNK_ROWS`` rows, each a DataFrame of the
   original cells as text (columns 0 … n-1 in file order) with the spreadsheet row number of
   every row (the header is row 1), so messages point where Excel shows the row.

CSV is parsed by ``pyarrow.csv`` with ``newlines_in_values=True`` (pandas' pyarrow engine
gives up on the multi-line cells that Alt+Enter in Excel produces), fed by ``DecodedStream``,
which decodes in 4 MiB blocks with Python's codecs — CP932 includes the NEC and IBM
extensions (①, ㈱, 髙, 﨑) that plain Shift_JIS lacks — and knows the line of a bad byte.
pyarrow cannot say where a malformed row is, so a file with one (a row with too many or too
few cells, an unclosed quote, a cell longer than Excel allows) is read again by the careful
reader (``csv`` module), which names the line. Memory stays at a few chunks whatever the size.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from charset_normalizer.md import mess_ratio

from api.core.errors import ServiceError

SAMPLE_BYTES = 1 << 20
BLOCK_BYTES = 4 << 20
CHUNK_ROWS = 50_000
# Excel's limit for one cell; a longer "cell" is almost always a quote never closed.
MAX_CELL_CHARS = 32_767
# More mojibake than this in a sample decoded with the chosen encoding means it is not it.
MESS_LIMIT = 0.2

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM付き)",
    "utf-16": "UTF-16",
    "cp932": "Shift_JIS (CP932)",
    "euc_jp": "EUC-JP",
}
ENCODING_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "utf_8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf8bom": "utf-8-sig",
    "utf-8-bom": "utf-8-sig",
    "utf-16": "utf-16",
    "utf16": "utf-16",
    "unicode": "utf-16",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "s-jis": "cp932",
    "cp932": "cp932",
    "ms932": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "euc-jp": "euc_jp",
    "euc_jp": "euc_jp",
    "eucjp": "euc_jp",
}
DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon"}

MAGIC = (
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 (.xls) or other Office file; save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
)


class ImportFileError(ServiceError):
    """The file cannot be read as a table; the message says where and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file", code="unreadable")


class CarefulParseNeeded(Exception):
    """pyarrow met a malformed row it cannot place; read the file with the careful reader."""


def encoding_canonical(name: str) -> str:
    """The codec Meibo uses for a name a person types (Shift_JIS means CP932)."""
    key = name.strip().lower().replace(" ", "")
    if key not in ENCODING_ALIASES:
        raise ValueError(
            f"unknown encoding '{name}'; choose one of UTF-8, Shift_JIS (CP932), EUC-JP, UTF-16"
        )
    return ENCODING_ALIASES[key]


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "csv" | "xlsx"
    encoding: str | None
    delimiter: str
    header: list[str]
    detected_encoding: str | None


@dataclass
class Chunk:
    rows: np.ndarray  # spreadsheet row number of each row (header = 1)
    frame: pd.DataFrame  # original cells, columns 0 … n-1 ("" or None when empty)
    # Rows refused as a whole (wrong number of cells): position in the chunk → message.
    problems: dict[int, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------------------------


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _decodes(sample: bytes, encoding: str, *, complete: bool) -> tuple[str, int]:
    """(text, number of undecodable bytes) of a sample; a character cut by the sample's end
    is not counted unless the sample is the whole file."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(sample, final=complete)
    return text, text.count("\ufffd")


def _detect_encoding(sample: bytes, *, complete: bool) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(sample, "utf-8", complete=complete)[1] == 0:
        return "utf-8"
    scored = []
    for encoding in ("cp932", "euc_jp"):
        text, errors = _decodes(sample, encoding, complete=complete)
        scored.append((errors, mess_ratio(text[:100_000], 1.0), encoding))
    return min(scored)[2]


def _check_forced(sample: bytes, forced: str, detected: str, *, complete: bool) -> None:
    """Refuse an encoding the user chose when the file plainly is in another one: a wrong
    choice would otherwise import mojibake without a single error."""
    text, errors = _decodes(sample, forced, complete=complete)
    label = ENCODING_LABELS[forced]
    if errors:
        position = text.index("\ufffd")
        line = text.count("\n", 0, position) + 1
        raise ImportFileError(
            f"the file is not {label}: line {line} has bytes that {label} cannot decode. "
            f"It looks like {ENCODING_LABELS[detected]}; choose that encoding or leave it "
            "to detection"
        )
    if forced == detected or (forced.startswith("utf-8") and detected.startswith("utf-8")):
        return
    ratio = mess_ratio(text[:100_000], 1.0)
    if ratio > MESS_LIMIT:
        first = text.splitlines()[0][:60] if text else ""
        raise ImportFileError(
            f"the file does not read as {label}: its first line comes out as '{first}'. "
            f"It looks like {ENCODING_LABELS[detected]}; choose that encoding or leave it "
            "to detection"
        )


def _detect_delimiter(first_line: str, filename: str) -> str:
    if filename.lower().endswith(".tsv"):
        return "\t"
    counts = {d: _count_outside_quotes(first_line, d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def sniff(path: Path, *, filename: str, encoding: str | None = None) -> Sniffed:
    """What the file is; raises ImportFileError with the reason when it is not a table."""
    size = path.stat().st_size
    with open(path, "rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    complete = size <= SAMPLE_BYTES
    if not sample.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise ImportFileError("the file is empty")
    if sample.startswith(b"PK\x03\x04"):
        if _is_xlsx(path):
            return Sniffed("xlsx", None, "", _xlsx_header(path), None)
        raise ImportFileError(
            "the file is a ZIP archive, not a table; unpack it or upload the CSV/.xlsx inside"
        )
    for magic, what in MAGIC:
        if sample.startswith(magic):
            raise ImportFileError(f"the file is {what}, not a CSV table")
    utf16 = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in sample and not utf16:
        raise ImportFileError(
            "the file is binary (it contains NUL bytes), not a CSV table; export the data "
            "as CSV or .xlsx from the program that made it"
        )
    detected = _detect_encoding(sample, complete=complete)
    chosen = detected
    if encoding:
        chosen = encoding_canonical(encoding)
        if chosen == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            chosen = "utf-8-sig"
        _check_forced(sample, chosen, detected, complete=complete)
    text = _decodes(sample, chosen, complete=complete)[0]
    if chosen == "utf-16":
        text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _detect_delimiter(first_line, filename)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error:
        header = first_line.split(delimiter)
    if not any(cell.strip() for cell in header):
        raise ImportFileError("the first line is empty; it must hold the column names")
    return Sniffed("csv", chosen, delimiter, [cell.strip() for cell in header], detected)


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


class DecodedStream(io.RawIOBase):
    """The file decoded from ``encoding`` and handed on as UTF-8, block by block.

    A byte sequence the encoding cannot decode raises ImportFileError with its line, which
    is how a line cut inside a two-byte character or a file in another encoding shows up.
    """

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        super().__init__()
        self.raw = raw
        self.encoding = encoding
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self.lines_before = 0
        self.pending = b""
        self.finished = False

    def readable(self) -> bool:
        return True

    def _next_block(self) -> bytes:
        block = self.raw.read(BLOCK_BYTES)
        final = not block
        try:
            text = self.decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            self._raise_at(block, exc, final=final)
        self.lines_before += block.count(b"\n")
        self.finished = final
        return text.encode("utf-8")

    def _raise_at(self, block: bytes, exc: UnicodeDecodeError, *, final: bool) -> None:
        label = ENCODING_LABELS[self.encoding]
        start = max(0, exc.start)
        line = self.lines_before + block[:start].count(b"\n") + 1
        if final:
            raise ImportFileError(
                f"the file ends inside a {label} character (line {line}): it was cut short "
                "or saved in another encoding; upload the complete file"
            ) from exc
        shown = " ".join(f"{b:02X}" for b in exc.object[exc.start : exc.end + 1][:4])
        raise ImportFileError(
            f"line {line}: bytes {shown} are not valid {label} — a character cut in two, or "
            "a file in another encoding (choose its encoding, or save it again as UTF-8)"
        ) from exc

    def readinto(self, buffer: Any) -> int:
        while not self.pending and not self.finished:
            self.pending = self._next_block()
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _text_stream(path: Path, encoding: str) -> io.TextIOWrapper:
    stream = DecodedStream(open(path, "rb"), encoding)  # noqa: SIM115 - closed with the wrapper
    return io.TextIOWrapper(io.BufferedReader(stream, BLOCK_BYTES), encoding="utf-8", newline="")


# ---------------------------------------------------------------------------------------------
# CSV: fast path (pyarrow) and careful path (csv module)
# ---------------------------------------------------------------------------------------------


def _arrow_reader(path: Path, sniffed: Sniffed, invalid: list[Any]) -> pa_csv.CSVStreamingReader:
    width = len(sniffed.header)

    def on_invalid(row: Any) -> str:
        invalid.append(row)
        return "skip"

    raw = open(path, "rb")  # noqa: SIM115 - owned by the reader's stream
    stream = io.BufferedReader(DecodedStream(raw, sniffed.encoding or "utf-8"), BLOCK_BYTES)
    return pa_csv.open_csv(
        stream,
        read_options=pa_csv.ReadOptions(
            block_size=BLOCK_BYTES, autogenerate_column_names=True, use_threads=True
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=sniffed.delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(width)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _fast_chunks(path: Path, sniffed: Sniffed, chunk_rows: int) -> Iterator[Chunk]:
    invalid: list[Any] = []
    try:
        reader = _arrow_reader(path, sniffed, invalid)
    except pa.ArrowInvalid as exc:
        raise CarefulParseNeeded(str(exc)) from exc
    next_row = 1  # the header is the first record
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            raise CarefulParseNeeded(str(exc)) from exc
        if invalid:
            raise CarefulParseNeeded(f"{len(invalid)} malformed row(s)")
        for column in batch.columns:
            if len(column) and pc.max(pc.utf8_length(column)).as_py() > MAX_CELL_CHARS:
                raise CarefulParseNeeded("a cell longer than the limit")
        pending.append(batch)
        pending_rows += batch.num_rows
        if pending_rows >= chunk_rows:
            chunk, next_row = _arrow_chunk(pending, next_row)
            pending, pending_rows = [], 0
            yield chunk
    if pending:
        chunk, next_row = _arrow_chunk(pending, next_row)
        yield chunk


def _arrow_chunk(batches: list[pa.RecordBatch], next_row: int) -> tuple[Chunk, int]:
    table = pa.Table.from_batches(batches)
    frame = table.to_pandas()
    frame.columns = range(frame.shape[1])
    rows = np.arange(next_row, next_row + len(frame), dtype=np.int64)
    # Rows of empty cells (,,,) are skipped as the careful reader skips them; the header
    # record is not data.
    keep = frame.ne("").any(axis=1).to_numpy().copy()
    if next_row == 1:
        keep[0] = False
    frame = frame[keep].reset_index(drop=True)
    return Chunk(rows[keep], frame), next_row + table.num_rows


def _careful_chunks(path: Path, sniffed: Sniffed, chunk_rows: int) -> Iterator[Chunk]:
    """Record by record with the csv module: slower, but every problem gets its line."""
    width = len(sniffed.header)
    csv.field_size_limit(MAX_CELL_CHARS)
    with _text_stream(path, sniffed.encoding or "utf-8") as text:
        reader = csv.reader(text, delimiter=sniffed.delimiter, strict=True)
        record = 0
        last_line = 0
        builder = _ChunkBuilder(width)
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise _careful_error(exc, last_line) from exc
            record += 1
            last_line = reader.line_num
            if record == 1 or not any(v.strip() for v in values):
                continue
            builder.add(record, values, line=last_line)
            if len(builder.rows) >= chunk_rows:
                yield builder.chunk()
                builder = _ChunkBuilder(width)
        if builder.rows:
            yield builder.chunk()


class _ChunkBuilder:
    """Rows collected one by one; a row with the wrong number of cells is kept (its cells
    go to the error report) and refused as a whole."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[int] = []
        self.cells: list[list[str | None]] = []
        self.problems: dict[int, str] = {}

    def add(self, row: int, values: list[str | None], *, line: int | None = None) -> None:
        if len(values) != self.width:
            where = f"line {line}" if line is not None else f"row {row}"
            self.problems[len(self.rows)] = (
                f"{where} has {len(values)} cells but the header has {self.width}: a "
                "delimiter inside an unquoted value (1,000), or a missing one"
            )
            values = (list(values) + [None] * self.width)[: self.width]
        self.rows.append(row)
        self.cells.append(values)

    def chunk(self) -> Chunk:
        frame = pd.DataFrame(self.cells, columns=range(self.width), dtype=object)
        return Chunk(np.asarray(self.rows, dtype=np.int64), frame, self.problems)


def _careful_error(exc: csv.Error, last_line: int) -> ImportFileError:
    message = str(exc)
    line = last_line + 1
    if "field larger than field limit" in message:
        return ImportFileError(
            f"a cell starting on or after line {line} is longer than {MAX_CELL_CHARS:,} "
            "characters (Excel's limit for a cell): probably a quote (\") opened and never "
            "closed; check that line"
        )
    if "unexpected end of data" in message or "EOF" in message:
        return ImportFileError(
            f"a quoted cell starting on or after line {line} is never closed (an unbalanced "
            '"); add the missing quote or remove the stray one'
        )
    return ImportFileError(f"line {line}: the CSV is malformed ({message})")


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------


def _xlsx_cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def _xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(f"the .xlsx file cannot be opened ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _xlsx_header(path: Path) -> list[str]:
    for row in _xlsx_rows(path):
        header = [(_xlsx_cell(value) or "").strip() for value in row]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise ImportFileError(
                "the first row of the sheet is empty; it must hold the column names"
            )
        return header
    raise ImportFileError("the workbook's first sheet is empty")


def _xlsx_chunks(path: Path, sniffed: Sniffed, chunk_rows: int) -> Iterator[Chunk]:
    width = len(sniffed.header)
    builder = _ChunkBuilder(width)
    for number, row in enumerate(_xlsx_rows(path), start=1):
        values = [_xlsx_cell(value) for value in row]
        if number == 1 or not any(v is not None and v.strip() for v in values):
            continue
        # Trailing empty cells are not extra cells; a value beyond the header is.
        while len(values) > width and values[-1] is None:
            values.pop()
        builder.add(number, values + [None] * (width - len(values)))
        if len(builder.rows) >= chunk_rows:
            yield builder.chunk()
            builder = _ChunkBuilder(width)
    if builder.rows:
        yield builder.chunk()


# ---------------------------------------------------------------------------------------------


def read_chunks(
    path: Path, sniffed: Sniffed, *, careful: bool = False, chunk_rows: int = CHUNK_ROWS
) -> Iterator[Chunk]:
    """The data rows in chunks. The fast CSV path raises CarefulParseNeeded when it meets a
    row it cannot place; the caller starts again with ``careful=True``."""
    if sniffed.kind == "xlsx":
        yield from _xlsx_chunks(path, sniffed, chunk_rows)
    elif careful:
        yield from _careful_chunks(path, sniffed, chunk_rows)
    else:
        yield from _fast_chunks(path, sniffed, chunk_rows)
