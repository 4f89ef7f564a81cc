from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The search text of a person: names and readings written together (山田太郎 finds 山田 太郎),
# e-mails, postal code and phones as digits (so 03-1234-5678, 0312345678 and (03)1234-5678
# all find the same person), the address; white space removed, lower-cased. '|' separates
# the parts so that neither trigrams nor grams span two fields.
SEARCH_TEXT = r"""
CREATE OR REPLACE FUNCTION meibo_person_search_text(
    family_name text, given_name text, family_name_kana text, given_name_kana text,
    email text, mobile_email text, postal_code text, prefecture text, address1 text,
    address2 text, phone text, mobile_phone text, fax text, home_phone text
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(regexp_replace(concat_ws('|',
        coalesce(family_name, '') || coalesce(given_name, ''),
        coalesce(family_name_kana, '') || coalesce(given_name_kana, ''),
        email,
        mobile_email,
        replace(postal_code, '-', ''),
        coalesce(prefecture, '') || coalesce(address1, '') || coalesce(address2, ''),
        regexp_replace(concat_ws('|', phone, mobile_phone, fax, home_phone), '[^0-9|]', '', 'g')
    ), '\s', '', 'g'))
$$;
"""

# Every 1- and 2-character substring: a GIN index over these answers the short queries
# (佐藤, 03) that have no trigram for pg_trgm to look up. Built from C string functions (each
# character; the pairs starting at even positions; those starting at odd ones) because a
# generate_series over positions costs 15 times as much on every insert. Duplicates and
# pairs spanning '|' are harmless: the index is only asked whether a row contains a term.
GRAMS = r"""
CREATE OR REPLACE FUNCTION meibo_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_to_array(t, NULL)
        || string_to_array(regexp_replace(t, '(..)', E'\\1\x01', 'g'), E'\x01')
        || string_to_array(regexp_replace(substr(t, 2), '(..)', E'\\1\x01', 'g'), E'\x01')
$$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        TrigramExtension(),
        migrations.RunSQL(SEARCH_TEXT, "DROP FUNCTION meibo_person_search_text"),
        migrations.RunSQL(GRAMS, "DROP FUNCTION meibo_grams"),
    ]
