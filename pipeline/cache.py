"""The incremental cache: skip documents whose inputs, pipeline and outputs have not changed.

Layout: ``<cache_dir>/<16 hex digits of sha256(real path of the output dir)>/<doc_id>.json``,
one small entry per document (the default ``cache_dir`` is ``.copydesk-cache`` in the working
directory, so committed output directories stay clean). An entry records::

    {"key": "<hex>", "outputs": {"<file name>": ["<sha256 of its bytes>", size, mtime_ns], ...}}

``key`` is the sha256 of

* the **pipeline key** (:func:`pipeline_key`): the effective settings of every reader, stage and
  exporter after ``--set`` overrides, the ``plugins:`` list, the name and version of each plugin
  in use, and a fingerprint of the source files those components live in and of copydesk's
  core document code (so an edited plugin invalidates the cache even when its version string
  did not change, while editing an unused plugin does not);
  ``inputs``, ``output_dir`` and ``run`` are left out: they do not change what a document becomes;
* the document's identity: id, path, JSONL metadata and format hint;
* the sha256 of the input bytes.

A document is skipped (status ``skipped-cached``) only when its entry's key matches and every
recorded output is on disk unchanged (same size and modification time as written, or else the
same sha256); otherwise it runs again. Entries are written
after the outputs (so a killed run never leaves an entry for a missing output) with a temporary
name and :func:`os.replace`; an unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from pipeline.outputs import create_temporary, safe_target

if TYPE_CHECKING:
    from pipeline.build import Built
    from pipeline.inputs import InputItem

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = ".copydesk-cache"
CACHE_FORMAT = "2"
_MAX_FINGERPRINT_FILES = 2000


# The core modules whose code decides what a document becomes.
_CORE_MODULES = ("pipeline.model", "pipeline.runner", "pipeline.decoding", "pipeline.registry", "pipeline.inputs")
_BUILTIN_TOP = "plugins"


def _module_file(name: str) -> str | None:
    mod = sys.modules.get(name)
    file = getattr(mod, "__file__", None) if mod else None
    return file if isinstance(file, str) else None


def _package_files(module_name: str) -> list[str]:
    """Source files a component's code can depend on.

    For copydesk's built-ins (``plugins.x`` or ``plugins.x.y``) that is the module
    ``plugins.x`` or, when it is a package, every file in it; for any other plugin, every file
    of its top-level package (or the module file when it is not in a package).
    """
    parts = module_name.split(".")
    unit = ".".join(parts[:2]) if parts[0] == _BUILTIN_TOP and len(parts) > 1 else parts[0]
    file = _module_file(unit) or _module_file(module_name)
    if not file:
        return []
    if os.path.basename(file) != "__init__.py":
        return [file]
    root = os.path.dirname(file)
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")))
        found.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith((".py", ".json", ".yaml")))
        if len(found) > _MAX_FINGERPRINT_FILES:
            return []
    return sorted(found)


def code_fingerprint(module_names: list[str]) -> str:
    """sha256 over the source files of ``module_names``' code units (see :func:`_package_files`)
    and copydesk's core modules. Packages with more than 2000 files are left out (their
    version string must do).
    """
    files: set[str] = set()
    for name in _CORE_MODULES:
        file = _module_file(name)
        if file:
            files.add(file)
    for name in module_names:
        files.update(_package_files(name))
    h = hashlib.sha256()
    for path in sorted(files):
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        h.update(path.encode("utf-8", "replace") + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def pipeline_key(built: Built) -> str:
    """sha256 of everything in the pipeline that can change a document's outputs (see module doc)."""
    resolved = built.resolved
    registry = built.plugins.registry
    modules: list[str] = []
    plugins: dict[str, str] = {}

    def use(cls: type, plugin: str, version: str) -> None:
        modules.append(cls.__module__)
        plugins[plugin] = version

    readers = {}
    for name, entry in sorted(registry.readers.items()):
        use(entry.cls, entry.plugin, entry.version)
        readers[name] = resolved.reader_settings[name].model_dump(mode="json")
    steps: dict[str, list[Any]] = {"stages": [], "exporters": []}
    for kind, resolved_steps in (("stages", resolved.stages), ("exporters", resolved.exporters)):
        for step in resolved_steps:
            use(step.entry.cls, step.entry.plugin, step.entry.version)
            steps[kind].append([step.name, step.settings.model_dump(mode="json")])
    from pipeline.plugins import copydesk_version

    payload = {
        "format": CACHE_FORMAT,
        "copydesk": copydesk_version(),
        "readers": readers,
        **steps,
        "plugin_modules": resolved.config.plugins,
        "plugins": dict(sorted(plugins.items())),
        "code": code_fingerprint(sorted(set(modules))),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def item_key(pipeline: str, item: InputItem, raw: bytes) -> str:
    """The cache key of one document: pipeline key, identity and input bytes (hex sha256)."""
    ident = json.dumps(
        [pipeline, item.doc_id, item.path, item.metadata, item.format, hashlib.sha256(raw).hexdigest()],
        sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str,
    )
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()


def _sha256_file(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


class DocumentCache:
    """Per-document cache entries for one output directory.

    :param cache_dir: the cache root (created on first write).
    :param output_dir: the output directory the entries describe.
    :param pipeline: :func:`pipeline_key` of the run.
    """

    def __init__(self, cache_dir: str, output_dir: str, pipeline: str) -> None:
        tag = hashlib.sha256(os.path.realpath(output_dir).encode("utf-8")).hexdigest()[:16]
        self.root = os.path.join(cache_dir, tag)
        self.output_dir = output_dir
        self.pipeline = pipeline
        self._made = False

    def _entry_path(self, doc_id: str) -> str:
        return os.path.join(self.root, doc_id + ".json")

    def lookup(self, key: str, doc_id: str) -> list[str] | None:
        """The output file names when ``doc_id`` is cached under ``key`` and its outputs are intact.

        An output is intact when its size and modification time (ns) are those recorded when it
        was written, or else when its bytes still hash to the recorded sha256.

        :returns: sorted output names, or ``None`` (a miss: no entry, another key, an output
            missing or changed on disk, an unreadable entry).
        """
        try:
            with open(self._entry_path(doc_id), "rb") as fh:
                entry = json.loads(fh.read())
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("outputs"), dict):
            return None
        outputs: dict[str, Any] = entry["outputs"]
        for name, record in outputs.items():
            try:
                target = safe_target(self.output_dir, name)
                digest, size, mtime_ns = record
                st = os.stat(target)
            except Exception:  # noqa: BLE001 - a missing output or a tampered entry is a miss
                return None
            if (st.st_size, st.st_mtime_ns) == (size, mtime_ns):
                continue
            if _sha256_file(target) != digest:
                log.info("%s: output %s changed or missing; running again", doc_id, name)
                return None
        return sorted(outputs)

    def store(self, key: str, doc_id: str, outputs: dict[str, bytes]) -> None:
        """Record that ``doc_id`` produced ``outputs`` under ``key``, just after they were written
        into the output directory (their size and modification time are read now).

        Failures to write the cache are logged, never raised: the cache is an optimisation.
        """
        written = {}
        for name, data in outputs.items():
            try:
                st = os.stat(safe_target(self.output_dir, name))
            except (OSError, ValueError):
                return
            written[name] = (hashlib.sha256(data).hexdigest(), st.st_size, st.st_mtime_ns)
        self.store_written(key, doc_id, written)

    def store_written(self, key: str, doc_id: str, written: dict[str, tuple[str, int, int]]) -> None:
        """As :meth:`store`, given ``{file name: (sha256 hex, size, mtime_ns)}`` taken by the writer."""
        entry = {"key": key, "outputs": {n: list(v) for n, v in sorted(written.items())}}
        data = json.dumps(entry, sort_keys=True).encode("utf-8")
        try:
            if not self._made:
                os.makedirs(self.root, exist_ok=True)
                self._made = True
            fd, tmp = create_temporary(self.root, doc_id)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self._entry_path(doc_id))
        except OSError as err:
            log.warning("cannot write cache entry for %s in %s: %s", doc_id, self.root, err)

    def recorded_outputs(self, doc_id: str) -> list[str]:
        """The output file names the entry of ``doc_id`` records (``[]`` without a readable entry)."""
        try:
            with open(self._entry_path(doc_id), "rb") as fh:
                entry = json.loads(fh.read())
        except (OSError, ValueError):
            return []
        outputs = entry.get("outputs") if isinstance(entry, dict) else None
        return sorted(n for n in outputs if isinstance(n, str)) if isinstance(outputs, dict) else []

    def forget(self, doc_id: str) -> list[str]:
        """Drop the entry of ``doc_id`` (it failed this time, so it must run next time).

        :returns: :meth:`recorded_outputs` before the entry was dropped, so the caller can
            remove those stale outputs.
        """
        names = self.recorded_outputs(doc_id)
        try:
            os.unlink(self._entry_path(doc_id))
        except OSError:
            pass
        return names
