"""Enumerating inputs: files, directories, JSONL corpora and stdin, with stable, safe ids.

Every input becomes an :class:`InputItem`. Ids are derived from the path relative to the input
argument (``seeds/a/b.txt`` given as ``seeds`` -> ``a__b``), made safe as file names (no ``/``,
``..``, control characters; at most ``MAX_ID_BYTES`` UTF-8 bytes), and disambiguated
deterministically: when two inputs would share an id, each colliding id gets ``-`` and 8 hex
digits of the sha1 of the raw bytes of its path relative to its input argument (the file name
for a file named explicitly; plus ``:<line>`` for a JSONL line), so neither the spelling of the
argument (``in``, ``./in/``) nor an absolute location changes it; only when that relative path
is shared too (``x/a.txt`` and ``y/a.txt`` named explicitly) is the normalised path as given
hashed. An id still taken after that (a JSONL record may carry any id) gets a further ``-2``,
``-3`` ... in input order. A file reached twice (``in in/b.txt``, a symlink to a file already
taken) is taken once, at its first occurrence. A JSONL record whose ``id`` had to change keeps
the original in ``metadata["source_id"]``.

One bad JSONL line never sinks the corpus: it becomes an item that fails with its error (the
batch reports it, exit 1) while the other lines run; that includes a record nesting deeper
than ``MAX_JSON_DEPTH`` (100) levels, which would otherwise overflow the stack. File names
that are not valid UTF-8 are shown with U+FFFD in messages and ``source.path``; the file
itself is still read.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import logging
import os
import re
import stat
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from pipeline.errors import InputError

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.\-]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# An id is cut to this many UTF-8 bytes (on a character boundary) so that every file named
# after it stays within the 255-byte name limit of common file systems: the id, then up to
# DISAMBIGUATION_BYTES of ``-<8 hex>`` and ``-<n>``, then the exporter's suffix, then the
# temporary-name decoration ``.<name>.<12 hex>.tmp`` (18 bytes, see pipeline.outputs), which
# leaves 255 - 120 - 16 - 18 = 101 bytes for an exporter suffix. ASCII ids keep 120 characters.
MAX_ID_BYTES = 120
DISAMBIGUATION_BYTES = 16
# Deeper JSON is refused per line: it would overflow the stack when parsed, pickled for a
# worker or serialised again, and no real document metadata nests anywhere near this.
MAX_JSON_DEPTH = 100


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
    :ivar origin: where it came from, for messages (``corpus.jsonl:12``), printable.
    :ivar source_id: the id a JSONL record gave, before it was made safe and unique.
    :ivar error: why this input cannot be read (a malformed JSONL line); it then fails alone.
    :ivar notes: what was changed while taking the input in (lone surrogates of a JSONL text
        replaced); the runner records each as a ``read`` warning diagnostic of the document.
    :ivar rel_key: raw bytes of the path relative to its input argument (``b"a/x.txt"``,
        ``b"c.jsonl:3"``, ``b"<stdin>:2"``): hashed into a colliding id.
    :ivar path_key: raw bytes of the normalised path as given (relative to the working
        directory when inside it): hashed instead when two colliding items share ``rel_key``.
    """

    doc_id: str
    path: str | None
    raw: bytes | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    format: str | None = None
    origin: str = ""
    corpus: str | None = None
    offset: int | None = None
    error: str | None = None
    source_id: str | None = None
    notes: tuple[str, ...] = ()
    rel_key: bytes = b""
    path_key: bytes = b""

    def read_bytes(self) -> bytes:
        """The raw input.

        :raises InputError: when the file cannot be read.
        """
        if self.error is not None:
            raise InputError(self.origin, self.error)
        if self.raw is not None:
            return self.raw
        if self.corpus is not None and self.offset is not None:
            try:
                with open(self.corpus, "rb") as fh:
                    fh.seek(self.offset)
                    rec = json.loads(fh.readline())
            except (OSError, ValueError) as err:
                raise InputError(self.origin, f"cannot re-read the corpus line: {err}") from None
            return _encode(str(rec.get("text", rec.get("raw"))))[0]
        assert self.path is not None
        try:
            with open(self.path, "rb") as fh:
                return fh.read()
        except OSError as err:
            raise InputError(self.path, f"cannot read: {err.strerror or err}") from None


def display_path(path: str) -> str:
    """``path`` as shown to users and recorded in ``source.path``: normalised, relative to the
    working directory when inside it, undecodable bytes of the file name as U+FFFD."""
    return os.fsencode(_spelled(path)).decode("utf-8", "replace")


