"""CSV that a spreadsheet opens as text: every CSV the project writes goes through here.

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (`=HYPERLINK("http://x", "click")` sends whoever clicks it
elsewhere, `=cmd|...` once ran commands). As OWASP's "CSV Injection" page advises, such a
text cell gets a leading `'`, which the spreadsheet shows as text and does not display.

Numbers are not text: an `int` or a `float` our code computed (a label, a score) is written
as it is, so -0.1 stays a number. A `str` is text, whoever wrote it, even one that reads as
a number: a member's "-1" is written `'-1`.

The escaping is reversible (`unescape`): a text that already begins with `'` followed by what
would be escaped gets one more `'`, so reading a cell back gives exactly what was written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:  # not subscriptable at run time in Python 3.11
    _DictWriter = csv.DictWriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escaped(text: str) -> bool:
    """Whether `text` gets a leading quote: a formula start, or a quote before one."""
    return text.startswith(FORMULA_STARTS) or (text.startswith("'") and _escaped(text[1:]))


def cell(value: object) -> object:
    """The value as a spreadsheet-safe CSV cell: numbers and None as they are, text escaped."""
    if isinstance(value, str) and _escaped(value):
        return "'" + value
    return value


def unescape(text: str) -> str:
    """The text `cell` was given: for whoever reads a cell back."""
    return text[1:] if text.startswith("'") and _escaped(text[1:]) else text


class Writer:
    """`csv.writer`, every cell through `cell`."""

    def __init__(self, handle: IO[str], **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter(_DictWriter):
    """`csv.DictWriter`, every cell through `cell` (the header row too)."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)
