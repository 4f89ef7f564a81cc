"""A streaming PDF writer for many pages of text in embedded TrueType faces (address labels).

Why not reportlab's canvas for labels: it keeps every page in memory until it saves,
encodes each string char by char into 256-glyph subsets numbered in the order of first use,
and so a run rendered in chunks by several workers had to be merged page by page (pypdf),
each chunk bringing its own copies of the font subsets. Here text is written as the font's
own glyph ids (a Type0 font, Identity-H, CIDToGIDMap /Identity): any worker renders pages
without knowing the others, and the combined file embeds each face once, as a subset of the
glyphs every chunk used, with the glyph ids kept, so no page is rewritten.

``PdfFile`` writes a whole PDF as the pages come; ``PdfPart`` writes a chunk's pages and the
characters they use, and ``combine_parts`` streams parts into one PDF.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from functools import lru_cache
from typing import IO

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontMaker

from mailing.renderers.fonts import Face, FontSet

# Catalog, page tree, the shared resources and the document information have fixed numbers;
# they are written last, when the pages and fonts are known.
CATALOG, PAGES, RESOURCES, INFO = 1, 2, 3, 4
# The bezier control point distance of a quarter circle of radius 1.
KAPPA = 0.5522847498


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=64)
def _name(text: str) -> str:
    """A PDF name: a configured fallback font's file name may hold spaces or brackets."""
    return "/" + "".join(
        ch if "!" <= ch <= "~" and ch not in "()<>[]{}/%#" else f"#{ord(ch):02X}"
        for ch in text.encode("utf-8").decode("latin-1")
    )


class Pages(ABC):
    """One page's drawing operators at a time, and the characters drawn with each face."""

    def __init__(self, fonts: FontSet):
        self.fonts = fonts
        self.used: dict[str, set[str]] = {}
        self.pages = 0
        self._ops: list[str] = []

    def text(self, x: float, y: float, text: str, size: float) -> None:
        """``text`` with its baseline at ``y`` from ``x`` (points from the bottom left)."""
        runs = self.fonts.runs(text)
        for index, (face, part) in enumerate(runs):
            self._ops.append(
                f"BT {_name(face.name)} {_n(size)} Tf 1 0 0 1 {_n(x)} {_n(y)} Tm "
                f"<{part.translate(face.glyph_codes)}> Tj ET"
            )
            self.used.setdefault(face.name, set()).update(part)
            if index + 1 < len(runs):
                x += pdfmetrics.stringWidth(part, face.name, size)

    def round_rect(self, x: float, y: float, width: float, height: float, radius: float) -> None:
        """A light grey rounded outline (a label's edge on a test print)."""
        k = KAPPA * radius
        right, top = x + width, y + height
        path = [
            f"{_n(x + radius)} {_n(y)} m",
            f"{_n(right - radius)} {_n(y)} l",
            f"{_n(right - radius + k)} {_n(y)} {_n(right)} {_n(y + radius - k)} "
            f"{_n(right)} {_n(y + radius)} c",
            f"{_n(right)} {_n(top - radius)} l",
            f"{_n(right)} {_n(top - radius + k)} {_n(right - radius + k)} {_n(top)} "
            f"{_n(right - radius)} {_n(top)} c",
            f"{_n(x + radius)} {_n(top)} l",
            f"{_n(x + radius - k)} {_n(top)} {_n(x)} {_n(top - radius + k)} "
            f"{_n(x)} {_n(top - radius)} c",
            f"{_n(x)} {_n(y + radius)} l",
            f"{_n(x)} {_n(y + radius - k)} {_n(x + radius - k)} {_n(y)} {_n(x + radius)} {_n(y)} c",
        ]
        self._ops.append(f"q 0.75 G 0.3 w {' '.join(path)} S Q")

    def end_page(self) -> None:
        self._page(zlib.compress("\n".join(self._ops).encode("ascii")))
        self._ops = []
        self.pages += 1

    @abstractmethod
    def _page(self, stream: bytes) -> None:
        """Write one page's compressed content stream."""


class PdfPart(Pages):
    """A chunk's pages as records: ``P`` + length + a compressed page stream, and last
    ``U`` + length + the characters used with each face (JSON)."""

    def __init__(self, out: IO[bytes], *, fonts: FontSet):
        super().__init__(fonts)
        self.out = out

    def _page(self, stream: bytes) -> None:
        self.out.write(b"P" + struct.pack(">I", len(stream)) + stream)

    def close(self) -> None:
        if self._ops:
            self.end_page()
        used = json.dumps({name: "".join(sorted(chars)) for name, chars in self.used.items()})
        data = used.encode()
        self.out.write(b"U" + struct.pack(">I", len(data)) + data)


