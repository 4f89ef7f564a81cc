"""Rebuild the members table with its columns ordered for alignment.

The columns as 0001 created them (a boolean, a timestamp, a varchar, then the two bigints)
padded each row to 64 bytes; ids and timestamp first, the one-byte columns last, make it
56. Every set is written as one row per member, so this is an eighth less heap and ~5 % less
WAL on every extraction, merge and copy (750,000 members: heap 49 → 43 MB, WAL 119 → 113 MB).
Nothing in Django's state changes; reversing leaves the table as it is.
"""

from django.db import migrations

REBUILD = """
LOCK TABLE selections_selectionmember IN ACCESS EXCLUSIVE MODE;
CREATE TABLE selections_selectionmember_reordered (
    selection_set_id bigint NOT NULL,
    person_id bigint NOT NULL,
    added_at timestamp with time zone NOT NULL DEFAULT statement_timestamp(),
    duplicate_of bigint NULL,
    manual boolean NOT NULL DEFAULT false,
    duplicate_matched_on varchar(10) NOT NULL DEFAULT ''
);
INSERT INTO selections_selectionmember_reordered
    (selection_set_id, person_id, added_at, duplicate_of, manual, duplicate_matched_on)
SELECT selection_set_id, person_id, added_at, duplicate_of, manual, duplicate_matched_on
FROM selections_selectionmember ORDER BY selection_set_id, person_id;
DROP TABLE selections_selectionmember;
ALTER TABLE selections_selectionmember_reordered RENAME TO selections_selectionmember;
ALTER TABLE selections_selectionmember
    ADD CONSTRAINT selections_selectionmember_pkey PRIMARY KEY (selection_set_id, person_id);
ANALYZE selections_selectionmember;
"""


class Migration(migrations.Migration):
    dependencies = [("selections", "0001_initial")]

    operations = [migrations.RunSQL(REBUILD, reverse_sql=migrations.RunSQL.noop)]
