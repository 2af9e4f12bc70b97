"""Build a reveal.js deck per chapter from the chapter's own figures and findings (`make slides`).

A deck is made from the executed chapter in the book's execution cache (run `make book` first),
so every figure and number on a slide is the one the website shows:
  1. the title and the chapter's opening paragraph;
  2. "What you will learn";
  3. one slide per figure, titled with the section it belongs to (code hidden);
  4. the Summary, two findings per slide (a table gets its own slide);
  5. one slide per exercise, its statement only (numbered as in the book: Exercise 3.2).
Cell tags choose by hand where the rule does not: `slide` puts a cell on a slide of its own,
`no-slide` keeps a figure off the deck. MyST roles are resolved for the slides: glued numbers
are formatted as on the page, citations become "Author (year)", cross-references their text.

The decks work offline: nbconvert's reveal.js export with a template (tools/slides_template/)
that loads reveal.js from the npm package pinned in package.json (copied next to the decks) and
MathJax from the website's own copy; no CDN, no jQuery or RequireJS.
Output: _build/html/slides/<chapter>.html and index.html.
Usage: python tools/slides.py [--out DIR]
"""
import argparse
import ast
import copy
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
REVEAL = ROOT / "node_modules" / "reveal.js"
TEMPLATES = ROOT / "tools" / "slides_template"
FINDINGS_PER_SLIDE = 2
sys.path.insert(0, str(ROOT))
from keeping_state import bookfiles  # noqa: E402 (the one reader of the exercise format)


def executed(notebook_path, cache_dir=ROOT / "_build" / ".jupyter_cache"):
    """The executed notebook the website was built from, or SystemExit saying what to run."""
    from jupyter_cache import get_cache

    source = nbformat.read(notebook_path, as_version=4)
    try:
        record = get_cache(cache_dir).match_cache_notebook(source)
    except KeyError:
        raise SystemExit(f"slides: {notebook_path.name} has no execution matching its current "
                         "code in _build/.jupyter_cache: run `make book` first") from None
    ran = get_cache(cache_dir).get_cache_bundle(record.pk).nb.cells  # code cells only
    code = [cell for cell in source.cells if cell.cell_type == "code"]
    assert len(ran) == len(code), f"{notebook_path.name}: cache and source disagree"
    for cell, ran_cell in zip(code, ran):
        cell.outputs = ran_cell.get("outputs", [])
    return source


def glued_values(notebook):
    """name -> value (or text) of every `glue` call's output in the executed notebook."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = next((v for k, v in output["data"].items()
                             if k.endswith("text/plain")), "")
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def citations(bib=ROOT / "book" / "references.bib"):
    """bib key -> "Author (year)", with "et al." for more than two authors."""
    names = {}
    for entry in re.split(r"\n@", "\n" + bib.read_text(encoding="utf-8"))[1:]:
        key = entry.split("{", 1)[1].split(",", 1)[0].strip()
        author = re.search(r"author\s*=\s*\{(.+)\},?\s*$", entry, re.M)
        year = re.search(r"year\s*=\s*[{\"]?(\d{4})", entry)
        people = author.group(1) if author else key
        if people.startswith("{"):  # a name kept whole: {Yumi's Blog}
            surnames = [people.strip("{}").replace("\\&", "&")]
        else:
            surnames = [p.split(",")[0].strip("{} ") if "," in p else p.split()[-1]
                        for p in people.split(" and ")]
        surnames = [re.sub(r"\{\\\W(\w)\}", r"\1", name) for name in surnames]  # J{\"u}rgen
        who = (surnames[0] + " et al." if len(surnames) > 2 else " and ".join(surnames))
        names[key] = f"{who} ({year.group(1) if year else 'n.d.'})"
    return names


def myst_to_markdown(text, glued, cited):
    """Markdown that nbconvert renders: MyST roles resolved, directive fences unwrapped."""
    def glue(match):
        name, _, spec = match.group(2).partition(":")
        if name not in glued:
            raise SystemExit(f"slides: glued number {name!r} not found in the executed notebook")
        value = glued[name]
        return format(value, spec) if spec and not isinstance(value, str) else str(value)

    text = re.sub(r"\{glue(:text)?\}`([^`]+)`", glue, text)
    text = re.sub(r"\{cite(?::\w+)?\}`([^`]+)`",
                  lambda m: "; ".join(cited.get(k.strip(), k) for k in m.group(1).split(",")),
                  text)
    text = re.sub(r"\{\w+(?::\w+)?\}`([^`<]*?)\s*<[^>]+>`", r"\1", text)  # {ref}`text <label>`
    text = re.sub(r"\{\w+(?::\w+)?\}`([^`]+)`", r"\1", text)
    text = re.sub(r"^\([\w-]+\)=\s*$\n?", "", text, flags=re.M)  # targets
    text = re.sub(r"\]\(([^)#]*?)\.(ipynb|md)(#[^)]*)?\)", r"](\1.html\3)", text)
    text = re.sub(r"^`{3,4}\{admonition\}\s*(.*)$", r"## \1", text, flags=re.M)
    text = re.sub(r"^`{3,4}\{\w+\}.*$", "", text, flags=re.M)
    text = re.sub(r"^:\w+:.*$\n?", "", text, flags=re.M)
    return re.sub(r"^`{3,4}\s*$", "", text, flags=re.M).strip()


def markdown_cell(text, slide_type="slide"):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def figure_cell(cell, slide_type="slide"):
    """The cell's figures only: no code, no printed text."""
    cell = copy.deepcopy(cell)
    cell.outputs = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    cell.metadata = {"slideshow": {"slide_type": slide_type}}
    return cell


