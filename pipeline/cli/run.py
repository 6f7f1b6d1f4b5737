"""``copydesk run`` and ``copydesk validate``."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

import click

from pipeline.cli import handled, main

if TYPE_CHECKING:
    from pipeline.config import LoadedConfig

log = logging.getLogger("pipeline.cli")

# `run -o -` whose reader closed standard output: the status a shell shows for a Unix tool that
# SIGPIPE ended (128 + 13), so `set -o pipefail` scripts see it as they see `yes | head`.
EXIT_PIPE_CLOSED = 141


def _split_args(args: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """``(config, inputs)``: the ``.yaml``/``.yml`` argument is the config, the others inputs.

    :raises click.UsageError: more than one config (a second one would otherwise be read as
        an input document).
    """
    config = None
    inputs = []
    for arg in args:
        if arg.lower().endswith((".yaml", ".yml")):
            if config is not None:
                raise click.UsageError(f"two configs given: {config} and {arg}; a run takes one CONFIG.yaml "
                                       "(.yaml/.yml arguments are never read as input documents)")
            config = arg
        else:
            inputs.append(arg)
    return config, inputs


class _Seconds(click.ParamType[float]):
    """A finite number of seconds above 0 and at most :data:`pipeline.config.MAX_TIMEOUT` (``inf``,
    ``nan`` and huge values would disable the limit or overflow the pool's wait)."""

    name = "seconds"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        import math

        from pipeline.config import MAX_TIMEOUT

        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not (math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT):
            self.fail(f"{value} is not a number of seconds above 0 and at most {MAX_TIMEOUT:.0f}", param, ctx)
        return seconds


@main.command()
@click.argument("args", nargs=-1, metavar="[CONFIG.yaml] [INPUT ...]")
@click.option("-o", "--output", "output_dir", metavar="DIR", help="Output directory; '-' writes JSON lines to stdout.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a config value (repeatable).")
@click.option("--include", multiple=True, metavar="GLOB", help="Only files in input directories matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files, or whole folders, in input directories matching GLOB.")
@click.option("-j", "--workers", type=click.IntRange(min=1), metavar="N", help="Worker processes [default: CPU cores].")
@click.option("--timeout", type=_Seconds(), metavar="SECONDS",
              help="Kill a document's worker after SECONDS (above 0, at most 1000000); the document fails "
                   "with status timeout.")
@click.option("--executor", type=click.Choice(["local", "dask"]), help="local process pool or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786 (implies --executor dask).")
@click.option("--fail-fast", is_flag=True, default=None, help="Stop at the first failed document.")
@click.option("--max-failures", type=click.IntRange(min=0), metavar="N", help="Exit 0 if at most N documents failed.")
@click.option("--report", "report_path", metavar="FILE", help="Write the JSON run report here ('-': stdout).")
@click.option("--cache-dir", metavar="DIR", help="Incremental cache location [default: .copydesk-cache].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the incremental cache.")
@click.option("--force", is_flag=True, help="Run every document even if its cache entry is valid.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 naming the output files that differ from what the run would write.")
@click.option("--fsync", is_flag=True, help="fsync every output file (survives power loss; slower).")
@click.option("--progress", "progress_mode", type=click.Choice(["auto", "bar", "plain", "none"]), default="auto",
              show_default=True,
              help="Progress on stderr: a bar on a terminal, plain lines otherwise; none with -q.")
@handled
def run(
    args: tuple[str, ...],
    output_dir: str | None,
    overrides: tuple[str, ...],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    workers: int | None,
    timeout: float | None,
    executor: str | None,
    scheduler: str | None,
    fail_fast: bool | None,
    max_failures: int | None,
    report_path: str | None,
    cache_dir: str | None,
    no_cache: bool,
    force: bool,
    check: bool,
    fsync: bool,
    progress_mode: str,
) -> None:
    """Run a pipeline over inputs.

    A .yaml/.yml argument is the config (default: the embedded pipeline); other arguments are
    inputs (files, directories, .jsonl corpora, '-' for JSONL on stdin), defaulting to the
    config's inputs. Options override the config's `run:` section; --include/--exclude replace
    its globs. Unchanged documents are skipped using a cache keyed by the input bytes, the
    effective pipeline settings and the plugin versions (--force, --no-cache).

    Exit 0: all documents succeeded; 1: some failed (more than --max-failures), or --check
    found differences; 2: config/usage error or an unwritable output directory.
    """
    from pipeline.batch import BatchOptions, run_batch
    from pipeline.build import build
    from pipeline.cache import DEFAULT_CACHE_DIR
    from pipeline.errors import CopydeskError
    from pipeline.executors import PipelineSpec
    from pipeline.inputs import collect_inputs
    from pipeline.outputs import StdoutClosed
    from pipeline.progress import make_progress
    from pipeline.report import BatchReport, check_report_path, exit_code, write_report

    # copydesk runs documents in parallel, not one document's maths: numeric libraries get one
    # thread per process unless the user says otherwise (set before plugins import them).
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    config_path, inputs = _split_args(args)
    # `run` writes nothing to stdout but `-o -` documents (or `--report -`): a plugin module
    # printing or writing to fd 1 when it is imported (or a component's constructor) must not
    # corrupt that stream, so fd 1 points at stderr from before the plugins load.
    guard = _StdoutGuard()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            built = build(config_path, list(overrides))
    except BaseException:
        guard.release()
        raise
    cfg = built.resolved.config
    out = output_dir or cfg.output_dir
    if out != "-" and report_path != "-":
        guard.release()  # else held to the end: plugins' atexit handlers write to stderr too
    if check and out == "-":
        raise click.UsageError("--check compares an output directory; it cannot be used with -o -")
    if report_path == "-" and out == "-":
        raise click.UsageError("--report - and -o - would both write to stdout; give the report a file name")
    if report_path:
        check_report_path(report_path)  # now, not after the whole batch ran
    # a scheduler address means Dask: given alone it picks the dask executor; with `local` it is a mistake
    scheduler = scheduler or cfg.run.scheduler
    executor = executor or ("dask" if scheduler and "executor" not in cfg.run.model_fields_set else cfg.run.executor)
    if scheduler and executor != "dask":
        raise click.UsageError(f"--scheduler {scheduler} needs the dask executor, not --executor {executor}")
    spec = PipelineSpec(os.path.abspath(config_path) if config_path else None, tuple(overrides), os.getcwd())
    options = BatchOptions(
        output_dir=out,
        fail_fast=cfg.run.fail_fast if fail_fast is None else fail_fast,
        max_failures=cfg.run.max_failures if max_failures is None else max_failures,
        workers=workers or cfg.run.workers,
        timeout=timeout or cfg.run.timeout,
        executor=executor,
        scheduler=scheduler,
        spec=spec,
        cache_dir=None if no_cache else (cache_dir or DEFAULT_CACHE_DIR),
        force=force,
        check=check,
        fsync=fsync,
    )
    suffixes = {suffix for entry in built.plugins.registry.readers.values() for suffix in entry.cls.suffixes}
    items = collect_inputs(inputs or cfg.inputs, list(include) or cfg.include, list(exclude) or cfg.exclude,
                           suffixes=suffixes, output_dir=out)
    if not items:
        log.warning("no input documents found in %s", ", ".join(inputs or cfg.inputs))
    if not built.resolved.exporters and out != "-":
        log.warning("the pipeline has no exporters: nothing will be written to %s", out)
    report = BatchReport()
    # SIGTERM (a cancelled CI job) stops the batch the way Ctrl-C does: the report is still written
    own_signals = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if own_signals else None
    try:
        if own_signals:
            signal.signal(signal.SIGTERM, _raise_terminated)
        if progress_mode == "auto" and logging.getLogger().getEffectiveLevel() > logging.WARNING:
            progress_mode = "none"  # copydesk -q: the summary line only
        with guard.data(out == "-") as data:
            options.stdout = data
            run_batch(built, items, options, progress=make_progress(sys.stderr, progress_mode), report=report)
    except BaseException as err:
        if report_path and report.aborted is not None:  # what ran so far, the rest as not-run
            try:
                write_report(report_path, report)
            except CopydeskError as report_err:
                log.error("%s", report_err)
        if isinstance(err, StdoutClosed):  # `| head` has what it wants: stop like Unix tools do
            guard.discard()
            click.echo(f"copydesk: standard output closed after {report.totals()['ok']} document(s); the rest not run",
                       err=True)
            sys.exit(EXIT_PIPE_CLOSED)
        raise
    finally:
        if own_signals and previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if report_path:
        try:
            with guard.data(report_path == "-") as data:
                write_report(report_path, report, stdout=data)
        except StdoutClosed as err:  # `--report - | head`: as for `-o - | head`, one line and exit 141
            guard.discard()
            where = "standard output closed" if report_path == "-" else str(err)
            click.echo(f"copydesk: {where} before the whole report was written; {report.summary_line()}", err=True)
            sys.exit(EXIT_PIPE_CLOSED)
    for path, problem in report.check_problems:
        click.echo(f"copydesk: {problem}: {path}", err=True)
    click.echo(f"copydesk: {report.summary_line()}", err=True)
    sys.exit(exit_code(report, options.max_failures))


@main.command()
@click.argument("config", required=False, metavar="[CONFIG.yaml]")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a config value.")
@handled
def validate(config: str | None, overrides: tuple[str, ...]) -> None:
    """Check a pipeline config without running it (exit 2 on the first problem).

    Besides the config itself (keys, types, stage names and order, plugins), the inputs the
    config lists must exist.
    """
    from pipeline.build import build

    built = build(config, list(overrides))
    _check_inputs_exist(built.loaded, built.resolved.config.inputs)
    names = " -> ".join(s.name for s in built.resolved.stages) or "(no stages)"
    click.echo(f"{built.loaded.path}: ok ({names}; exporters: "
               f"{', '.join(e.name for e in built.resolved.exporters) or 'none'})")


def _check_inputs_exist(loaded: LoadedConfig, inputs: list[str]) -> None:
    """Raise for the first input the config lists (``inputs:`` or ``--set inputs=...``) that does
    not exist; the default inputs of a config without that key are not checked (``copydesk run``
    usually names the inputs on the command line).

    :raises pipeline.errors.ConfigError: ``pipeline.yaml:2: inputs -> 0: articles: no such file
        or directory``.
    """
    from pipeline.inputs import input_problem

    if "inputs" not in loaded.data:
        return
    for i, arg in enumerate(inputs):
        problem = None if arg == "-" else input_problem(arg)
        if problem:  # the same check as `copydesk run` (a device or named pipe is no input either)
            raise loaded.error(("inputs", i), f"{arg}: {problem}")


class _StdoutGuard:
    """Keeps file descriptor 1 for copydesk's data (``-o -`` documents, ``--report -``): while it
    is held, fd 1 points at standard error, so anything else writing there (a plugin printing or
    calling ``os.write(1, ...)`` at import, its C library, its ``atexit`` handler) cannot corrupt
    the data, which goes through private handles on the real standard output (:meth:`data`).

    Held from before the plugins load; released when the run does not write data to standard
    output, else at exit after the plugins' ``atexit`` handlers. Does nothing when standard
    output is not a real file descriptor 1 (click's test runner).
    """

    def __init__(self) -> None:
        self.saved: int | None = None
        try:
            real = sys.stdout is not None and sys.stdout.fileno() == 1
        except (AttributeError, OSError, ValueError):  # a replaced sys.stdout (tests) has no fd
            real = False
        if not real:
            return
        try:
            sys.stdout.flush()
            self.saved = os.dup(1)
            os.dup2(2, 1)
        except OSError:  # fd 1 or 2 closed: nothing to protect
            self.saved = None
            return
        import atexit

        # handlers run last-registered first: this one after those of the plugins about to load
        atexit.register(self.release)

    def release(self) -> None:
        """Point fd 1 back at the real standard output (idempotent)."""
        if self.saved is None:
            return
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.saved)
        self.saved = None

    @contextlib.contextmanager
    def data(self, wanted: bool) -> Iterator[IO[bytes] | None]:
        """A private handle on the real standard output, flushed and closed at the end; ``None``
        (the default stream) when not ``wanted`` or when nothing is guarded."""
        if not wanted or self.saved is None:
            yield None
            return
        handle = os.fdopen(os.dup(self.saved), "wb")
        try:
            yield handle
        finally:
            with contextlib.suppress(BrokenPipeError):  # the batch reported it (StdoutClosed)
                handle.close()  # flushes the last documents

    def discard(self) -> None:
        """The reader closed standard output: point it at the null device, so that neither the
        plugins' exit handlers nor the exit's flush fail writing there."""
        target = self.saved if self.saved is not None else 1
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, target)
            os.close(null)


def _raise_terminated(signum: int, frame: object) -> None:
    """SIGTERM handler of a run: stop the batch as Ctrl-C does (see :class:`~pipeline.errors.Terminated`)."""
    from pipeline.errors import Terminated

    raise Terminated
