from __future__ import annotations

import hashlib

import pytest

from pipeline.errors import InputError
from plugins.read_text import PlainTextReader


def read(raw: bytes):  # type: ignore[no-untyped-def]
    return PlainTextReader().read(raw, doc_id="d", path="in.txt")


def test_utf8_with_bom_and_crlf_is_normalised() -> None:
    raw = "\ufeffTitle\r\n\r\nBody\r\n".encode()
    doc = read(raw)
    assert doc.text == "Title\n\nBody\n"
    assert doc.source.encoding == "utf-8"
    assert doc.source.newline == "crlf"
    assert doc.source.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.source.size_bytes == len(raw)


@pytest.mark.parametrize(
    "raw, style", [(b"a\rb\r", "cr"), (b"a\nb\r\nc\r", "mixed"), (b"a\nb\n", "lf"), (b"one line", None)]
)
def test_newline_styles(raw: bytes, style: str | None) -> None:
    doc = read(raw)
    assert doc.source.newline == style
    assert "\r" not in doc.text


def test_utf16_with_bom() -> None:
    doc = read("Ünïcode text\r\n".encode("utf-16"))
    assert doc.text == "Ünïcode text\n"
    assert doc.source.encoding.startswith("utf-16")


def test_cp1252_is_detected_not_garbled() -> None:
    text = "Les élèves étaient très contents de la journée à la mer, où ils ont mangé des crêpes. " * 3
    doc = read(text.encode("cp1252"))
    assert doc.text == text
    assert doc.source.encoding in {"cp1252", "latin_1", "iso8859_15", "iso8859_1", "windows-1252"}


def test_stray_invalid_byte_in_utf8_is_replaced_and_reported() -> None:
    raw = "Café au lait — déjà vu. ".encode() * 20 + b"\xff" + b" end"
    doc = read(raw)
    assert "Café" in doc.text and "\ufffd" in doc.text
    assert doc.source.encoding == "utf-8"
    assert any(d.code == "decoding" for d in doc.diagnostics)


@pytest.mark.parametrize(
    "raw, kind",
    [(b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"), (b"PK\x03\x04" + bytes(50), "zip"), (bytes(range(256)) * 4, "binary")],
)
def test_binary_files_are_refused(raw: bytes, kind: str) -> None:
    with pytest.raises(InputError, match=f"in.txt: binary file .*{kind}"):
        read(raw)


def test_nul_and_control_characters_are_removed_with_a_note() -> None:
    doc = read(b"Hello\x00 world\x07!\tTab\x0cpage\n")
    assert doc.text == "Hello world!\tTab\x0cpage\n"
    assert any("control" in d.message for d in doc.diagnostics)


def test_empty_and_whitespace_only_files_are_empty_documents() -> None:
    assert read(b"").text == ""
    assert read(b"  \n\n \t\n").text == "  \n\n \t\n"


def test_short_cp1252_text_is_not_read_as_an_exotic_codepage() -> None:
    doc = read("Café\n".encode("cp1252"))
    assert doc.text == "Café\n" and doc.source.encoding == "cp1252"
