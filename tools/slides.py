"""Build a reveal.js deck per chapter from the chapter's own figures and findings (`make slides`).

A deck is made from the executed chapter in the book's execution cache (run `make book` first),
so every figure and number on a slide is the one the website shows:
  1. the title and the chapter's opening paragraph;
  2. "What you will learn";
  3. one slide per figure, titled with the section it belongs to (code hidden), with the
     figure's takeaway line under it (the figure cell's metadata book.takeaway, if any) and its
     alt text (metadata mystnb.image.alt, the key the website reads; else "Figure: <section>");
  4. one slide per error demonstration (`ks.fails_with`): the real message, shortened;
  5. the Summary, two findings per slide (a table gets its own slide);
  6. one slide per exercise, its statement only (numbered as in the book: Exercise 3.2);
  7. after a "Going further" divider, the figures, errors and exercises of the sections the
     chapter marks as going further (keeping_state.bookfiles.sections reads the mark).
The deck follows the chapter's core path: steps 3 to 6 hold only its core sections, so an
instructor speaks from title to exercises without skipping a slide. The further slides are not
dropped but placed after the end, behind a divider that says the session is over: both of the
teaching page's plans teach the core paths only, yet learners run the further sections with the
rest of the notebook and ask about their figures, and a longer slot or a question is answered
from the same deck, with the book's own figures, without leaving it.
Every slide has speaker notes (`s` opens the speaker view) from the chapter's section of
book/instructor_notes.md: the idea to leave with, the misconceptions the slide's section
corrects (the notes name the sections in parentheses), the checkpoint question with its answer;
the title, objectives, Summary and exercise slides get the chapter's notes (every misconception;
what can go wrong on the title slide, the discussion on the Summary, the exercise slots on an
exercise). The Summary is found wherever its "## Summary" heading stands; a chapter without a
Summary or without a notes section stops the build with a message saying what to add.
Cell tags choose by hand where the rule does not: `slide` puts a cell on a slide of its own,
`no-slide` keeps a figure or an error off the deck. MyST roles are resolved for the slides:
glued numbers are formatted as on the page, citations become "Author (year)" (an unsigned
source: its short title and year), cross-references their text.

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
NOTES = ROOT / "book" / "instructor_notes.md"
PAGES = "../book/chapters/"  # a chapter's relative links, seen from _build/html/slides/
FINDINGS_PER_SLIDE = 2
ERROR_LINES, ERROR_WIDTH = 4, 150  # an error message on a slide: its first lines, cut short
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


def short_title(title, most_words=8):
    """A title as a citation shows it: braces dropped, cut at a colon, at most most_words."""
    title = re.sub(r"[{}]", "", title).replace("\\&", "&")
    title = re.split(r":\s", title)[0].strip()
    words = title.split()
    return " ".join(words[:most_words]) + "…" if len(words) > most_words else title


def citations(bib=ROOT / "book" / "references.bib"):
    """bib key -> "Author (year)", with "et al." for more than two authors; a source without
    an author (no author field, or one that says "Unsigned ...") -> its short title and year."""
    names = {}
    for entry in re.split(r"\n@", "\n" + bib.read_text(encoding="utf-8"))[1:]:
        key = entry.split("{", 1)[1].split(",", 1)[0].strip()
        author = re.search(r"author\s*=\s*\{(.+)\},?\s*$", entry, re.M)
        title = re.search(r"^\s*title\s*=\s*\{(.+)\},?\s*$", entry, re.M)
        year = re.search(r"year\s*=\s*[{\"]?(\d{4})", entry)
        when = year.group(1) if year else "n.d."
        people = author.group(1) if author else ""
        if not people or people.strip("{} ").lower().startswith("unsigned"):
            names[key] = (f"“{short_title(title.group(1))}” ({when})" if title
                          else f"{key} ({when})")
            continue
        if people.startswith("{"):  # a name kept whole: {Yumi's Blog}
            surnames = [people.strip("{}").replace("\\&", "&")]
        else:
            surnames = [p.split(",")[0].strip("{} ") if "," in p else p.split()[-1]
                        for p in people.split(" and ")]
        surnames = [re.sub(r"\{\\\W(\w)\}", r"\1", name) for name in surnames]  # J{\"u}rgen
        who = (surnames[0] + " et al." if len(surnames) > 2 else " and ".join(surnames))
        names[key] = f"{who} ({when})"
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
    text = re.sub(r"\[([^\]]+)\]\(([\w-]+)\)", r"\1", text)  # [text](label): a cross-reference
    text = re.sub(r"\]\((?![a-z]+:|#|/)([^)]+)\)", rf"]({PAGES}\1)", text)  # from the deck's folder
    return re.sub(r"^`{3,4}\s*$", "", text, flags=re.M).strip()


# --- speaker notes: the chapter's section of book/instructor_notes.md ------------------------

NOTE_LABELS = {"The idea to leave with": "idea", "Misconceptions it corrects": "misconceptions",
               "Discussion": "discussion", "Checkpoint": "checkpoint",
               "Exercise slots": "slots", "What can go wrong": "wrong"}
NEEDED_NOTES = ("idea", "misconceptions", "checkpoint", "answer")


def instructor_notes(text, where="book/instructor_notes.md"):
    """chapter number -> its notes, from the sections headed "## <number>. <title>": the title,
    each bold-labelled paragraph ("**The idea to leave with.** ...") by its key in NOTE_LABELS,
    the misconceptions as a list of bullets, the checkpoint's folded answer as "answer".
    Fails, naming the chapter and the part, when a section lacks the idea, the misconceptions,
    the checkpoint or its answer."""
    found = {}
    for match in re.finditer(r"^## (\d+)\. ([^\n]+)\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        number, body = int(match.group(1)), match.group(3)
        notes = {"title": match.group(2).strip()}
        parts = re.split(r"^\*\*([^*\n]+?)\.\*\*[ \t]*", body, flags=re.M)
        for label, part in zip(parts[1::2], parts[2::2]):
            if label in NOTE_LABELS:
                notes[NOTE_LABELS[label]] = part.strip()
        checkpoint = notes.get("checkpoint", "")
        answer = re.search(r"^(`{3,4})\{admonition\}\s*Answer[^\n]*\n(.*?)^\1[ \t]*$",
                           checkpoint, re.M | re.S)
        if answer:
            notes["answer"] = re.sub(r"^:\w+:.*$\n?", "", answer.group(2), flags=re.M).strip()
            notes["checkpoint"] = checkpoint[:answer.start()].strip()
        if "misconceptions" in notes:
            notes["misconceptions"] = [" ".join(item.split()) for item in re.split(
                r"^- ", notes["misconceptions"], flags=re.M) if item.strip()]
        lacking = [key for key in NEEDED_NOTES if not notes.get(key)]
        if lacking:
            raise SystemExit(f"slides: {where}, section '## {number}. {notes['title']}' has no "
                             f"{', '.join(lacking)} (the speaker notes need them)")
        found[number] = notes
    return found


def chapter_notes(notes, number, name, where="book/instructor_notes.md"):
    """The notes of chapter `number`, or SystemExit saying which section to write."""
    if number not in notes:
        raise SystemExit(f"slides: {where} has no section for chapter {number} ({name}): "
                         f"every deck takes its speaker notes from a section headed "
                         f"'## {number}. <title>'")
    return notes[number]


def plain_title(title):
    """A heading as words: markup dropped, casefolded, trailing punctuation dropped."""
    return re.sub(r"[`*_]", "", title).strip().rstrip(".:").casefold()


def named_sections(misconception):
    """The sections a misconception names: the ';'-separated parts of its parentheses that
    start with a capital or a backtick ("(The window sweep)", "(By hand, stateless; An LSTM
    by hand)"); lower-case asides ("(the article's reading of ...)") name none."""
    return [part.strip() for group in re.findall(r"\(([^()]*)\)", misconception)
            for part in group.split(";") if re.match(r"\s*[A-Z`]", part)]


def names_section(reference, title):
    """Whether a reference in the notes names the heading `title`: the same words, or the
    words before the heading's colon ("Experiment 3" names "Experiment 3: a ... window")."""
    reference, title = plain_title(reference), plain_title(title)
    return title == reference or title.startswith(reference + ":")


def notes_markdown(notes, sections=None, extra=()):
    """The speaker notes of a slide: the idea, the misconceptions (of `sections` only, if
    given: those that name one of them), the checkpoint and its answer, then `extra` keys."""
    wrong = notes["misconceptions"]
    if sections is not None:
        wrong = [m for m in wrong if any(names_section(ref, title) for ref in named_sections(m)
                                         for title in sections if title)]
    parts = [f"**The idea.** {notes['idea']}"]
    if wrong:
        parts.append("**Misconception" + ("s" if len(wrong) > 1 else "") + " it corrects.**\n\n"
                     + "\n".join(f"- {m}" for m in wrong))
    parts.append(f"**Checkpoint.** {notes['checkpoint']}\n\n**Answer.** {notes['answer']}")
    labels = {key: label for label, key in NOTE_LABELS.items()}
    parts += [f"**{labels[key]}.** {notes[key]}" for key in extra if notes.get(key)]
    return "\n\n".join(parts)


# --- the Summary and the error demonstrations -------------------------------------------------

SUMMARY_HEADING = re.compile(r"^##[ \t]+Summary\b[^\n]*\n?", re.M | re.I)
LEVEL_1_OR_2 = re.compile(r"^#{1,2}[ \t]", re.M)


def summary_text(cells, name="notebook"):
    """The Summary section's markdown, without its heading: from a "## Summary" line wherever
    it sits in a cell (at its start, after the last section's text, before "## Exercises") to
    the next heading of level 1 or 2, over the following markdown cells if it goes on.
    SystemExit if the chapter has no Summary: every deck needs one."""
    body, inside = [], False
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        text = "".join(cell.source)
        if not inside:
            heading = SUMMARY_HEADING.search(text)
            if not heading:
                continue
            inside, text = True, text[heading.end():]
        end = LEVEL_1_OR_2.search(text)
        body.append(text[:end.start()] if end else text)
        if end:
            break
    summary = "\n\n".join(part.strip() for part in body).strip()
    if not summary:
        raise SystemExit(f"slides: {name} has no Summary (a '## Summary' heading followed by "
                         "its findings): every deck ends its teaching with one")
    return summary


def has_summary_heading(cell):
    return cell.cell_type == "markdown" and bool(SUMMARY_HEADING.search("".join(cell.source)))


DEMONSTRATED = re.compile(r"^\^ the error this cell demonstrates \(([\w.]+), as expected\)", re.M)
NOISE = re.compile(r"\s*(\.\.\. \(\d+ (more )?lines\)|File \"|\[\[\{\{node )")  # frames, elisions


def demonstrated_fragments(code):
    """The message fragments a code cell's `fails_with(Kind, "fragment")` calls expect."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # a cell with IPython magics: no demonstration to read
        return []
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) == "fails_with"
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)),
                   key=lambda node: (node.lineno, node.col_offset))  # in the order written
    return [node.args[1].value for node in calls]


def cut(line, fragments, width):
    """A line of at most `width` characters, around the first fragment it holds."""
    if len(line) <= width:
        return line
    at = min((line.find(f) for f in fragments if f in line), default=0)
    start = max(0, min(at - width // 3, len(line) - width))
    end = start + width
    if start:  # whole words
        start = min(line.find(" ", start) + 1 or start, at)
    if end < len(line):
        end = max(line.rfind(" ", start, end), at + 1)
    return ("\u2026" if start else "") + line[start:end].strip() + (
        "\u2026" if end < len(line) else "")


def error_messages(cell, lines=ERROR_LINES, width=ERROR_WIDTH):
    """The errors a code cell demonstrates through ks.fails_with, as printed (the message,
    then "^ the error this cell demonstrates (Type, as expected)"), each shortened for a
    slide: "Type: <first line>" (module path and colour codes dropped), then from the line
    that holds the fragment the cell expects (after "..." if lines were left out), at most
    `lines` lines of about `width` characters, no stack frames; a repeated message once."""
    printed = "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])
                      if o.get("output_type") == "stream")
    printed = re.sub(r"\x1b\[[0-9;]*m", "", printed)
    fragments = demonstrated_fragments("".join(cell.source))
    messages, start = [], 0
    for marker in DEMONSTRATED.finditer(printed):
        kind = marker.group(1).rsplit(".", 1)[-1]
        before = printed[start:marker.start()]
        start = marker.end()
        heads = list(re.finditer(rf"^(?:[\w.]+\.)?{re.escape(kind)}:[ \t]?", before, re.M))
        text = before[heads[-1].end():] if heads else before
        text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", text)  # TensorFlow's op name
        body = [line.rstrip() for line in text.splitlines() if line.strip()] or [""]
        hit = next((i for i, line in enumerate(body) if any(f in line for f in fragments)), 0)
        rest = []
        for line in body[max(hit, 1):]:
            if line.startswith("Arguments received by") or len(rest) == lines - 1:
                break
            if not NOISE.match(line):
                rest.append(cut(line, fragments, width))
        first = f"{kind}: " + cut(body[0].strip(), fragments, width - len(kind) - 2)
        message = "\n".join([first] + (["\u2026"] if hit > 1 else []) + rest)
        if message not in messages:
            messages.append(message)
    return messages


def markdown_cell(text, slide_type="slide"):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def notes_cell(text, glued, cited):
    """The speaker notes of the slide the cells before it make (reveal.js <aside class="notes">)."""
    return markdown_cell(myst_to_markdown(text, glued, cited), slide_type="notes")


def plain_words(text):
    """A heading as plain words for an alt text: code and math markup dropped."""
    return " ".join(re.sub(r"[`$*\\]", "", text).split())


def figure_cell(cell, section, glued, cited, slide_type="-"):
    """The cell's figures only, no code and no printed text, with its alt text (the cell's
    metadata mystnb.image.alt, else "Figure: <section>") and its takeaway line (metadata
    book.takeaway, else none) for the template (tools/slides_template/) to show."""
    alt, takeaway = bookfiles.figure_text(cell)
    alt = alt or f"Figure: {plain_words(section)}"
    cell = copy.deepcopy(cell)
    cell.outputs = [o for o in cell.get("outputs", [])
                    if any(mime in o.get("data", {}) for mime in bookfiles.FIGURE_MIME)]
    cell.metadata = {"slideshow": {"slide_type": slide_type}, "book_slide": {"alt": alt}}
    if takeaway:
        cell.metadata["book_slide"]["takeaway"] = myst_to_markdown(takeaway, glued, cited)
    return cell


def split_summary(body):
    """The Summary's findings (its body, without the heading) in groups of FINDINGS_PER_SLIDE;
    a table on a slide of its own; paragraphs are the findings of a Summary without a list."""
    blocks, current = [], []
    for line in body.splitlines():
        starts_item = (line.startswith("- ") or not line.strip() and current and not
                       current[-1].lstrip().startswith(("- ", "|")) or line.startswith("| ")
                       and not (current and current[-1].startswith("|")))
        if starts_item and current:
            blocks.append("\n".join(current).strip())
            current = []
        current.append(line)
    blocks.append("\n".join(current).strip())
    findings = [b for b in blocks if b.startswith("- ")]
    tables = [b for b in blocks if b.startswith("|")]
    if not findings and not tables:
        findings = [b for b in blocks if b]
    groups = [findings[i:i + FINDINGS_PER_SLIDE]
              for i in range(0, len(findings), FINDINGS_PER_SLIDE)]
    joiner = "\n" if all(f.startswith("- ") for f in findings) else "\n\n"
    return ["## Summary\n\n" + joiner.join(g) for g in groups] + ["## Summary\n\n" + t
                                                                     for t in tables]


def deck(notebook, glued, cited, number, notes, name="notebook"):
    """The slide notebook of one executed chapter (number: the chapter's number; notes: its
    instructor notes, from instructor_notes). Every slide ends with its speaker notes."""
    cells, later, h2, h3, title, exercises = [], [], "", "", "", []
    everything = notes_markdown(notes)

    def slide(content, speaker, off_path=False):
        """A slide of the core path, or (off_path) of the part after the divider."""
        target = later if off_path else cells
        target.extend(content)
        target.append(notes_cell(speaker, glued, cited))

    def section_notes():
        return notes_markdown(notes, sections=[h2, h3])

    solution = bookfiles.solution_cells(notebook)  # not on the slides
    further = bookfiles.further_cells(notebook)  # after the divider
    figures = set(bookfiles.figure_cells(notebook))  # the cells the website shows a figure of
    shown = [(i, c) for i, c in enumerate(notebook.cells) if i not in solution]
    summary = split_summary(myst_to_markdown(summary_text([c for _, c in shown], name),
                                             glued, cited))
    further_titles = [s["title"] for s in bookfiles.sections(notebook) if s["marked"]]
    for i, cell in shown:
        off_path = i in further
        tags = cell.metadata.get("tags", [])
        text = "".join(cell.source)
        section = h3 or h2
        if cell.cell_type == "markdown":
            headings = re.findall(r"^(#{1,3}) (.+)$", text, flags=re.M)
            if headings and headings[0][0] == "#" and not title:
                title = headings[0][1]
                opening = text.split("\n\n")[:2]
                slide([markdown_cell(myst_to_markdown("\n\n".join(opening), glued, cited))],
                      notes_markdown(notes, extra=["wrong"]))
            elif "{admonition} What you will learn" in text:
                begin = text.rfind("\n", 0, text.index("{admonition} What you will learn")) + 1
                end = LEVEL_1_OR_2.search(text + "\n## ", begin).start()
                objectives = text[begin:end]
                slide([markdown_cell(myst_to_markdown(objectives, glued, cited))], everything)
            elif has_summary_heading(cell) and summary:
                for part in summary:
                    slide([markdown_cell(part)], notes_markdown(notes, extra=["discussion"]))
                summary = []
            elif "slide" in tags:
                slide([markdown_cell(myst_to_markdown(text, glued, cited))], section_notes(),
                      off_path)
            exercises += [(myst_to_markdown(statement, glued, cited), off_path)
                          for _, statement in bookfiles.exercise_statements(text)]
            for level, heading in headings:
                if level == "##":
                    h2, h3 = heading, ""
                elif level == "###":
                    h3 = heading
        elif "no-slide" not in tags:
            if i in figures:
                slide([markdown_cell(f"### {section}"),
                       figure_cell(cell, section, glued, cited)], section_notes(), off_path)
            errors = error_messages(cell)
            if errors:
                slide([markdown_cell(f"### {section}\n\n" + "\n\n".join(
                    f"```text\n{message}\n```" for message in errors))], section_notes(),
                    off_path)
    if not title:
        raise SystemExit(f"slides: {name} has no `# title` cell")
    for k, (body, off_path) in enumerate(exercises, start=1):  # numbered as in the book
        slide([markdown_cell(f"## Exercise {number}.{k}\n\n{body}")],
              notes_markdown(notes, extra=["slots"]), off_path)
    core_slides = sum(c.metadata["slideshow"]["slide_type"] == "slide" for c in cells)
    if later:
        slide([markdown_cell(divider(further_titles, glued, cited))],
              DIVIDER_NOTES + "\n\n" + everything)
        cells.extend(later)
    slides = nbformat.v4.new_notebook(cells=cells)
    slides.metadata["title"] = title
    slides.metadata["core_slides"] = core_slides
    return slides


DIVIDER_NOTES = ("**Going further.** The session's core path ends with the slide before this "
                 "one. The slides after it are the chapter's sections marked as going further: "
                 "learners run them with the rest of the notebook; show one when a question or "
                 "a longer slot calls for it.")


def divider(titles, glued, cited):
    """The divider slide between the core path and the sections that go further."""
    listed = "\n".join(f"- {myst_to_markdown(t, glued, cited)}" for t in titles)
    return ("## Going further\n\nBeyond the workshop's core path: for questions, a longer "
            "session or reading on your own." + (f"\n\n{listed}" if listed else ""))


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
    notes = instructor_notes(NOTES.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "book" / "chapters").glob("*.ipynb")):
        number = int(path.stem.split("_")[0])
        chapter = chapter_notes(notes, number, path.name)  # before the slow part
        notebook = executed(path)
        slides = deck(notebook, glued_values(notebook), cited, number, chapter, path.name)
        export(slides, args.out / f"{path.stem}.html")
        count = sum(c.metadata["slideshow"]["slide_type"] == "slide" for c in slides.cells)
        core = slides.metadata["core_slides"]
        extra = f", then {count - core - 1} going further" if count > core else ""
        links.append(f'<li><a href="{path.stem}.html">{html.escape(slides.metadata["title"])}'
                     f"</a> ({core} slides on the core path{extra})</li>")
        print(f"slides: {path.stem}.html", file=sys.stderr)
    (args.out / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><meta charset='utf-8'><title>Slides</title>"
        "<h1>Slides, one deck per chapter</h1><ul>" + "".join(links) +
        "</ul><p>Keys: arrows to move, <kbd>s</kbd> speaker view, <kbd>f</kbd> full screen, "
        "<kbd>Esc</kbd> overview.</p></html>", encoding="utf-8")


if __name__ == "__main__":
    main()
