"""Write the learner notebooks of the chapters (`make exercises`): plain Jupyter notebooks.

For each chapter two copies in `_build/html/exercises/` (with an index page the teaching page
links to, so the published site offers them for download): `NN_name.ipynb` without the
solutions (what a workshop hands out) and `NN_name-with-solutions.ipynb` with the solutions
gathered at the end. Both are plain notebooks (tools/plain_notebooks.py: no MyST markup, the
book's numbers in the text, an empty cell under each exercise), so Colab, VS Code and classic
Jupyter show them as the website does. Each carries the book's companion package
(keeping_state/, zipped into a cell before the setup cell), so a copy alone in an empty folder
runs with registry packages only (`make learner-check` tests exactly that).
Usage: python tools/learner_copies.py [--out DIR]
"""
import argparse
import base64
import html
import io
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "keeping_state"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from keeping_state import bookfiles  # noqa: E402 (the one reader of the book's files)
import plain_notebooks  # noqa: E402

FLAVOURS = {"": "none", "-with-solutions": "end"}  # file name suffix: where the solutions go


def package_zip():
    """keeping_state/*.py as a zip archive (bytes), the same bytes for the same files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PACKAGE.glob("*.py")):
            info = zipfile.ZipInfo(f"keeping_state/{path.name}", (2026, 1, 1, 0, 0, 0))
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def package_cell():
    """A code cell that unpacks the companion package beside the notebook."""
    data = base64.b64encode(package_zip()).decode()
    text = ("# This learner copy carries the book's companion package, keeping_state:\n"
            "# this cell unpacks it beside the notebook (no download needed).\n"
            "import base64, io, zipfile\n"
            "zipfile.ZipFile(io.BytesIO(base64.b64decode(\n"
            f'    "{data}"\n'
            "))).extractall()\n")
    return {"cell_type": "code", "execution_count": None, "id": "companion-package",
            "metadata": {"tags": ["hide-input"]}, "outputs": [],
            "source": text.splitlines(keepends=True)}


def carry_package(notebook):
    """The notebook with the package cell inserted before its first code cell."""
    first = next(i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code")
    notebook["cells"].insert(first, package_cell())
    return notebook


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "html" / "exercises")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    chapters = bookfiles.chapters()
    shared = dict(cites=plain_notebooks.citations(), labels=plain_notebooks.labels_by_page(),
                  site=plain_notebooks.site_url())
    for path in chapters:
        if not bookfiles.solution_spans(bookfiles.load(path), path.name):
            raise SystemExit(f"{path.name}: no solutions found; has the directive changed?")
        for suffix, solutions in FLAVOURS.items():
            notebook = carry_package(plain_notebooks.plain_notebook(path, solutions, **shared))
            left = plain_notebooks.myst_left(notebook)
            if left:
                raise SystemExit(f"{path.name}: MyST markup left in the plain copy: {left[:5]}")
            (args.out / f"{path.stem}{suffix}.ipynb").write_text(
                json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path.name}: plain copies without and with solutions")
    items = "".join(f'<li>{html.escape(p.stem)}: <a href="{p.name}" download>exercises</a>, '
                    f'<a href="{p.stem}-with-solutions.ipynb" download>with solutions</a></li>'
                    for p in chapters)
    (args.out / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><meta charset='utf-8'><title>Learner notebooks</title>"
        "<h1>Learner notebooks: the chapters as plain Jupyter notebooks</h1><ul>" + items +
        "</ul><p>Open one in Jupyter, Colab, VS Code or a hub; its first cells install what it "
        "needs. The numbers in bold in the text are the book's run.</p></html>\n",
        encoding="utf-8")
    print(f"{2 * len(chapters)} learner notebooks in {args.out}")


if __name__ == "__main__":
    main()
