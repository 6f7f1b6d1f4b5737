"""The incremental cache: skip documents whose inputs, pipeline and outputs have not changed.

Layout: ``<cache_dir>/<16 hex digits of sha256(output dir relative to cache_dir)>/<doc_id>.json``,
one small entry per document (the default ``cache_dir`` is ``.copydesk-cache`` in the working
directory, so committed output directories stay clean). An entry records::

    {"key": "<hex>", "outputs": {"<file name>": ["<sha256 of its bytes>", size, mtime_ns], ...}}

``key`` is the sha256 of

* the **pipeline key** (:func:`pipeline_key`): the effective settings of every reader, stage and
  exporter after ``--set`` overrides, the ``plugins:`` list, the name and version of each plugin
  in use, and a fingerprint of the source files those components live in (with the helper
  modules and packages a plugin outside the installed libraries can load beside it, even
  lazily) and of copydesk's core document code, each file named relative to its import root
  (so an edited plugin or helper invalidates the cache even when its version string did not
  change, editing an unused plugin does not, and a workspace moved together with its cache
  keeps it);
  ``inputs``, ``output_dir`` and ``run`` are left out: they do not change what a document becomes;
* the document's identity: id, the path as the document records it (``source.path``:
  normalised, relative to the working directory when inside it, so ``big`` and ``./big/`` or
  a workspace moved with its cache give the same key; a path outside the working directory
  stays absolute because it is written into the outputs), JSONL metadata and format hint;
* the sha256 of the input bytes.

A document is skipped (status ``skipped-cached``) only when its entry's key matches and every
recorded output is on disk unchanged (same size and modification time as written, or else the
same sha256); otherwise it runs again. Entries are written
after the outputs (so a killed run never leaves an entry for a missing output) with a temporary
name and :func:`os.replace`; an unreadable entry is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from pipeline.inputs import display_path
from pipeline.outputs import create_temporary, safe_target

if TYPE_CHECKING:
    from pipeline.build import Built
    from pipeline.inputs import InputItem

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = ".copydesk-cache"
CACHE_FORMAT = "3"
_MAX_FINGERPRINT_FILES = 2000


# The core modules whose code decides what a document becomes.
_CORE_MODULES = ("pipeline.model", "pipeline.runner", "pipeline.decoding", "pipeline.registry", "pipeline.inputs")
_BUILTIN_TOP = "plugins"


def _module_file(name: str) -> str | None:
    mod = sys.modules.get(name)
    file = getattr(mod, "__file__", None) if mod else None
    return file if isinstance(file, str) else None


def _import_root(module_name: str) -> str | None:
    """The ``sys.path`` directory ``module_name`` was imported from (its top-level unit's parent)."""
    file = _module_file(module_name.split(".")[0])
    if not file:
        return None
    top = os.path.dirname(file)
    return os.path.dirname(top) if os.path.basename(file) == "__init__.py" else top


def _installed_dirs() -> tuple[str, ...]:
    """The interpreter's library directories (the standard library, site-packages)."""
    import sysconfig

    paths = sysconfig.get_paths()
    dirs = {os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    return tuple(sorted(d + os.sep for d in dirs))


def _is_own(name: str) -> bool:
    top = name.split(".")[0]
    return top in ("pipeline", _BUILTIN_TOP)


def _local_modules(root: str) -> list[str]:
    """Files of the modules loaded from ``root`` (a plugin's import root outside the installed
    libraries), of the ``.py`` files directly in it and of the packages beside it (see
    :func:`_beside`): helper modules a plugin imports beside itself, at import time or later.
    Empty for an installed plugin (its version string must do), or when more than 2000 files
    would be read (the bound keeps the scan cheap when the import root is a large workspace)."""
    real = os.path.realpath(root) + os.sep
    installed = _installed_dirs()
    if real.startswith(installed):
        return []
    found: list[str] = []
    for name, mod in list(sys.modules.items()):
        file = getattr(mod, "__file__", None)
        if not isinstance(file, str) or _is_own(name):
            continue
        where = os.path.realpath(file)
        if where.startswith(real) and not where.startswith(installed):  # not a venv inside the workspace
            found.append(file)
            if len(found) > _MAX_FINGERPRINT_FILES:
                return []
    # a helper imported only inside process() is not loaded yet: every module file beside the
    # plugin counts too (an unrelated edit there re-runs documents; a missed one would be stale)
    beside = _beside(root, _MAX_FINGERPRINT_FILES + 1 - len(found))
    known = {os.path.realpath(f) for f in found}
    found.extend(f for f in beside if os.path.realpath(f) not in known)
    return [] if len(found) > _MAX_FINGERPRINT_FILES else found


def _beside(root: str, limit: int) -> list[str]:
    """The ``.py`` files directly in ``root`` and, recursively, those of the regular packages
    in it (a directory with ``__init__.py``, and its sub-directories that are packages too):
    what ``import x`` or ``from pkg import mod`` can load from ``root``. Only package
    directories are entered, never a whole corpus; at most ``limit`` names are collected (the
    caller treats reaching it as too many). Namespace packages (no ``__init__.py``) are not
    counted."""
    found: list[str] = []
    pending = [root]
    while pending and len(found) < limit:
        directory = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            try:
                if entry.is_file() and entry.name.endswith(".py"):
                    found.append(entry.path)
                elif entry.is_dir() and os.path.isfile(os.path.join(entry.path, "__init__.py")):
                    subdirs.append(entry.path)
            except OSError:
                continue
        pending.extend(reversed(subdirs))
    return found[:limit]


def _package_files(module_name: str) -> list[str]:
    """Source files a component's code can depend on.

    For copydesk's built-ins (``plugins.x`` or ``plugins.x.y``) that is the module
    ``plugins.x`` or, when it is a package, every file in it; for any other plugin, every file
    of its top-level package (or the module file when it is not in a package), plus every
    module loaded from the same import root when that is not an installed library (a
    single-module plugin's helper module beside it).
    """
    parts = module_name.split(".")
    builtin = parts[0] == _BUILTIN_TOP and len(parts) > 1
    unit = ".".join(parts[:2]) if builtin else parts[0]
    file = _module_file(unit) or _module_file(module_name)
    if not file:
        return []
    found: list[str] = []
    if not builtin:
        root = _import_root(module_name)
        if root:
            found.extend(_local_modules(root))
    if os.path.basename(file) != "__init__.py":
        return sorted({file, *found})
    top = os.path.dirname(file)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")))
        found.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith((".py", ".json", ".yaml")))
        if len(found) > _MAX_FINGERPRINT_FILES:
            return []
    return sorted(set(found))


def _label(path: str, module_names: list[str]) -> str:
    """``path`` relative to the import root it came from, so the fingerprint does not change
    when the workspace (or the virtual environment) moves."""
    real = os.path.realpath(path)
    for name in module_names:
        root = _import_root(name)
        if root and real.startswith(os.path.realpath(root) + os.sep):
            return os.path.relpath(real, os.path.realpath(root))
    return os.path.basename(path)


def code_fingerprint(module_names: list[str]) -> str:
    """sha256 over the source files of ``module_names``' code units (see :func:`_package_files`)
    and copydesk's core modules, each named by its path relative to its import root. Packages
    with more than 2000 files are left out (their version string must do).
    """
    files: set[str] = set()
    for name in _CORE_MODULES:
        file = _module_file(name)
        if file:
            files.add(file)
    for name in module_names:
        files.update(_package_files(name))
    roots = [*_CORE_MODULES, *module_names]
    digests: list[tuple[str, bytes]] = []
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        digests.append((_label(path, roots), hashlib.sha256(data).digest()))
    h = hashlib.sha256()
    for label, digest in sorted(digests):
        h.update(label.encode("utf-8", "replace") + b"\0" + digest)
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
    """The cache key of one document: pipeline key, identity and input bytes (hex sha256).

    The path taken is :func:`pipeline.inputs.display_path` (what the reader records as
    ``source.path`` and picks the reader by), not the path as typed.
    """
    shown = display_path(item.path) if item.path is not None else None
    ident = json.dumps(
        [pipeline, item.doc_id, shown, item.metadata, item.format, hashlib.sha256(raw).hexdigest()],
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
        # the output directory relative to the cache: a workspace moved with its cache (a CI
        # cache restored elsewhere) keeps its entries
        rel = os.path.relpath(os.path.realpath(output_dir), os.path.realpath(cache_dir))
        tag = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.root = os.path.join(cache_dir, tag)
        self.output_dir = output_dir
        self.pipeline = pipeline
        self._made = False
        self._warned = False

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
        tmp = None
        try:
            if not self._made:
                os.makedirs(self.root, exist_ok=True)
                self._made = True
            fd, tmp = create_temporary(self.root, doc_id)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self._entry_path(doc_id))
        except OSError as err:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            if not self._warned:  # once per run, not once per document
                self._warned = True
                log.warning("cannot write cache entries in %s (%s: %s); documents will run again next time",
                            self.root, doc_id, err.strerror or err)

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
