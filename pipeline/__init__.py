"""copydesk's core: the document model, hook specs, registry, config and runner.

Plugin authors need only what is exported here::

    from pipeline import Document, Stage, hookimpl

Exports are resolved lazily (PEP 562), so ``copydesk --help`` does not pay for pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.errors import (
        ConfigError,
        CopydeskError,
        InputError,
        PluginLoadError,
        RegistrationError,
        StageError,
    )
    from pipeline.hookspecs import hookimpl
    from pipeline.model import (
        SCHEMA_VERSION,
        Block,
        Diagnostic,
        Document,
        Keyphrase,
        Section,
        Source,
        StageRecord,
        Theme,
    )
    from pipeline.registry import Exporter, NoSettings, Reader, Stage

_EXPORTS: dict[str, str] = {
    "ConfigError": "pipeline.errors",
    "CopydeskError": "pipeline.errors",
    "InputError": "pipeline.errors",
    "PluginLoadError": "pipeline.errors",
    "RegistrationError": "pipeline.errors",
    "StageError": "pipeline.errors",
    "hookimpl": "pipeline.hookspecs",
    "SCHEMA_VERSION": "pipeline.model",
    "Block": "pipeline.model",
    "Diagnostic": "pipeline.model",
    "Document": "pipeline.model",
    "Keyphrase": "pipeline.model",
    "Section": "pipeline.model",
    "Source": "pipeline.model",
    "StageRecord": "pipeline.model",
    "Theme": "pipeline.model",
    "Exporter": "pipeline.registry",
    "NoSettings": "pipeline.registry",
    "Reader": "pipeline.registry",
    "Stage": "pipeline.registry",
}

__all__ = [
    "Block",
    "ConfigError",
    "CopydeskError",
    "Diagnostic",
    "Document",
    "Exporter",
    "InputError",
    "Keyphrase",
    "NoSettings",
    "PluginLoadError",
    "Reader",
    "RegistrationError",
    "SCHEMA_VERSION",
    "Section",
    "Source",
    "Stage",
    "StageError",
    "StageRecord",
    "Theme",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
