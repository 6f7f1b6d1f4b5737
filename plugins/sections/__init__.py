"""Built-in plugin: the plain-text section tagger (stage ``sections``).

Public API:

* :func:`plugins.sections.tagger.tag_text` -- ``str -> Tagged`` (blocks as spans, title, date);
* :func:`plugins.sections.tree.build_sections` -- blocks -> :class:`pipeline.model.Section` list;
* :class:`plugins.sections.stage.SectionTagger` -- the stage, registered by :func:`register_stages`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pipeline import Stage, hookimpl
from plugins.sections.stage import SectionTagger
from plugins.sections.tree import build_sections, is_conclusion

if TYPE_CHECKING:
    from plugins.sections.tagger import Tagged, TaggedBlock, tag_text

# The tagger (its many regular expressions) is imported when first used, not at registration.
_LAZY = {"Tagged": "plugins.sections.tagger", "TaggedBlock": "plugins.sections.tagger",
         "tag_text": "plugins.sections.tagger"}

__all__ = [
    "SectionTagger",
    "Tagged",
    "TaggedBlock",
    "build_sections",
    "is_conclusion",
    "register_stages",
    "tag_text",
]


@hookimpl
def register_stages(register: Callable[[type[Stage]], None]) -> None:
    """Register the :class:`SectionTagger` stage (name ``sections``)."""
    register(SectionTagger)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'plugins.sections' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