def _spelled(path: str) -> str:
    """``path`` normalised (``./in/`` -> ``in``), relative to the working directory when an
    absolute path inside it (so a moved workspace gives the same string)."""
    norm = os.path.normpath(path)
    if os.path.isabs(norm):
        rel = os.path.relpath(norm)
        if not rel.startswith(".."):
            norm = rel
    return norm


def _encode(text: str) -> tuple[bytes, int]:
    """UTF-8 bytes of a JSON string and how many lone surrogates (``\\ud800``: valid JSON, not
    Unicode) were replaced by U+FFFD. The text is already decoded: its bytes must never reach
    the readers' encoding detection, which would take them for a legacy encoding."""
    fixed, count = _SURROGATE.subn("\ufffd", text)
    return fixed.encode("utf-8"), count


def safe_id(text: str) -> str:
    """Turn ``text`` into a file-name-safe id: letters, digits, ``_ . -`` (NFC), never ``.`` or
    ``..``, at most ``MAX_ID_BYTES`` UTF-8 bytes, cut on a character boundary."""
    text = unicodedata.normalize("NFC", text)
    out = _UNSAFE.sub("-", text).strip("-.")
    # \w never matches a lone surrogate, so the id always encodes; "ignore" only drops the
    # last character when the cut falls inside it
    out = out.encode("utf-8")[:MAX_ID_BYTES].decode("utf-8", "ignore").strip("-.")
    return out or "doc"


def _disambiguate(items: list[InputItem]) -> list[InputItem]:
    """Make every id unique (see the module docstring), in place; ids that do not collide stay."""
    counts = Counter(it.doc_id for it in items)
    colliding = [it for it in items if counts[it.doc_id] > 1]
    taken = {it.doc_id for it in items if counts[it.doc_id] == 1}
    shared = Counter((it.doc_id, it.rel_key) for it in colliding)
    for it in colliding:
        key = it.rel_key if shared[(it.doc_id, it.rel_key)] == 1 else it.path_key
        it.doc_id = f"{it.doc_id}-{hashlib.sha1(key).hexdigest()[:8]}"
    # a hashed id can still meet an id given as is ({"id": "dup-<hash>"}) or another hash
    for it in colliding:
        if it.doc_id in taken:
            n = 2
            while f"{it.doc_id}-{n}" in taken:
                n += 1
            it.doc_id = f"{it.doc_id}-{n}"
        taken.add(it.doc_id)
    return items


def _walk(
    root: str, include: list[str], exclude: list[str], skip: str | None = None, suffixes: set[str] | None = None
) -> list[tuple[str, str, str | None]]:
    """``(path, path relative to root, problem)`` of the files under ``root``, sorted; an
    ``exclude`` pattern that matches a directory (its path relative to ``root`` or its name; a
    trailing ``/`` is allowed) leaves out all of it. ``problem`` is ``None`` for a file to read;
    else the entry is a directory (``root`` itself included) or file that cannot be listed or
    examined, and ``problem`` says why (``cannot read directory: Permission denied``).

    The filters (``include``, ``exclude``, ``suffixes`` as in :func:`_wanted`) go by names only
    and come first: an excluded directory is never entered and a file left out is never
    examined, so one that could not be read does not fail the run."""
    found: list[tuple[str, str, str | None]] = []

    def unreadable(err: OSError) -> None:
        where = err.filename if isinstance(err.filename, str) else root
        found.append((where, os.path.relpath(where, root), f"cannot read directory: {err.strerror or err}"))

    dir_exclude = [p.rstrip("/") for p in exclude if p.rstrip("/")]

    def excluded_dir(dirpath: str, name: str) -> bool:
        rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
        return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in dir_exclude)

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        rel_dir = os.path.relpath(dirpath, root)  # once per directory: relpath is slow per file
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and (skip is None or os.path.realpath(os.path.join(dirpath, d)) != skip)
            and not excluded_dir(dirpath, d)
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            rel_path = name if rel_dir == os.curdir else os.path.join(rel_dir, name)
            rel = rel_path.replace(os.sep, "/")
            if include and not any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in include):
                continue
            if any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in exclude):
                continue
            if suffixes is not None and not _wanted(name, suffixes):
                continue
            if not os.path.isfile(full):  # a FIFO, socket or device: reading it would block or never end
                problem = _unexaminable(full)
                if problem is not None:
                    found.append((full, rel_path, problem))
                continue
            found.append((full, rel_path, None))
    return sorted(found)


def _unexaminable(path: str) -> str | None:
    """Why ``path`` (not a regular file) cannot even be examined (a directory without search
    permission), or ``None`` when it is a special file or a dangling symlink, both skipped."""
    try:
        os.stat(path)
    except OSError as err:
        if err.errno != errno.ENOENT:
            return f"cannot read: {err.strerror or err}"
    return None


