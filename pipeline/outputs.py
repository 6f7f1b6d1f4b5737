"""Writing outputs safely: atomic replace, never outside the output directory.

Each file is written to a temporary name in the same directory, then renamed into place with
:func:`os.replace`, so a reader (or a run killed with SIGKILL) only ever sees a complete old
file or a complete new one: the rename is atomic and the kernel keeps written data when a
process dies. ``fsync=True`` also survives a power cut or kernel crash (measured at about
5 ms per file here, more than processing a typical document, hence off by default in batches).
"""

from __future__ import annotations

import contextlib
import os
import tempfile

from pipeline.errors import CopydeskError


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


class OutputError(CopydeskError):
    """The output directory or a file in it cannot be written."""


def safe_target(out_dir: str, name: str) -> str:
    """Path of ``name`` inside ``out_dir``.

    :raises OutputError: when ``name`` would escape ``out_dir`` (separators, ``..``).
    """
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise OutputError(f"refusing output name {name!r}: not a plain file name")
    root = os.path.realpath(out_dir)
    target = os.path.realpath(os.path.join(root, name))
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


def write_atomic(out_dir: str, name: str, data: bytes, fsync: bool = True) -> str:
    """Write ``data`` to ``out_dir/name`` atomically; return the final path.

    :param fsync: flush the file to disk before the rename (durable against power loss).

    :raises OutputError: when the name is unsafe or the file cannot be written.
    """
    target = safe_target(out_dir, name)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; outputs get the usual umask-based mode
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
