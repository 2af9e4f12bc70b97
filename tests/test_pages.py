"""The pages as a reader meets them: exercises numbered per chapter, and the new back matter
(the seed-robustness page, the setup check, the instructor notes) built and filled in."""
import re

import pytest

from bookfiles import chapters
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


@pytest.mark.parametrize("name,needle", [
    ("robustness", "most seed-sensitive"),
    ("check_setup", "READY"),
    ("teaching", "A half-day plan"),
    ("instructor_notes", "Checkpoint"),
])
def test_back_matter_pages_are_built(build, name, needle):
    html = (HTML / "book" / f"{name}.html").read_text(encoding="utf-8")
    assert needle in html, f"{name}.html lacks '{needle}'"
