"""THE Vietnamese text pipeline, used by ingest, lessons, kb and book alike.

Text is NFC-normalised wherever it enters (files, workbooks, the command line). Search adds a folded copy
(diacritics removed, đ→d) on top of the same normalisation.
"""

from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Unicode NFC form: one code point per precomposed Vietnamese letter (never NFD)."""
    return unicodedata.normalize("NFC", text)


def clean_cell(text: str) -> str:
    """NFC, with surrounding white space and non-breaking spaces removed, as text enters from a file."""
    return nfc(text).replace("\u00a0", " ").strip()


#: C0 controls but tab and newline, DEL, C1 controls: ESC starts a terminal escape sequence (clear the screen,
#: rewrite the title bar, fake a line of output), BEL rings, CR overwrites the line a person is reading.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters shown as ``�`` instead of acted on by a terminal (what a lesson title
    or a cell may carry must not drive the screen of the person reading it)."""
    return _CONTROLS.sub("\ufffd", text)


def fold(text: str) -> str:
    """Diacritics removed and đ→d, lowercase: what a user types without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).lower()


# ------------------------------------------------------------------------------------------------ tone placement
# Vietnamese writes a syllable's tone mark on one of its vowels, and two conventions disagree on where for the
# open syllables "oa", "oe" and "uy": "hòa, hòe, thủy" (the traditional placement, Unikey's default) against
# "hoà, hoè, thuỷ" (the placement of the 1980s school reform). Both are correct and both occur in the same
# documents, so text is compared after moving every tone to one place: the traditional one, also the one of
# kb/taxonomy.yml ("thủy sản"). Quality marks (â ê ô ơ ư ă) never move; only the five tone marks do.

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook above, dot below
_VOWELS = frozenset("aăâeêioôơuưy")
_QUALITY = frozenset("ăâêôơư")
_SYLLABLE = re.compile(r"[^\W\d_]+")


def _split_tone(syllable: str) -> tuple[str, str] | None:
    """The syllable without its tone mark (other marks kept, NFC) and the mark, or None if it has no tone."""
    tone = ""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONES:
            if tone:
                return None  # two tone marks: not a Vietnamese syllable, left alone
            tone = ch
        else:
            kept.append(ch)
    if not tone:
        return None
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(bare: str) -> int | None:
    """Index of the letter of ``bare`` (lowercase, toneless) that carries the tone, by the rule above."""
    start = 0
    while start < len(bare) and bare[start] not in _VOWELS:
        start += 1
    # "qu" and "gi" are consonants when another vowel follows: quý, già (but gì keeps its i)
    if start < len(bare) and start > 0:
        head = bare[start - 1 : start + 1]
        if head in ("qu", "gi") and start + 1 < len(bare) and bare[start + 1] in _VOWELS:
            start += 1
    end = start
    while end < len(bare) and bare[end] in _VOWELS:
        end += 1
    if end == start:
        return None
    nucleus, has_coda = bare[start:end], end < len(bare)
    marked = [i for i, ch in enumerate(nucleus) if ch in _QUALITY]
    if marked:
        return start + marked[-1]  # ươ → ơ, iê → ê, uyê → ê
    if has_coda or len(nucleus) == 3:
        return start + (len(nucleus) - 1 if has_coda else 1)  # hoàng, toán; ngoài, khuya
    # a single vowel, a closing pair (mái, mùa, cao) and, by the traditional convention, oa/oe/uy (hòa, thủy)
    return start


def place_tone(syllable: str) -> str:
    """One syllable with its tone mark on the vowel the traditional convention chooses: ``hoà`` → ``hòa``.

    Case is kept; a word that is not one Vietnamese syllable (English, numbers, two tone marks) is returned as
    it came. The input should be NFC.
    """
    split = _split_tone(syllable)
    if split is None:
        return syllable
    bare, tone = split
    position = _tone_position(bare.lower())
    if position is None:
        return syllable
    letters = list(bare)
    letters[position] = unicodedata.normalize("NFC", letters[position] + tone)
    return "".join(letters)


def place_tones(text: str) -> str:
    """Every syllable of ``text`` (NFC first) with its tone mark in the one placement of :func:`place_tone`."""
    return _SYLLABLE.sub(lambda m: place_tone(m.group(0)), nfc(text))


def normalise(text: str) -> str:
    """The form text is compared in: NFC, one tone placement, lowercase (diacritics kept)."""
    return place_tones(text).lower()


def fold_search(text: str) -> str:
    """The folded form search compares: :func:`normalise`, then diacritics removed and đ→d."""
    return fold(normalise(text))


def _fold_table() -> dict[int, str]:
    table = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    table[ord("đ")] = table[ord("Đ")] = "d"
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if base.isascii() and base.isalpha() and base != chr(code):
            table[code] = base
    return table


_FOLD_CHARS = _fold_table()


def fold_chars(text: str) -> str:
    """:func:`fold` letter for letter, so offsets in the result are offsets in ``text`` (NFC input).

    Only Latin letters are folded (Vietnamese, and other Latin scripts' accented letters) and lowered; other
    characters stay as they are. Used to find query words in a text quickly (snippets, phrases).
    """
    return text.translate(_FOLD_CHARS)


def _letter_classes() -> dict[str, str]:
    spellings: dict[str, set[str]] = {}
    for code, base in _FOLD_CHARS.items():
        spellings.setdefault(base, {base, base.upper()}).add(chr(code))
    return {base: "[" + "".join(sorted(chars)) + "]" for base, chars in spellings.items()}


_LETTER_CLASSES = _letter_classes()


def fold_pattern(folded: str) -> str:
    """A regular expression matching every spelling of a folded word: ``"hoa"`` matches hoa, Hòa, HOÀ, hoá …

    Lets a folded query word be found in NFC text with no folding of the text itself.
    """
    return "".join(_LETTER_CLASSES.get(ch, re.escape(ch)) for ch in folded)
