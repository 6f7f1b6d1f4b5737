"""A fresh plugin manager for every run: built-ins, entry points, config-listed modules.

Sources of plugins, in this order:

1. built-ins, imported by module path (:data:`BUILTINS`) exactly like any other plugin;
2. the ``copydesk`` entry-point group of installed distributions;
3. modules listed under ``plugins:`` in the pipeline config (trusted code).

``COPYDESK_PLUGINS`` limits what is loaded from (2): unset loads all entry points, ``none``
(or an empty value) loads none, ``a,b`` loads only the entry points named ``a`` and ``b``
(an entry-point name or a distribution name). A plugin that fails to import is recorded in
:attr:`LoadedPlugins.failures` (a warning); it is fatal only when the config uses something it
would have registered.

Every hook implementation is checked when its plugin is registered, so a typo fails at
start-up with one line naming the plugin: an unknown hook name (with a suggestion), an argument
the hook spec does not offer, a ``register_*`` hook that raises, a component that is not a
subclass of the right base, has no ``Settings`` model, or takes a name another plugin took.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import inspect
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from pipeline import hookspecs
from pipeline.errors import PluginLoadError, RegistrationError
from pipeline.registry import BUILTIN_PREFIX, Component, Registry

log = logging.getLogger(__name__)

BUILTINS: tuple[str, ...] = (
    "plugins.read_text",
    "plugins.read_markdown",
    "plugins.read_html",
    "plugins.sections",
    "plugins.themes",
    "plugins.export_json",
    "plugins.export_markdown",
)
ENTRY_POINT_GROUP = "copydesk"
ENV_VAR = "COPYDESK_PLUGINS"

#: ``(name, plugin)`` pairs added to every manager built while they are listed. Only
#: :mod:`pipeline.testing` touches it (through ``monkeypatch``), to register a plugin for one test.
FIXTURE_PLUGINS: list[tuple[str, object]] = []


def copydesk_version() -> str:
    """The installed copydesk version (``0+unknown`` when run from an uninstalled tree)."""
    try:
        return md.version("copydesk")
    except md.PackageNotFoundError:
        return "0+unknown"


@dataclass
class PluginInfo:
    """What the user sees about one plugin: name, distribution, version, origin."""

    name: str
    distribution: str | None
    version: str
    origin: str  # builtin | entry-point | config


@dataclass
class LoadedPlugins:
    """The plugin manager, its registry, plugin metadata and import failures.

    :ivar failures: plugin name -> import error message (warnings unless the config needs it).
    """

    manager: pluggy.PluginManager
    registry: Registry
    info: dict[str, PluginInfo] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def _builtin_name(module: str) -> str:
    return BUILTIN_PREFIX + module.removeprefix("plugins.")


def _selected_entry_points() -> list[md.EntryPoint]:
    """The ``copydesk`` entry points, sorted by name, filtered by ``COPYDESK_PLUGINS``."""
    eps = sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    wanted = os.environ.get(ENV_VAR)
    if wanted is None:
        return eps
    names = {n.strip() for n in wanted.split(",") if n.strip() and n.strip().lower() != "none"}
    chosen = [ep for ep in eps if ep.name in names or (ep.dist is not None and ep.dist.name in names)]
    known = {ep.name for ep in eps} | {ep.dist.name for ep in eps if ep.dist is not None}
    for unknown in sorted(names - known):
        log.warning("%s names %r, but no installed plugin has that name", ENV_VAR, unknown)
    return chosen


def _hookimpl_names(pm: pluggy.PluginManager, obj: object) -> list[tuple[str, str]]:
    """``(attribute, hook name)`` for every hook implementation ``obj`` defines, sorted."""
    out = []
    marker = pm.project_name + "_impl"
    for attr in sorted(dir(obj)):
        if attr.startswith("__"):
            continue
        if isinstance(obj, ModuleType) and not hasattr(vars(obj).get(attr), marker):
            continue  # a module attribute without the marker is no hook implementation (cheap test)
        try:
            opts = pm.parse_hookimpl_opts(obj, attr)
        except Exception:  # noqa: BLE001 - an odd attribute is not a hook implementation
            continue
        if opts is not None:
            out.append((attr, opts.get("specname") or attr))
    return out


def _check_hookimpls(pm: pluggy.PluginManager, obj: object, name: str) -> None:
    """Reject unknown hook names and arguments with one line naming the plugin.

    :raises RegistrationError: ``plugin NAME: unknown hook 'register_stage'; did you mean ...``
        or ``plugin NAME: hook register_stages(register, extra): argument 'extra' is not offered
        by the hook spec register_stages(register)``.
    """
    specs = {h: getattr(pm.hook, h) for h in dir(hookspecs) if pm.parse_hookspec_opts(hookspecs, h)}
    for attr, hook in _hookimpl_names(pm, obj):
        if hook not in specs:
            import difflib

            close = difflib.get_close_matches(hook, list(specs), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; hooks are: {', '.join(sorted(specs))}"
            raise RegistrationError(f"plugin {name}: unknown hook {hook!r}{hint}")
        spec = specs[hook].spec
        assert spec is not None
        try:
            signature = inspect.signature(getattr(obj, attr))
        except (TypeError, ValueError):
            continue
        # Like pluggy: only parameters without defaults are hook arguments.
        params = [p.name for p in signature.parameters.values()
                  if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        extra = [p for p in params if p not in spec.argnames and p != "self"]
        if extra:
            plural = "s" if len(extra) > 1 else ""
            raise RegistrationError(
                f"plugin {name}: hook {hook}({', '.join(params)}): argument{plural} "
                f"{', '.join(repr(e) for e in extra)} not offered by the hook spec "
                f"{hook}({', '.join(spec.argnames)})"
            )


def _register(pm: pluggy.PluginManager, obj: ModuleType | object, name: str) -> None:
    _check_hookimpls(pm, obj, name)
    if pm.has_plugin(name):
        raise RegistrationError(f"plugin {name}: a plugin with that name is already registered")
    try:
        pm.register(obj, name=name)
    except pluggy.PluginValidationError as err:
        raise RegistrationError(f"plugin {name}: {' '.join(str(err).split())}") from None
    except ValueError as err:  # the same object registered twice
        raise RegistrationError(f"plugin {name}: {err}") from None


def make_plugin_manager(
    extra_modules: Iterable[str] = (),
    *,
    builtins: Iterable[str] = BUILTINS,
    entry_points: bool = True,
    plugin_objects: Iterable[tuple[str, object]] = (),
) -> LoadedPlugins:
    """Build a fresh plugin manager and fill the registry through the ``register_*`` hooks.

    :param extra_modules: module paths from the config's ``plugins:`` list.
    :param builtins: built-in module paths (tests may pass fewer).
    :param entry_points: load the ``copydesk`` entry-point group (filtered by ``COPYDESK_PLUGINS``).
    :param plugin_objects: ``(name, module_or_object)`` pairs registered directly (tests, fixtures);
        :data:`FIXTURE_PLUGINS` are added after them.
    :returns: :class:`LoadedPlugins`.
    :raises RegistrationError: unknown hook names or arguments, a ``register_*`` hook that
        raises, duplicate component names (naming both plugins), components without a Settings
        model; the message is one line starting ``plugin NAME:`` or ``duplicate ...``.
    :raises PluginLoadError: a module of ``extra_modules`` fails to import (entry points and
        built-ins that fail are recorded in :attr:`LoadedPlugins.failures` instead).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    loaded = LoadedPlugins(pm, Registry())
    version = copydesk_version()

    for module in builtins:
        name = _builtin_name(module)
        try:
            mod = importlib.import_module(module)
        except Exception as err:  # noqa: BLE001 - a broken plugin must not block the CLI
            loaded.failures[name] = f"{type(err).__name__}: {err}"
            log.warning("built-in plugin %s failed to import: %s", name, loaded.failures[name])
            continue
        _register(pm, mod, name)
        loaded.info[name] = PluginInfo(name, "copydesk", version, "builtin")

    if entry_points:
        for ep in _selected_entry_points():
            dist = ep.dist.name if ep.dist else None
            dist_version = ep.dist.version if ep.dist else "0"
            try:
                obj = ep.load()
            except Exception as err:  # noqa: BLE001
                loaded.failures[ep.name] = f"{type(err).__name__}: {err}"
                log.warning("plugin %s (entry point of %s) failed to import: %s; continuing without it",
                            ep.name, dist or "an unknown distribution", loaded.failures[ep.name])
                continue
            try:
                _register(pm, obj, ep.name)
            except RegistrationError as err:
                raise RegistrationError(f"{err} (entry point of {dist or 'an unknown distribution'}; "
                                        f"{ENV_VAR}=none skips third-party plugins)") from None
            loaded.info[ep.name] = PluginInfo(ep.name, dist, dist_version, "entry-point")

    for module in extra_modules:
        try:
            mod = importlib.import_module(module)
        except Exception as err:  # noqa: BLE001
            raise PluginLoadError(module, f"{type(err).__name__}: {err}") from None
        if pm.is_registered(mod):
            continue
        _register(pm, mod, module)
        loaded.info[module] = PluginInfo(module, None, getattr(mod, "__version__", "0"), "config")

    for name, obj in [*plugin_objects, *FIXTURE_PLUGINS]:
        _register(pm, obj, name)
        loaded.info[name] = PluginInfo(name, None, str(getattr(obj, "__version__", "0")), "object")

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as err:
        raise RegistrationError(" ".join(str(err).split())) from None
    _fill_registry(loaded)
    return loaded


