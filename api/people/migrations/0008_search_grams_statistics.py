"""Statistics of the search grams, which the partial index no longer gives the planner.

PostgreSQL estimates ``meibo_grams(search_text) @> ARRAY['佐藤']`` from the statistics of
that expression, and it takes them from an expression index only when the index is not
partial. Since 0007 made person_search_grams partial, every gram was estimated at the
default 0.5 %: 佐藤 (4.9 % of people) was planned as a bitmap scan of all ~49,000 matches
sorted for one page (~205 ms on 1,000,000 people) instead of a walk of the newest people
that finds a page after ~1,000 (~40 ms). Expression statistics (PostgreSQL 14+) give the
estimate back without indexing anything: ANALYZE computes the grams of its sample rows.
"""

from django.db import migrations

CREATE = """
CREATE STATISTICS person_search_grams_stats ON (meibo_grams(search_text)) FROM people_person;
ANALYZE people_person;
"""


class Migration(migrations.Migration):
    dependencies = [("people", "0007_search_pending"), ("core", "0001_search_functions")]

    operations = [
        migrations.RunSQL(CREATE, reverse_sql="DROP STATISTICS person_search_grams_stats"),
    ]
