"""Record each notebook's measured run time into book/timings.json (`make timings`).

`make test` sums nbval's per-cell durations into `_build/timings/nbval.json`; this copies them,
rounded and keyed by notebook, into the committed `book/timings.json` that the teaching page
builds its schedule from. Run it after `make test` on the reference machine (2 CPU cores).
"""
import json
import os
import platform
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    measured = ROOT / "_build" / "timings" / "nbval.json"
    if not measured.exists():
        raise SystemExit(f"{measured} is missing: run `make test` first")
    seconds = json.loads(measured.read_text())
    notebooks = {p.stem for p in (ROOT / "book").rglob("*.ipynb")
                 if not {"_build", ".ipynb_checkpoints"} & set(p.parts)}
    missing = sorted(notebooks - {Path(k).stem for k in seconds})
    if missing:
        raise SystemExit(f"{measured} lacks {missing}: the last pytest run did not run every "
                         "notebook; run the whole `make test` first")
    record = {
        "measured": date.today().isoformat(),
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores",
        "seconds": {Path(k).stem: round(v, 1) for k, v in sorted(seconds.items())
                    if Path(k).stem in notebooks},  # not the tests' toy notebooks
    }
    (ROOT / "book" / "timings.json").write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
