"""What plugins register: readers, stages and exporters, and the registry that holds them by name.

A plugin subclasses :class:`Reader`, :class:`Stage` or :class:`Exporter`, gives it a ``name``
and a nested pydantic ``Settings`` model (defaults live there), and hands the class to the
``register`` callback of the matching hook (see :mod:`pipeline.hookspecs`).

Stages declare contracts: ``requires`` names what must be in the document before the stage
runs (e.g. ``"sections"``), ``provides`` what the stage adds. The config checks the order
before any document runs.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from pipeline.errors import RegistrationError
from pipeline.model import Document

# Registered names: written in configs and in ``--set stages.NAME.SETTING`` (no dots, no spaces).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

# What the readers put into every document, so stages may require them.
READER_PROVIDES: tuple[str, ...] = ("text", "source")


class NoSettings(BaseModel):
    """Settings model for a component that takes no settings."""

    model_config = ConfigDict(extra="forbid")


class Component:
    """Common shape of readers, stages and exporters.

    :cvar name: the registered ``snake_case`` name used in configs.
    :cvar Settings: the pydantic model of this component's settings (``extra="forbid"``).
    """

    name: ClassVar[str] = ""
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def __init__(self, settings: BaseModel | None = None) -> None:
        self.settings = settings if settings is not None else self.Settings()

    @classmethod
    def summary(cls) -> str:
        """First line of the class docstring, for listings."""
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


class Reader(Component, ABC):
    """Turns raw input bytes into a :class:`~pipeline.model.Document`.

    :cvar suffixes: file name suffixes it reads, lower case with the dot (``(".txt",)``).
    :cvar media_type: the media type it records in ``source.media_type``.
    """

    suffixes: ClassVar[tuple[str, ...]] = ()
    media_type: ClassVar[str] = "text/plain"

    @abstractmethod
    def read(self, raw: bytes, *, doc_id: str, path: str | None) -> Document:
        """Decode and parse ``raw`` into a document with id ``doc_id``.

        :param raw: the whole input, undecoded.
        :param doc_id: the document id chosen by the runner.
        :param path: the input path as the user gave it, ``None`` for stdin.
        :raises pipeline.errors.InputError: when the input cannot be read faithfully.
        """


class Stage(Component, ABC):
    """Transforms a document; never reads files or knows other stages.

    :cvar requires: what must already be in the document (``"sections"``, ``"blocks"`` ...).
    :cvar provides: what this stage adds.
    """

    requires: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def process(self, doc: Document) -> Document:
        """Return the transformed document (a new one or ``doc`` itself)."""


class Exporter(Component, ABC):
    """Renders a document to bytes; the runner writes them atomically to ``<id><suffix>``.

    :cvar suffix: the output file suffix, e.g. ``".json"``.
    """

    suffix: ClassVar[str] = ""

    @abstractmethod
    def render(self, doc: Document) -> bytes:
        """Serialise ``doc``; must be deterministic (same document, same bytes)."""


C = TypeVar("C", bound=Component)


@dataclass(frozen=True)
class Entry(Generic[C]):
    """A registered component and the plugin that registered it."""

    cls: type[C]
    plugin: str
    version: str


@dataclass
class Registry:
    """Name -> component class, per kind, filled through the ``register_*`` hooks.

    :raises RegistrationError: on a duplicate name (naming both plugins), a missing name or one
        that is not letters, digits, ``_`` and ``-`` (a space or a dot cannot be addressed), a
        ``Settings`` that is not a pydantic model, or a class that leaves an abstract method
        (``process``, ``read``, ``render``) undefined, so it could never be instantiated.
    """

    readers: dict[str, Entry[Reader]] = field(default_factory=dict)
    stages: dict[str, Entry[Stage]] = field(default_factory=dict)
    exporters: dict[str, Entry[Exporter]] = field(default_factory=dict)

    def add(self, kind: str, cls: type[Component], plugin: str, version: str) -> None:
        """Register ``cls`` under ``cls.name`` in the table for ``kind`` (reader|stage|exporter)."""
        base: type[Component] = {"reader": Reader, "stage": Stage, "exporter": Exporter}[kind]
        table: dict[str, Entry[Component]] = getattr(self, kind + "s")
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise RegistrationError(f"plugin {plugin}: {cls!r} is not a {base.__name__} subclass")
        if not cls.name:
            raise RegistrationError(f"plugin {plugin}: {kind} {cls.__name__} has no name")
        if not (isinstance(cls.name, str) and _NAME.fullmatch(cls.name)):
            raise RegistrationError(
                f"plugin {plugin}: {kind} name {cls.name!r} ({cls.__name__}) must be letters, digits, '_' or '-', "
                f"starting with a letter or '_' (configs and --set {kind}s.NAME.SETTING=VALUE name it)"
            )
        settings = getattr(cls, "Settings", None)
        if not (isinstance(settings, type) and issubclass(settings, BaseModel)):
            raise RegistrationError(
                f"plugin {plugin}: {kind} {cls.name!r} has no Settings model (a pydantic BaseModel)"
            )
        missing = sorted(getattr(cls, "__abstractmethods__", ()))
        if missing:
            raise RegistrationError(
                f"plugin {plugin}: {kind} {cls.name!r} ({cls.__name__}) does not define "
                f"{', '.join(m + '()' for m in missing)}"
            )
        if cls.name in table:
            other = table[cls.name].plugin
            raise RegistrationError(
                f"duplicate {kind} name {cls.name!r}: registered by both {other} and {plugin}"
            )
        if kind == "reader":
            self._check_suffixes(cls, plugin)
        table[cls.name] = Entry(cls, plugin, version)

    def _check_suffixes(self, cls: type[Component], plugin: str) -> None:
        """A reader's suffixes are lower case with the dot, and no two plugins' readers claim the
        same one; a plugin's reader may claim a built-in reader's suffix (it then reads those files).

        :raises RegistrationError: a malformed suffix, or one another plugin's reader claims.
        """
        suffixes = getattr(cls, "suffixes", ())
        for suf in suffixes:
            if not (isinstance(suf, str) and suf.startswith(".") and len(suf) > 1 and suf == suf.lower()):
                raise RegistrationError(f"plugin {plugin}: reader {cls.name!r} suffix {suf!r} must be lower case "
                                        "and start with a dot ('.log')")
        for name, entry in sorted(self.readers.items()):
            shared = sorted(set(suffixes) & set(entry.cls.suffixes))
            if shared and is_builtin(entry.plugin) == is_builtin(plugin):
                raise RegistrationError(
                    f"plugin {plugin}: reader {cls.name!r} claims {shared[0]!r}, which reader {name!r} of plugin "
                    f"{entry.plugin} claims too; one plugin's reader per suffix (a plugin's reader may replace "
                    "a built-in one)"
                )

    def reader_for(self, path: str) -> str | None:
        """Name of the reader whose suffixes match ``path``, else ``None``: the longest suffix wins,
        and a plugin's reader wins over the built-in reader of the same suffix."""
        low = path.lower()
        best: tuple[int, bool, str] | None = None
        for name, entry in self.readers.items():
            for suf in entry.cls.suffixes:
                if low.endswith(suf):
                    rank = (len(suf), not is_builtin(entry.plugin), name)
                    if best is None or rank[:2] > best[:2]:
                        best = rank
        return best[2] if best else None


BUILTIN_PREFIX = "copydesk."


def is_builtin(plugin: str) -> bool:
    """Whether ``plugin`` (a registering plugin's name) is one of copydesk's built-in plugins."""
    return plugin.startswith(BUILTIN_PREFIX)