def split_summary(text):
    """The Summary's findings in groups of FINDINGS_PER_SLIDE; a table on a slide of its own."""
    body = re.split(r"^## ", re.sub(r"^## Summary\s*", "", text), flags=re.M)[0]
    blocks, current = [], []
    for line in body.splitlines():
        starts_item = line.startswith("- ") or line.startswith("| ") and not (
            current and current[-1].startswith("|"))
        if starts_item and current:
            blocks.append("\n".join(current))
            current = []
        current.append(line)
    blocks.append("\n".join(current))
    findings = [b for b in blocks if b.lstrip().startswith("- ")]
    tables = [b for b in blocks if b.lstrip().startswith("|")]
    groups = [findings[i:i + FINDINGS_PER_SLIDE]
              for i in range(0, len(findings), FINDINGS_PER_SLIDE)]
    return ["## Summary\n\n" + "\n".join(g) for g in groups] + ["## Summary\n\n" + t
                                                                  for t in tables]


def deck(notebook, glued, cited, number):
    """The slide notebook of one executed chapter (number: the chapter's number)."""
    cells, section, title, exercises = [], "", "", []
    solution = bookfiles.solution_cells(notebook)  # not on the slides
    for cell in (c for i, c in enumerate(notebook.cells) if i not in solution):
        tags = cell.metadata.get("tags", [])
        text = "".join(cell.source)
        if cell.cell_type == "markdown":
            headings = re.findall(r"^(#{1,3}) (.+)$", text, flags=re.M)
            if headings and headings[0][0] == "#" and not title:
                title = headings[0][1]
                opening = text.split("\n\n")[:2]
                cells.append(markdown_cell(myst_to_markdown("\n\n".join(opening), glued, cited)))
            elif "{admonition} What you will learn" in text:
                cells.append(markdown_cell(myst_to_markdown(text, glued, cited)))
            elif text.startswith("## Summary"):
                cells += [markdown_cell(myst_to_markdown(part, glued, cited))
                          for part in split_summary(text)]
            elif "slide" in tags:
                cells.append(markdown_cell(myst_to_markdown(text, glued, cited)))
            exercises += [myst_to_markdown(statement, glued, cited)
                          for _, statement in bookfiles.exercise_statements(text)]
            if headings and headings[-1][0] != "#":
                section = headings[-1][1]
        elif "no-slide" not in tags and any(
                "image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            cells.append(markdown_cell(f"### {section}"))
            cells.append(figure_cell(cell, slide_type="-"))
    if not title:
        raise SystemExit("slides: the chapter has no `# title` cell")
    cells += [markdown_cell(f"## Exercise {number}.{k}\n\n{body}")
              for k, body in enumerate(exercises, start=1)]
    slides = nbformat.v4.new_notebook(cells=cells)
    slides.metadata["title"] = title
    return slides


def install_assets(out):
    """reveal.js from the npm package, next to the decks; fails with the command to run."""
    if not (REVEAL / "dist" / "reveal.js").exists():
        raise SystemExit("slides: reveal.js is not installed: run `npm ci` (make slides does)")
    target = out / "reveal.js"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REVEAL / "dist", target / "dist")
    shutil.copytree(REVEAL / "plugin" / "notes", target / "plugin" / "notes")
    shutil.copy(REVEAL / "LICENSE", target / "LICENSE")


def export(slides, path):
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(template_name="book_reveal", extra_template_basedirs=[
        str(TEMPLATES)], exclude_input=True, exclude_input_prompt=True,
        exclude_output_prompt=True, reveal_url_prefix="reveal.js",
        reveal_theme="white")
    body, _ = exporter.from_notebook_node(slides)
    path.write_text(body, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "html" / "slides")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    install_assets(args.out)
    cited, links = citations(), []
    for path in sorted((ROOT / "book" / "chapters").glob("*.ipynb")):
        notebook = executed(path)
        number = int(path.stem.split("_")[0])
        slides = deck(notebook, glued_values(notebook), cited, number)
        export(slides, args.out / f"{path.stem}.html")
        links.append(f'<li><a href="{path.stem}.html">{html.escape(slides.metadata["title"])}'
                     f"</a> ({len(slides.cells)} cells)</li>")
        print(f"slides: {path.stem}.html", file=sys.stderr)
    (args.out / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><meta charset='utf-8'><title>Slides</title>"
        "<h1>Slides, one deck per chapter</h1><ul>" + "".join(links) +
        "</ul><p>Keys: arrows to move, <kbd>s</kbd> speaker view, <kbd>f</kbd> full screen, "
        "<kbd>Esc</kbd> overview.</p></html>", encoding="utf-8")


if __name__ == "__main__":
    main()
