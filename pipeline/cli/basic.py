"""``copydesk schema`` and ``copydesk init``."""

from __future__ import annotations

import json
import os

import click

from pipeline.cli import _fail, handled, main


@main.command()
@click.argument("name", type=click.Choice(["document", "config"]), default="document")
def schema(name: str) -> None:
    """Print the JSON Schema of the document (default) or of the pipeline config."""
    from pipeline.schema import config_schema, document_schema

    data = document_schema() if name == "document" else config_schema()
    click.echo(json.dumps(data, indent=2, sort_keys=True))


@main.command()
@click.argument("path", default="pipeline.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handled
def init(path: str, force: bool) -> None:
    """Write the default pipeline config to PATH (default pipeline.yaml; '-' for standard output) for editing."""
    from pipeline.config import default_config_text

    if path == "-":
        click.echo(default_config_text(), nl=False)
        return
    if os.path.exists(path) and not force:
        _fail(f"{path} exists; use --force to overwrite")
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(default_config_text())
    except OSError as err:
        folder = os.path.dirname(path)
        why = "no such directory" if folder and not os.path.isdir(folder) else err.strerror or str(err)
        _fail(f"cannot write {path}: {why}")
    click.echo(f"wrote {path}; run it with: copydesk run {path}", err=True)
