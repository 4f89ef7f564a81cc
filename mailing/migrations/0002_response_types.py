from django.db import migrations

# The responses (選択セット応答) a mailing desk records from the start; staff add or deactivate
# rows in the admin. "returned" marks an address that no longer works.
RESPONSE_TYPES = [
    ("attending", "出席", False),
    ("declined", "欠席", False),
    ("replied", "返信あり", False),
    ("returned", "宛先不明で返送", True),
    ("moved", "転居", False),
    ("thanks", "お礼状受領", False),
    ("stop", "今後不要", False),
]


def seed(apps, schema_editor):
    model = apps.get_model("mailing", "ResponseType")
    for order, (code, name, undeliverable) in enumerate(RESPONSE_TYPES, start=1):
        model.objects.update_or_create(
            code=code,
            defaults={"name": name, "sort_order": order * 10, "undeliverable": undeliverable},
        )


def unseed(apps, schema_editor):
    model = apps.get_model("mailing", "ResponseType")
    model.objects.filter(code__in=[code for code, _, _ in RESPONSE_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("mailing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
