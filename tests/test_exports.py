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


def test_a_run_imports_only_what_it_uses(tmp_path) -> None:
    # one plain-text document, sections only: no Markdown/HTML parser, no encoding detector, no
    # progress bar, no process pool and no Dask (cold start; see benchmarks/bench_batch.py)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Title\n\nA paragraph of text.\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("stages:\n  - name: sections\nexporters:\n  - name: json\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "try:\n"
        "    main.main(['run', 'p.yaml', 'in', '-o', 'out', '--no-cache'])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "heavy = ['markdown_it', 'selectolax', 'tomllib', 'charset_normalizer', 'rich', 'distributed',\n"
        "         'multiprocessing', 'pipeline.executors.pool', 'pipeline.executors.dask']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
    assert (tmp_path / "out" / "a.json").exists()


def test_registering_the_plugins_imports_no_parser_or_tagger() -> None:
    code = (
        "import sys\n"
        "from pipeline.plugins import make_plugin_manager\n"
        "make_plugin_manager()\n"
        "heavy = ['markdown_it', 'selectolax', 'tomllib', 'plugins.sections.tagger', 'pipeline.executors']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
