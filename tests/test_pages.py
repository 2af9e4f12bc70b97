"""The pages as a reader meets them: exercises numbered per chapter, and the new back matter
(the seed-robustness page, the setup check, the instructor notes) built and filled in."""
import re

import pytest

from bookfiles import BOOK, chapter_titles, chapters
from test_build import HTML, build, page  # noqa: F401  (build is a fixture)

CHAPTERS = chapters()


@pytest.mark.parametrize("number,notebook", list(enumerate(CHAPTERS, start=1)),
                         ids=[p.name for p in CHAPTERS])
def test_exercises_are_numbered_per_chapter(build, number, notebook):
    html = page(notebook).read_text(encoding="utf-8")
    numbers = re.findall(r"Exercise (\d+(?:\.\d+)?)", html)
    assert numbers, f"{notebook.name}: no numbered exercise on the page"
    assert numbers[0] == f"{number}.1", \
        f"{notebook.name}: the first exercise reads 'Exercise {numbers[0]}', not {number}.1"


def outputs(html):
    """The text of a built page's cell outputs (what its code printed or showed), without
    the code: a needle found here was computed by the page, not written in its source."""
    parts = re.split(r'<div class="cell_output', html)[1:]
    blocks = [re.split(r'<div class="cell docutils container"|<section|</section>', p)[0]
              for p in parts]
    return " ".join(" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in blocks)


@pytest.mark.parametrize("name,pattern", [
    ("robustness", r"\d+ of \d+ numbers spread over 10 %"),  # computed from the record
    ("check_setup", r"(?<!NOT )READY(: every chapter|, but slow)"),  # the verdict line
    ("teaching", r"Coffee break.*Lunch"),  # the full-day schedule's table
])
def test_back_matter_pages_show_what_they_computed(build, name, pattern):
    html = (HTML / "book" / f"{name}.html").read_text(encoding="utf-8")
    assert re.search(pattern, outputs(html)), \
        f"{name}.html: no output matches {pattern!r} (did its code run and print?)"


def test_instructor_notes_follow_the_toc():
    """One section per chapter, numbered and titled as _toc.yml says, in its order."""
    text = (BOOK / "instructor_notes.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.M)
    expected = [(str(n), title) for n, title in chapter_titles().values()]
    assert sections == expected, "instructor_notes.md: sections differ from _toc.yml"
