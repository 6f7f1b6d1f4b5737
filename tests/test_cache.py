"""The incremental cache's entries: failures to write them are quiet and leave nothing behind."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from pipeline.cache import DocumentCache


def test_an_unusable_cache_dir_warns_once_per_run(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "cache").write_text("a file, not a directory\n")
    cache = DocumentCache(str(tmp_path / "cache"), str(tmp_path / "out"), "p")
    with caplog.at_level(logging.WARNING, logger="pipeline.cache"):
        for i in range(5):
            cache.store_written("k", f"d{i}", {})
    assert len(caplog.records) == 1 and "cannot write cache entries" in caplog.records[0].getMessage()


def test_a_failed_entry_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DocumentCache(str(tmp_path / "cache"), str(tmp_path / "out"), "p")

    def full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    cache.store_written("k", "d0", {"d0.json": ("0" * 64, 1, 1)})
    assert os.listdir(cache.root) == []
