"""The LIKE indexes beside the unique codes of people, companies and departments: never
read, written by every import (see api.core.migration_operations.DropLikeIndex)."""

from django.db import migrations

from api.core.migration_operations import DropLikeIndex


class Migration(migrations.Migration):
    dependencies = [("people", "0008_search_grams_statistics")]

    operations = [
        DropLikeIndex("person", "external_code"),
        DropLikeIndex("company", "external_code"),
        DropLikeIndex("company", "corporate_number"),
        DropLikeIndex("department", "external_code"),
    ]
