"""Encoding Japanese mail for SMTP: RFC 2047 encoded words for headers and display names,
ISO-2022-JP for old carrier phones, base64 bodies, CRLF lines, the Date header.

A character ISO-2022-JP cannot carry becomes its compatibility form (① → 1, ㈱ → (株),
half-width kana → full-width) or else 〓 (geta), the customary mark for a missing
character.
"""

from __future__ import annotations

import base64
import codecs
import re
import time
import unicodedata
from email.utils import format_datetime

from django.utils import timezone

GETA = "〓"
HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
# RFC 2047: an encoded word is at most 75 characters; 39 bytes of text make 52 base64
# characters, so "Subject: " plus one word stays within the recommended 78.
WORD_BYTES = 39
SPECIALS = set('()<>[]:;@\\,."')
# A 7-bit line may not pass 998 bytes; a JIS character takes two plus escape sequences.
JIS_LINE_CHARS = 400


def _jis_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    replaced = []
    for char in error.object[error.start : error.end]:
        compatible = unicodedata.normalize("NFKC", char)
        try:
            compatible.encode("iso2022_jp")
        except UnicodeEncodeError:
            compatible = GETA
        replaced.append(compatible)
    return "".join(replaced), error.end


codecs.register_error("meibo-jis", _jis_fallback)


def jis_encode(text: str) -> bytes:
    """ISO-2022-JP bytes of ``text``, with the substitutions described above."""
    if HALF_WIDTH_KANA.search(text):
        # Voiced half-width kana (ｶﾞ) must become one full-width character (ガ), so whole
        # runs are normalised rather than character by character.
        text = HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text.encode("iso2022_jp", "meibo-jis")


def jis_substitutions(text: str) -> list[str]:
    """The characters of ``text`` that ISO-2022-JP cannot carry as they are."""
    found: dict[str, None] = {}
    for char in text:
        if not char.isascii():
            try:
                char.encode("iso2022_jp")
            except UnicodeEncodeError:
                if not HALF_WIDTH_KANA.match(char):
                    found.setdefault(char, None)
    return list(found)


def encoded_words(text: str, charset: str) -> str:
    """``text`` as RFC 2047 B-encoded words, folded with CRLF SP between words."""
    words = []
    if charset == "utf-8":
        data = text.encode("utf-8")
        start = 0
        while start < len(data):
            end = min(start + WORD_BYTES, len(data))
            # Never split a UTF-8 sequence: back up over continuation bytes.
            while end < len(data) and data[end] & 0xC0 == 0x80:
                end -= 1
            words.append("=?UTF-8?B?" + base64.b64encode(data[start:end]).decode() + "?=")
            start = end
        return "\r\n ".join(words)
    # ISO-2022-JP: every word must begin and end in ASCII mode, so words are cut between
    # characters and each is encoded on its own.
    chunk = ""
    for char in text:
        if chunk and len(jis_encode(chunk + char)) > WORD_BYTES:
            words.append(chunk)
            chunk = ""
        chunk += char
    if chunk:
        words.append(chunk)
    return "\r\n ".join(
        "=?ISO-2022-JP?B?" + base64.b64encode(jis_encode(word)).decode() + "?=" for word in words
    )


def header_value(text: str, charset: str) -> str:
    text = " ".join(text.split())
    return text if text.isascii() else encoded_words(text, charset)


def mailbox(name: str, address: str, charset: str) -> str:
    """A From/To/Reply-To value. The address is written as given: Japanese carrier
    addresses such as ``taro..yamada@docomo.ne.jp`` are not RFC 5322 dot-atoms, but they are
    real and their owners must get their mail."""
    name = " ".join(name.split())
    if not name:
        return address
    if name.isascii():
        if SPECIALS & set(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{address}>"
    return f"{encoded_words(name, charset)} <{address}>"


def base64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def wrap_long_lines(text: str) -> str:
    return "\r\n".join(
        "\r\n".join(line[i : i + JIS_LINE_CHARS] for i in range(0, len(line), JIS_LINE_CHARS))
        for line in text.split("\r\n")
    )


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


class DateHeader:
    """The Date header, formatted once a second rather than once a message."""

    second = -1
    value = ""

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        if second != cls.second:
            cls.value = format_datetime(timezone.localtime())
            cls.second = second
        return cls.value
