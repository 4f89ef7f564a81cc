"""The column rules: a value kept as it is must be what the input rule would return."""

import pandas as pd
import pytest

from api.core import normalise
from importers.validation import PASS_THROUGH, normalise_column

TRICKY = [
    "山田 太郎",
    "山田  太郎",
    " 山田",
    "山田 ",
    "山田\u3000太郎",
    "ＡＢＣ",
    "ｶﾅ",
    "か\u3099",
    "タブ\tあり",
    "改行\nあり",
    "改行\r\nあり",
    "\u00a0nbsp",
    "全角！",
    "①㈱髙﨑",
    "a\u2028b",
    "ヤマダ タロウ",
    "ヤマダ  タロウ",
    "やまだ",
    "ヤマダ・タロウ",
    "ﾔﾏﾀﾞ",
    "100-0001",
    "１００－０００１",
    "1000001",
    "100-00011",
    "",
    "ok",
    "\x1c sep",
    "e\u0301",
    "x\u200by",
]


@pytest.mark.parametrize(
    ("kind", "rule"),
    [("text", normalise.text), ("kana", normalise.kana), ("postal", normalise.postal_code)],
)
def test_values_kept_as_they_are_are_what_the_rule_returns(kind, rule):
    assert kind in PASS_THROUGH
    values, errors = normalise_column(pd.Series(TRICKY, dtype="str"), kind=kind)
    for index, raw in enumerate(TRICKY):
        try:
            expected, failed = rule(raw), None
        except normalise.NormaliseError as exc:
            expected, failed = None, exc.message
        assert values.iat[index] == expected, raw
        got = errors.iat[index].message if errors is not None and errors.iat[index] else None
        assert got == failed, raw


def test_the_column_address_check_is_the_rule_applied_to_each_row():
    """Every kind of code: single town, several towns, several cities, several
    prefectures, office codes, unknown codes; with and without a prefecture given."""
    from importers.postal import address_check_series, postal_table

    table = postal_table()
    sample = list(table.index[::97]) + list(table.index[table["n_prefs"] > 1])
    sample += ["1000001", "0040000", "9999999"]
    codes, prefs, empties = [], [], []
    for code in sample:
        for pref in (None, "東京都", table["found_pref"].get(code) or "北海道"):
            for empty in (True, False):
                codes.append(f"{code[:3]}-{code[3:]}")
                prefs.append(pref)
                empties.append(empty)
    got_pref, got_fill, got_error = address_check_series(
        pd.Series(codes, dtype=object), pd.Series(prefs, dtype=object), pd.Series(empties)
    )
    for i, (code, pref, empty) in enumerate(zip(codes, prefs, empties, strict=True)):
        try:
            want_pref, want_address = normalise.address_check(
                postal_code=code, prefecture=pref, address1=None if empty else "番地"
            )
            want_error = None
        except normalise.NormaliseError as exc:
            want_pref, want_address, want_error = pref, None, (exc.message, exc.suggestion)
        error = got_error.iat[i]
        assert ((error.message, error.suggestion) if error else None) == want_error, code
        assert got_pref.iat[i] == want_pref, (code, pref)
        expected_fill = want_address if empty else None
        assert got_fill.iat[i] == expected_fill, (code, pref, empty)
