"""Small readers of the book's files, shared by the tests."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def notebooks():
    """Every notebook under book/, outside checkpoints and build output."""
    return sorted(p for p in BOOK.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)


def chapters():
    return [p for p in notebooks() if p.parent.name == "chapters"]


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cells(nb, kind):
    return [c for c in nb["cells"] if c["cell_type"] == kind]


def source(cell):
    return "".join(cell["source"])


def toc_files():
    """Every `file:` entry of _toc.yml plus its root, as paths without suffix."""
    text = (ROOT / "_toc.yml").read_text()
    files = re.findall(r"^\s*-?\s*(?:file|root):\s*(\S+)", text, flags=re.M)
    return [f.strip("'\"") for f in files]


def existing_source(entry):
    """The file a toc entry names (entries carry no suffix), or None."""
    for suffix in (".ipynb", ".md"):
        path = ROOT / (entry + suffix)
        if path.exists():
            return path
    return None
