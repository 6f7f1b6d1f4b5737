"""``copydesk plugins``, ``copydesk stages`` and ``copydesk new-plugin``.

``plugins`` and ``stages`` print a rich table on a terminal (plain text when piped) and JSON
with ``--json``. Plugins that failed to import are listed (table) or under ``"failed"`` (JSON);
they never stop these commands. ``plugins`` is the diagnosis command, so an installed plugin
whose registration fails (say, a stage name another plugin took) does not stop it either: it
lists what loads and names the failing plugin's distribution and the ``COPYDESK_PLUGINS``
setting that skips it (``run`` and ``validate`` still exit 2 on such an error).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli import _fail, handled, main

if TYPE_CHECKING:
    from pydantic import BaseModel

    from pipeline.plugins import LoadedPlugins
    from pipeline.registry import Entry, Stage

KINDS = ("readers", "stages", "exporters")


def skip_hint(name: str, others: list[str]) -> str:
    """How to start without the third-party plugin ``name``: ``COPYDESK_PLUGINS=...``."""
    from pipeline.plugins import ENV_VAR

    keep = [o for o in others if o != name]
    hint = f"{ENV_VAR}=none skips third-party plugins"
    return hint + (f", {ENV_VAR}={','.join(keep)} loads only the others" if keep else "")


def load_for_listing() -> tuple[LoadedPlugins, list[str]]:
    """The plugin manager for ``copydesk plugins``, even when an installed plugin's registration
    fails: each entry point is then added on its own, and the ones that cannot be registered are
    recorded in ``failures`` with their distribution and :func:`skip_hint`.

    :returns: ``(loaded, errors)``, ``errors`` being one line per plugin left out that way.
    :raises RegistrationError: the built-ins or config plugins alone fail to register.
    """
    from pipeline import plugins as core
    from pipeline.errors import RegistrationError

    try:
        return core.make_plugin_manager(), []
    except RegistrationError as first:
        original = first
    eps = core._selected_entry_points()
    names = [ep.name for ep in eps]
    good: list[tuple[str, object]] = []
    dists: dict[str, tuple[str | None, str]] = {}
    failures: dict[str, str] = {}
    errors: list[str] = []
    try:
        core.make_plugin_manager(entry_points=False)
    except RegistrationError:
        raise original from None
    for ep in eps:
        dist = ep.dist.name if ep.dist else None
        dists[ep.name] = (dist, ep.dist.version if ep.dist else "0")
        try:
            obj = ep.load()
        except Exception as err:  # noqa: BLE001 - recorded like make_plugin_manager does
            failures[ep.name] = f"{type(err).__name__}: {err}"
            continue
        try:
            core.make_plugin_manager(entry_points=False, plugin_objects=[*good, (ep.name, obj)])
        except RegistrationError as err:
            message = (f"{' '.join(str(err).split())} (plugin {ep.name}, entry point of "
                       f"{dist or 'an unknown distribution'}; {skip_hint(ep.name, names)})")
            failures[ep.name] = message
            errors.append(message)
            continue
        good.append((ep.name, obj))
    loaded = core.make_plugin_manager(entry_points=False, plugin_objects=good)
    for name, _ in good:
        dist, version = dists[name]
        loaded.info[name] = core.PluginInfo(name, dist, version, "entry-point")
    loaded.failures.update(failures)
    if not errors:  # not an entry point's doing after all
        raise original
    return loaded, errors


def _plugin_rows(loaded: LoadedPlugins) -> list[dict[str, Any]]:
    """One row per plugin: name, distribution, version, origin and what it registers."""
    rows: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        info = loaded.info.get(name)
        return rows.setdefault(name, {
            "name": name,
            "distribution": info.distribution if info else None,
            "version": info.version if info else None,
            "origin": info.origin if info else None,
            "readers": [], "stages": [], "exporters": [],
        })

    for name in sorted(loaded.info):
        row(name)
    for kind in KINDS:
        for cname, entry in sorted(getattr(loaded.registry, kind).items()):
            row(entry.plugin)[kind].append({"name": cname, "summary": entry.cls.summary()})
    return [rows[name] for name in sorted(rows)]


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handled
def plugins(as_json: bool) -> None:
    """List plugins: name, distribution, version, and the readers, stages and exporters each registers.

    JSON shape: {"plugins": [{"name", "distribution", "version", "origin", "readers": [{"name",
    "summary"}], "stages": [...], "exporters": [...]}], "failed": {plugin: error}}.
    An installed plugin that cannot be registered is listed as failed (and named on stderr).
    """
    loaded, errors = load_for_listing()
    for message in errors:
        click.echo(f"copydesk: warning: {message}", err=True)
    rows = _plugin_rows(loaded)
    if as_json:
        click.echo(json.dumps({"plugins": rows, "failed": dict(sorted(loaded.failures.items()))}, indent=2))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="copydesk plugins")
    for col in ("plugin", "distribution", "version", "registers"):
        table.add_column(col, overflow="fold")
    for r in rows:
        parts = [f"{kind[:-1]} [bold]{escape(c['name'])}[/]: {escape(c['summary'])}" for kind in KINDS for c in r[kind]]
        table.add_row(escape(r["name"]), escape(r["distribution"] or "-"), escape(r["version"] or "-"),
                      "\n".join(parts) or "-")
    for name, err in sorted(loaded.failures.items()):
        table.add_row(escape(name), "-", "-", f"[red]failed to load: {escape(err)}[/]")
    Console(soft_wrap=False).print(table)


def _type_name(annotation: Any) -> str:
    """``int``, ``list[str]``, ``int | None``, ``Literal['a', 'b']`` ..."""
    if isinstance(annotation, type) and not getattr(annotation, "__args__", None):
        return annotation.__name__
    return re.sub(r"\b(?:typing|collections\.abc|pathlib)\.", "", str(annotation)).replace("NoneType", "None")


_IVAR = re.compile(r":ivar\s+(\w+):\s*(.*?)(?=\n\s*:\w|\Z)", re.S)
_CONSTRAINTS = {
    "minimum": ">= {}", "maximum": "<= {}", "exclusiveMinimum": "> {}", "exclusiveMaximum": "< {}",
    "minLength": "length >= {}", "maxLength": "length <= {}", "minItems": "items >= {}",
    "maxItems": "items <= {}", "pattern": "matches {}",
}


def settings_rows(model: type[BaseModel]) -> list[dict[str, Any]]:
    """Describe each field of a settings model.

    :returns: ``[{"name", "type", "default", "required", "constraints", "description"}]`` in
        field order; ``default`` is JSON-ready (``None`` when required); the description comes
        from ``Field(description=...)``, else from an ``:ivar NAME:`` line of the model docstring.
    """
    ivars = {m.group(1): " ".join(m.group(2).split()) for m in _IVAR.finditer(model.__doc__ or "")}
    props = model.model_json_schema().get("properties", {})
    out = []
    for fname, field in model.model_fields.items():
        required = field.is_required()
        default = None if required else field.get_default(call_default_factory=True)
        prop = props.get(field.alias or fname, {})
        constraints = [fmt.format(prop[key]) for key, fmt in _CONSTRAINTS.items() if key in prop]
        out.append({
            "name": fname,
            "type": _type_name(field.annotation),
            "default": json.loads(json.dumps(default, default=str)),
            "required": required,
            "constraints": constraints,
            "description": field.description or ivars.get(fname, ""),
        })
    return out


def _stage_detail(name: str, entry: Entry[Stage]) -> dict[str, Any]:
    cls = entry.cls
    return {
        "name": name,
        "summary": cls.summary(),
        "plugin": entry.plugin,
        "version": entry.version,
        "requires": list(cls.requires),
        "provides": list(cls.provides),
        "settings": settings_rows(cls.Settings),
        "schema": cls.Settings.model_json_schema(),
    }


@main.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (with the settings' JSON Schema).")
@handled
def stages(name: str | None, as_json: bool) -> None:
    """List stages, or show stage NAME: its settings with types, defaults and descriptions."""
    import difflib

    from pipeline.plugins import make_plugin_manager

    registry = make_plugin_manager().registry
    if name is None:
        listing = [{"name": n, "summary": e.cls.summary(), "plugin": e.plugin, "version": e.version,
                    "requires": list(e.cls.requires), "provides": list(e.cls.provides)}
                   for n, e in sorted(registry.stages.items())]
        if as_json:
            click.echo(json.dumps({"stages": listing}, indent=2))
            return
        for s in listing:
            click.echo(f"{s['name']:14s} {s['summary']}  [{s['plugin']} {s['version']}]")
        return
    entry = registry.stages.get(name)
    if entry is None:
        close = difflib.get_close_matches(name, list(registry.stages), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        _fail(f"no stage {name!r}{hint}; available: {', '.join(sorted(registry.stages)) or 'none'}")
    detail = _stage_detail(name, entry)
    if as_json:
        click.echo(json.dumps(detail, indent=2))
        return
    _print_stage(detail, entry)


def _print_stage(detail: dict[str, Any], entry: Entry[Stage]) -> None:
    import yaml
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(soft_wrap=False)
    console.print(f"[bold]{escape(detail['name'])}[/]: {escape(detail['summary'])}", highlight=False)
    console.print(f"plugin: {detail['plugin']} {detail['version']}", highlight=False, markup=False)
    console.print(f"requires: {', '.join(detail['requires']) or '-'}; "
                  f"provides: {', '.join(detail['provides']) or '-'}", highlight=False, markup=False)
    if not detail["settings"]:
        console.print("settings: none")
    else:
        table = Table(title=f"{detail['name']} settings")
        for col in ("setting", "type", "default", "description"):
            table.add_column(col, overflow="fold")
        for s in detail["settings"]:
            default = "required" if s["required"] else json.dumps(s["default"], ensure_ascii=False)
            desc = s["description"] + (f" ({', '.join(s['constraints'])})" if s["constraints"] else "")
            if len(default) > 60:
                default = default[:57] + "..."
            table.add_row(escape(s["name"]), escape(s["type"]), escape(default), escape(desc))
        console.print(table)
    try:
        example = entry.cls.Settings().model_dump(mode="json")
    except Exception:  # noqa: BLE001 - required settings have no defaults to show
        example = {s["name"]: f"<{s['type']}, required>" if s["required"] else s["default"]
                   for s in detail["settings"]}
    step: dict[str, Any] = {"name": detail["name"]}
    if example:
        step["settings"] = example
    click.echo("in a pipeline config:")
    click.echo(yaml.safe_dump({"stages": [step]}, sort_keys=False, allow_unicode=True, default_flow_style=None,
                              width=88).rstrip())


@main.command("new-plugin")
@click.argument("name")
@click.option("-d", "--directory", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Create the package inside this directory.")
@click.option("--force", is_flag=True, help="Replace an existing package directory.")
@handled
def new_plugin(name: str, directory: str, force: bool) -> None:
    """Scaffold an installable plugin package copydesk-NAME with one stage, tests and a README."""
    from pipeline.scaffold import plugin_names, scaffold_plugin

    target = scaffold_plugin(name, directory, force=force)
    names = plugin_names(name)
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    click.echo(f"wrote {target}/: {', '.join(files)}", err=True)
    click.echo(f"next: cd {target} && pip install -e . && copydesk stages {names.name} && pytest", err=True)
    click.echo(str(target))