def _jsonl_items(
    lines: Iterator[tuple[int, bytes]], source: str, offsets: list[int] | None = None, rel: str | None = None
) -> Iterator[InputItem]:
    """Items of a JSONL stream; with ``offsets`` (byte offset of each line in the file
    ``source``) the text is left on disk and re-read when the document runs. ``rel``: the file's
    path relative to its input argument (``None`` for standard input)."""
    rel_key = b"<stdin>" if rel is None else os.fsencode(rel.replace(os.sep, "/"))
    path_key = b"<stdin>" if rel is None else os.fsencode(_spelled(source))
    for lineno, raw_line in lines:
        if not raw_line.strip():
            continue
        origin = f"{source if source == '<stdin>' else display_path(source)}:{lineno}"
        try:
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(origin, "JSONL lines must be UTF-8") from None
            if lineno == 1:
                line = line.removeprefix("\ufeff")  # a UTF-8 byte-order mark some editors write
            item = _jsonl_item(line, lineno, origin)
        except InputError as err:
            item = InputItem(doc_id=f"line-{lineno}", path=None, origin=origin, error=str(err).split(": ", 1)[-1])
        item.rel_key, item.path_key = rel_key + b":%d" % lineno, path_key + b":%d" % lineno
        if item.error is not None:
            yield item
            continue
        if offsets is not None:  # leave the text on disk; it is re-read when the document runs
            item.raw, item.corpus, item.offset = None, source, offsets[lineno - 1]
        yield item


def _jsonl_item(line: str, lineno: int, origin: str) -> InputItem:
    """One JSONL record as an item (its text in memory).

    :raises InputError: malformed JSON or fields of the wrong type.
    """
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(origin, f"invalid JSON: {err.msg} (column {err.colno})") from None
    except RecursionError:  # the parser recurses once per level: far beyond MAX_JSON_DEPTH
        raise InputError(origin, f"the record nests deeper than {MAX_JSON_DEPTH} levels") from None
    if not isinstance(rec, dict):
        raise InputError(origin, 'each line must be an object with a string "text"')
    for key, value in rec.items():
        if _nests_deeper(value, MAX_JSON_DEPTH):
            raise InputError(origin, f"{key} nests deeper than {MAX_JSON_DEPTH} levels")
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
    raw, replaced = _encode(text)
    return InputItem(
        doc_id=doc_id,
        path=None,
        raw=raw,
        notes=(f"{replaced} lone surrogate(s) in the JSON text replaced by U+FFFD",) if replaced else (),
        metadata=meta,
        format=fmt if isinstance(fmt, str) else None,
        origin=origin,
        source_id=str(raw_id) if raw_id not in (None, "") else None,
    )


