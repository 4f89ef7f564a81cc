"""The LIKE index beside the unique 外部コード of sales: never read, 66 MB on 10,000,000 sales,
written by every sales import (see api.core.migration_operations.DropLikeIndex)."""

from django.db import migrations

from api.core.migration_operations import DropLikeIndex


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_drop_indexes_led_by_others")]

    operations = [DropLikeIndex("sale", "external_code")]
