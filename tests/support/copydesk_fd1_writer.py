"""Test-only plugin module that writes to file descriptor 1 when imported and at exit (as a
C library or a careless plugin does); none of it may reach the ``-o -`` data stream."""

from __future__ import annotations

import atexit
import os

os.write(1, b"fd1-writer: imported\n")


def _goodbye() -> None:
    os.write(1, b"fd1-writer: at exit\n")


atexit.register(_goodbye)
