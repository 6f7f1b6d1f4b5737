"""Test-only plugin that prints to stdout on import and in the run-level hooks, and writes to file
descriptor 1 directly as C code would (never data)."""

from __future__ import annotations

import os
from typing import Any

from pipeline import hookimpl

print("noisy: imported")


@hookimpl
def pipeline_started(config: Any, inputs: list[str]) -> None:
    print("noisy: pipeline started")
    os.write(1, b"noisy: fd 1 written directly\n")


@hookimpl
def pipeline_finished(summary: Any) -> None:
    print("noisy: pipeline finished")
