"""`claimgraph ingest` in process vs `--engine ray` (local Ray, 1 and 2 workers), measured side by side.

The seed articles (../shared/corpus) and the team's corpus/ are copied into a temporary folder until it
holds at least --words words, each copy with a line of its own so that every file is a new document
(its content hash differs). Each system runs the real command (`python -m service ingest DIR --json`) as
a subprocess on a fresh SQLite database, as a user would: the time includes starting Python, loading
the models and, for Ray, starting a local Ray instance limited to this machine's cores and its actors.

Printed per system: wall seconds and words/s for the whole job; the fixed cost (the same command on one
small article, fresh database) and the steady words/s = (words - small) / (wall - fixed). Ratios: Ray
local 1 worker / in process (the issue's target: >= 0.8) and Ray 2 workers / Ray 1 worker (scaling).
With --rounds N the systems run in turn N times and each keeps its best. The load average is printed:
on a machine busy with other work the figures mean little.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "corpus"
ARTICLE_SUFFIXES = (".txt", ".md", ".html")


def sources() -> list[Path]:
    found = [p for d in (SEED_DIR, REPO / "corpus") for p in sorted(d.glob("*")) if p.suffix in ARTICLE_SUFFIXES]
    return [p for p in found if p.stem.lower() != "readme"]


def build_folder(folder: Path, words: int) -> int:
    """Copies of the articles, each unique, until ``words``; returns the words written."""
    folder.mkdir(parents=True)
    originals = [(p, p.read_text(encoding="utf-8")) for p in sources()]
    total, copy = 0, 0
    while total < words:
        for path, text in originals:
            # The extra line makes a new content hash; it holds no number, so no claim is added.
            tag = "".join(chr(65 + int(d)) for d in str(copy))  # a word per copy (B for 1, BA for 10), no number
            (folder / f"{copy:04d}_{path.name}").write_text(f"{text}\n\nCopy {tag} of this report.\n")
            total += len(text.split())
        copy += 1
    return total


def ingest(folder: Path, db: Path, engine: list[str]) -> tuple[float, dict]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{db}",
    }
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "service", "ingest", str(folder), "--json", *engine],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{engine or 'in process'} failed:\n{proc.stderr[-3000:]}")
    return wall, json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds of the three systems; best kept")
    args = parser.parse_args()
    load_before = os.getloadavg()

    systems = {
        "in_process": [],
        "ray_local_1_worker": ["--engine", "ray", "--workers", "1"],
        "ray_local_2_workers": ["--engine", "ray", "--workers", "2"],
    }
    with tempfile.TemporaryDirectory(prefix="ray_scale_") as tmp:
        root = Path(tmp)
        words = build_folder(root / "articles", args.words)
        small = root / "small"
        small.mkdir()
        shutil.copy(REPO / "corpus" / "01_pwc-tracker-news.txt", small)
        small_words = len((small / "01_pwc-tracker-news.txt").read_text().split())
        results: dict[str, dict] = {}
        runs: dict[str, list[tuple[float, float, dict]]] = {name: [] for name in systems}
        for r in range(args.rounds):
            for name, engine in systems.items():  # a fresh database for every run
                fixed, _ = ingest(small, root / f"{name}_small_{r}.db", engine)
                wall, summary = ingest(root / "articles", root / f"{name}_{r}.db", engine)
                runs[name].append((wall, fixed, summary))
        for name, measured in runs.items():
            wall, fixed = min(m[0] for m in measured), min(m[1] for m in measured)
            summary = measured[0][2]
            results[name] = {
                "wall_s": round(wall, 1),
                "words_per_s": round(words / wall),
                "fixed_s": round(fixed, 1),
                "steady_words_per_s": round((words - small_words) / max(wall - fixed, 1e-9)),
                "documents": summary["new_documents"],
                "claims": summary["new_claims"],
            }
    base, one, two = (results[n] for n in systems)
    report = {
        "words": words,
        "cpu_cores": len(os.sched_getaffinity(0)),
        "rounds": args.rounds,
        # Other work on the machine skews everything: the 1-minute load average before and after.
        "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        **results,
        "ray_1_worker_over_in_process": round(one["words_per_s"] / base["words_per_s"], 3),
        "ray_1_worker_over_in_process_steady": round(one["steady_words_per_s"] / base["steady_words_per_s"], 3),
        "ray_2_workers_over_in_process": round(two["words_per_s"] / base["words_per_s"], 3),
        "ray_2_over_1_workers": round(two["words_per_s"] / one["words_per_s"], 3),
        "ray_2_over_1_workers_steady": round(two["steady_words_per_s"] / one["steady_words_per_s"], 3),
    }
    print(json.dumps(report, indent=2))
    if len({(r["documents"], r["claims"]) for r in results.values()}) != 1:
        sys.exit("the systems stored different numbers of documents or claims")


if __name__ == "__main__":
    main()
