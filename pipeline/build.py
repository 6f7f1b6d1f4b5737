"""From a config path (or none) and overrides to a ready :class:`~pipeline.runner.Pipeline`."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config import LoadedConfig, ResolvedPipeline, apply_overrides, load_config, resolve
from pipeline.errors import ConfigError, PluginLoadError
from pipeline.plugins import LoadedPlugins, make_plugin_manager
from pipeline.runner import Pipeline, SetupError


@dataclass
class Built:
    """Everything a command needs: the parsed config, plugins, resolved config and pipeline."""

    loaded: LoadedConfig
    plugins: LoadedPlugins
    resolved: ResolvedPipeline
    pipeline: Pipeline


def load_plugins_for(loaded: LoadedConfig) -> LoadedPlugins:
    """Build the plugin manager for a parsed config (its ``plugins:`` modules included).

    :raises ConfigError: a module listed under ``plugins:`` fails to import (names the line).
    """
    modules = loaded.data.get("plugins") or []
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        raise loaded.error(("plugins",), "must be a list of module names")
    try:
        return make_plugin_manager(extra_modules=modules)
    except PluginLoadError as err:
        idx = modules.index(err.plugin) if err.plugin in modules else None
        loc: tuple[str | int, ...] = ("plugins", idx) if idx is not None else ("plugins",)
        raise ConfigError(str(err), loaded.path, loaded.line_of(loc)) from None


def build(config_path: str | None, overrides: list[str] | None = None) -> Built:
    """Load, override, validate and instantiate a pipeline.

    :param config_path: a YAML file, or ``None`` for the embedded default pipeline.
    :param overrides: ``KEY=VALUE`` strings as given to ``--set``.
    :raises ConfigError: any config problem, or a component whose constructor raised (naming
        its config line); :raises RegistrationError: a broken plugin.
    """
    loaded = load_config(config_path)
    apply_overrides(loaded, overrides or [])
    plugins = load_plugins_for(loaded)
    failed = [f"{name} ({error})" for name, error in sorted(plugins.failures.items())]
    resolved = resolve(loaded, plugins.registry, failed)
    try:
        pipeline = Pipeline(resolved, plugins.registry)
    except SetupError as err:
        raise loaded.error(err.loc, err.message) from None
    return Built(loaded, plugins, resolved, pipeline)
