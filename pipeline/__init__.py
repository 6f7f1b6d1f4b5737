"""copydesk's core: the document model, hook specs, registry, config and runner.

Plugin authors need only what is exported here::

    from pipeline import Document, Stage, hookimpl
"""

from __future__ import annotations

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

__all__ = [
    "SCHEMA_VERSION",
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
    "Section",
    "Source",
    "Stage",
    "StageError",
    "StageRecord",
    "Theme",
    "hookimpl",
]