class PdfFile(Pages):
    """A whole PDF, written as the pages come; the fonts, page tree and cross-reference
    table follow the last page."""

    def __init__(
        self, out: IO[bytes], *, fonts: FontSet, page_size: tuple[float, float], title: str
    ):
        super().__init__(fonts)
        self.out = out
        self.title = title
        self._media_box = f"[0 0 {_n(page_size[0])} {_n(page_size[1])}]"
        self._offsets: dict[int, int] = {}
        self._position = 0
        self._next = INFO + 1
        self._kids: list[int] = []
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self._position += len(data)

    def _reserve(self) -> int:
        self._next += 1
        return self._next - 1

    def _object(self, number: int, body: str, stream: bytes | None = None) -> None:
        self._offsets[number] = self._position
        if stream is None:
            self._write(f"{number} 0 obj\n{body}\nendobj\n".encode())
            return
        self._write(f"{number} 0 obj\n{body}\nstream\n".encode())
        self._write(stream + b"\nendstream\nendobj\n")

    def _page(self, stream: bytes) -> None:
        content, page = self._reserve(), self._reserve()
        self._object(content, f"<< /Length {len(stream)} /Filter /FlateDecode >>", stream)
        self._object(
            page,
            f"<< /Type /Page /Parent {PAGES} 0 R /MediaBox {self._media_box} "
            f"/Resources {RESOURCES} 0 R /Contents {content} 0 R >>",
        )
        self._kids.append(page)

    def add_part(self, part: IO[bytes]) -> None:
        """Copy a part's pages (PdfPart) after the pages so far."""
        while header := part.read(5):
            kind, length = header[:1], struct.unpack(">I", header[1:])[0]
            data = part.read(length)
            if kind == b"P":
                self._page(data)
                self.pages += 1
            else:
                for name, chars in json.loads(data).items():
                    self.used.setdefault(name, set()).update(chars)

    def close(self) -> None:
        if self._ops or not self.pages:
            self.end_page()
        faces = {face.name: face for face in (self.fonts.primary, *self.fonts.fallbacks)}
        fonts = {name: self._font(faces[name], chars) for name, chars in self.used.items()}
        self._object(
            RESOURCES,
            "<< /ProcSet [/PDF /Text] /Font << "
            + " ".join(f"{_name(name)} {number} 0 R" for name, number in fonts.items())
            + " >> >>",
        )
        self._object(
            PAGES,
            f"<< /Type /Pages /Count {len(self._kids)} /Kids ["
            + " ".join(f"{kid} 0 R" for kid in self._kids)
            + "] >>",
        )
        self._object(CATALOG, f"<< /Type /Catalog /Pages {PAGES} 0 R >>")
        title = ("\ufeff" + self.title).encode("utf-16-be").hex().upper()
        self._object(INFO, f"<< /Title <{title}> /Creator (Meibo) /Producer (Meibo) >>")
        xref = self._position
        size = self._next
        lines = ["xref", f"0 {size}", "0000000000 65535 f "]
        lines += [f"{self._offsets[number]:010d} 00000 n " for number in range(1, size)]
        document_id = hashlib.md5(f"{self.title}{size}{xref}".encode()).hexdigest()
        lines += [
            "trailer",
            f"<< /Size {size} /Root {CATALOG} 0 R /Info {INFO} 0 R "
            f"/ID [<{document_id}> <{document_id}>] >>",
            "startxref",
            str(xref),
            "%%EOF",
            "",
        ]
        self._write("\n".join(lines).encode())

    def _font(self, face: Face, chars: Iterable[str]) -> int:
        """Embed ``face`` as a subset of the glyphs of ``chars``; returns its font object."""
        program = face.program
        glyphs: dict[int, str] = {}
        for ch in sorted(chars):
            glyphs.setdefault(program.charToGlyph.get(ord(ch), 0), ch)
        # The subset tag (ABCDEF+…) names this subset: six letters from its glyphs.
        digest = hashlib.md5(repr(sorted(glyphs)).encode()).digest()
        tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
        base = _name(f"{tag}+{program.name.decode('latin-1')}")
        subset = subset_program(face, set(glyphs))
        font_file, descriptor, cid_font, to_unicode, font = (self._reserve() for _ in range(5))
        packed = zlib.compress(subset)
        self._object(
            font_file,
            f"<< /Length {len(packed)} /Length1 {len(subset)} /Filter /FlateDecode >>",
            packed,
        )
        self._object(
            descriptor,
            f"<< /Type /FontDescriptor /FontName {base} /Flags 4 "
            f"/FontBBox [{' '.join(_n(v) for v in program.bbox)}] "
            f"/ItalicAngle {_n(program.italicAngle)} /Ascent {_n(program.ascent)} "
            f"/Descent {_n(program.descent)} /CapHeight {_n(program.capHeight)} "
            f"/StemV {program.stemV} /MissingWidth {_n(program.defaultWidth)} "
            f"/FontFile2 {font_file} 0 R >>",
        )
        widths = " ".join(
            f"{glyph} [{_n(program.charWidths.get(ord(ch), program.defaultWidth))}]"
            for glyph, ch in sorted(glyphs.items())
        )
        self._object(
            cid_font,
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {base} "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /DW {_n(program.defaultWidth)} "
            f"/W [{widths}] /CIDToGIDMap /Identity >>",
        )
        cmap = _to_unicode(glyphs)
        self._object(to_unicode, f"<< /Length {len(cmap)} >>", cmap)
        self._object(
            font,
            f"<< /Type /Font /Subtype /Type0 /BaseFont {base} /Encoding /Identity-H "
            f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>",
        )
        return font


