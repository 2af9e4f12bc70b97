"""`make doctor`: run the checks of book/check_setup.ipynb in this Python, without Jupyter.

The notebook is the one source of the checks (learners on Colab, Binder or a hub run it there);
this script executes its code cells in order, so a laptop can be checked before the book's
environment exists: `make doctor` uses .venv/bin/python when it exists, else python3.
"""
import json
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "check_setup.ipynb"


def main():
    namespace = {"__name__": "__check_setup__"}
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), str(NOTEBOOK), "exec"), namespace)
    ready = namespace["verdict"].startswith("READY")
    if not ready and ".venv" not in sys.prefix:
        print("Locally, `make venv` (or `make lab`) installs the book's versions into .venv; "
              "then run `make doctor` again.")
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())
