"""Test-only plugin that prints to stdout on import and in the run-level hooks (never data)."""

from __future__ import annotations

from typing import Any

from pipeline import hookimpl

print("noisy: imported")


@hookimpl
def pipeline_started(config: Any, inputs: list[str]) -> None:
    print("noisy: pipeline started")


@hookimpl
def pipeline_finished(summary: Any) -> None:
    print("noisy: pipeline finished")