def _to_unicode(glyphs: dict[int, str]) -> bytes:
    """The CMap that lets a reader copy and search the text: glyph id → character."""
    entries = [
        f"<{glyph:04X}> <{ch.encode('utf-16-be').hex().upper()}>"
        for glyph, ch in sorted(glyphs.items())
        if glyph
    ]
    blocks = []
    for start in range(0, len(entries), 100):
        block = entries[start : start + 100]
        blocks.append(f"{len(block)} beginbfchar\n" + "\n".join(block) + "\nendbfchar")
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
            *blocks,
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    ).encode()


# Composite glyph flags (TrueType 'glyf' table).
_ARGS_ARE_WORDS, _HAVE_SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x1, 0x8, 0x20, 0x40, 0x80


def subset_program(face: Face, glyphs: set[int]) -> bytes:
    """The TrueType program of ``face`` with only the outlines of ``glyphs`` (and the glyphs
    their composites are built from); every glyph keeps its id, the others are empty."""
    program = face.program
    glyf = program.get_table("glyf")
    positions = program.glyphPos
    keep = {0} | glyphs
    pending = list(keep)
    while pending:
        glyph = pending.pop()
        start, end = positions[glyph], positions[glyph + 1]
        if end - start < 10 or struct.unpack_from(">h", glyf, start)[0] >= 0:
            continue
        offset, flags = start + 10, _MORE
        while flags & _MORE:
            flags, component = struct.unpack_from(">HH", glyf, offset)
            if component not in keep:
                keep.add(component)
                pending.append(component)
            offset += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
            if flags & _HAVE_SCALE:
                offset += 2
            elif flags & _XY_SCALE:
                offset += 4
            elif flags & _TWO_BY_TWO:
                offset += 8
    outlines: list[bytes] = []
    offsets = [0] * (program.numGlyphs + 1)
    position = 0
    for glyph in range(program.numGlyphs):
        offsets[glyph] = position
        if glyph in keep:
            data = glyf[positions[glyph] : positions[glyph + 1]]
            data += b"\0" * (-len(data) % 4)
            outlines.append(data)
            position += len(data)
    offsets[-1] = position
    maker = TTFontMaker()
    for tag in ("name", "OS/2", "cvt ", "fpgm", "prep", "hhea", "maxp", "hmtx"):
        try:
            maker.add(tag, program.get_table(tag))
        except KeyError:
            continue  # cvt, fpgm and prep are optional
    maker.add("post", b"\x00\x03\x00\x00" + program.get_table("post")[4:16] + b"\x00" * 16)
    maker.add("glyf", b"".join(outlines))
    maker.add("loca", struct.pack(f">{len(offsets)}L", *offsets))
    head = program.get_table("head")
    maker.add("head", head[:50] + struct.pack(">h", 1) + head[52:])  # long 'loca' offsets
    return maker.makeStream()
