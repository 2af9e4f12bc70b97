"""Run every chapter under other seeds and collect what each stated number does (`make robustness`).

Each chapter's cell tagged `parameters` sets SEED; papermill injects another value there, so no
notebook is edited. Two notebooks run at a time (one per core). Every assert is a cell failure: a
failure names the chapter, the seed and the failing check, and the run exits non-zero. Every glued
value of every run, with the value for the chapter's own seed, goes into `book/robustness.json`,
which the page "How much do the numbers move?" (book/robustness.ipynb) is built from.

Other numerics: float results depend on the processor's vector width and on which kernels run, so
a trained model's numbers differ in the last digits from one machine to the next. `--numerics
avx2,onednn-off` also runs each notebook (at its own seed, or at --numerics-seeds) with oneDNN held
to AVX2 instructions, or with TensorFlow's oneDNN optimisations off, which changes the order of the
floating-point operations the way another CPU does; a finding must survive that too. Those runs
go into the record under "numerics".

Usage: python tools/robustness.py [--seeds "1 2 3 4"] [--numerics avx2,onednn-off]
       [--numerics-seeds "0"] [--jobs 2] [--out FILE] [--keep DIR] [NOTEBOOK ...]
Named notebooks are run and their runs merged into an existing record (a rerun of some seeds
replaces those runs and keeps the others); a notebook
whose metadata sets robustness.run_alone (timing checks) runs with no other notebook beside it.
"""
import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from keeping_state import CORE, bookfiles, timing  # noqa: E402
DEFAULT_SEEDS = "1 2 3 4"
PACKAGES = [*CORE, "papermill"]  # the versions a record names
ANSI = re.compile(r"\x1b\[[0-9;]*m")
RECORD = "application/papermill.record/"
# Environments that change the order of floating-point operations as another machine would.
NUMERICS = {
    # oneDNN and numpy's own kernels as on a CPU without AVX-512 (numpy 2.4's feature names)
    "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
    "onednn-off": {"TF_ENABLE_ONEDNN_OPTS": "0"},  # TensorFlow's own kernels
    "one-thread": {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"},
}


def parse_seeds(text, allow_none=False):
    """The seeds as a list of distinct non-negative integers, or SystemExit with the reason."""
    words = (text or "").replace(",", " ").split()
    if not words and allow_none:
        return []
    if not words:
        raise SystemExit('robustness: no seeds given: use SEEDS="1 2 3" (whole numbers >= 0)')
    bad = [w for w in words if not w.isdigit()]
    if bad:
        raise SystemExit(f"robustness: seeds must be whole numbers >= 0, not {bad}: "
                         'use SEEDS="1 2 3"')
    return list(dict.fromkeys(int(w) for w in words))


def parse_numerics(text):
    """Names of NUMERICS variants, or SystemExit naming the known ones."""
    names = [w for w in (text or "").replace(",", " ").split()]
    unknown = [n for n in names if n not in NUMERICS]
    if unknown:
        raise SystemExit(f"robustness: unknown numerics {unknown}: choose from {sorted(NUMERICS)}")
    return list(dict.fromkeys(names))


def default_notebooks():
    """The chapters and the appendix, in _toc.yml's order (the one chapter list)."""
    return [p for p in bookfiles.toc_notebooks() if p.parent.name in ("chapters", "appendix")]


def runs_alone(path):
    """A notebook whose metadata says {"robustness": {"run_alone": true}} (its timing checks
    compare measurements that a second notebook on the other core would disturb)."""
    metadata = json.loads(path.read_text()).get("metadata", {})
    return bool(metadata.get("robustness", {}).get("run_alone"))


def own_seed(path):
    """The SEED a notebook's parameters cell sets."""
    for cell in json.loads(path.read_text())["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            match = re.search(r"^SEED = (\d+)", "".join(cell["source"]), flags=re.M)
            if match:
                return int(match.group(1))
    raise SystemExit(f"robustness: {path.name} has no cell tagged 'parameters' setting SEED")


def glued_values(executed):
    """{name: value} of every myst_nb.glue in an executed notebook (numbers as floats)."""
    values = {}
    for cell in executed["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get(RECORD + "text/plain")
            if name is None or text is None:
                continue
            try:
                values[name] = float(text.strip("'\""))
            except ValueError:
                try:  # a glued string's text/plain is its repr: "'a quoted message'"
                    values[name] = str(ast.literal_eval(text))
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def failing_check(executed):
    """'cell N: the failing line -> ErrorName: message' for the first error of a run."""
    code_cells = [c for c in executed["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code_cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            trace = ANSI.sub("", "\n".join(output.get("traceback", [])))
            lines = re.findall(r"^-*> *\d+ (.+)$", trace, flags=re.M)
            where = f"`{lines[0].strip()}` " if lines else ""
            return f"code cell {number}: {where}-> {output['ename']}: {output['evalue']}"
    return "no error output was recorded (see the log above)"


def execute(path, out, seed):
    """Run one notebook with SEED = seed (papermill injects it), saving the executed copy.

    nbclient runs it, not papermill's own runner, so that a failing run still leaves its
    executed copy and the error output failing_check reports.
    """
    import nbformat
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = parameterize_notebook(load_notebook_node(str(path)), {"SEED": seed})
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        nbformat.write(notebook, out)


def run_one(path, seed, workdir, numerics=None):
    """Execute one notebook in a process of its own, under the environment of a NUMERICS
    variant if one is named; return (ok, seconds, values, failure)."""
    out = Path(workdir) / f"{path.stem}-seed{seed}-{numerics or 'default'}.ipynb"
    command = [sys.executable, __file__, "--execute", str(path), str(out), str(seed)]
    env = {**os.environ, **NUMERICS.get(numerics, {})}
    if numerics:  # timing claims are about the default kernels: reported, not enforced
        env.pop("BOOK_STRICT_TIMING", None)
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if not out.exists():
        return False, seconds, {}, "the notebook did not start: " + run.stderr.strip()[-600:]
    executed = json.loads(out.read_text())
    if run.returncode != 0:
        return False, seconds, glued_values(executed), failing_check(executed)
    return True, seconds, glued_values(executed), None


def versions():
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def machine():
    """What a recorded value depends on beyond the seed (the package's machine(), which chapter 5
    prints too, without the cache sizes the record does not need)."""
    found = timing.machine()
    found.pop("caches")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=os.environ.get("SEEDS", DEFAULT_SEEDS),
                        help=f'extra seeds, e.g. "1 2 3" (default "{DEFAULT_SEEDS}")')
    parser.add_argument("--numerics", default="",
                        help=f"also run under other numerics: {', '.join(NUMERICS)}")
    parser.add_argument("--numerics-seeds", default="",
                        help="the seeds of those runs (default: each notebook's own seed)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at a time")
    parser.add_argument("--out", type=Path, default=ROOT / "book" / "robustness.json")
    parser.add_argument("--keep", type=Path,
                        help="a folder to keep every executed notebook in (to read a failure)")
    parser.add_argument("--skip-own-seed", action="store_true",
                        help="run only the extra seeds (CI: nbval already ran the own seed)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    variants = parse_numerics(args.numerics)
    seeds = parse_seeds(args.seeds, allow_none=bool(variants))
    variant_seeds = parse_seeds(args.numerics_seeds, allow_none=True)
    notebooks = [p.resolve() for p in args.notebooks] or default_notebooks()
    missing = [str(p) for p in notebooks if not p.exists()]
    if missing:
        raise SystemExit(f"robustness: no such notebook: {missing}")

    def seeds_for(path):
        return sorted(set(seeds) if args.skip_own_seed or not seeds else {own_seed(path), *seeds})

    jobs = [(p, s, None) for p in notebooks for s in seeds_for(p)]
    jobs += [(p, s, v) for p in notebooks for v in variants
             for s in (variant_seeds or [own_seed(p)])]
    also = "" if args.skip_own_seed or not seeds else " and each notebook's own seed"
    under = f"; numerics {variants}" if variants else ""
    print(f"robustness: {len(notebooks)} notebooks x seeds {seeds}{also}{under}: "
          f"{len(jobs)} runs, {args.jobs} at a time", flush=True)
    results, done = {}, 0

    shared = [job for job in jobs if not runs_alone(job[0])]
    alone = [job for job in jobs if runs_alone(job[0])]
    with tempfile.TemporaryDirectory() as workdir:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            workdir = str(args.keep.resolve())
        for batch, width in ((shared, args.jobs), (alone, 1)):
            with ThreadPoolExecutor(width) as pool:
                futures = {pool.submit(run_one, p, s, workdir, v): (p, s, v) for p, s, v in batch}
                for future in as_completed(futures):
                    path, seed, variant = futures[future]
                    results[path, seed, variant] = future.result()
                    ok, seconds, _, failure = results[path, seed, variant]
                    done += 1
                    status = "ok" if ok else f"FAILED at {failure}"
                    print(f"[{done}/{len(jobs)}] {path.stem} seed {seed}{label(variant)}: "
                          f"{status} ({seconds:.0f} s{', alone' if width == 1 else ''})",
                          flush=True)

    default = {(p, s): r for (p, s, v), r in results.items() if v is None}
    other = {key: r for key, r in results.items() if key[2] is not None}
    write_record(args.out, notebooks, seeds, default, merge=bool(args.notebooks) or not seeds,
                 variants=other)
    failed = [(p.stem, s, v, r[3]) for (p, s, v), r in results.items() if not r[0]]
    if failed:
        print(f"\nrobustness: {len(failed)} of {len(jobs)} runs FAILED:", file=sys.stderr)
        for stem, seed, variant, failure in sorted(failed, key=str):
            print(f"  {stem} with SEED = {seed}{label(variant)}: {failure}", file=sys.stderr)
        print(f"robustness: {len(jobs) - len(failed)} passed, {len(failed)} failed")
        return 1
    print(f"robustness: every run passed; values in {args.out}")
    print(f"robustness: {len(jobs)} passed, 0 failed")
    return 0


def label(variant):
    return f" under {variant} numerics" if variant else ""


def merged_runs(entry, runs):
    """entry (seconds, failed, values by seed) with the runs {seed: result} made now merged in:
    a rerun seed replaces its old values, and a name no run glues any more leaves with the last
    seed that glued it."""
    entry["seconds"].update({s: round(r[1], 1) for s, r in runs.items()})
    entry["failed"] = sorted({int(s) for s in entry["failed"] if str(s) not in runs}
                             | {int(s) for s, r in runs.items() if not r[0]})
    names = sorted(set(entry["values"]) | {n for r in runs.values() for n in r[2]})
    values = {}
    for n in names:
        kept = {s: v for s, v in entry["values"].get(n, {}).items() if s not in runs}
        fresh = {s: r[2][n] for s, r in runs.items() if n in r[2]}
        if kept or fresh:
            values[n] = dict(sorted({**kept, **fresh}.items(), key=lambda kv: int(kv[0])))
    entry["values"] = values
    entry["seconds"] = dict(sorted(entry["seconds"].items(), key=lambda kv: int(kv[0])))
    if runs:  # where and when these values were measured
        entry["machine"], entry["date"] = machine(), date.today().isoformat()
    return entry


def write_record(out, notebooks, seeds, results, merge=False, variants=None):
    """Write the record. With merge, the runs made now replace the same (notebook, seed) runs of
    an existing record and everything else in it is kept; the seeds must be among its seeds.
    `variants` holds runs under other numerics, {(path, seed, numerics): result}; they go into
    each chapter's "numerics" entry. Each chapter (and each of its numerics) records the machine
    and the date of its latest runs."""
    chapters, record_seeds = {}, seeds
    if merge and out.exists():
        old = json.loads(out.read_text())
        if not set(seeds) <= set(old["seeds"]):
            raise SystemExit(f"robustness: {out} was made with seeds {old['seeds']}; "
                             f"seeds {seeds} are not among them: rerun every notebook")
        chapters, record_seeds = old["chapters"], old["seeds"]
        for chapter in chapters.values():  # older records name one machine for all
            chapter.setdefault("machine", old["machine"])
            chapter.setdefault("date", old["date"])
    for path in notebooks:
        runs = {str(s): r for (p, s), r in results.items() if p == path}
        blank = {"seconds": {}, "failed": [], "values": {}}
        entry = merged_runs(chapters.get(path.stem, dict(blank)), runs)
        entry["own_seed"] = own_seed(path)
        for variant in sorted({v for (p, _, v) in (variants or {}) if p == path}):
            fresh = {str(s): r for (p, s, v), r in variants.items() if p == path and v == variant}
            numerics = entry.setdefault("numerics", {})
            old_entry = numerics.get(variant, {"seconds": {}, "failed": [], "values": {}})
            numerics[variant] = {**merged_runs(old_entry, fresh), "environment": NUMERICS[variant]}
        chapters[path.stem] = entry
    record = {"date": date.today().isoformat(), "machine": machine(),
              "packages": versions(), "seeds": record_seeds,
              "chapters": dict(sorted(chapters.items()))}
    out.write_text(json.dumps(record, indent=1, sort_keys=False) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--execute"]:
        execute(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(main())
