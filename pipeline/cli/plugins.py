"""``copydesk plugins`` and ``copydesk stages``: what is installed and how to configure it."""

from __future__ import annotations

import json
from typing import Any

import click

from pipeline.cli import _fail, handled, main


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handled
def plugins(as_json: bool) -> None:
    """List plugins: name, distribution, version, and what each registers."""
    from pipeline.plugins import make_plugin_manager

    loaded = make_plugin_manager()
    rows: dict[str, dict[str, Any]] = {
        name: {"name": name, "distribution": info.distribution, "version": info.version, "origin": info.origin,
               "readers": [], "stages": [], "exporters": []}
        for name, info in sorted(loaded.info.items())
    }
    for kind in ("readers", "stages", "exporters"):
        for cname, entry in sorted(getattr(loaded.registry, kind).items()):
            rows.setdefault(entry.plugin, {"name": entry.plugin, "readers": [], "stages": [], "exporters": []})
            rows[entry.plugin][kind].append({"name": cname, "summary": entry.cls.summary()})
    if as_json:
        payload = {"plugins": list(rows.values()), "failed": loaded.failures}
        click.echo(json.dumps(payload, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="copydesk plugins")
    for col in ("plugin", "distribution", "version", "registers"):
        table.add_column(col)
    for row in rows.values():
        parts = [f"{kind[:-1]} {c['name']}: {c['summary']}" for kind in ("readers", "stages", "exporters")
                 for c in row[kind]]
        table.add_row(row["name"], str(row.get("distribution") or "-"), str(row.get("version", "")), "\n".join(parts))
    Console().print(table)
    for name, err in sorted(loaded.failures.items()):
        click.echo(f"warning: plugin {name} failed to load: {err}", err=True)


@main.command()
@click.argument("name", required=False)
@handled
def stages(name: str | None) -> None:
    """List stages, or show one stage's settings with types, defaults and descriptions."""
    from pipeline.plugins import make_plugin_manager

    registry = make_plugin_manager().registry
    if name is None:
        for sname, entry in sorted(registry.stages.items()):
            click.echo(f"{sname:12s} {entry.cls.summary()}  [{entry.plugin} {entry.version}]")
        return
    found = registry.stages.get(name)
    if found is None:
        _fail(f"no stage {name!r}; available: {', '.join(sorted(registry.stages))}")
    entry = found
    cls = entry.cls
    click.echo(f"{name}: {cls.summary()}")
    click.echo(f"  plugin: {entry.plugin} {entry.version}")
    click.echo(f"  requires: {', '.join(cls.requires) or '-'}; provides: {', '.join(cls.provides) or '-'}")
    click.echo("  settings:")
    for fname, field in cls.Settings.model_fields.items():
        ann = getattr(field.annotation, "__name__", None) or str(field.annotation)
        default = field.get_default(call_default_factory=True)
        desc = f"  {field.description}" if field.description else ""
        click.echo(f"    {fname}: {ann} = {default!r}{desc}")
