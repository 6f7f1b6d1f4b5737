"""Pipeline configuration: the YAML schema, loading with line numbers, overrides, validation.

A config names the inputs, reader settings, the ordered stages with their settings, the
exporters and the output directory. It is validated completely before any document runs:
unknown keys, wrong types, unknown stage/reader/exporter names, a stage or exporter listed
twice and broken stage contracts all raise :class:`~pipeline.errors.ConfigError` with the form
``pipeline.yaml:14: stages -> 1 -> settings -> top_k: Input should be a valid integer``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import ConfigError
from pipeline.registry import READER_PROVIDES, Entry, Exporter, Registry, Stage
from pipeline.yamlload import Path, load_yaml


class _Forbid(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StageConfig(_Forbid):
    """One step of the pipeline: a registered stage name and its settings."""

    name: str
    settings: dict[str, Any] = Field(default_factory=dict)


class ExporterConfig(_Forbid):
    """One exporter and its settings."""

    name: str
    settings: dict[str, Any] = Field(default_factory=dict)


# The longest --timeout: a pool worker's deadline is waited on with poll(2), whose timeout is a
# signed 32-bit count of milliseconds (24.8 days); a round million seconds (11.6 days) stays inside it.
MAX_TIMEOUT = 1_000_000.0


class RunConfig(_Forbid):
    """How documents are scheduled (the command line can override each field).

    :ivar workers: processes; ``None`` means one per CPU core.
    :ivar timeout: seconds one document may take before its worker is killed; ``None``: no limit
        (finite, above 0, at most :data:`MAX_TIMEOUT`).
    :ivar executor: ``local`` (process pool) or ``dask`` (a distributed scheduler).
    :ivar scheduler: the Dask scheduler address, e.g. ``tcp://host:8786``.
    """

    workers: int | None = Field(default=None, ge=1)
    timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT, allow_inf_nan=False)
    executor: Literal["local", "dask"] = "local"
    scheduler: str | None = None
    max_failures: int | None = Field(default=None, ge=0)
    fail_fast: bool = False


class PipelineConfig(_Forbid):
    """The whole pipeline config (the YAML file's top level).

    :ivar inputs: files, directories or JSONL corpora; ``-`` is standard input.
    :ivar include: glob patterns files inside input directories must match.
    :ivar exclude: glob patterns of files (or whole folders) inside input directories to skip.
    :ivar output_dir: where exporters write; ``-`` streams JSON lines to stdout.
    :ivar plugins: extra plugin modules to import (trusted code).
    :ivar readers: reader name -> settings for that reader.
    :ivar stages: the ordered stages.
    :ivar exporters: the exporters to run on each finished document.
    """

    inputs: list[str] = Field(default_factory=lambda: ["seeds"])
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    output_dir: str = Field(default="outputs", min_length=1)
    plugins: list[str] = Field(default_factory=list)
    readers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    stages: list[StageConfig] = Field(default_factory=list)
    exporters: list[ExporterConfig] = Field(default_factory=list)
    run: RunConfig = Field(default_factory=RunConfig)


@dataclass
class LoadedConfig:
    """A parsed config with what is needed to point at its lines.

    :ivar data: the raw mapping (after overrides).
    :ivar path: the file name, ``None`` for the embedded default.
    :ivar lines: key path -> 1-based line.
    """

    data: dict[str, Any]
    path: str | None
    lines: dict[Path, int]
    overrides: dict[Path, str] = field(default_factory=dict)

    def line_of(self, loc: Path) -> int | None:
        """Line of ``loc`` or of its nearest ancestor that has one."""
        for n in range(len(loc), 0, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return None

    def error(self, loc: Path, message: str) -> ConfigError:
        """A :class:`ConfigError` at ``loc``: ``file:line: a -> b -> c: message``, or
        ``--set KEY=VALUE: a -> b -> c: message`` when an override set that value."""
        where = " -> ".join(str(p) for p in loc)
        for path, text in self.overrides.items():
            if loc[: len(path)] == path:
                return ConfigError(f"--set {text}: {where}: {message}")
        return ConfigError(f"{where}: {message}" if where else message, self.path, self.line_of(loc))


def default_config_text() -> str:
    """The embedded default pipeline (``pipeline/default.yaml``) as YAML text."""
    try:  # next to this module in any unpacked install: no importlib.resources import
        with open(os.path.join(os.path.dirname(__file__), "default.yaml"), encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        from importlib import resources

        return resources.files("pipeline").joinpath("default.yaml").read_text(encoding="utf-8")


def load_config(path: str | None) -> LoadedConfig:
    """Read and parse a config file, or the embedded default when ``path`` is ``None``.

    :raises ConfigError: unreadable file, YAML error, or a top level that is not a mapping.
    """
    if path is None:
        text, shown = default_config_text(), "<default pipeline>"
    else:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as err:
            raise ConfigError(f"cannot read config: {err.strerror or err}", path) from None
        except UnicodeDecodeError as err:
            raise ConfigError(f"cannot read config: not UTF-8 text ({err.reason} at byte {err.start})", path) from None
        shown = path
    data, lines = load_yaml(text, shown)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("the config must be a mapping of keys (inputs, stages, exporters ...)", shown, 1)
    return LoadedConfig(data=data, path=shown, lines=lines)


def apply_overrides(loaded: LoadedConfig, overrides: list[str]) -> None:
    """Apply ``--set KEY=VALUE`` overrides in place.

    ``KEY`` is a dotted path; ``stages.NAME.FIELD`` and ``exporters.NAME.FIELD`` address a
    setting of the stage/exporter registered as ``NAME``; ``readers.NAME.FIELD`` a reader
    setting; anything else a top-level path such as ``output_dir`` or ``run.workers``.
    ``VALUE`` is read as a YAML scalar (``5`` is an int, ``true`` a bool).

    :raises ConfigError: a malformed override or one naming a stage not in the pipeline.
    """
    for item in overrides:
        key, sep, raw_value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set {item}: expected KEY=VALUE")
        value, _ = load_yaml(raw_value or "''", f"--set {key}")
        parts = key.split(".")
        data = loaded.data
        if parts[0] in ("stages", "exporters") and len(parts) != 1:
            _check_step_key(data, parts, raw_value)
            steps = data.get(parts[0])
            if not isinstance(steps, list):
                raise ConfigError(f"--set {key}: the config has no {parts[0]} list")
            matches = [s for s in steps if isinstance(s, dict) and s.get("name") == parts[1]]
            if not matches:
                names = [s.get("name") for s in steps if isinstance(s, dict)]
                by_name = f" ({parts[0]} are addressed by name)" if parts[1].isdigit() else ""
                raise ConfigError(f"--set {key}: no {parts[0][:-1]} {parts[1]!r} in the pipeline{by_name}; "
                                  f"it has {names}")
            for step in matches:
                step.setdefault("settings", {})[parts[2]] = value
                loaded.overrides[(parts[0], steps.index(step), "settings", parts[2])] = item
            continue
        node: Any = data
        for part in parts[:-1]:
            if not isinstance(node, dict):
                raise ConfigError(f"--set {key}: {part!r} is not a mapping")
            node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {key}: cannot set a key inside a non-mapping")
        node[parts[-1]] = value
        loaded.overrides[tuple(parts)] = item


def _check_step_key(data: dict[str, Any], parts: list[str], raw_value: str) -> None:
    """Refuse ``stages.1.settings.top_k`` and other keys that are not ``stages.NAME.SETTING``
    (stages and exporters are a list, addressed by registered name), showing the key meant.

    :raises ConfigError: ``--set stages.1.settings.top_k: a stage setting is set as
        stages.NAME.SETTING=VALUE (here: stages.themes.top_k=3); the pipeline's stages: ...``.
    """
    if len(parts) == 3:
        return  # the right shape; an unknown name is the caller's to report
    steps = data.get(parts[0])
    names = [str(s.get("name")) for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []
    kind = parts[0][:-1]
    guess = next((p for p in parts[1:] if p in names), None)
    if guess is None and parts[1].isdigit() and int(parts[1]) < len(names):
        guess = names[int(parts[1])]
    setting = parts[-1] if len(parts) > 3 else "SETTING"
    example = f"{parts[0]}.{guess or 'NAME'}.{setting}={raw_value}"
    raise ConfigError(f"--set {'.'.join(parts)}: a {kind} setting is set as {parts[0]}.NAME.SETTING=VALUE "
                      f"(here: {example}); the pipeline's {parts[0]}: {', '.join(names) or 'none'}")


def _close_matches(word: str, candidates: list[str]) -> list[str]:
    """The closest candidate to ``word`` for a "did you mean" hint (difflib, imported on error only)."""
    import difflib

    return difflib.get_close_matches(word, candidates, n=1)


def _first_error(
    loaded: LoadedConfig, err: ValidationError, prefix: Path = (), model: type[BaseModel] | None = None
) -> ConfigError:
    first = err.errors()[0]
    rel: Path = tuple(first["loc"])
    loc: Path = prefix + rel
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        parent_keys = _known_fields(model or PipelineConfig, rel)
        close = _close_matches(str(loc[-1]), parent_keys)
        msg = f"unknown key {loc[-1]!r}" + (f"; did you mean {close[0]!r}?" if close else "")
        if parent_keys:
            msg += f" (allowed: {', '.join(sorted(parent_keys))})"
    return loaded.error(loc, msg)


def _known_fields(root: type[BaseModel], loc: Path) -> list[str]:
    """Field names of the model that holds the last key of ``loc`` (for "did you mean")."""
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        ann = field.annotation if field else None
        args = getattr(ann, "__args__", ())
        candidates = [ann, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return list(model.model_fields) if model is not None else []


@dataclass
class ResolvedStep:
    """A validated pipeline step: its registry entry and settings instance."""

    name: str
    entry: Entry[Any]
    settings: BaseModel


@dataclass
class ResolvedPipeline:
    """A config checked against a registry: ready to build readers, stages and exporters."""

    config: PipelineConfig
    reader_settings: dict[str, BaseModel]
    stages: list[ResolvedStep]
    exporters: list[ResolvedStep]
    source: str | None

    def config_hash(self) -> str:
        """sha256 of the effective config as canonical JSON (for caches and reports)."""
        payload = json.dumps(self.config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


M = TypeVar("M", bound=BaseModel)


def _strict(model: type[M], data: Any) -> M:
    """Validate config data strictly, as JSON: ``top_k: "5"`` or ``top_k: true`` is a wrong type,
    not silently 5 or 1 (YAML already gave every value its type), while lists still fill
    tuple fields.

    :raises pydantic.ValidationError: on the first wrong value.
    """
    return model.model_validate_json(json.dumps(data, default=str), strict=True)


def _unknown(kind: str, name: str, available: list[str], failed: list[str]) -> str:
    close = _close_matches(name, available)
    msg = f"no {kind} {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    msg += f"; available: {', '.join(sorted(available)) or 'none'}"
    if failed:
        msg += f" (plugins that failed to load: {', '.join(failed)})"
    return msg


def resolve(loaded: LoadedConfig, registry: Registry, failed_plugins: list[str] | None = None) -> ResolvedPipeline:
    """Validate ``loaded`` completely against ``registry``.

    :param failed_plugins: plugins that failed to import, named when a component is missing.
    :raises ConfigError: the first problem found, pointing at its line.
    """
    failed = failed_plugins or []
    try:
        config = _strict(PipelineConfig, loaded.data)
    except ValidationError as err:
        raise _first_error(loaded, err) from None

    reader_settings: dict[str, BaseModel] = {}
    for rname, entry in registry.readers.items():
        raw = config.readers.get(rname, {})
        try:
            reader_settings[rname] = _strict(entry.cls.Settings, raw)
        except ValidationError as err:
            raise _first_error(loaded, err, ("readers", rname), entry.cls.Settings) from None
    for rname in config.readers:
        if rname not in registry.readers:
            raise loaded.error(("readers", rname), _unknown("reader", rname, list(registry.readers), failed))

    def build(kind: str, steps: list[Any], table: dict[str, Entry[Any]]) -> list[ResolvedStep]:
        out: list[ResolvedStep] = []
        first: dict[str, int] = {}
        for i, step in enumerate(steps):
            if step.name in first:  # a second run of a stage, or an exporter writing the same files
                line = loaded.line_of((kind, first[step.name]))
                where = f"line {line}" if line else f"{kind} -> {first[step.name]}"
                raise loaded.error((kind, i, "name"), f"{kind[:-1]} {step.name!r} is listed twice "
                                   f"(first on {where}); each {kind[:-1]} may appear once")
            first[step.name] = i
            entry = table.get(step.name)
            if entry is None:
                raise loaded.error((kind, i, "name"), _unknown(kind[:-1], step.name, list(table), failed))
            try:
                settings = _strict(entry.cls.Settings, step.settings)
            except ValidationError as err:
                raise _first_error(loaded, err, (kind, i, "settings"), entry.cls.Settings) from None
            out.append(ResolvedStep(step.name, entry, settings))
        return out

    stages = build("stages", config.stages, dict(registry.stages))
    exporters = build("exporters", config.exporters, dict(registry.exporters))
    check_suffixes(loaded, exporters)
    check_contracts(loaded, stages, registry)
    return ResolvedPipeline(config, reader_settings, stages, exporters, loaded.path)


def check_suffixes(loaded: LoadedConfig, exporters: list[ResolvedStep]) -> None:
    """Check that no two exporters write the same file names (``<id><suffix>``): one would
    silently overwrite the other. Suffixes are compared case-insensitively, as file names are
    on macOS and Windows.

    :raises ConfigError: naming both exporters, their plugins and the suffix.
    """
    first: dict[str, int] = {}
    for i, step in enumerate(exporters):
        suffix = str(step.entry.cls.suffix)
        key = suffix.casefold()
        if key in first:
            other = exporters[first[key]]
            raise loaded.error(
                ("exporters", i, "name"),
                f"exporters {other.name!r} (plugin {other.entry.plugin}) and {step.name!r} (plugin "
                f"{step.entry.plugin}) both write {suffix!r} files; one would overwrite the other's outputs")
        first[key] = i


def check_contracts(loaded: LoadedConfig, stages: list[ResolvedStep], registry: Registry) -> None:
    """Check that every stage's ``requires`` is provided by the readers or an earlier stage.

    :raises ConfigError: naming the stage, the missing requirement and which stage provides it.
    """
    provided = set(READER_PROVIDES)
    for i, step in enumerate(stages):
        cls: type[Stage] = step.entry.cls
        missing = [req for req in cls.requires if req not in provided]
        if missing:
            req = missing[0]
            providers = sorted(n for n, e in registry.stages.items() if req in e.cls.provides)
            hint = f"; add a stage that provides it before this one ({', '.join(providers)})" if providers else ""
            raise loaded.error(
                ("stages", i, "name"), f"stage {step.name!r} requires {req!r}, which no earlier stage provides{hint}"
            )
        provided.update(cls.provides)


def exporter_classes(resolved: ResolvedPipeline) -> list[type[Exporter]]:
    """The exporter classes of a resolved pipeline, in config order."""
    return [step.entry.cls for step in resolved.exporters]
