"""Bounds print on the safe side (issue 26's mechanism).

A number glued after a bound word is true as printed only if it was rounded toward the claim:
"at least 13" for 13.8, never "at least 14"; "at most 0.002" for 0.0016. So a glue role after
"at least" or "more than" must be glued through ks.printed_below (or a floor), one after "at
most", "up to", "at worst", "within" or "less than" through ks.printed_above (or a ceiling), and
the two ends of "between A and B" or "A to B" (a range; "from A to B" is a change) through one
each, and a factor that "stays N times above (or below)" something through ks.printed_below. After "below", "under", "over"
and "above" the direction depends on the sentence ("stays below X", "cannot go below X"), so
either helper will do. A glued number that is not a bound (a point, a count) goes in EXEMPT with
the reason.
"""
import re

import pytest

from bookfiles import BOOK, cells, glue_calls, load, source

SEEDED = sorted((BOOK / "chapters").glob("*.ipynb")) + sorted((BOOK / "appendix").glob("*.ipynb"))
ROLE = r"\{glue:text\}`([\w.-]+):[^`]+`"
LOWER = ("at least", "more than", "no less than")
UPPER = ("at most", "up to", "at worst", "within", "less than", "no more than")
EITHER = ("below", "under", "over", "above", "exceeds")
ROUNDED = {"below": r"printed_below|\bfloor\(", "above": r"printed_above|\bceil\(",
           "either": r"printed_(below|above)|\b(floor|ceil)\("}
EXEMPT = {
    ("05_step_inference", "crossover"): "the batch size where two floors cross, stated as a point",
}


def bounds(text):
    """(name, direction) of every glue role the text states as a bound."""
    text = " ".join(text.split())
    found = []
    for match in re.finditer(rf"(?:between {ROLE} and {ROLE})|(?:(?<!from ){ROLE} to {ROLE})", text):
        low, high = [name for name in match.groups() if name is not None]
        found += [(low, "below"), (high, "above")]
    # "stays 4.1 times above it": a bound word after the number bounds the factor from below
    for match in re.finditer(rf"\b(?:stays|stay|remains|remain)\s+{ROLE}\s*(?:times|-fold)?\s+"
                             r"(?:above|below|over|under)\b", text, flags=re.I):
        found.append((match.group(1), "below"))
    words = "|".join(re.escape(w) for w in LOWER + UPPER + EITHER)
    for match in re.finditer(rf"\b({words})\s+{ROLE}", text, flags=re.I):
        word = match.group(1).lower()
        direction = "below" if word in LOWER else "above" if word in UPPER else "either"
        found.append((match.group(2), direction))
    return found


def test_the_bound_finder_reads_the_book_s_phrasings():
    text = ("at least {glue:text}`a:.0f`-fold, up to {glue:text}`b:.1f` times, between "
            "{glue:text}`c:.2f` and\n{glue:text}`d:.2f`, {glue:text}`e:.3f` to {glue:text}`f:.3f`, "
            "stays below {glue:text}`g:.0e`, is {glue:text}`h:.2f`, from {glue:text}`i:.1f` to "
            "{glue:text}`j:.1f`, stays {glue:text}`k:.1f` times above it")
    assert bounds(text) == [("c", "below"), ("d", "above"), ("e", "below"), ("f", "above"),
                            ("k", "below"), ("a", "below"), ("b", "above"), ("g", "either")]


@pytest.mark.parametrize("path", SEEDED, ids=lambda p: p.name)
def test_every_glued_bound_is_rounded_toward_its_claim(path):
    notebook = load(path)
    expressions = glue_calls(notebook)
    unsafe = []
    for cell in cells(notebook, "markdown"):
        for name, direction in bounds(source(cell)):
            if (path.stem, name) in EXEMPT:
                continue
            if not re.search(ROUNDED[direction], expressions.get(name, "")):
                unsafe.append(f"{cell.get('id')}: {name} ({direction})")
    assert not unsafe, (f"{path.name}: bounds glued without rounding toward the claim (use "
                        f"ks.printed_below / ks.printed_above with the role's format): {unsafe}")
