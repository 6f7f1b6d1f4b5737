"""Look keys up in a sorted ``key value`` text file by bisection, without loading the file.

Loading a 94k-line word list into a dict costs ~100 ms, more than a whole cold run of a small
document needs; a document asks for a few hundred distinct words. So the file is memory-mapped
and each lookup bisects over byte offsets (about 17 probes of one line each for 94k lines), and
the answers are memoised.
"""

from __future__ import annotations

import mmap
import os

_MEMO_LIMIT = 200_000  # distinct keys remembered before the memo is dropped (bounds memory in batch runs)


class SortedWordFile:
    """A read-only mapping from key to value over a text file of ``key value`` lines.

    The file must be UTF-8, one entry per line (``\\n`` line ends, last newline optional), the
    key and the value separated by the first space, and the lines sorted by key in byte order
    (for UTF-8, byte order is Python's code-point ``str`` order). Lines starting with
    ``comment`` and blank lines are skipped, but only at the top of the file (a header); below
    it every line is an entry, so a key may itself start with the comment marker's first
    character. When a key occurs on several adjacent lines, any one of them may be found: the
    files this is used for have unique keys (tests check it).

    Lookups are ``O(log n)`` line reads on a memory map, memoised per key. A key containing a
    space, a newline or an unencodable character is never found.

    :param path: the file; opened at construction (``OSError`` if missing).
    :param comment: the prefix of header comment lines.
    """

    def __init__(self, path: str | os.PathLike[str], comment: str = ";;;") -> None:
        self.path = os.fspath(path)
        with open(self.path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            # mmap refuses empty files; an empty bytes object answers the same finds
            self._buf: mmap.mmap | bytes = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self._size = size
        self._start = self._header_end(comment.encode("utf-8"))
        self._memo: dict[str, str | None] = {}

    def _header_end(self, comment: bytes) -> int:
        """Offset of the first line that is neither blank nor a comment."""
        buf, pos = self._buf, 0
        while pos < self._size:
            end = buf.find(b"\n", pos)
            end = self._size if end < 0 else end
            line = buf[pos:end].strip()
            if line and not line.startswith(comment):
                return pos
            pos = end + 1
        return self._size

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value on ``key``'s line (the text after the first space), else ``default``."""
        memo = self._memo
        if key in memo:
            found = memo[key]
        else:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[key] = self._search(key)
        return default if found is None else found

    def find(self, key: str) -> str | None:
        """The value on ``key``'s line, else None, without memoising it: for callers that
        memoise what they derive from the value (a second memo of the same keys would only
        cost memory)."""
        return self._search(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def _search(self, key: str) -> str | None:
        if " " in key or "\n" in key:
            return None
        try:
            target = key.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: not in a UTF-8 file
            return None
        buf = self._buf
        # invariant: lo and hi are line starts (or the file end); the key, if present, is on a line in [lo, hi)
        lo, hi = self._start, self._size
        while lo < hi:
            mid = (lo + hi) // 2
            nl = buf.rfind(b"\n", lo, mid)
            line_start = lo if nl < 0 else nl + 1
            line_end = buf.find(b"\n", line_start, hi)
            if line_end < 0:
                line_end = hi
            line = buf[line_start:line_end]
            sep = line.find(b" ")
            probe = line if sep < 0 else line[:sep]
            if probe == target:
                return "" if sep < 0 else line[sep + 1 :].decode("utf-8").rstrip()
            if probe < target:
                lo = line_end + 1
            else:
                hi = line_start
        return None

    def body(self) -> bytes:
        """The raw bytes of every entry line (the file below its header), for one-off scans."""
        return bytes(self._buf[self._start : self._size])
