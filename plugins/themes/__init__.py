"""Built-in ``themes`` stage: keyphrases grouped into ranked themes (see :mod:`.stage`)."""

from __future__ import annotations

from collections.abc import Callable

from pipeline import hookimpl
from plugins.themes.stage import ThemeExtractor, ThemeSettings

__all__ = ["ThemeExtractor", "ThemeSettings", "register_stages"]


@hookimpl
def register_stages(register: Callable[[type], None]) -> None:
    """Register the ``themes`` stage."""
    register(ThemeExtractor)
