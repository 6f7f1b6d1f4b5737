"""Built-in plugin: the plain-text section tagger (stage ``sections``).

Public API:

* :func:`plugins.sections.tagger.tag_text` -- ``str -> Tagged`` (blocks as spans, title, date);
* :func:`plugins.sections.tree.build_sections` -- blocks -> :class:`pipeline.model.Section` list;
* :class:`plugins.sections.stage.SectionTagger` -- the stage, registered by :func:`register_stages`.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline import Stage, hookimpl
from plugins.sections.stage import SectionTagger
from plugins.sections.tagger import Tagged, TaggedBlock, tag_text
from plugins.sections.tree import build_sections, is_conclusion

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
