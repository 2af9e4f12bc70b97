"""Causal words only where the page says what stands behind them (issue 26's third mechanism).

A sentence that names a cause ("because", "the cause", "that is why", ...) is a claim that a
measurement alone does not make. Every such word in a page's prose must be registered in
causal_claims.json with what stands behind it:

- "control": the page isolates the cause with a control at a matched budget; `where` names the
  code cell (its id) that runs the control and asserts the difference;
- "algebra": the reason is arithmetic or a derivation shown on the page (`where`: the cell);
- "source": read from a library's source or documentation, which the sentence says;
- "cited": a cited paper's explanation, given as theirs;
- "mechanism": how a program works by construction (what a call does), not a measured effect;
- "not causal": the word does not state a cause here (a table header, "explains the cause").

A registered fragment must still occur in its cell, so a rewritten sentence is registered again,
and an entry that no longer matches anything fails as stale.
"""
import json
import re
from pathlib import Path

import pytest

from bookfiles import BOOK, cells, load, source

REGISTER = Path(__file__).with_name("causal_claims.json")
PAGES = sorted((BOOK / "chapters").glob("*.ipynb")) + sorted((BOOK / "appendix").glob("*.ipynb"))
CAUSAL = re.compile(r"\b(because|the cause|causes?|caused by|what it lacked|cannot be why|is why|"
                    r"due to|thanks to|explains|responsible for|the reason|owing to)\b", re.I)
BASES = {"control", "algebra", "source", "cited", "mechanism", "not causal"}
# Pages whose causal words have not been registered yet (issue 26): their test is an expected
# failure until the register covers them; an unexpected pass fails (strict), so the set shrinks.
NOT_YET_AUDITED = set()  # every page is registered now


def flat(text):
    return " ".join(text.split())


def causal_words(text):
    """(position, word) of every causal word in a cell's prose, outside inline code."""
    text = re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), flat(text))
    return [(m.start(), m.group().lower()) for m in CAUSAL.finditer(text)]


def register():
    entries = json.loads(REGISTER.read_text(encoding="utf-8"))
    for entry in entries:
        assert set(entry) >= {"page", "cell", "words", "basis"}, entry
        assert entry["basis"] in BASES, f"{entry}: basis must be one of {sorted(BASES)}"
        assert CAUSAL.search(entry["words"]), f"{entry['words']!r} holds no causal word"
    return entries


def test_the_finder_skips_code_and_reads_across_lines():
    text = "`because` in code, and the\nloss rises because of it; that is why"
    assert causal_words(text) == [(38, "because"), (58, "is why")]


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="causal words not yet registered"))
    if p.stem in NOT_YET_AUDITED else p for p in PAGES], ids=lambda p: p.name)
def test_every_causal_word_says_what_stands_behind_it(path):
    notebook = load(path)
    code_ids = {c.get("id") for c in cells(notebook, "code")}
    entries = [e for e in register() if e["page"] == path.stem]
    unregistered, stale, missing_control = [], [], []
    for entry in entries:
        if entry["basis"] in ("control", "algebra") and entry.get("where") not in code_ids:
            missing_control.append(f"{entry['cell']}: {entry['words']!r} -> {entry.get('where')}")
    for cell in cells(notebook, "markdown"):
        text = flat(source(cell))
        mine = [e for e in entries if e["cell"] == cell.get("id")]
        spans = []
        for entry in mine:
            at = text.find(flat(entry["words"]))
            if at < 0:
                stale.append(f"{entry['cell']}: {entry['words']!r}")
            spans.append((at, at + len(flat(entry["words"]))))
        for position, word in causal_words(source(cell)):
            if not any(a <= position < b for a, b in spans):
                unregistered.append(f"{cell.get('id')}: ...{text[max(0, position - 60):position + 40]}...")
    known = {c.get("id") for c in cells(notebook, "markdown")}
    stale += [f"{e['cell']} (no such cell)" for e in entries if e["cell"] not in known]
    assert not unregistered, (f"{path.name}: causal words not in {REGISTER.name} "
                              f"(say what isolates the cause, or reword): {unregistered}")
    assert not stale, f"{path.name}: {REGISTER.name} entries that no longer match: {stale}"
    assert not missing_control, f"{path.name}: controls that are not code cells: {missing_control}"
