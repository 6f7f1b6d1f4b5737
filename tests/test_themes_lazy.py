"""Registering the themes plugin stays cheap: the analysis loads on the first document."""

from __future__ import annotations

import subprocess
import sys

from plugins.themes.testing import build


def test_registration_imports_no_heavy_module() -> None:
    code = (
        "import sys, plugins.themes\n"
        "heavy = [m for m in ('numpy', 'Stemmer', 'snowballstemmer', 'textblob', 'nltk', 'plugins.themes.extract')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_first_document_loads_the_analysis() -> None:
    from plugins.themes import ThemeExtractor

    doc = build([("title", "Harbour dredging plan"),
                 ("paragraph", "The harbour board approved the harbour dredging plan on Monday.")])
    out = ThemeExtractor().process(doc)
    assert "plugins.themes.extract" in sys.modules
    assert out.themes and out.themes[0].label
