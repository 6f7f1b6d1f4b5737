"""Exceptions copydesk raises on purpose; each carries what the user needs in one line.

::

    CopydeskError                 base: a handled error, printed as one line, no traceback
    ├── ConfigError               a pipeline config is invalid (exit 2); .path, .line
    ├── RegistrationError         a plugin registered something invalid (exit 2)
    ├── PluginLoadError           a plugin module or entry point failed to import (exit 2 if used)
    ├── InputError                one input cannot be read (that document fails); .path
    └── StageError                a stage raised or broke the document (that document fails);
                                  .stage, .plugin
"""

from __future__ import annotations


class CopydeskError(Exception):
    """Base of all handled errors: ``str(err)`` is the one line shown to the user."""


class ConfigError(CopydeskError):
    """A pipeline config cannot be used.

    :ivar path: the config file (``None`` for the embedded default or overrides).
    :ivar line: 1-based line of the offending key, when known.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(where + message)


class RegistrationError(CopydeskError):
    """A plugin registered a component the registry cannot accept."""


class PluginLoadError(CopydeskError):
    """A plugin module or entry point could not be imported.

    :ivar plugin: the module path or entry-point name.
    """

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(f"plugin {plugin} failed to load: {message}")


class InputError(CopydeskError):
    """An input cannot be read faithfully (binary, undecodable, too large ...).

    :ivar path: the input path (or ``<stdin>``).
    """

    def __init__(self, path: str | None, message: str) -> None:
        self.path = path
        super().__init__(f"{path or '<stdin>'}: {message}")


class StageError(CopydeskError):
    """A stage failed on one document.

    :ivar stage: registered stage name; :ivar plugin: the plugin that registered it.
    """

    def __init__(self, stage: str, plugin: str, message: str) -> None:
        self.stage = stage
        self.plugin = plugin
        super().__init__(f"stage {stage} ({plugin}): {message}")


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM (a CI job cancelled, ``timeout``): handled like Ctrl-C (the
    batch stops, its report is written with ``aborted: terminated``) but exits 143."""
