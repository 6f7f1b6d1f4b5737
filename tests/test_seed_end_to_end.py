"""The seed article through the default pipeline, as `make run` does it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from seed_expectations import LEVEL2, PARENTS

ROOT = Path(__file__).resolve().parent.parent
SEED_ID = "000_2a3c3e522d4f526f"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("seedrun")
    shutil.copytree(ROOT / "seeds", work / "seeds")
    res = subprocess.run([sys.executable, "-m", "pipeline.cli", "run"], cwd=work, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    return work


@pytest.fixture(scope="module")
def doc(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "outputs" / f"{SEED_ID}.json").read_text(encoding="utf-8"))


def test_outputs_are_byte_identical_to_the_committed_ones(run_dir: Path) -> None:
    produced = sorted(p.name for p in (run_dir / "outputs").iterdir())
    committed = sorted(p.name for p in (ROOT / "outputs").iterdir() if not p.name.startswith("."))
    assert produced == committed
    for name in produced:
        assert (run_dir / "outputs" / name).read_bytes() == (ROOT / "outputs" / name).read_bytes(), name


def test_dateline_title_and_headings(doc: dict[str, Any]) -> None:
    assert doc["metadata"]["date"] == "2026-01-07"
    titles = [b for b in doc["blocks"] if b["kind"] == "title"]
    assert [t["text"] for t in titles] == ["South"] and titles[0]["level"] == 1
    heads = [b for b in doc["blocks"] if b["kind"] == "heading"]
    assert [h["text"] for h in heads if h["level"] == 2] == LEVEL2
    assert sorted(h["text"] for h in heads if h["level"] == 3) == sorted(PARENTS)
    assert len(heads) == 17


def test_section_tree_parents_lead_and_conclusion(doc: dict[str, Any]) -> None:
    by_id = {s["id"]: s for s in doc["sections"]}
    for s in doc["sections"]:
        if s["heading"] in PARENTS:
            assert by_id[s["parent"]]["heading"] == PARENTS[s["heading"]]
        elif s["heading"] in LEVEL2:
            assert s["parent"] is None
    lead = [s for s in doc["sections"] if s["heading"] is None]
    assert len(lead) == 1 and "lead" in lead[0]["tags"]
    blocks = {b["id"]: b for b in doc["blocks"]}
    lead_paras = [blocks[i] for i in lead[0]["block_ids"] if blocks[i]["kind"] == "paragraph"]
    assert len(lead_paras) == 2
    assert lead_paras[0]["text"].startswith("The strengthening of South Korea China bilateral relations")
    assert lead_paras[1]["text"].startswith("As geopolitical tensions")
    conclusion = [s for s in doc["sections"] if s["heading"] == "Conclusion"]
    assert "conclusion" in conclusion[0]["tags"]


def test_every_span_is_valid(doc: dict[str, Any]) -> None:
    text = doc["text"]
    for b in doc["blocks"]:
        assert text[b["start"]:b["end"]] == b["text"]
    for s in doc["sections"]:
        assert 0 <= s["start"] <= s["end"] <= len(text)
    for t in doc["themes"]:
        for k in t["keyphrases"]:
            for start, end in k["mentions"]:
                assert 0 <= start < end <= len(text)


def test_markdown_export_has_the_same_headings(run_dir: Path, doc: dict[str, Any]) -> None:
    md = (run_dir / "outputs" / f"{SEED_ID}.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").use(front_matter_plugin).parse(md)
    found = [(int(t.tag[1]), tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    expected = [(1, "South")] + [(b["level"], b["text"]) for b in doc["blocks"] if b["kind"] == "heading"]
    assert found == expected


def test_themes_name_the_subjects(doc: dict[str, Any]) -> None:
    top = doc["themes"][:10]
    assert top, "no themes"
    labels = " | ".join(t["label"].lower() for t in top)
    phrases = " | ".join(k["text"].lower().replace("-", " ") for t in top for k in t["keyphrases"])
    assert "bilateral relations" in labels and "state visits" in labels, labels
    for subject in ("economic", "security", "cultural exchange", "korean peninsula"):
        assert subject in phrases, (subject, phrases)
    assert not any(f in labels for f in ("new phase", "recent years")), labels
