"""Enumerating inputs: files, directories, JSONL corpora and stdin, with stable, safe ids.

Every input becomes an :class:`InputItem`. Ids are derived from the path relative to the
input argument (``seeds/a/b.txt`` given as ``seeds`` -> ``a__b``), made safe as file names
(no ``/``, ``..``, control characters), and disambiguated deterministically: when two inputs
would share an id, each colliding id gets ``-`` and 8 hex digits of the sha1 of its full path.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from pipeline.errors import InputError

_UNSAFE = re.compile(r"[^\w.\-]+")
MAX_ID_LENGTH = 120


@dataclass
class InputItem:
    """One document to process.

    :ivar doc_id: unique, file-name-safe id.
    :ivar path: the file as given (``None`` for stdin/JSONL lines).
    :ivar raw: the bytes, when already in memory (lines read from stdin); else read from
        ``path`` or, for a line of a JSONL corpus file, from ``corpus`` at byte ``offset``
        (so a large corpus is never held in memory).
    :ivar metadata: metadata given with the input (JSONL ``metadata``).
    :ivar format: a reader hint (``md``, ``html``, ``txt``) from the JSONL record.
    :ivar origin: where it came from, for messages (``corpus.jsonl:12``).
    """

    doc_id: str
    path: str | None
    raw: bytes | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    format: str | None = None
    origin: str = ""
    corpus: str | None = None
    offset: int | None = None

    def read_bytes(self) -> bytes:
        """The raw input.

        :raises InputError: when the file cannot be read.
        """
        if self.raw is not None:
            return self.raw
        if self.corpus is not None and self.offset is not None:
            try:
                with open(self.corpus, "rb") as fh:
                    fh.seek(self.offset)
                    rec = json.loads(fh.readline())
            except (OSError, ValueError) as err:
                raise InputError(self.origin, f"cannot re-read the corpus line: {err}") from None
            return str(rec.get("text", rec.get("raw"))).encode("utf-8")
        assert self.path is not None
        try:
            with open(self.path, "rb") as fh:
                return fh.read()
        except OSError as err:
            raise InputError(self.path, f"cannot read: {err.strerror or err}") from None


def safe_id(text: str) -> str:
    """Turn ``text`` into a file-name-safe id (letters, digits, ``_ . -``; never ``.``/``..``)."""
    text = unicodedata.normalize("NFC", text)
    out = _UNSAFE.sub("-", text).strip("-.")
    out = out[:MAX_ID_LENGTH].strip("-.")
    return out or "doc"


def _disambiguate(items: list[InputItem]) -> list[InputItem]:
    counts: dict[str, int] = {}
    for it in items:
        counts[it.doc_id] = counts.get(it.doc_id, 0) + 1
    for it in items:
        if counts[it.doc_id] > 1:
            key = it.origin or it.path or it.doc_id
            it.doc_id = f"{it.doc_id}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"
    return items


def _walk(root: str, include: list[str], exclude: list[str]) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if include and not any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in include):
                continue
            if any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in exclude):
                continue
            found.append(full)
    return sorted(found)


def _jsonl_items(
    lines: Iterator[tuple[int, str]], source: str, offsets: list[int] | None = None
) -> Iterator[InputItem]:
    """Items of a JSONL stream; with ``offsets`` (byte offset of each line in the file
    ``source``) the text is left on disk and re-read when the document runs."""
    for lineno, line in lines:
        if not line.strip():
            continue
        origin = f"{source}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(origin, f"invalid JSON: {err.msg}") from None
        if not isinstance(rec, dict):
            raise InputError(origin, 'each line must be an object with a string "text"')
        # "raw" (a source file's exact content, with "format") is accepted where "text" is absent.
        text = rec.get("text", rec.get("raw"))
        if not isinstance(text, str):
            raise InputError(origin, 'each line must be an object with a string "text" (or "raw")')
        meta = rec.get("metadata") or {}
        if not isinstance(meta, dict):
            raise InputError(origin, '"metadata" must be an object')
        raw_id = rec.get("id")
        doc_id = safe_id(str(raw_id)) if raw_id not in (None, "") else f"line-{lineno}"
        fmt = rec.get("format")
        lazy = offsets is not None
        yield InputItem(
            doc_id=doc_id,
            path=None,
            raw=None if lazy else text.encode("utf-8"),
            metadata=meta,
            format=fmt if isinstance(fmt, str) else None,
            origin=origin,
            corpus=source if lazy else None,
            offset=offsets[lineno - 1] if offsets is not None else None,
        )


def _strip_suffix(rel: str) -> str:
    base, ext = os.path.splitext(rel)
    return base if ext else rel


def collect_inputs(
    inputs: list[str], include: list[str] | None = None, exclude: list[str] | None = None
) -> list[InputItem]:
    """Expand input arguments into items, in a deterministic order.

    Directories are walked recursively in sorted order (hidden files skipped; ``include`` /
    ``exclude`` globs match the path relative to the directory or the file name). A ``.jsonl``
    file yields one item per line. ``-`` reads JSONL from standard input.

    :raises InputError: a missing input path or a malformed JSONL line.
    """
    include = include or []
    exclude = exclude or []
    items: list[InputItem] = []
    for arg in inputs:
        if arg == "-":
            items.extend(_jsonl_items(enumerate(sys.stdin, 1), "<stdin>"))
            continue
        if os.path.isdir(arg):
            for full in _walk(arg, include, exclude):
                items.extend(_file_items(full, os.path.relpath(full, arg)))
        elif os.path.isfile(arg):
            items.extend(_file_items(arg, os.path.basename(arg)))
        else:
            raise InputError(arg, "no such file or directory")
    return _disambiguate(items)


def _lines_with_offsets(fh: BinaryIO, offsets: list[int]) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` one line at a time, appending each line's byte offset."""
    pos = 0
    for lineno, raw_line in enumerate(fh, 1):
        offsets.append(pos)
        pos += len(raw_line)
        yield lineno, raw_line.decode("utf-8")


def _file_items(path: str, rel: str) -> list[InputItem]:
    if path.lower().endswith(".jsonl"):
        try:
            with open(path, "rb") as fh:
                offsets: list[int] = []
                return list(_jsonl_items(_lines_with_offsets(fh, offsets), path, offsets))
        except UnicodeDecodeError:
            raise InputError(path, "JSONL corpora must be UTF-8") from None
        except OSError as err:
            raise InputError(path, f"cannot read: {err.strerror or err}") from None
    doc_id = safe_id(_strip_suffix(rel).replace(os.sep, "__").replace("/", "__"))
    return [InputItem(doc_id=doc_id, path=path, origin=path)]
