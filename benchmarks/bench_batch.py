"""Batch benchmarks for ``copydesk run`` (reported, not asserted; not part of the test suite).

Measures, on texts from the evaluation sets (read at run time from ``../shared/eval`` or
``$COPYDESK_EVAL``; copied into a temporary directory, never into the repository):

1. throughput of the default pipeline (documents/s and input MB/s) with 1 and 2 workers;
2. peak memory (largest RSS of any copydesk process) for 100 vs N (default 10,000) documents;
3. a warm-cache re-run over the N unchanged documents vs the cold run;
4. the default pipeline vs ``benchmarks/floor.py`` on the same 300 articles;
5. cold start: ``copydesk --help`` and ``copydesk run`` on the seed (also without the theme
   stage) vs ``python -c "import pydantic, yaml, pluggy"``.

When the default pipeline does not resolve or fails on a probe document, the benchmark runs a
pipeline of the stages that work and says so (``--stages`` chooses one explicitly). Every
command runs against a copy of ``pipeline/`` and ``plugins/`` taken at start, so concurrent
edits cannot change the code (and invalidate the cache) half-way.

Bytecode: every command runs with bytecode caching on, as for an installed package (pip
compiles it to ``.pyc``): ``PYTHONDONTWRITEBYTECODE`` is removed from the commands'
environment, and the cold-start commands run once untimed before they are timed, so that
copydesk's own modules load from ``.pyc`` exactly like the site-packages the baseline imports.
(With ``PYTHONDONTWRITEBYTECODE=1`` set and no ``.pyc``, every run recompiles copydesk's ~50
modules, which a user never pays for.) "Cold" therefore means a new process, not an empty
bytecode or page cache.

Usage: ``python benchmarks/bench_batch.py [--large 10000] [--json results.json] [--only NAME ...]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("COPYDESK_EVAL", ROOT.parent / "shared" / "eval"))
BIN = Path(sys.executable).parent
COPYDESK = str(BIN / "copydesk")
SUFFIX = {"md": ".md", "html": ".html", "gutenberg_html": ".html"}

# Runs a command and reports its wall time and the peak RSS of its process tree's largest member.
WRAPPER = (
    "import json,resource,subprocess,sys,time\n"
    "t=time.perf_counter()\n"
    "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE)\n"
    "w=time.perf_counter()-t\n"
    "print(json.dumps({'rc':r.returncode,'wall':w,"
    "'maxrss_mb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,"
    "'stderr':r.stderr.decode('utf-8','replace')[-2000:]}))\n"
)


def load_texts() -> list[tuple[str, str, str]]:
    """``(id, suffix, text)`` for the sections set and DUC-2001 (read, never copied to the repo)."""
    out: list[tuple[str, str, str]] = []
    for rel in ("sections/sections.jsonl", "keyphrase/duc2001.jsonl"):
        with open(EVAL / rel, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                fmt = (rec.get("source") or {}).get("format") if isinstance(rec.get("source"), dict) else None
                out.append((str(rec["id"]), SUFFIX.get(fmt or "", ".txt"), rec["text"]))
    return out


def make_corpus(directory: Path, n: int, texts: list[tuple[str, str, str]]) -> int:
    """Write ``n`` files cycling through ``texts`` (1,000 per sub-directory); return total bytes."""
    total = 0
    for i in range(n):
        doc_id, suffix, text = texts[i % len(texts)]
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in doc_id)[:60]
        path = directory / f"{i // 1000:03d}" / f"{i:05d}_{safe}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def stages_config(tmp: Path, stages: list[str]) -> tuple[str, str]:
    """A config of exactly ``stages`` with the default exporters."""
    path = tmp / "stages.yaml"
    lines = ["stages:", *[f"  - name: {s}" for s in stages], "exporters:", "  - name: json", "  - name: markdown"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path), f"pipeline chosen with --stages: {' -> '.join(stages) or '(none)'}"


def pipeline_config(tmp: Path) -> tuple[str | None, str]:
    """The default pipeline when it resolves and runs, else a config of the built-in stages that work."""
    from pipeline.build import build
    from pipeline.errors import CopydeskError
    from pipeline.inputs import InputItem

    try:
        built = build(None)
        probe = built.pipeline.process(InputItem("probe", None, raw=b"Title\n\nA first paragraph of text.\n"))
        if probe.status != "ok":
            raise CopydeskError(f"it fails on a probe document: {probe.error}")
        return None, "default pipeline: " + " -> ".join(s.name for s in built.resolved.stages)
    except CopydeskError as err:
        from pipeline.plugins import make_plugin_manager

        stages = [s for s in ("sections", "themes") if s in make_plugin_manager().registry.stages]
        if "fails on a probe" in str(err):
            stages = [s for s in stages if s != "themes"]
        path = tmp / "fallback.yaml"
        lines = ["stages:", *[f"  - name: {s}" for s in stages], "exporters:", "  - name: json", "  - name: markdown"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path), f"FALLBACK pipeline {' -> '.join(stages)} (default does not resolve: {err})"


def snapshot_code(tmp: Path) -> None:
    """Copy ``pipeline/`` and ``plugins/`` as they are now and run every command against the copy.

    Others may edit plugins while the benchmark runs; the incremental cache rightly treats
    edited plugin code as a new pipeline, which would turn the warm re-run into a cold one.
    """
    snap = tmp / "code"
    for package in ("pipeline", "plugins"):
        shutil.copytree(ROOT / package, snap / package, ignore=shutil.ignore_patterns("__pycache__"))
    os.environ["PYTHONPATH"] = str(snap) + os.pathsep + os.environ.get("PYTHONPATH", "")
    sys.path.insert(0, str(snap))


def measure(cmd: list[str], cwd: Path) -> dict[str, Any]:
    """Run ``cmd`` under the wrapper: ``{"rc", "wall", "maxrss_mb", "stderr"}``."""
    res = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def run_args(config: str | None, *args: str) -> list[str]:
    return [COPYDESK, "run", *([config] if config else []), *args, "--progress", "none"]


def best_of(k: int, cmd: list[str], cwd: Path, clean: Path | None = None,
            report: Path | None = None) -> dict[str, Any]:
    """The fastest of ``k`` runs (removing ``clean`` before each); with ``report``, its run report
    under the key ``report``."""
    runs = []
    for _ in range(k):
        if clean is not None:
            shutil.rmtree(clean, ignore_errors=True)
        r = measure(cmd, cwd)
        if r["rc"] not in (0, 1):
            raise SystemExit(f"command failed ({r['rc']}): {' '.join(cmd)}\n{r['stderr']}")
        if report is not None:
            r["report"] = json.loads(report.read_text())
        runs.append(r)
    return min(runs, key=lambda r: r["wall"])


def bench_throughput(tmp: Path, config: str | None, texts: list[tuple[str, str, str]], n: int) -> dict[str, Any]:
    corpus = tmp / "thr"
    nbytes = make_corpus(corpus, n, texts)
    out: dict[str, Any] = {"documents": n, "input_mb": round(nbytes / 1e6, 3)}
    for w in (1, 2):
        r = best_of(2, run_args(config, str(corpus), "-o", str(tmp / "thr-out"), "--no-cache", "-j", str(w),
                                "--report", str(tmp / "thr.json")), tmp, tmp / "thr-out", tmp / "thr.json")
        rep = r["report"]
        out[f"workers_{w}"] = {
            "wall_s": round(r["wall"], 3), "in_run_s": rep["seconds"],
            "docs_per_s": round(n / rep["seconds"], 1), "mb_per_s": round(nbytes / 1e6 / rep["seconds"], 3),
            "docs_per_s_wall": round(n / r["wall"], 1), "failed": rep["totals"]["failed"],
            "stage_seconds": rep["stage_seconds"],
        }
    out["speedup_2_vs_1"] = round(out["workers_1"]["in_run_s"] / out["workers_2"]["in_run_s"], 2)
    out["speedup_2_vs_1_wall"] = round(out["workers_1"]["wall_s"] / out["workers_2"]["wall_s"], 2)
    return out


def bench_memory_and_cache(tmp: Path, config: str | None, texts: list[tuple[str, str, str]],
                           large: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in (100, large):
        corpus = tmp / f"mem{n}"
        make_corpus(corpus, n, texts)
        cache = tmp / f"cache{n}"
        args = run_args(config, str(corpus), "-o", str(tmp / f"mem{n}-out"), "--cache-dir", str(cache),
                        "--report", str(tmp / f"mem{n}.json"))
        cold = measure(args, tmp)
        rep = json.loads((tmp / f"mem{n}.json").read_text())
        out[f"cold_{n}"] = {"wall_s": round(cold["wall"], 2), "peak_rss_mb": round(cold["maxrss_mb"], 1),
                            "totals": rep["totals"]}
        if n == large:
            warm = measure(args, tmp)
            rep = json.loads((tmp / f"mem{n}.json").read_text())
            out[f"warm_{n}"] = {"wall_s": round(warm["wall"], 2), "peak_rss_mb": round(warm["maxrss_mb"], 1),
                                "totals": rep["totals"]}
            out["warm_speedup"] = round(cold["wall"] / warm["wall"], 1)
        shutil.rmtree(corpus)
    out["memory_ratio"] = round(out[f"cold_{large}"]["peak_rss_mb"] / out["cold_100"]["peak_rss_mb"], 2)
    return out


def bench_floor(tmp: Path, config: str | None, texts: list[tuple[str, str, str]]) -> dict[str, Any]:
    """The fastest of 3 runs each of the floor script, the pipeline and the pipeline without
    stages, in rounds (floor, pipeline, no stages; three times) so that load bursts on a shared
    machine hit them alike."""
    corpus = tmp / "floor300"
    make_corpus(corpus, 300, texts)
    # the same run without stages: what the batch layer itself (read, export, write) costs
    bare_cfg = tmp / "no-stages.yaml"
    bare_cfg.write_text("exporters:\n  - name: json\n  - name: markdown\n", encoding="utf-8")
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "ours": [], "bare": []}
    for _ in range(3):
        runs["floor"].append(best_of(1, [sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(corpus),
                                         str(tmp / "floor-out")], tmp, tmp / "floor-out"))
        runs["ours"].append(best_of(1, run_args(config, str(corpus), "-o", str(tmp / "cd-out"), "--no-cache",
                                                "--report", str(tmp / "floor.json")),
                                    tmp, tmp / "cd-out", tmp / "floor.json"))
        runs["bare"].append(best_of(1, run_args(str(bare_cfg), str(corpus), "-o", str(tmp / "bare-out"), "--no-cache"),
                                    tmp, tmp / "bare-out"))
    floor, ours, bare = (min(runs[name], key=lambda r: r["wall"]) for name in ("floor", "ours", "bare"))
    return {"floor_s": round(floor["wall"], 3), "copydesk_s": round(ours["wall"], 3),
            "ratio": round(ours["wall"] / floor["wall"], 2), "stage_seconds": ours["report"]["stage_seconds"],
            "copydesk_no_stages_s": round(bare["wall"], 3), "ratio_no_stages": round(bare["wall"] / floor["wall"], 2)}


def bench_cold_start(tmp: Path, config: str | None) -> dict[str, Any]:
    """Median wall time of 9 new processes per command (in rounds over the commands), after one
    untimed warm-up run each (which writes the ``.pyc`` files; see the module docstring). Besides
    the targets (``--help``, ``run`` on the seed), the seed run without the theme stage."""
    work = tmp / "seedrun"
    shutil.copytree(ROOT / "seeds", work / "seeds")
    # the seed through the same pipeline minus the theme stage: the core's and the readers' share
    no_themes = tmp / "seed-no-themes.yaml"
    no_themes.write_text("stages:\n  - name: sections\nexporters:\n  - name: json\n  - name: markdown\n",
                         encoding="utf-8")
    commands = {
        "base": [sys.executable, "-c", "import pydantic, yaml, pluggy"],
        "help": [COPYDESK, "--help"],
        "seed": [COPYDESK, "run", *([config] if config else []), "--force"],
        "seed_no_themes": [COPYDESK, "run", str(no_themes), "seeds", "-o", "outputs-no-themes", "--force"],
    }
    for cmd in commands.values():
        measure(cmd, work)  # warm-up: compile to .pyc once, as an install does
    # Rounds over the three commands (not nine runs of one, then the next), so that a burst of
    # load on a shared machine hits them alike.
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(9):
        for name, cmd in commands.items():
            walls[name].append(measure(cmd, work)["wall"])
    base, helps, seed, bare = (statistics.median(walls[name]) for name in commands)
    return {"import_baseline_s": round(base, 3), "help_s": round(helps, 3), "run_seed_s": round(seed, 3),
            "help_ratio": round(helps / base, 2), "run_seed_ratio": round(seed / base, 2),
            "run_seed_without_themes_s": round(bare, 3), "run_seed_without_themes_ratio": round(bare / base, 2),
            "bytecode": "cached (.pyc written by a warm-up run; PYTHONDONTWRITEBYTECODE unset)"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--large", type=int, default=10_000, help="documents in the large memory/cache corpus")
    ap.add_argument("--throughput-docs", type=int, default=277,
                    help="documents (the evaluation texts, cycled) in the throughput corpus")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--stages", nargs="*", help="run this list of stages instead of the default pipeline")
    ap.add_argument("--only", nargs="*", choices=["throughput", "memory", "floor", "cold"], help="run only these")
    args = ap.parse_args()
    texts = load_texts()
    only = set(args.only or ["throughput", "memory", "floor", "cold"])
    # Time copydesk as installed: with .pyc files (see the module docstring).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print("bytecode caching on for every command (PYTHONDONTWRITEBYTECODE unset)", flush=True)
    results: dict[str, Any] = {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()}
    print("load average at start:", os.getloadavg(), flush=True)
    with tempfile.TemporaryDirectory(prefix="copydesk-bench-") as name:
        tmp = Path(name)
        snapshot_code(tmp)
        config, note = stages_config(tmp, args.stages) if args.stages is not None else pipeline_config(tmp)
        results["pipeline"] = note
        print(note, flush=True)
        if "throughput" in only:
            results["throughput"] = bench_throughput(tmp, config, texts, args.throughput_docs)
            print("throughput", json.dumps(results["throughput"]), flush=True)
        if "floor" in only:
            results["floor"] = bench_floor(tmp, config, texts)
            print("floor", json.dumps(results["floor"]), flush=True)
        if "cold" in only:
            results["cold_start"] = bench_cold_start(tmp, config)
            print("cold start", json.dumps(results["cold_start"]), flush=True)
        if "memory" in only:
            results["memory_cache"] = bench_memory_and_cache(tmp, config, texts, args.large)
            print("memory/cache", json.dumps(results["memory_cache"]), flush=True)
    results["load_average_at_end"] = os.getloadavg()
    print("load average at end:", os.getloadavg(), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
