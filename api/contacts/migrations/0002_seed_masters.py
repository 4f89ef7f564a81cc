from django.db import migrations

# The masters a Japanese sales team starts with; staff add or deactivate rows in the admin.
METHODS = [
    ("visit", "訪問"), ("phone", "電話"), ("inbound", "来社"), ("email", "メール"),
    ("web", "Web会議"), ("fax", "FAX"), ("post", "郵送"), ("other", "その他"),
]
RESULTS = [
    ("order", "受注"), ("continue", "継続"), ("lost", "失注"), ("absent", "不在"),
    ("material", "資料送付"), ("quote", "見積提出"), ("other", "その他"),
]
SUMMARIES = [
    ("greeting", "挨拶"), ("proposal", "新規提案"), ("regular", "定期訪問"),
    ("quote", "見積"), ("contract", "契約手続き"), ("claim", "クレーム対応"),
    ("support", "アフターフォロー"), ("research", "情報収集"), ("other", "その他"),
]


def seed(apps, schema_editor):
    for model_name, rows in (
        ("ContactMethod", METHODS), ("ContactResult", RESULTS), ("ContactSummary", SUMMARIES)
    ):
        model = apps.get_model("contacts", model_name)
        for order, (code, name) in enumerate(rows, start=1):
            model.objects.update_or_create(
                code=code, defaults={"name": name, "sort_order": order * 10}
            )


def unseed(apps, schema_editor):
    for model_name, rows in (
        ("ContactMethod", METHODS), ("ContactResult", RESULTS), ("ContactSummary", SUMMARIES)
    ):
        model = apps.get_model("contacts", model_name)
        model.objects.filter(code__in=[code for code, _ in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
