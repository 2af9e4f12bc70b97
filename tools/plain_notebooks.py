"""The chapters as plain Jupyter notebooks, for learners (`make exercises`): no MyST left.

Colab, VS Code and classic Jupyter show MyST markup as raw text (`{glue:text}` roles, `{cite}`
roles, directives as code blocks). A plain notebook shows instead:
- every glued number as the book's own value (from book/robustness.json, the run at the
  chapter's SEED), in bold, with a note that the learner's run may differ in the last digits;
- citations as "(Author year)" from book/references.bib;
- admonitions and notes as quotes, exercises as headings with an empty code cell below for the
  answer, solutions either gathered under "Solutions" at the end or left out;
- a section's "Going further" mark (keeping_state.bookfiles.sections reads it) as a quote that
  says the section is not on the workshop's core path and where the core path goes on, so a
  learner in Colab or VS Code sees the cut the website shows;
- labels as HTML anchors, links between pages and to labels elsewhere as links to the site.
tests/test_tools.py holds every generated notebook to "no MyST role or directive left".
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from keeping_state import bookfiles  # noqa: E402

ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`]*)`")
FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})\{([\w-]+)\}\s*(.*)$")
LABEL = re.compile(r"^\(([\w-]+)\)=\s*$")
LINK = re.compile(r"\]\(([^)\s]+)\)")
MYST_LEFT = re.compile(r"\{[a-z][\w:-]*\}`|^\s*(`{3,}|~{3,}|:{3,})\{[\w-]+\}|^\(([\w-]+)\)=\s*$",
                       re.M)


def site_url():
    """The published site, from _config.yml's repository URL (GitHub Pages)."""
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    owner, name = re.search(r"url:\s*https://github\.com/([\w.-]+)/([\w.-]+)", config).groups()
    return f"https://{owner}.github.io/{name}/"


def citations():
    """{bibtex key: 'Author year'} from book/references.bib."""
    text = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    found = {}
    for key, body in re.findall(r"@\w+\{([^,\s]+),(.*?)\n\}", text, re.S):
        fields = dict(re.findall(r"(\w+)\s*=\s*\{((?:[^{}]|\{[^{}]*\})*)\}", body))
        authors = [a.strip() for a in fields.get("author", key).split(" and ")]
        first = authors[0].strip("{}").split(",")[0].strip("{} ")
        who = first + (" et al." if len(authors) > 2 else
                       f" and {authors[1].split(',')[0].strip('{} ')}" if len(authors) == 2
                       else "")
        found[key] = f"{who} {fields.get('year', 'n.d.')}".replace("\\&", "&")
    return found


def book_values(stem):
    """{glue name: value} of the chapter's run at its own SEED in book/robustness.json."""
    record = json.loads((ROOT / "book" / "robustness.json").read_text(encoding="utf-8"))
    if stem not in record["chapters"]:
        return {}  # a page without a seed (the setup check): nothing glued, nothing to show
    chapter = record["chapters"][stem]
    seed = str(chapter["own_seed"])
    return {name: by_seed[seed] for name, by_seed in chapter["values"].items()
            if seed in by_seed}


def labels_by_page():
    """{label: page path relative to the book root, without suffix} over the toc's pages."""
    found = {}
    for path in bookfiles.toc_notebooks():
        for cell in bookfiles.cells(bookfiles.load(path), "markdown"):
            for line in bookfiles.source(cell).splitlines():
                match = LABEL.match(line)
                if match:
                    found[match.group(1)] = path.relative_to(ROOT).with_suffix("").as_posix()
    return found


