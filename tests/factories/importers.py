"""Files to import, and the records of imports."""

from __future__ import annotations

import csv
import io

import factory

from importers.models import ImportFormat


def csv_bytes(
    rows: list[list[str]], *, encoding: str = "cp932", delimiter: str = ",", bom: bool = False
) -> bytes:
    """A CSV as Excel writes it: CRLF line ends, quotes where needed, in ``encoding``."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PEOPLE_HEADER = ["氏名", "フリガナ", "会社名", "部署", "役職", "電話", "メール", "〒", "住所"]


def people_rows(count: int, *, start: int = 0) -> list[list[str]]:
    """``count`` distinct, valid people rows under PEOPLE_HEADER."""
    return [
        [
            f"山田 太郎{n}",
            "ヤマダ タロウ",
            f"株式会社テスト{n % 3}",
            "営業部",
            "課長",
            f"03-1234-{n % 10000:04d}",
            f"taro{n}@example.co.jp",
            "100-0001",
            f"千代田区千代田1-{n}",
        ]
        for n in range(start, start + count)
    ]


class ImportFormatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportFormat
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"フォーマット{n}")
    target = "people"
    mapping = factory.LazyFunction(dict)
