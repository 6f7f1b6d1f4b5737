"""``copydesk run`` and ``copydesk validate``."""

from __future__ import annotations

import sys

import click

from pipeline.cli import handled, main


def _split_args(args: tuple[str, ...]) -> tuple[str | None, list[str]]:
    config = None
    inputs = []
    for arg in args:
        if arg.lower().endswith((".yaml", ".yml")) and config is None:
            config = arg
        else:
            inputs.append(arg)
    return config, inputs


@main.command()
@click.argument("args", nargs=-1, metavar="[CONFIG.yaml] [INPUT ...]")
@click.option("-o", "--output", "output_dir", metavar="DIR", help="Output directory; '-' writes JSON lines to stdout.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a config value.")
@click.option("--fail-fast", is_flag=True, default=None, help="Stop at the first failed document.")
@click.option("--max-failures", type=click.IntRange(min=0), help="Exit 0 if at most N documents failed.")
@click.option("--report", "report_path", metavar="FILE", help="Write the JSON run report here.")
@handled
def run(
    args: tuple[str, ...],
    output_dir: str | None,
    overrides: tuple[str, ...],
    fail_fast: bool | None,
    max_failures: int | None,
    report_path: str | None,
) -> None:
    """Run a pipeline over inputs.

    A .yaml/.yml argument is the config (default: the embedded pipeline); other arguments are
    inputs (files, directories, .jsonl corpora, '-' for JSONL on stdin), defaulting to the
    config's inputs. Exit 0: all documents succeeded; 1: some failed; 2: config/usage error.
    """
    from pipeline.batch import BatchOptions, exit_code, run_batch, write_report
    from pipeline.build import build
    from pipeline.inputs import collect_inputs

    config_path, inputs = _split_args(args)
    built = build(config_path, list(overrides))
    cfg = built.resolved.config
    out = output_dir or cfg.output_dir
    options = BatchOptions(
        output_dir=out,
        fail_fast=cfg.run.fail_fast if fail_fast is None else fail_fast,
        max_failures=cfg.run.max_failures if max_failures is None else max_failures,
    )
    items = collect_inputs(inputs or cfg.inputs, cfg.include, cfg.exclude)
    report = run_batch(built, items, options)
    if report_path:
        write_report(report_path, report)
    click.echo(f"copydesk: {report.summary_line()}", err=True)
    sys.exit(exit_code(report, options.max_failures))


@main.command()
@click.argument("config", required=False, metavar="[CONFIG.yaml]")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a config value.")
@handled
def validate(config: str | None, overrides: tuple[str, ...]) -> None:
    """Check a pipeline config without running it (exit 2 on the first problem)."""
    from pipeline.build import build

    built = build(config, list(overrides))
    names = " -> ".join(s.name for s in built.resolved.stages) or "(no stages)"
    click.echo(f"{built.loaded.path}: ok ({names}; exporters: "
               f"{', '.join(e.name for e in built.resolved.exporters) or 'none'})")