class Converter:
    """MyST Markdown of one page -> plain Markdown."""

    def __init__(self, path, values, cites, labels, site):
        self.path, self.values, self.cites = Path(path), values, cites
        self.labels, self.site = labels, site
        self.page = self.path.resolve().relative_to(ROOT).with_suffix("").as_posix()
        self.number = int(m.group(1)) if (m := re.match(r"(\d+)_", self.path.name)) else None
        self.exercises, self.numbers = 0, {}

    def role(self, match):
        kind, text = match.groups()
        if kind.startswith("glue"):
            name, _, fmt = text.partition(":")
            if name not in self.values:
                raise KeyError(f"{self.path.name}: no book value for glued {name!r}: run "
                               "`make robustness` (book/robustness.json holds them)")
            value = self.values[name]
            return f"**{format(value, fmt) if fmt else value}**"
        if kind == "cite":
            return "(" + "; ".join(self.cites[k.strip()] for k in text.split(",")) + ")"
        return re.sub(r"\s*<[^<>]+>$", "", text)  # {term}`carried state <carried>`

    def link(self, match):
        target = match.group(1)
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        page, _, anchor = target.partition("#")
        if page.endswith((".ipynb", ".md")):
            where = (self.path.parent / page).resolve().relative_to(ROOT).with_suffix("")
            url = f"{self.site}{where.as_posix()}.html" + (f"#{anchor}" if anchor else "")
            return f"]({url})"
        if page in self.labels:  # a MyST reference to a label
            if self.labels[page] == self.page:
                return f"](#{page})"
            return f"]({self.site}{self.labels[page]}.html#{page})"
        return match.group(0)

    def inline(self, text):
        return LINK.sub(self.link, ROLE.sub(self.role, text))

    def markdown(self, text, further=None):
        """The cell's text as plain Markdown; also whether it held an exercise. `further`: the
        cell is a marked section's heading (bookfiles.sections says so), and this is where the
        core path goes on: its "Going further" admonition becomes the core path's marker."""
        out, lines, i, had_exercise = [], text.splitlines(), 0, False
        while i < len(lines):
            line = lines[i]
            label, fence = LABEL.match(line), FENCE.match(line)
            if label:
                out.append(f'<a id="{label.group(1)}"></a>')
            elif fence:
                marks, name, title = fence.groups()
                body, i = [], i + 1
                while i < len(lines) and lines[i].strip() != marks:
                    body.append(lines[i])
                    i += 1
                options = {}
                while body and re.match(r"^:\w[\w-]*:", body[0]):
                    key, _, value = body.pop(0)[1:].partition(":")
                    options[key] = value.strip()
                inner = self.markdown("\n".join(body))[0].strip("\n")
                if name == "exercise":
                    self.exercises += 1
                    had_exercise = True
                    number = f"{self.number}.{self.exercises}" if self.number else self.exercises
                    anchor = f'<a id="{options["label"]}"></a>' if "label" in options else ""
                    self.numbers[options.get("label")] = number
                    out += [f"### {anchor}Exercise {number}", "", inner]
                elif name in ("solution-start", "solution-end"):
                    pass  # the gated solution's fences; plain_notebook places the solution
                elif further is not None and name == "admonition" and (
                        "further" in options.get("class", "").split()
                        or title.startswith("Going further")):
                    out += [f"> **{self.inline(title)}** \u2014 not on the workshop's core "
                            f"path: a workshop session skips this section (run its cells all "
                            f"the same); {further}.", ">"]
                    out += [f"> {x}".rstrip() for x in inner.splitlines()]
                    further = None  # one marker per section
                else:
                    heading = title or name.capitalize()
                    out += [f"> **{self.inline(heading)}**", ">"]
                    out += [f"> {x}".rstrip() for x in inner.splitlines()]
            else:
                out.append(self.inline(line))
            i += 1
        return "\n".join(out), had_exercise


NOTICE = ("*A plain notebook of this page of the book ({url}): numbers in **bold** in the "
          "text are the book's run at `SEED = {seed}`; your run prints its own beside them, and "
          "they may differ in the last digits (timings more).{solutions}*")
NOTICE_UNSEEDED = "*A plain notebook of this page of the book ({url}).*"