def _nests_deeper(value: Any, limit: int) -> bool:
    """Whether parsed JSON ``value`` has containers nested more than ``limit`` levels deep
    (``{"a": 1}`` is one level). Iterative, so any depth json.loads returned is safe to check."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _strip_suffix(rel: str) -> str:
    base, ext = os.path.splitext(rel)
    return base if ext else rel


def collect_inputs(
    inputs: list[str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    *,
    suffixes: set[str] | None = None,
    output_dir: str | None = None,
) -> list[InputItem]:
    """Expand input arguments into items, in a deterministic order.

    Directories are walked recursively in sorted order (hidden files skipped; ``include`` /
    ``exclude`` globs match the path relative to the directory or the file name, and an
    ``exclude`` glob matching a subdirectory's path or name leaves out that whole folder; with
    ``suffixes``, only files a reader claims, ``.jsonl`` corpora and files without a suffix are
    taken, so images or PDFs beside the texts are not read). A file named explicitly is always
    taken. A ``.jsonl`` file yields one item per line; ``-`` reads JSONL from standard input.
    A directory that cannot be listed (the argument itself included), or a file in it that
    cannot be examined, becomes an item that fails at the read stage naming it and the reason,
    so the batch reports it and exits 1 instead of leaving it out silently.

    :param output_dir: never read from it: walking skips it, and an input inside it is refused
        (outputs would overwrite inputs and be read back as inputs by the next run).
    :raises InputError: a missing input path, an input inside the output directory, or ``-``
        with standard input closed.
    """
    include = include or []
    exclude = exclude or []
    out_real = os.path.realpath(output_dir) if output_dir and output_dir != "-" else None
    items: list[InputItem] = []
    seen: set[str] = set()  # real paths of the files taken: a file reached twice is taken once

    def first_time(path: str, real: str) -> bool:
        if real in seen:
            log.info("%s: already taken as an input; taken once", display_path(path))
            return False
        seen.add(real)
        return True

    for arg in inputs:
        if arg == "-":
            items.extend(_jsonl_items(enumerate(_stdin_bytes(), 1), "<stdin>"))
            continue
        real = os.path.realpath(arg)
        if out_real is not None and (real == out_real or real.startswith(out_real + os.sep)):
            raise InputError(display_path(arg), f"is inside the output directory {output_dir}; "
                             "choose another output directory (-o)")
        if os.path.isdir(arg):
            for full, rel, problem in _walk(arg, include, exclude, skip=out_real, suffixes=suffixes):
                if problem is not None:  # fails alone, naming the directory: never skipped silently
                    if first_time(full, os.path.normpath(os.path.join(real, rel))):
                        items.append(_failed_item(full, rel, problem))
                    continue
                # os.walk follows no directory symlink: only the file itself may be a link
                if first_time(full, os.path.realpath(full) if os.path.islink(full) else os.path.join(real, rel)):
                    items.extend(_file_items(full, rel))
        elif os.path.isfile(arg):
            if first_time(arg, real):
                items.extend(_file_items(arg, os.path.basename(arg)))
        else:
            raise InputError(display_path(arg), input_problem(arg) or "cannot read")
    return _disambiguate(items)


def _stdin_bytes() -> BinaryIO:
    """Standard input as bytes.

    :raises InputError: it is closed (``<&-``: Python then sets ``sys.stdin`` to ``None``).
    """
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        raise InputError("<stdin>", "standard input is closed; '-' reads JSONL from it "
                         "(pipe or redirect a corpus: copydesk run - < corpus.jsonl)")
    return buffer  # type: ignore[no-any-return]


def input_problem(path: str) -> str | None:
    """Why ``path`` is no input (missing; a device, FIFO or socket, which would block or never
    end when read), or ``None`` for a regular file or directory."""
    if os.path.isfile(path) or os.path.isdir(path):
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if err.errno != errno.ENOENT:
            return f"cannot read: {err.strerror or err}"
        return "a symbolic link to a missing file" if os.path.islink(path) else "no such file or directory"
    kind = ("a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
            else "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a special file")
    return f"not a regular file ({kind}); inputs are files, directories or .jsonl corpora ('-' reads JSONL from stdin)"


def _wanted(path: str, suffixes: set[str]) -> bool:
    """Whether a walked file is taken: a ``.jsonl`` corpus, a name without a suffix, or one of
    ``suffixes`` (lower case, with the dot), judged by the name alone."""
    name = os.path.basename(path).lower()
    if name.endswith(".jsonl") or "." not in name:
        return True
    return any(name.endswith(suffix) for suffix in suffixes)


def _lines_with_offsets(fh: BinaryIO, offsets: list[int]) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, bytes)`` one line at a time, appending each line's byte offset."""
    pos = 0
    for lineno, raw_line in enumerate(fh, 1):
        offsets.append(pos)
        pos += len(raw_line)
        yield lineno, raw_line


def _failed_item(path: str, rel: str, problem: str) -> InputItem:
    """An item for ``path`` (a directory or file under an input argument that cannot be read)
    that fails at the read stage with ``problem``."""
    if rel == os.curdir:  # the input argument itself
        rel = os.path.basename(os.path.abspath(path))
    return InputItem(doc_id=safe_id(rel.replace(os.sep, "__")), path=None, origin=display_path(path),
                     error=problem, rel_key=os.fsencode(rel.replace(os.sep, "/")),
                     path_key=os.fsencode(_spelled(path)))


def _file_items(path: str, rel: str) -> list[InputItem]:
    """The items of one file (one, or one per line of a ``.jsonl`` corpus); ``rel``: its path
    relative to its input argument (its name when named explicitly)."""
    path_key = os.fsencode(_spelled(path))
    shown = path_key.decode("utf-8", "replace")  # display_path(path)
    rel_key = os.fsencode(rel.replace(os.sep, "/"))
    if path.lower().endswith(".jsonl"):
        try:
            with open(path, "rb") as fh:
                offsets: list[int] = []
                return list(_jsonl_items(_lines_with_offsets(fh, offsets), path, offsets, rel))
        except OSError as err:
            return [InputItem(doc_id=safe_id(_strip_suffix(rel)), path=None, origin=shown,
                              error=f"cannot read: {err.strerror or err}", rel_key=rel_key, path_key=path_key)]
    doc_id = safe_id(_strip_suffix(rel).replace(os.sep, "__").replace("/", "__"))
    return [InputItem(doc_id=doc_id, path=path, origin=shown, rel_key=rel_key, path_key=path_key)]
