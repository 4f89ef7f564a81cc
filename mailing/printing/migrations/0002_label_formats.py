"""The label sheets Meibo ships: the common A4 sheets (12, 18, 21, 24 and 44 labels) and a
few products by their numbers. Millimetres; pitch = label size + gap."""

from decimal import Decimal

from django.db import migrations

# code, name, manufacturer, product number, columns, rows, label w, h, pitch x, y, top, left
FORMATS = [
    ("a4-12", "A4 12面 (86.4×42.3mm)", "", "", 2, 6, "86.4", "42.3", "86.4", "42.3", "21.6", "18.6"),
    ("a4-18", "A4 18面 (86.4×31.0mm)", "", "", 2, 9, "86.4", "31.0", "86.4", "31.0", "9.0", "18.6"),
    ("a4-21", "A4 21面 (70.0×42.3mm)", "", "", 3, 7, "70.0", "42.3", "70.0", "42.3", "0.45", "0"),
    ("a4-24", "A4 24面 (70.0×33.9mm)", "", "", 3, 8, "70.0", "33.9", "70.0", "33.9", "12.9", "0"),
    ("a4-44", "A4 44面 (48.3×25.4mm)", "", "", 4, 11, "48.3", "25.4", "48.3", "25.4", "8.8", "8.4"),
    ("a-one-72212", "エーワン 72212 (12面)", "エーワン", "72212", 2, 6, "86.4", "42.3", "86.4", "42.3", "21.6", "18.6"),
    ("a-one-72224", "エーワン 72224 (24面)", "エーワン", "72224", 3, 8, "70.0", "33.9", "70.0", "33.9", "12.9", "0"),
    ("avery-l7159", "Avery L7159 (24面)", "Avery", "L7159", 3, 8, "63.5", "33.9", "66.0", "33.9", "12.9", "7.25"),
    ("avery-l7160", "Avery L7160 (21面)", "Avery", "L7160", 3, 7, "63.5", "38.1", "66.0", "38.1", "15.15", "7.25"),
    ("avery-l7161", "Avery L7161 (18面)", "Avery", "L7161", 3, 6, "63.5", "46.6", "66.0", "46.6", "8.7", "7.25"),
    ("avery-l7163", "Avery L7163 (14面)", "Avery", "L7163", 2, 7, "99.1", "38.1", "101.6", "38.1", "15.15", "4.65"),
]


def add_formats(apps, schema_editor):
    LabelFormat = apps.get_model("printing", "LabelFormat")
    for code, name, maker, number, cols, rows, w, h, px, py, top, left in FORMATS:
        LabelFormat.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name, manufacturer=maker, product_number=number, columns=cols, rows=rows,
                label_width=Decimal(w), label_height=Decimal(h), pitch_x=Decimal(px),
                pitch_y=Decimal(py), margin_top=Decimal(top), margin_left=Decimal(left),
                page_width=Decimal("210"), page_height=Decimal("297"), builtin=True,
            ),
        )


def remove_formats(apps, schema_editor):
    apps.get_model("printing", "LabelFormat").objects.filter(
        code__in=[row[0] for row in FORMATS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("printing", "0001_initial")]

    operations = [migrations.RunPython(add_formats, remove_formats)]
