"""Run every chapter and the appendix as Colab runs them, on an older stack (`make older-stack`).

A learner's machine is rarely at the book's pins: Colab and hubs ship an older TensorFlow and
Keras, and no myst-nb. This makes one fresh venv from registry packages with OLDER (below) and
no myst-nb, then for each notebook: puts the older stack back, strips every cell tag (Colab
ignores them), and executes the notebook top to bottom, stopping at its first error as "Run all"
does. The chapter's own setup cell must bring the pins in and run on. One line per notebook:
the cells it reached and the packages its setup cell installed.
Usage: python tools/older_stack.py [--venv DIR] [NOTEBOOK ...]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from keeping_state import bookfiles  # noqa: E402

OLDER = ["tensorflow==2.19.0", "keras==3.10.0", "numpy==2.1.3"]
TOOLS = ["pandas", "matplotlib", "nbconvert", "ipykernel"]


def pip(venv, *arguments):
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    *arguments], check=True)


def run_as_colab(venv, path, out):
    """Execute a tagless copy of `path` in `out`; (code cells run, code cells, error)."""
    notebook = bookfiles.load(path)
    for cell in notebook["cells"]:
        cell.get("metadata", {}).pop("tags", None)
    copy = out / path.name
    copy.write_text(json.dumps(notebook), encoding="utf-8")
    run = subprocess.run([str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook",
                          "--execute", "--inplace", "--allow-errors",
                          "--ExecutePreprocessor.timeout=900", str(copy)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return 0, 1, run.stderr.strip().splitlines()[-1:]
    code = [c for c in bookfiles.load(copy)["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code):  # "Run all" stops at the first error
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if errors:
            return number, len(code), [f"{errors[0]['ename']}: {errors[0]['evalue'][:200]}"]
    setup = [o for c in code for o in c.get("outputs", [])
             if "Setup: installed" in "".join(o.get("text", ""))]
    return len(code), len(code), ["".join(setup[0]["text"]).strip()[-300:]] if setup else []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "older-stack")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or [*bookfiles.chapters(), ROOT / "book/appendix/keras2_to_keras3.ipynb"]
    if not (args.venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(args.venv)], check=True)
    pip(args.venv, *OLDER, *TOOLS)
    pip(args.venv, "--no-deps", "--force-reinstall", str(ROOT))  # the companion package
    failed = []
    with tempfile.TemporaryDirectory() as out:
        for path in paths:
            pip(args.venv, *OLDER)  # each notebook starts from the older stack
            subprocess.run([str(args.venv / "bin" / "python"), "-m", "pip", "uninstall",
                            "--yes", "--quiet", "myst-nb"], capture_output=True)
            began = time.perf_counter()
            reached, total, notes = run_as_colab(args.venv, path.resolve(), Path(out))
            print(f"{path.name}: {reached}/{total} code cells in "
                  f"{time.perf_counter() - began:.0f} s; {' '.join(notes)}", flush=True)
            if reached < total:
                failed.append(path.name)
    if failed:
        raise SystemExit(f"stopped before the end: {failed}")


if __name__ == "__main__":
    main()