def _fill_registry(loaded: LoadedPlugins) -> None:
    """Call every ``register_*`` implementation, one at a time, sorted by plugin name.

    :raises RegistrationError: a rejected component or a hook implementation that raised.
    """
    hooks: dict[str, Any] = {
        "reader": loaded.manager.hook.register_readers,
        "stage": loaded.manager.hook.register_stages,
        "exporter": loaded.manager.hook.register_exporters,
    }
    for kind, hook in hooks.items():
        # Each implementation is called on its own so the registry knows who registered what;
        # sorted by plugin name so registration never depends on load order.
        for impl in sorted(hook.get_hookimpls(), key=lambda i: i.plugin_name):
            plugin = impl.plugin_name
            info = loaded.info.get(plugin)
            version = info.version if info else "0"

            def register(cls: type[Component], _kind: str = kind, _p: str = plugin, _v: str = version) -> None:
                loaded.registry.add(_kind, cls, _p, _v)

            callback: Callable[..., Any] = impl.function
            kwargs = {"register": register} if "register" in impl.argnames else {}
            try:
                callback(**kwargs)
            except RegistrationError as err:
                raise RegistrationError(_with_hint(str(err), loaded)) from None
            except Exception as err:  # noqa: BLE001 - a plugin bug becomes one line naming it
                message = f"plugin {plugin}: {hook.name} raised {type(err).__name__}: {err}"
                raise RegistrationError(_with_hint(message, loaded)) from err


def _with_hint(message: str, loaded: LoadedPlugins) -> str:
    """``message`` plus, when it names installed plugins, their distributions and how to start
    without them (so a broken third-party plugin can be diagnosed and bypassed)."""
    named = [i for i in loaded.info.values() if i.origin == "entry-point" and i.name in message]
    if not named:
        return message
    where = ", ".join(f"{i.name} from distribution {i.distribution}" for i in named)
    return f"{message} ({where}; {ENV_VAR}=none skips third-party plugins)"
