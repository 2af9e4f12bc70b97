"""Write learner copies of the chapters, with the exercise solutions removed (`make exercises`).

The solutions stay in the book; the copies in `_build/html/exercises/` (with an index page the
teaching page links to, so the published site offers them for download) are what a workshop
hands out. Each copy carries the book's companion package (keeping_state/, zipped into a cell
before the setup cell), so a copy alone in an empty folder runs with registry packages only
(`make learner-check` tests exactly that).
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
from keeping_state import bookfiles  # noqa: E402 (the one reader of the exercise format)

NOTICE = ("```{note}\nLearner copy: the solutions to the exercises are in the book, "
          "folded under each exercise.\n```")


def strip_solutions(notebook, name="notebook"):
    """The notebook without its solutions' cells (the gated {solution-start} ...
    {solution-end} span, code cells included), a notice added; and how many were removed."""
    notebook, removed = bookfiles.without_solutions(notebook, name)
    notebook["cells"].insert(1, {"cell_type": "markdown", "id": "learner-copy",
                                 "metadata": {}, "source": NOTICE.splitlines(True)})
    return notebook, removed


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
    for path in chapters:
        notebook, removed = strip_solutions(bookfiles.load(path), path.name)
        notebook = carry_package(notebook)
        if removed == 0:
            raise SystemExit(f"{path.name}: no solutions found; has the directive changed?")
        (args.out / path.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False)
                                          + "\n", encoding="utf-8")
        print(f"{path.name}: {removed} solutions removed")
    items = "".join(f'<li><a href="{p.name}" download>{html.escape(p.name)}</a></li>'
                    for p in chapters)
    (args.out / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><meta charset='utf-8'><title>Learner copies</title>"
        "<h1>Learner copies: the chapters without the solutions</h1><ul>" + items + "</ul>"
        "<p>Open one in Jupyter, Colab or a hub; its first cell installs what it needs.</p>"
        "</html>\n", encoding="utf-8")
    print(f"{len(chapters)} learner copies in {args.out}")


if __name__ == "__main__":
    main()
