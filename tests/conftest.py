"""Shared test set-up: make tests/support importable (test-only plugin modules live there)."""

from __future__ import annotations

import os
import sys

SUPPORT = os.path.join(os.path.dirname(__file__), "support")
if SUPPORT not in sys.path:
    sys.path.insert(0, SUPPORT)
# Subprocesses (the CLI) find the test plugins through PYTHONPATH.
os.environ["PYTHONPATH"] = SUPPORT + os.pathsep + os.environ.get("PYTHONPATH", "")
