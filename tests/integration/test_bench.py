"""The benchmark command runs every case in one process tree and reports consistent figures."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from flows.bench import (
    CHANGED_SHARE,
    FIXED_RUNS,
    GIT_NOOP_CASE,
    NOOP_CASE,
    NOOP_RUNS,
    Case,
    measure,
    targets,
)
from flows.cli import main
from flows.settings import sample_corpus_path


def case(name: str, wall: float, rss_mib: int = 100) -> Case:
    return Case(name, 10, wall, rss_mib * 2**20)


def test_targets_subtract_the_fixed_cost_and_never_go_negative() -> None:
    cases = [
        case("naive loop", 10.0),
        case("fixed cost (1 file)", 3.0),
        case("full load (pool)", 7.0, rss_mib=900),
        case(NOOP_CASE, 2.5),
        case("rerun, 1 files edited", 3.5),
    ]
    found = {target.name: target for target in targets(cases, scale=1)}
    assert found["full load data time / naive loop"].value == pytest.approx(0.4)
    assert found["full load data time / naive loop"].met
    assert found["peak RSS of the reruns, GB"].value == pytest.approx(100 * 2**20 / 1e9)
    assert found["no-op rerun data time / naive loop"].value == 0.0
    assert found["1% changed rerun data time / naive loop"].value == pytest.approx(0.05)
    assert found["peak RSS of any run, GB"].value == pytest.approx(900 * 2**20 / 1e9)
    assert not any(name.endswith("1x data time") for name in found)


def test_growth_target_compares_data_times_at_two_scales() -> None:
    cases = [
        case("naive loop", 100.0),
        case("fixed cost (1 file)", 3.0),
        case("full load (pool)", 123.0),
        case(NOOP_CASE, 4.0),
        case("rerun, 10 files edited", 5.0),
        case("full load at 1x", 13.0),
    ]
    growth = targets(cases, scale=10)[-1]
    assert growth.name == "10x data time / 1x data time"
    assert growth.value == pytest.approx(12.0)
    assert not growth.met


def test_git_targets_compare_the_backfill_with_a_full_load_from_git() -> None:
    cases = [
        case("naive loop", 10.0),
        case("fixed cost (1 file)", 3.0),
        case("full load (pool)", 13.0),
        case(NOOP_CASE, 3.0),
        case("rerun, 1 files edited", 4.0),
        case("git: full load of HEAD", 15.0),
        case(GIT_NOOP_CASE, 3.2),
        case("git: backfill", 51.0),
    ]
    found = {target.name: target for target in targets(cases, scale=1)}
    assert found["git backfill data time / git full load's"].value == pytest.approx(4.0)
    assert found["git backfill data time / git full load's"].met
    assert found["git no-op pull data time / naive loop"].value == pytest.approx(0.02)


@pytest.mark.slow
def test_bench_runs_every_case_on_a_small_corpus(tmp_path: Path) -> None:
    report, work = tmp_path / "bench.json", tmp_path / "work"
    corpus = sample_corpus_path()
    argv = ["bench", "--corpus", str(corpus), "--scale", "2", "--work", str(work)]
    argv += ["--noop-runs", "2"]
    status = main([*argv, "--json", str(report)])
    figures = json.loads(report.read_text())
    files = len(list(corpus.rglob("*.md")))
    edited = max(1, round(CHANGED_SHARE * 2 * files))
    expected = [
        ("naive loop", 2 * files),
        ("fixed cost (1 file, median of 3)", 1),
        ("full load (pool)", 2 * files),
        *[(f"no-op rerun {n} of {NOOP_RUNS}", 2 * files) for n in range(1, NOOP_RUNS + 1)],
        (NOOP_CASE, 2 * files),
        (f"rerun, {edited:,} files edited", 2 * files),
        ("rebuild from the lake", 2 * files),
        ("full load at 1x", files),
    ]
    assert [(case["name"], case["files"]) for case in figures["cases"]] == expected
    assert all(c["wall_seconds"] > 0 and c["peak_rss_bytes"] > 0 for c in figures["cases"])
    assert [target["name"] for target in figures["targets"]] == [
        "fixed cost, s",
        "full load data time / naive loop",
        "no-op rerun data time / naive loop",
        "1% changed rerun data time / naive loop",
        "peak RSS of any run, GB",
        "peak RSS of the reruns, GB",
        "2x data time / 1x data time",
    ]
    assert status == (0 if all(target["met"] for target in figures["targets"]) else 1)
    medians = 2
    assert len(list((work / "logs").glob("*.log"))) == len(expected) - medians + FIXED_RUNS + 2
    before, after = figures["noop_growth"]
    assert after["runs"] - before["runs"] == 2


ORPHAN = """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; b = b'x' * 300 * 2**20; time.sleep(1)"])
"""


def test_peak_rss_counts_a_process_its_parent_never_waited_for(tmp_path: Path) -> None:
    measured = measure("orphan", [sys.executable, "-c", ORPHAN], 1, dict(os.environ), tmp_path)
    assert measured.peak_rss_bytes >= 300 * 2**20
    assert measured.wall_seconds >= 1
