"""Fonts for printed mailings: the shipped IPAex faces, embedded as subsets, with fallbacks.

The project carries IPAex Gothic and Mincho (mailing/fonts/, IPA Font License), so a fresh
machine prints Japanese without any system font. Only the glyphs actually used are embedded
(reportlab's subsets; for labels, pdfwriter's one subset per face and file), so a
30,000-label PDF stays small.

A character is drawn with the primary face when it has the glyph, else with the first
fallback that has it (settings.MEIBO_PRINT_FALLBACK_FONTS, then reportlab's bundled Vera
for Latin letters such as Turkish ğ that IPAex lacks). A character no face has is never
drawn as an empty box: ``FontSet.missing`` finds it so the recipient is reported before
anything is rendered.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import reportlab
from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

# The faces a run can choose: Gothic (ゴシック) reads best on small labels, Mincho (明朝)
# is the traditional face of letters and New-Year cards.
FACES: dict[str, Path] = {
    "gothic": FONT_DIR / "ipaexg.ttf",
    "mincho": FONT_DIR / "ipaexm.ttf",
}
FACE_LABELS = {"gothic": "ゴシック (IPAexゴシック)", "mincho": "明朝 (IPAex明朝)"}
BUNDLED_LATIN = Path(reportlab.__file__).resolve().parent / "fonts" / "Vera.ttf"


class GlyphCodes(dict[int, str]):
    """Code point → the 4 hex digits of its glyph id, for ``str.translate``; a character
    the face lacks becomes glyph 0 (.notdef) rather than a stray character in the PDF."""

    def __missing__(self, code: int) -> str:
        return "0000"


@dataclass(frozen=True, eq=False)
class Face:
    name: str  # the name registered with reportlab
    path: Path
    codepoints: frozenset[int]
    ascent: float  # of 1 em, above the baseline
    descent: float  # of 1 em, below the baseline (positive)
    program: TTFontFile  # the parsed font, for embedding (pdfwriter)
    glyph_codes: GlyphCodes


@lru_cache(maxsize=16)
def face_load(path: str) -> Face:
    """Parse a TrueType font once per process and register it with reportlab."""
    font = TTFont(f"Meibo-{Path(path).stem}", path)
    pdfmetrics.registerFont(font)
    return Face(
        name=font.fontName,
        path=Path(path),
        codepoints=frozenset(font.face.charToGlyph),
        ascent=font.face.ascent / 1000,
        descent=-font.face.descent / 1000,
        program=font.face,
        glyph_codes=GlyphCodes(
            (code, f"{glyph:04X}") for code, glyph in font.face.charToGlyph.items()
        ),
    )


def _needs_glyph(char: str) -> bool:
    # Spaces and control characters are never drawn, so they need no glyph.
    return not (char.isspace() or unicodedata.category(char) in {"Cc", "Cf"})


class UnitWidths(dict[str, float]):
    """Character → its advance at 1pt in the face that draws it, measured on first use.
    TrueType text has no kerning here, so a string's width is the sum of its characters'."""

    def __init__(self, fonts: FontSet):
        super().__init__()
        self.fonts = fonts

    def __missing__(self, ch: str) -> float:
        width = self[ch] = pdfmetrics.stringWidth(ch, self.fonts.face_for(ch).name, 1.0)
        return width


class FontSet:
    """A primary face and its fallbacks, measuring and drawing text run by run."""

    def __init__(self, primary: Face, fallbacks: tuple[Face, ...] = ()):
        self.primary = primary
        self.fallbacks = fallbacks
        self.ascent = primary.ascent
        self.descent = primary.descent
        self._primary_chars = primary.codepoints
        self._unit_widths = UnitWidths(self)

    def covers(self, text: str) -> bool:
        return self._primary_chars.issuperset(map(ord, text))

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` that no face can draw, in order of appearance."""
        if self.covers(text):
            return []
        found: list[str] = []
        for ch in text:
            code = ord(ch)
            if code in self._primary_chars or not _needs_glyph(ch) or ch in found:
                continue
            if not any(code in face.codepoints for face in self.fallbacks):
                found.append(ch)
        return found

    def face_for(self, ch: str) -> Face:
        code = ord(ch)
        if code in self._primary_chars:
            return self.primary
        for face in self.fallbacks:
            if code in face.codepoints:
                return face
        # Unreachable for checked text; the primary's .notdef is the least bad choice.
        return self.primary

    def runs(self, text: str) -> list[tuple[Face, str]]:
        """``text`` split into (face, substring) runs of one face each."""
        if self.covers(text):
            return [(self.primary, text)]
        runs: list[tuple[Face, str]] = []
        for ch in text:
            face = self.face_for(ch)
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + ch)
            else:
                runs.append((face, ch))
        return runs

    def width(self, text: str, size: float) -> float:
        # Layout measures every candidate line break of every label: this is the hot path.
        return sum(map(self._unit_widths.__getitem__, text)) * size

    def draw(self, canvas: Canvas, x: float, y: float, text: str, size: float) -> None:
        """Draw ``text`` with its baseline at ``y`` from ``x``."""
        if self.covers(text):
            canvas.setFont(self.primary.name, size)
            canvas.drawString(x, y, text)
            return
        for face, part in self.runs(text):
            canvas.setFont(face.name, size)
            canvas.drawString(x, y, part)
            x += pdfmetrics.stringWidth(part, face.name, size)


def fallback_paths() -> list[str]:
    """Fallback fonts in the order they are tried: the configured ones, then Vera."""
    return [*settings.MEIBO_PRINT_FALLBACK_FONTS, str(BUNDLED_LATIN)]


def font_set(face: str = "gothic") -> FontSet:
    """The font set for one of FACES, with every configured fallback."""
    if face not in FACES:
        raise ValueError(f"unknown font face {face!r}; choose one of {', '.join(FACES)}")
    return _font_set(face, tuple(fallback_paths()))


@lru_cache(maxsize=8)
def _font_set(face: str, fallbacks: tuple[str, ...]) -> FontSet:
    return FontSet(face_load(str(FACES[face])), tuple(face_load(path) for path in fallbacks))