def plain_notebook(path, solutions="end", values=None, cites=None, labels=None, site=None):
    """The chapter at `path` as a plain notebook: solutions "end" (gathered under a last
    heading, each after a line naming its exercise) or "none" (left out)."""
    if solutions not in ("end", "none"):
        raise ValueError(f"solutions must be 'end' or 'none', not {solutions!r}")
    path = Path(path)
    notebook = bookfiles.load(path)
    site = site or site_url()
    convert = Converter(path, book_values(path.stem) if values is None else values,
                        citations() if cites is None else cites,
                        labels_by_page() if labels is None else labels, site)
    spans = bookfiles.solution_spans(notebook, path.name)
    in_span = {i: label for label, (start, end) in spans.items()
               for i in range(start, end + 1)}
    resumes = core_resumes(notebook)
    body, gathered = [], []
    for i, cell in enumerate(notebook["cells"]):
        cell = dict(cell, metadata=dict(cell.get("metadata", {})))
        cell["metadata"].pop("tags", None)  # Colab ignores them; nothing here is hidden
        if cell["cell_type"] == "markdown":
            text, had_exercise = convert.markdown(bookfiles.source(cell), resumes.get(i))
            cell["source"] = text.splitlines(keepends=True)
        target = gathered if i in in_span else body
        if i in in_span and i == spans[in_span[i]][0]:
            number = convert.numbers.get(in_span[i], in_span[i])
            gathered.append(_markdown(f"{cell.get('id', i)}-heading", f"### Solution to "
                                      f"[exercise {number}](#{in_span[i]})"))
        if cell["cell_type"] == "markdown" and not bookfiles.source(cell).strip():
            continue
        target.append(cell)
        if cell["cell_type"] == "markdown" and i not in in_span and had_exercise:
            body.append({"cell_type": "code", "execution_count": None, "outputs": [],
                         "id": f"{cell.get('id', i)}-answer", "metadata": {},
                         "source": ["# Your answer here\n"]})
    seed = _seed(notebook)
    page = path.resolve().relative_to(ROOT).with_suffix("").as_posix()
    note = {"end": " The solutions are at the end.",
            "none": " This copy has no solutions: they are in the book."}[solutions]
    notice = (NOTICE_UNSEEDED.format(url=f"{site}{page}.html") if seed is None else
              NOTICE.format(url=f"{site}{page}.html", seed=seed,
                            solutions=note if spans else ""))
    body.insert(1, _markdown("plain-notebook-notice", notice))
    if solutions == "end" and gathered:
        body += [_markdown("plain-solutions", "## Solutions")] + gathered
    notebook["cells"] = body
    return notebook


def core_resumes(notebook):
    """{index of a marked section's heading cell: where the core path goes on after it} (the
    next section on the core path, from bookfiles.sections)."""
    found, parts = {}, bookfiles.sections(notebook)
    for k, part in enumerate(parts):
        if part["marked"]:
            after = next((s for s in parts[k + 1:] if not s["further"]), None)
            title = _plain_title(after["title"]) if after else ""
            found[part["cells"][0]] = (f"the core path goes on at \u201c{title}\u201d" if after
                                       else "the rest of the page goes further too")
    return found


def _plain_title(title):
    """A heading as a quote names it: its MyST roles resolved to their text."""
    return ROLE.sub(lambda m: re.sub(r"\s*<[^<>]+>$", "", m.group(2)), title)


def _markdown(cell_id, text):
    return {"cell_type": "markdown", "id": cell_id, "metadata": {},
            "source": text.splitlines(keepends=True)}


def _seed(notebook):
    for cell in bookfiles.cells(notebook, "code"):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            match = re.search(r"SEED\s*=\s*(\d+)", bookfiles.source(cell))
            if match:
                return int(match.group(1))
    return None  # a page without randomness (the setup check)


def myst_left(notebook):
    """The MyST roles, directives and labels left in a notebook's Markdown cells."""
    return [m.group(0).strip() for cell in bookfiles.cells(notebook, "markdown")
            for m in MYST_LEFT.finditer(bookfiles.source(cell))]
