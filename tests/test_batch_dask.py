"""The Dask executor on a real ``distributed.LocalCluster``: same outputs as a local run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_batch_run import GOOD, cli, make_project, outputs, report, statuses

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def test_dask_outputs_match_a_local_run(tmp_path: Path, scheduler: str) -> None:
    docs: dict[str, str] = {**GOOD, "e_bad.txt": "x RAISE\n"}
    local, remote = tmp_path / "local", tmp_path / "dask"
    make_project(local, docs)
    make_project(remote, docs)
    r1 = cli(local, "--workers", "1", "--report", "report.json")
    r2 = cli(remote, "--executor", "dask", "--scheduler", scheduler, "--report", "report.json")
    assert r1.returncode == r2.returncode == 1, r2.stderr
    assert outputs(local) == outputs(remote)
    assert len(outputs(remote)) == len(GOOD)
    rep: dict[str, Any] = report(remote)
    assert rep["executor"] == "dask"
    assert statuses(rep)["e_bad"] == "failed" and rep["documents"][-1]["stage"] == "faulty"
    # the same through the config's run section, streaming to stdout in input order
    res = cli(remote, "--set", "run.executor=dask", "--set", f"run.scheduler={scheduler}", "-o", "-")
    ids = [json.loads(line)["id"] for line in res.stdout.decode().splitlines()]
    assert ids == [n.removesuffix(".txt") for n in sorted(GOOD)]


def test_dask_timeout_restarts_the_worker(tmp_path: Path, scheduler: str) -> None:
    make_project(tmp_path, {"a.txt": "fine\n", "b.txt": "x HANG\n", "c.txt": "fine too\n"})
    res = cli(tmp_path, "--executor", "dask", "--scheduler", scheduler, "--timeout", "2", "--report", "report.json")
    assert res.returncode == 1, res.stderr
    assert statuses(report(tmp_path)) == {"a": "ok", "b": "timeout", "c": "ok"}
    assert sorted(outputs(tmp_path)) == ["a.json", "c.json"]


def test_scheduler_alone_means_dask_and_with_the_local_executor_is_a_usage_error(tmp_path: Path,
                                                                                 scheduler: str) -> None:
    make_project(tmp_path, {"a.txt": "fine\n", "b.txt": "fine too\n"})
    res = cli(tmp_path, "--scheduler", scheduler, "--report", "report.json")
    assert res.returncode == 0, res.stderr
    assert report(tmp_path)["executor"] == "dask"
    res = cli(tmp_path, "--executor", "local", "--scheduler", scheduler)
    assert res.returncode == 2 and b"needs the dask executor" in res.stderr


def test_a_local_dask_cluster_prints_only_copydesk_lines(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "fine\n", "b.txt": "x HANG\n"})
    res = cli(tmp_path, "--executor", "dask", "--workers", "1", "--timeout", "1", "--no-cache")
    assert res.returncode == 1
    lines = res.stderr.decode().strip().splitlines()
    assert lines and all(line.startswith("copydesk: ") for line in lines), lines
