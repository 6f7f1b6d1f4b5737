"""Writing outputs safely: atomic replace, never outside the output directory.

Each file is written to a temporary name in the same directory, then renamed into place with
:func:`os.replace`. What that guarantees, and what ``fsync`` adds:

* **A process crash** (``kill -9``, a segfault, a killed worker, Ctrl-C) never leaves a partial
  file: once :func:`os.write` returns, the data belongs to the kernel, which keeps it when the
  process dies, and the rename is atomic, so a reader sees the complete old file or the
  complete new one (at worst a ``.NAME.*.tmp`` file stays behind, never a truncated NAME).
* **A power cut or kernel crash** is different: without ``fsync`` some file systems (ext4
  without ``auto_da_alloc``, XFS, btrfs) can persist the rename before the data, leaving an
  empty or truncated file under the final name. ``fsync=True`` flushes the file's data to the
  disk before the rename, so after a power cut the name holds the old or the new complete file.

Decision: batches do **not** fsync by default (``--fsync`` turns it on). A flush costs several
milliseconds per file (about 5 ms measured here, more than processing a typical document), a
batch is re-run after a power cut anyway, and the incremental cache then redoes only documents
whose outputs are missing or differ from what their cache entry records.
"""

from __future__ import annotations

import contextlib
import os

from pipeline.errors import CopydeskError

# The temporary file is created with the usual mode (0666 minus the umask, applied by the
# kernel), exclusively, and never through a symlink planted under its name.
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_TEMP_ATTEMPTS = 100


class OutputError(CopydeskError):
    """The output directory or a file in it cannot be written."""


class StdoutClosed(OutputError):
    """The reader of ``-o -`` closed standard output (``copydesk run ... -o - | head``)."""


def safe_target(out_dir: str, name: str) -> str:
    """Path of ``name`` inside ``out_dir``.

    ``name`` must be a plain file name. When ``out_dir/name`` is a symlink it must resolve
    inside ``out_dir`` (the resolved path is returned); otherwise ``os.path.join(out_dir, name)``
    is returned as is (one ``lstat``, no path resolution per file).

    :raises OutputError: when ``name`` would escape ``out_dir`` (separators, ``..``, a symlink
        pointing outside).
    """
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise OutputError(f"refusing output name {name!r}: not a plain file name")
    candidate = os.path.join(out_dir, name)
    if not os.path.islink(candidate):
        return candidate
    root = os.path.realpath(out_dir)
    target = os.path.realpath(candidate)
    if os.path.dirname(target) != root:
        raise OutputError(f"refusing output name {name!r}: it escapes {out_dir}")
    return target


def ensure_dir(out_dir: str) -> None:
    """Create ``out_dir`` if needed and check it is writable.

    :raises OutputError: naming the directory and the reason.
    """
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot create output directory: {err.strerror or err}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir}: output directory is not writable")


def create_temporary(directory: str, name: str) -> tuple[int, str]:
    """Create ``directory/.NAME.<random>.tmp`` exclusively (mode ``0666`` minus the umask) and
    return ``(file descriptor, path)``; the caller writes it and renames it into place.

    :raises OSError: the directory cannot be written.
    """
    for _ in range(_TEMP_ATTEMPTS):
        tmp = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, _OPEN_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {name} in {directory}")


def write_atomic(out_dir: str, name: str, data: bytes, fsync: bool = False) -> str:
    """Write ``data`` to ``out_dir/name`` atomically; return the final path.

    The file gets the mode a plain ``open()`` would give it (``0666`` minus the umask).

    :param fsync: flush the file to disk before the rename (durable against power loss, see
        the module docstring; off by default, as in batches).
    :raises OutputError: when the name is unsafe or the file cannot be written.
    """
    target = safe_target(out_dir, name)
    try:
        fd, tmp = create_temporary(os.path.dirname(target) or os.curdir, name)
    except OSError as err:
        raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fd)
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None
        raise
    return target


def read_existing(out_dir: str, name: str) -> bytes | None:
    """Bytes of ``out_dir/name`` or ``None`` when absent or unreadable."""
    try:
        with open(safe_target(out_dir, name), "rb") as fh:
            return fh.read()
    except (OSError, OutputError):
        return None
