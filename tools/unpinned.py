"""Print requirements.txt without its version pins: the newest releases of the same packages.

Used by the weekly "Newest packages" workflow (.github/workflows/upstream.yml):
    python tools/unpinned.py requirements.txt > unpinned.txt
"""
import re
import sys

# Upper bounds that stay: jupyter-book 2.x is a different tool (the book is a 1.x book).
KEEP_BOUND = {"jupyter-book": "jupyter-book<2"}
# The book's own package, installed from the checkout: kept as it is.
LOCAL = {"-e ."}


def unpinned(lines):
    """Package names of pinned requirement lines (comments dropped, KEEP_BOUND and the
    local package kept); any other kind of line is refused."""
    names = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line in LOCAL:
            names.append(line)
            continue
        name = re.split(r"[=<>!~;\[ ]", line, maxsplit=1)[0]
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise ValueError(f"not a requirement line: {line!r}")
        names.append(KEEP_BOUND.get(name.lower(), name))
    return names


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/unpinned.py requirements.txt")
    with open(sys.argv[1]) as f:
        print("\n".join(unpinned(f)))
