"""Readers of the book's own files, for the tests, the tools and the back matter.

The chapter list comes from _toc.yml only: a chapter added there appears in the intro's table,
the robustness page and the tests with no other edit.
"""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", flags=re.M)


def notebooks():
    """Every notebook under book/, outside checkpoints and build output."""
    return sorted(p for p in BOOK.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cells(nb, kind):
    return [c for c in nb["cells"] if c["cell_type"] == kind]


def source(cell):
    return "".join(cell["source"])


def python_only(text):
    """Cell source with IPython's magics and shell lines blanked (for ast)."""
    return re.sub(r"^(\s*)[%!].*$", r"\1pass", text, flags=re.M)


def pins(text):
    """name -> version of every `name==version` line of a requirements text."""
    return dict(PIN.findall(text))


def toc_entries():
    """(file, title or None, part caption) of every entry of _toc.yml, in order."""
    entries, caption = [], None
    text = (ROOT / "_toc.yml").read_text()
    for line in text.splitlines():
        if m := re.match(r"^\s*-\s*caption:\s*(.+)$", line):
            caption = m.group(1).strip().strip("'\"")
        elif m := re.match(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", line):
            entries.append([m.group(1).strip("'\""), None, caption])
        elif (m := re.match(r'^\s*title:\s*"?(.+?)"?\s*$', line)) and entries:
            entries[-1][1] = m.group(1)
    return [tuple(e) for e in entries]


def toc_files():
    """Every `file:` entry of _toc.yml plus its root, as paths without suffix."""
    return [entry for entry, _, _ in toc_entries()]


def existing_source(entry):
    """The file a toc entry names (entries carry no suffix), or None."""
    for suffix in (".ipynb", ".md"):
        path = ROOT / (entry + suffix)
        if path.exists():
            return path
    return None


def toc_notebooks():
    """The notebooks of _toc.yml, in its order."""
    found = (existing_source(entry) for entry in toc_files())
    return [p for p in found if p is not None and p.suffix == ".ipynb"]


# Pages that read the repository itself (the record, the timings, the toc): they have no learner
# copy, so the site shows no launch button on them (_ext/learner_launch.py).
MAINTAINER_PAGES = ("book/robustness", "book/teaching")


def learner_pages():
    """The notebooks a learner runs from a launch button (every toc notebook but the
    maintainers' pages), in the toc's order."""
    return [p for p in toc_notebooks()
            if p.relative_to(ROOT).with_suffix("").as_posix() not in MAINTAINER_PAGES]


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([\w.-]+)")  # a {glue:text}`name...` role in prose


def glue_calls(nb):
    """{name: the source of the value} of every glue(name, value, ...) call in a notebook's
    code cells (the chapters glue through keeping_state.glue)."""
    code = "\n".join(source(c) for c in cells(nb, "code"))
    found = {}
    for match in re.finditer(r"glue\(\s*f?[\"']([\w.-]+)[\"']\s*,", code):
        end, depth = match.end(), 1
        while end < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        found[match.group(1)] = code[match.end():end - 1].strip()
    return found


def glued_in_prose(nb):
    """The names a notebook's Markdown states with a glue role."""
    return {name for c in cells(nb, "markdown") for name in GLUE_ROLE.findall(source(c))}


def chapters():
    """The chapters (the numbered part of _toc.yml), in order, as paths."""
    return [p for p in toc_notebooks() if p.parent.name == "chapters"]


def chapter_titles():
    """stem -> (number, title) of every chapter, from _toc.yml."""
    titles = {Path(f).name: t for f, t, _ in toc_entries()}
    return {p.stem: (n, titles.get(p.stem) or p.stem)
            for n, p in enumerate(chapters(), start=1)}


def setup_cell(path):
    """The first code cell of a notebook (its setup cell)."""
    return source(cells(load(path), "code")[0])


def start_call(path):
    """The source of the code cell that calls ks.start(...), or None."""
    found = [source(c) for c in cells(load(path), "code")
             if re.search(r"^ks\.start\(", source(c), re.M)]
    return found[0] if found else None


def setup_extras(path):
    """The packages a notebook's ks.start(SEED, ...) call names beyond keeping_state.CORE
    (start installs them where missing); None when no cell calls it."""
    import ast
    text = start_call(path)
    if text is None:
        return None
    for node in ast.walk(ast.parse(python_only(text))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "start"):
            return [ast.literal_eval(arg) for arg in node.args[1:]]
    return None


# --- The exercise format (one parser for the tests, the tools and the slides) ----------------
# An exercise is a MyST directive in a markdown cell, fenced by 3 or 4 backticks. Its solution is
# sphinx-exercise's gated pair: a markdown cell that starts with `{solution-start} <label>`, the
# code cells that run it, and a markdown cell that ends with `{solution-end}`.
EXERCISE = re.compile(r"^(`{3,4})\{exercise\}[^\n]*\n(.*?)^\1[ \t]*$", re.S | re.M)
LABEL = re.compile(r"^:label:\s*(\S+)", re.M)
SOLUTION_START = re.compile(r"\A(`{3,4})\{solution-start\}[ \t]+(\S+)[^\n]*\n(.*?)^\1[ \t]*$",
                            re.S | re.M)
SOLUTION_END = re.compile(r"^(`{3,4})\{solution-end\}[ \t]*\n\1[ \t]*\n?\Z", re.M)


class ExerciseFormatError(ValueError):
    """A notebook whose exercises or solutions do not follow the book's format."""


def exercise_statements(text):
    """[(label, statement)] of every {exercise} directive in a markdown text."""
    found = []
    for _, body in EXERCISE.findall(text):
        label = LABEL.search(body)
        statement = LABEL.sub("", body).strip()
        found.append((label.group(1) if label else None, statement))
    return found


def solution_spans(nb, name="notebook"):
    """{label: (first, last)}: the cell indices of each gated solution, both ends included.
    Raises ExerciseFormatError where a fence is misplaced, unclosed or left over."""
    spans, start = {}, None
    for i, cell in enumerate(nb["cells"]):
        text = source(cell).strip() + "\n"
        is_start = "{solution-start}" in text
        is_end = "{solution-end}" in text
        if "{solution}" in text:
            raise ExerciseFormatError(f"{name}, cell {i}: write solutions as "
                                      "{solution-start} ... {solution-end}, not {solution}")
        if cell["cell_type"] != "markdown" or not (is_start or is_end):
            continue
        if is_start:
            m = SOLUTION_START.match(text)
            if m is None or start is not None:
                raise ExerciseFormatError(
                    f"{name}, cell {i}: a {{solution-start}} must open its markdown cell"
                    + (" and follow the last one's {solution-end}" if start else ""))
            start = (m.group(2), i)
        if is_end:
            if start is None or not SOLUTION_END.search(text):
                raise ExerciseFormatError(f"{name}, cell {i}: a {{solution-end}} must close "
                                          "its markdown cell, after a {solution-start}")
            spans[start[0]] = (start[1], i)
            start = None
    if start is not None:
        raise ExerciseFormatError(f"{name}: the solution to {start[0]} has no {{solution-end}}")
    return spans


def exercises(nb, name="notebook"):
    """[{'label', 'statement', 'solution': [cells]}] in the notebook's order; every exercise
    has a label and exactly one solution, or ExerciseFormatError says which does not."""
    spans = solution_spans(nb, name)
    found = []
    for cell in cells(nb, "markdown"):
        for label, statement in exercise_statements(source(cell)):
            if label is None or label not in spans:
                raise ExerciseFormatError(f"{name}: exercise {label or '(no :label:)'} has "
                                          "no gated solution")
            first, last = spans[label]
            found.append({"label": label, "statement": statement,
                          "solution": nb["cells"][first:last + 1]})
    extra = set(spans) - {e["label"] for e in found}
    if extra:
        raise ExerciseFormatError(f"{name}: solutions without an exercise: {sorted(extra)}")
    return found


def solution_cells(nb, name="notebook", spans=None):
    """The indices of every cell that belongs to a solution."""
    spans = solution_spans(nb, name) if spans is None else spans
    return {i for first, last in spans.values() for i in range(first, last + 1)}


def without_solutions(nb, name="notebook"):
    """A copy of the notebook with every solution's cells removed, and how many were."""
    import copy
    spans = solution_spans(nb, name)
    drop = solution_cells(nb, name, spans)
    stripped = copy.deepcopy(nb)
    stripped["cells"] = [c for i, c in enumerate(nb["cells"]) if i not in drop]
    return stripped, len(spans)
