"""Under Dask, a document that kills its worker fails alone: the documents that shared the dying
worker run again, one at a time, and succeed."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_batch_qa3 import config, copydesk, corpus, entries


def test_documents_sharing_a_worker_with_a_crash_are_retried_alone_and_succeed(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    texts = {f"d{i}.txt": f"fine text {i}\n" for i in range(8)}
    texts["d3.txt"] = "CRASH\n"
    corpus(tmp_path, texts)
    config(tmp_path, "stages:\n  - name: crasher\nexporters:\n  - name: json\n")
    res = copydesk(tmp_path, "-q", "run", "p.yaml", "in", "-o", "out", "--executor", "dask", "-j", "2",
                   "--no-cache", "--report", "r.json")
    assert res.returncode == 1, res.stderr
    docs = entries(tmp_path / "r.json")
    assert {k: d["status"] for k, d in docs.items() if d["status"] != "ok"} == {"d3": "failed"}, docs
    assert docs["d3"]["error"] == "worker process died (the Dask worker running it was lost)"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"d{i}.json" for i in range(8) if i != 3)
