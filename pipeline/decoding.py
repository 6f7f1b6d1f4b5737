"""Turning raw input bytes into text: BOMs, encodings, newlines, binary refusal.

Shared by the text readers so that every reader records ``source.encoding`` and
``source.newline`` the same way. Detection of legacy encodings is delegated to
charset-normalizer (a well-kept detector); copydesk only decides when to trust it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from pipeline.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Magic numbers of common binary formats that sometimes hide behind a .txt name.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "zip archive"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
)
_MULTIBYTE_UTF8 = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
# Control characters other than tab, LF, CR and form feed: kept out of the text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    """Result of :func:`decode`.

    :ivar text: the decoded text, BOM removed, newlines normalised to ``\\n``, control
        characters other than tab and form feed removed.
    :ivar encoding: the codec used (``utf-8``, ``utf-16-le``, ``cp1252`` ...).
    :ivar newline: ``lf``, ``crlf``, ``cr``, ``mixed`` or ``None`` when there is no line break.
    :ivar notes: human-readable remarks for diagnostics (replaced bytes, removed controls).
    """

    text: str
    encoding: str
    newline: str | None
    notes: tuple[str, ...] = ()


def newline_style(text: str) -> str | None:
    """Classify the line endings of ``text``: ``lf``, ``crlf``, ``cr``, ``mixed`` or ``None``."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [name for name, n in (("crlf", crlf), ("cr", cr), ("lf", lf)) if n]
    if not kinds:
        return None
    return kinds[0] if len(kinds) == 1 else "mixed"


def normalise_newlines(text: str) -> str:
    """Replace CRLF and lone CR by LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_binary(raw: bytes) -> str | None:
    """Name the binary format of ``raw`` when it looks binary, else ``None``.

    A file is binary when it starts with a known magic number; or when, in its first 8 KiB,
    more than 30 % of the bytes are NUL (text never holds many NULs; UTF-16 is recognised by its
    BOM before this check runs); or, for input that is not valid UTF-8, when more than 10 % are
    C0 control bytes other than whitespace and escape.
    """
    for magic, name in _BINARY_MAGIC:
        if raw.startswith(magic):
            return name
    head = raw[:8192]
    if len(head) < 8:
        return None
    if head.count(0) / len(head) > 0.30:
        return "binary data"
    try:
        head.decode("utf-8")
        return None
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 3:  # a multi-byte character cut by the 8 KiB window
            return None
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 and b != 27)
    if controls / len(head) > 0.10:
        return "binary data"
    return None


# When the detector finds several single-byte codecs equally plausible (it often cannot tell
# cp1250 from cp1252 on French text), prefer the Western ones: by far the most common legacy
# encodings of the documents copydesk is fed.
_PREFERRED = ("cp1252", "latin_1", "iso8859_15", "mac_roman")


def _from_detector(raw: bytes, path: str | None) -> tuple[str, str]:
    from charset_normalizer import from_bytes  # imported lazily: only legacy encodings need it

    matches = list(from_bytes(raw))
    if not matches:
        raise InputError(path, "cannot determine the text encoding (not UTF-8, no reliable guess)")
    best = matches[0]
    if best.chaos > 0.2:
        raise InputError(
            path, f"text encoding unclear (best guess {best.encoding} reads as garbled text); refusing"
        )
    tied = [m for m in matches if m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.05]
    for name in _PREFERRED:
        for m in tied:
            if m.encoding == name:
                return str(m), m.encoding
    if best.coherence == 0.0:
        # No language evidence at all (a few bytes): the detector's pick is arbitrary, so take
        # the most common legacy encoding when it can decode the bytes.
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding


def decode(raw: bytes, path: str | None = None) -> Decoded:
    """Decode ``raw`` faithfully or refuse.

    Order: a BOM decides (UTF-8/16/32); else strict UTF-8; else, when the bytes hold valid
    multi-byte UTF-8 sequences and only a few invalid bytes (< 1 %), UTF-8 with U+FFFD
    replacements (noted); else charset-normalizer's best guess, refused when its output is
    chaotic. Binary files are refused before any of this.

    :param raw: the whole input.
    :param path: the input path, used in error messages.
    :returns: a :class:`Decoded`.
    :raises InputError: for binary input or an encoding that cannot be determined.
    """
    notes: list[str] = []
    encoding: str | None = None
    text: str | None = None
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(name)
            except UnicodeDecodeError as err:
                raise InputError(path, f"invalid {name} after its byte-order mark: {err.reason}") from None
            encoding = name
            break
    if text is None:
        kind = sniff_binary(raw)
        if kind is not None:
            raise InputError(path, f"binary file ({kind}), not text")
        try:
            text = raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            bad = len(raw.decode("utf-8", errors="replace")) - len(raw.decode("utf-8", errors="ignore"))
            if _MULTIBYTE_UTF8.search(raw) and bad <= max(1, len(raw) // 100):
                text = raw.decode("utf-8", errors="replace")
                encoding = "utf-8"
                notes.append(f"{bad} invalid UTF-8 byte(s) replaced by U+FFFD")
            else:
                text, encoding = _from_detector(raw, path)
    assert encoding is not None
    newline = newline_style(text)
    text = normalise_newlines(text)
    controls = len(_CONTROL.findall(text))
    if controls:
        text = _CONTROL.sub("", text)
        notes.append(f"{controls} control character(s) removed")
    return Decoded(text=text, encoding=encoding, newline=newline, notes=tuple(notes))
