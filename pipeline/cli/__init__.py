"""The ``copydesk`` command line: the group, error handling and logging set-up.

Commands live in sibling modules (``run``, ``plugins``, ``basic``), each registered on
:data:`main` when this package is imported.

Handled errors (:class:`~pipeline.errors.CopydeskError`) print one line to stderr, no
traceback. Exit codes: 0 all documents succeeded, 1 some failed, 2 config or usage error.
Heavy modules are imported inside the commands so that ``copydesk --help`` starts fast.

When the ``copydesk`` program itself ends (not when :data:`main` is invoked in-process, e.g. by
click's test runner), it exits without tearing the interpreter down: ``atexit`` handlers run
(logging, multiprocessing, plugins' own), standard output and error are flushed, then
:func:`os._exit`. Freeing every module and object one by one takes 50-100 ms after a run
(pydantic schemas, numpy), more than a small run itself; the operating system reclaims it all
at once. The normal exit is kept when another thread is still running or a flush fails.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"copydesk: error: {message}", err=True)
    sys.exit(code)


def handled(fn: F) -> F:
    """Turn copydesk's own errors into one line and exit status 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pipeline.errors import CopydeskError, Terminated

        try:
            return fn(*args, **kwargs)
        except CopydeskError as err:
            _fail(str(err))
        except Terminated:
            _fail("terminated", 143)
        except KeyboardInterrupt:
            _fail("interrupted", 130)

    return wrapper  # type: ignore[return-value]


class _ForgivingStderr(io.RawIOBase):
    """File descriptor 2 as a raw stream whose failed writes are dropped: standard error only
    carries diagnostics (log lines, progress, the summary), so a reader that went away
    (``2>&1 >/dev/null | head -0``) or a full disk must change neither the results nor the exit
    status. After a broken pipe the descriptor points at the null device, so later writes (from
    C code, or from workers forked afterwards) succeed too."""

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 2

    def isatty(self) -> bool:  # the progress bar and colours ask
        try:
            return os.isatty(2)
        except OSError:
            return False

    def write(self, data: Any) -> int:
        import errno

        try:
            return os.write(2, data)
        except OSError as err:
            if err.errno == errno.EPIPE:
                try:
                    null = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(null, 2)
                    os.close(null)
                except OSError:
                    pass
            return len(memoryview(data))


def _forgive_stderr_failures() -> None:
    """Replace ``sys.stderr`` (when it is the process's file descriptor 2, not a test runner's
    stream) by a text stream on :class:`_ForgivingStderr` with the same encoding; the original
    object stays in ``sys.__stderr__``, so descriptor 2 is never closed with it."""
    stream = sys.stderr
    if stream is None or isinstance(getattr(getattr(stream, "buffer", None), "raw", None), _ForgivingStderr):
        return
    try:
        if stream.fileno() != 2:
            return
        stream.flush()
    except (AttributeError, OSError, ValueError):  # a test runner's stream has no descriptor
        return
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(_ForgivingStderr()), encoding=stream.encoding,
                                  errors=stream.errors, line_buffering=True)


def _setup_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING + 10 * (quiet - verbose)
    logging.basicConfig(level=max(logging.DEBUG, level), format="copydesk: %(levelname)s: %(message)s")


def _exit_now(code: object) -> None:
    """End the process with ``code`` as :class:`SystemExit` would, minus the interpreter teardown
    (see the module docstring); returns (and the caller exits normally) when that is not safe."""
    if threading.active_count() > 1 or not (code is None or isinstance(code, int)):
        return
    import atexit

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # noqa: BLE001 - a closed or broken stream: let the normal exit report it
        return
    os._exit(code or 0)


def _quiet_standard_output() -> None:
    """Point a standard output that cannot take what waits in its buffer at the null device, so
    that the exit does not fail (and print a second error) flushing it."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        return
    except (OSError, ValueError):
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def os_error_line(err: OSError) -> str:
    """One line for an operating-system error no command handled itself: the file and the
    reason (``x/y.yaml: No such file or directory``), or ``cannot write the output: No space
    left on device`` for a failed write without a file name (standard output on a full disk)."""
    import errno

    _quiet_standard_output()
    reason = err.strerror or str(err)
    if err.filename is not None:
        return f"{os.fsdecode(err.filename)}: {reason}"
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
        return f"cannot write the output: {reason}"
    return reason


class _Program(click.Group):
    """The command group; calling it (the ``copydesk`` program) exits fast, see the module docstring.

    An :class:`OSError` no command handled (standard output on a full disk, say) ends the command
    with one line and exit status 2, like an unwritable output directory; a closed pipe is left
    to click, which exits 1 quietly (``run -o - | head`` is handled by ``run``: exit 141).
    """

    def invoke(self, ctx: click.Context) -> Any:
        import errno

        try:
            return super().invoke(ctx)
        except OSError as err:
            if err.errno == errno.EPIPE:
                raise
            _fail(os_error_line(err))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.main(*args, **kwargs)
        except SystemExit as done:
            _exit_now(done.code)
            raise


@click.group(cls=_Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="copydesk", prog_name="copydesk")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less log output (repeatable).")
def main(verbose: int, quiet: int) -> None:
    """copydesk: read documents, tag sections, extract themes, export JSON and Markdown.

    Run the default pipeline on seeds/ into outputs/ with `copydesk run`.
    """
    _forgive_stderr_failures()  # before logging takes sys.stderr
    _setup_logging(verbose, quiet)



# Importing the command modules registers their commands on ``main``.
from pipeline.cli import basic, plugins, run  # noqa: E402, F401
