# Imported rows wait for a follow-up job to compute their search text and index it
# (search_pending); the search indexes hold the other rows only. And a btree on company name
# for the import's 会社名 lookups.

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('masters', '0001_initial'),
        ('people', '0006_company_reading_order'),
    ]

    operations = [
        # For the GIN builds below (a million people: minutes with the default 64MB).
        migrations.RunSQL("SET LOCAL maintenance_work_mem = '1GB'", migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name='person',
            name='person_search_trgm',
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='person_search_grams',
        ),
        migrations.AddField(
            model_name='person',
            name='search_pending',
            field=models.BooleanField(db_default=False, default=False, editable=False, verbose_name='検索索引待ち'),
        ),
        # A generated column's expression cannot be altered (PostgreSQL 15): it is dropped and
        # added again, which computes it for every row.
        migrations.RemoveField(model_name='person', name='search_text'),
        migrations.AddField(
            model_name='person',
            name='search_text',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(search_pending=True, then=models.Value(None)), default=models.Func('family_name', 'given_name', 'family_name_kana', 'given_name_kana', 'email', 'mobile_email', 'postal_code', 'prefecture', 'address1', 'address2', 'phone', 'mobile_phone', 'fax', 'home_phone', function='meibo_person_search_text'), output_field=models.TextField()), output_field=models.TextField()),
        ),
        migrations.AddIndex(
            model_name='company',
            index=models.Index(fields=['name'], name='company_name'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('search_pending', False)), fields=['search_text'], name='person_search_trgm', opclasses=['gin_trgm_ops']),
        ),
        migrations.AddIndex(
            model_name='person',
            index=django.contrib.postgres.indexes.GinIndex(models.Func(models.F('search_text'), function='meibo_grams', output_field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None)), condition=models.Q(('search_pending', False)), name='person_search_grams'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=models.Q(('search_pending', True)), fields=['id'], name='person_search_pending'),
        ),
    ]
