"""DOCX templates with merge fields: parsed once, filled per recipient as XML text.

python-docx reads an uploaded template once; its merge fields — ``{{会社名}}`` typed in the
text, even when Word split it over several runs, or Word's own MERGEFIELD fields — are
normalised to one placeholder each, and the body is cut into literal XML around them. A
letter is then a string join with escaped values: no document object per recipient. That
is what keeps 30,000 letters fast: appending to a python-docx document slows down
quadratically (MEASURED.md).

One combined document keeps every letter in its own section (a "next page" section break,
as Word's own mail merge does), so each letter starts on a new page with the template's
page setup, headers and footers. The document part is streamed into the zip, so memory
does not grow with the number of letters.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO
from xml.sax.saxutils import escape

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from mailing.renderers.merge import FIELD_BY_NAME, PLACEHOLDER

DOCUMENT_PART = "word/document.xml"
_MERGEFIELD = re.compile(r"^\s*MERGEFIELD\s+\"?([^\s\"\\]+)\"?", re.IGNORECASE)
_NOISE = re.compile(
    r'\s+w14:(?:paraId|textId)="[^"]*"|<w:bookmarkStart [^>]*/>|<w:bookmarkEnd [^>]*/>'
)
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")\d+(")')
_DOCPR_MARK = "\x00docpr\x00"
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class TemplateError(ValueError):
    """The file is not a usable template; the message says what to change."""


class DocxTemplate:
    """A DOCX template ready to fill; see the module doc."""

    def __init__(self, data: bytes):
        try:
            document = Document(io.BytesIO(data))
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise TemplateError("Word文書 (.docx) として読めません") from exc
        for section in document.sections:
            for part in (
                section.header,
                section.footer,
                section.first_page_header,
                section.first_page_footer,
                section.even_page_header,
                section.even_page_footer,
            ):
                if not part.is_linked_to_previous and PLACEHOLDER.search(
                    "".join(t.text or "" for t in part._element.iter(qn("w:t")))
                ):
                    raise TemplateError(
                        "差し込み項目はヘッダー・フッターではなく本文に置いてください"
                    )
        body = document.element.body
        _fields_to_placeholders(body)
        for paragraph in body.iter(qn("w:p")):
            _join_split_placeholders(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        self._parts: list[tuple[zipfile.ZipInfo, bytes]] = []
        xml = ""
        with zipfile.ZipFile(buffer) as package:
            for info in package.infolist():
                if info.filename == DOCUMENT_PART:
                    xml = package.read(info).decode("utf-8")
                self._parts.append((info, package.read(info)))
        self._head, inner, self._final_section, self._tail = _split_document(xml)
        inner = _DOCPR_ID.sub(lambda m: f"{m.group(1)}{_DOCPR_MARK}{m.group(2)}", inner)
        inner = _NOISE.sub("", inner)
        # Literal XML and field names alternate: even items literal, odd items fields.
        pieces = PLACEHOLDER.split(inner)
        self.fields = sorted({pieces[i] for i in range(1, len(pieces), 2)})
        unknown = [name for name in self.fields if name not in FIELD_BY_NAME]
        if unknown:
            raise TemplateError("不明な差し込み項目: " + ", ".join(unknown))
        self._pieces = [
            piece if i % 2 == 0 else FIELD_BY_NAME[piece] for i, piece in enumerate(pieces)
        ]
        self._docpr_per_letter = inner.count(_DOCPR_MARK)
        self._section_break = f"<w:p><w:pPr>{self._final_section}</w:pPr></w:p>"

    def letter(self, values: dict[str, str], *, number: int = 0) -> str:
        """The body XML of one letter; ``number`` keeps drawing ids unique in a merge."""
        out: list[str] = []
        for i, piece in enumerate(self._pieces):
            out.append(piece if i % 2 == 0 else _xml_text(values.get(piece, "")))
        xml = "".join(out)
        if self._docpr_per_letter:
            xml = _number_docpr(xml, iter(range(number * self._docpr_per_letter + 1, 10**9)))
        return xml

    def letters(self, rows: Iterable[dict[str, str]], *, first_number: int) -> Iterator[str]:
        """Letters for a merged document: a section break before each letter but the
        document's first (``first_number == 0``), so no blank page ends the file."""
        for offset, values in enumerate(rows):
            number = first_number + offset
            if number:
                yield self._section_break
            yield self.letter(values, number=number)

    def write(self, out: BinaryIO, body: Iterable[str | bytes]) -> None:
        """Write the document with ``body`` (letters, section breaks) streamed in."""
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for info, data in self._parts:
                if info.filename != DOCUMENT_PART:
                    package.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                    continue
                with package.open(DOCUMENT_PART, "w", force_zip64=True) as stream:
                    stream.write(self._head.encode())
                    for piece in body:
                        stream.write(piece.encode() if isinstance(piece, str) else piece)
                    stream.write(self._final_section.encode())
                    stream.write(self._tail.encode())

    def write_one(self, out: BinaryIO, values: dict[str, str]) -> None:
        self.write(out, [self.letter(values)])


