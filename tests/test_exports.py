from __future__ import annotations

import subprocess
import sys

import pipeline


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert pipeline.__all__ == sorted(pipeline.__all__)
    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None, name


def test_public_names_are_exactly_the_lazy_exports() -> None:
    from pipeline import _EXPORTS

    assert set(_EXPORTS) == set(pipeline.__all__)


def test_importing_the_cli_does_not_import_pydantic() -> None:
    code = "import sys, pipeline.cli; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
