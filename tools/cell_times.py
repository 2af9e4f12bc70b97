"""Where a notebook's seconds go (`make profile`): every cell's time, notebook by notebook.

    python tools/cell_times.py                  # run every notebook alone, one after another
    python tools/cell_times.py book/chapters/03_bptt_windows.ipynb
    python tools/cell_times.py --from-test      # no run: the cells' times of the last `make test`

Each notebook runs in a fresh kernel in its own folder, alone on the machine, top to bottom as a
learner's "Run all" runs it (nbclient records when each cell started and ended). The record goes
to `_build/timings/profile.json` and a table to `_build/timings/profile.md`: per notebook its
total against the budget (keeping_state.timing.BUDGET_S alone, HARD_LIMIT_S at most), and its
slowest cells with their ids and first lines. The executed notebooks are kept in
`_build/profile/` for reading.

`--from-test` reads `_build/timings/cells.json`, which `make test` writes (conftest.py): nbval's
time per cell, two notebooks side by side.
"""
import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from keeping_state.bookfiles import notebooks as book_notebooks  # noqa: E402
from keeping_state.timing import BUDGET_S, HARD_LIMIT_S  # noqa: E402

TIMINGS = ROOT / "_build" / "timings"
EXECUTED = ROOT / "_build" / "profile"


def cell_seconds(cell):
    """The seconds nbclient recorded for one executed code cell (None if it did not run)."""
    stamps = cell.get("metadata", {}).get("execution", {})
    began, ended = stamps.get("iopub.execute_input"), stamps.get("shell.execute_reply")
    if not (began and ended):
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(ended) - parse(began)).total_seconds()


def first_line(source):
    text = "".join(source) if isinstance(source, list) else source
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0][:70] if lines else ""


def run_alone(path):
    """Execute one notebook in a fresh kernel in its folder; its cells' seconds and its total."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    began = time.perf_counter()
    client.execute()
    total = time.perf_counter() - began
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, EXECUTED / path.name)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    cells = [{"number": n, "id": c.get("id"), "line": first_line(c.source),
              "seconds": round(cell_seconds(c) or 0.0, 2)} for n, c in enumerate(code)]
    return {"total": round(total, 1), "cells": cells}


def from_test():
    """The per-cell record of the last `make test` (nbval, two notebooks side by side)."""
    import nbformat

    record = TIMINGS / "cells.json"
    if not record.exists():
        raise SystemExit(f"{record} is missing: run `make test` first, or drop --from-test")
    measured = json.loads(record.read_text())
    result = {}
    for name, by_number in measured.items():
        path = ROOT / name
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        cells = [{"number": n, "id": c.get("id"), "line": first_line(c.source),
                  "seconds": round(by_number.get(str(n), 0.0), 2)} for n, c in enumerate(code)]
        result[path.stem] = {"total": round(sum(by_number.values()), 1), "cells": cells}
    return result


def table(record, slowest=6):
    lines = [f"# Cell times ({record['how']})", "",
             f"Budget: {BUDGET_S} s a notebook alone, {HARD_LIMIT_S} s at most.", "",
             "| notebook | s | slowest cells (s, id, first line) |", "| --- | --- | --- |"]
    for name, run in record["notebooks"].items():
        top = sorted(run["cells"], key=lambda c: -c["seconds"])[:slowest]
        flag = " **over**" if run["total"] > HARD_LIMIT_S else (
            " (over budget)" if run["total"] > BUDGET_S else "")
        cells = "; ".join(f"{c['seconds']:.1f} `{c['id']}` {c['line']}".replace("|", "/")
                          for c in top)
        lines.append(f"| {name} | {run['total']:.1f}{flag} | {cells} |")
    total = sum(run["total"] for run in record["notebooks"].values())
    lines += ["", f"All notebooks: {total:.0f} s."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--from-test", action="store_true",
                        help="read the last make test's per-cell times instead of running")
    args = parser.parse_args(argv)
    if args.from_test:
        record = {"how": "make test, nbval, two notebooks side by side",
                  "notebooks": from_test()}
    else:
        paths = [p.resolve() for p in args.notebooks] or book_notebooks()
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise SystemExit(f"no such notebook: {missing}")
        record = {"how": "each notebook alone, one after another", "notebooks": {}}
        for path in paths:
            print(f"{path.name} ...", end="", flush=True)
            record["notebooks"][path.stem] = run = run_alone(path)
            print(f" {run['total']:.1f} s", flush=True)
    TIMINGS.mkdir(parents=True, exist_ok=True)
    (TIMINGS / "profile.json").write_text(json.dumps(record, indent=1) + "\n")
    text = table(record)
    (TIMINGS / "profile.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