def _number_docpr(xml: str, ids: Iterator[int]) -> str:
    parts = xml.split(_DOCPR_MARK)
    return "".join(
        part + (str(next(ids)) if i < len(parts) - 1 else "") for i, part in enumerate(parts)
    )


def _xml_text(value: str) -> str:
    # A value's line breaks become Word line breaks inside the same run.
    text = escape(_XML_INVALID.sub("", value))
    return text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')


def _split_document(xml: str) -> tuple[str, str, str, str]:
    """(up to <w:body>, the body's content, its final <w:sectPr>, the rest)."""
    open_match = re.search(r"<w:body>", xml)
    close = xml.rfind("</w:body>")
    if not open_match or close < 0:
        raise TemplateError("文書の本文がありません")
    start = open_match.end()
    section_at = xml.rfind("<w:sectPr", start, close)
    section_end = xml.rfind("</w:sectPr>", start, close)
    if section_at < 0 or section_end < 0 or xml[section_end + 11 : close].strip():
        raise TemplateError("ページ設定 (セクション) のない文書は使えません")
    return xml[:start], xml[start:section_at], xml[section_at : section_end + 11], xml[close:]


def _placeholder_run(rpr, name: str):
    from copy import deepcopy

    from docx.oxml import OxmlElement

    run = OxmlElement("w:r")
    if rpr is not None:
        run.append(deepcopy(rpr))
    text = OxmlElement("w:t")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    text.text = "{{" + name + "}}"
    run.append(text)
    return run


def _fields_to_placeholders(body) -> None:
    """Word mail-merge fields (simple and complex) become ``{{name}}`` runs."""
    for simple in list(body.iter(qn("w:fldSimple"))):
        match = _MERGEFIELD.match(simple.get(qn("w:instr")) or "")
        if match:
            inner = simple.find(f"{qn('w:r')}/{qn('w:rPr')}")
            simple.addprevious(_placeholder_run(inner, match.group(1)))
            simple.getparent().remove(simple)
    for paragraph in list(body.iter(qn("w:p"))):
        runs = list(paragraph.iter(qn("w:r")))
        index = 0
        while index < len(runs):
            char = runs[index].find(qn("w:fldChar"))
            if char is None or char.get(qn("w:fldCharType")) != "begin":
                index += 1
                continue
            end = index
            instruction = ""
            while end < len(runs):
                instruction += "".join(t.text or "" for t in runs[end].iter(qn("w:instrText")))
                mark = runs[end].find(qn("w:fldChar"))
                if mark is not None and mark.get(qn("w:fldCharType")) == "end":
                    break
                end += 1
            match = _MERGEFIELD.match(instruction)
            if match and end < len(runs):
                runs[index].addprevious(
                    _placeholder_run(runs[index].find(qn("w:rPr")), match.group(1))
                )
                for run in runs[index : end + 1]:
                    run.getparent().remove(run)
            index = end + 1


def _join_split_placeholders(paragraph) -> None:
    """Word often splits ``{{会社名}}`` over several runs (spell check, an edit in the
    middle); move each placeholder wholly into the text element where it starts."""
    texts = list(paragraph.iter(qn("w:t")))
    if len(texts) < 2:
        for t in texts:
            if PLACEHOLDER.search(t.text or ""):
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return
    joined = "".join(t.text or "" for t in texts)
    if "{{" not in joined:
        return
    starts = []
    position = 0
    for t in texts:
        starts.append(position)
        position += len(t.text or "")
    for match in reversed(list(PLACEHOLDER.finditer(joined))):
        first = max(i for i, s in enumerate(starts) if s <= match.start())
        last = max(i for i, s in enumerate(starts) if s < match.end())
        if first == last:
            texts[first].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            continue
        head = texts[first].text or ""
        cut = match.start() - starts[first]
        tail_text = texts[last].text or ""
        keep_from = match.end() - starts[last]
        texts[first].text = head[:cut] + match.group(0)
        texts[first].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        for t in texts[first + 1 : last]:
            t.text = ""
        texts[last].text = tail_text[keep_from:]
        texts[last].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
