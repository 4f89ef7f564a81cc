"""Cells safe to open in a spreadsheet.

Excel and LibreOffice evaluate a cell that starts with = + - @ (or a tab / carriage return
followed by one) as a formula, so a customer named "=HYPERLINK(...)" could run in a staff
member's spreadsheet. Such a cell is written with a leading apostrophe, which spreadsheets
show as text and which a Meibo import strips again (see ``cell_unsafe``).
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def cell_safe(value: object) -> str:
    """The text of ``value`` for a CSV/XLSX cell, neutralised if it could be a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def cell_unsafe(text: str) -> str:
    """Undo ``cell_safe`` on re-import: a leading apostrophe before a formula prefix."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _is_number(text: str) -> bool:
    # A negative amount such as -1500 is data, not a formula; keep it numeric.
    try:
        float(text)
    except ValueError:
        return False
    return True
