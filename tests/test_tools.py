"""The tools: learner copies keep every exercise and drop every solution; the robustness run
refuses bad seeds and names the chapter, seed and check that fail."""
import json
import os
import re
import subprocess
import sys

import pytest

import bookfiles
from bookfiles import ROOT, cells, chapters, load, source


def test_learner_copies(tmp_path):
    """make exercises: two plain notebooks per chapter, no MyST markup left in either; the
    exercises copy keeps every code cell but the solutions' (plus an answer cell per
    exercise), the other adds the solutions' code at the end; both carry the package."""
    sys.path.insert(0, str(ROOT / "tools"))
    import plain_notebooks

    run = subprocess.run([sys.executable, str(ROOT / "tools" / "learner_copies.py"),
                          "--out", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for chapter in chapters():
        book = load(chapter)
        solution = bookfiles.solution_cells(book)
        kept = [source(c) for i, c in enumerate(book["cells"])
                if c["cell_type"] == "code" and i not in solution]
        solved = [source(book["cells"][i]) for i in sorted(solution)
                  if book["cells"][i]["cell_type"] == "code"]
        n_exercises = len(bookfiles.exercises(book))
        for suffix, with_solutions in (("", False), ("-with-solutions", True)):
            copy = json.loads((tmp_path / f"{chapter.stem}{suffix}.ipynb").read_text())
            assert plain_notebooks.myst_left(copy) == []
            text = "\n".join(source(c) for c in cells(copy, "markdown"))
            assert "{glue" not in text and "{cite}" not in text and "```{" not in text
            assert text.count("### <a id=") == n_exercises, "one heading per exercise"
            assert text.count("not on the workshop's core path") == sum(
                s["marked"] for s in bookfiles.sections(book)), "one marker per marked section"
            code = [source(c) for c in cells(copy, "code")]
            assert code[0].startswith("# This learner copy carries")
            answers = [c for c in code if c == "# Your answer here\n"]
            assert len(answers) == n_exercises
            rest = [c for c in code[1:] if c != "# Your answer here\n"]
            assert rest == kept + (solved if with_solutions else [])
            assert ("## Solutions" in text) == (with_solutions and bool(solved))
    # the package cell unpacks exactly keeping_state/*.py
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    subprocess.run([sys.executable, "-c", code[0]], cwd=unpacked, check=True)
    for module in (ROOT / "keeping_state").glob("*.py"):
        assert (unpacked / "keeping_state" / module.name).read_bytes() == module.read_bytes()
    index = (tmp_path / "index.html").read_text()
    assert all(f'href="{chapter.name}"' in index for chapter in chapters())


def test_plain_markdown_turns_myst_into_what_jupyter_shows(tmp_path):
    """Each MyST construct the chapters use, converted: glue (with its format), cite, a
    label and a reference to it, a link to another page, an admonition, an exercise."""
    sys.path.insert(0, str(ROOT / "tools"))
    import plain_notebooks

    page = ROOT / "book" / "chapters" / "07_example.ipynb"
    convert = plain_notebooks.Converter(
        page, {"gap": 0.012345, "n": 3}, {"k1": "Smith 2020"},
        {"here": "book/chapters/07_example", "there": "book/appendix/other"},
        "https://site.example/")
    text, had_exercise = convert.markdown(
        "(here)=\n## Title\nErr {glue:text}`gap:.2e` over {glue:text}`n` runs "
        "{cite}`k1`; see [above](here), [there](there), [p](../robustness.ipynb#x).\n"
        "```{admonition} Note well\n:class: tip\n\nBody {glue:text}`gap:.0%`\n```\n"
        "````{exercise}\n:label: ex-a\n\nDo it.\n````")
    assert '<a id="here"></a>' in text and "**1.23e-02**" in text and "**3**" in text
    assert "(Smith 2020)" in text and "[above](#here)" in text
    assert "[there](https://site.example/book/appendix/other.html#there)" in text
    assert "[p](https://site.example/book/robustness.html#x)" in text
    assert "> **Note well**" in text and "> Body **1%**" in text
    assert '### <a id="ex-a"></a>Exercise 7.1' in text and had_exercise
    assert plain_notebooks.MYST_LEFT.search(text) is None
    with pytest.raises(KeyError, match="no book value for glued 'missing'"):
        convert.markdown("{glue:text}`missing:.1f`")


def test_the_plain_notebook_marks_what_goes_further(tmp_path, monkeypatch):
    """A section marked "Going further" (bookfiles.sections reads the mark) gets a quote in
    the learner copy saying it is off the core path and where the core path goes on; its
    subsections and the core sections get none, and a "Going further" box outside a heading
    cell is no mark (a plain quote, as on the site)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import plain_notebooks

    monkeypatch.setattr(plain_notebooks, "ROOT", tmp_path)
    mark = "```{admonition} Going further\n:class: seealso further\nFor the curious.\n```"
    book = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# A page\n\nIts opening."},
        {"cell_type": "markdown", "metadata": {}, "source": "## Core\n\nTaught."},
        {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [],
         "execution_count": None},
        {"cell_type": "markdown", "metadata": {}, "source": f"## More\n\n{mark}\n\nText."},
        {"cell_type": "markdown", "metadata": {}, "source": "### Deeper\n\nStill further."},
        {"cell_type": "markdown", "metadata": {}, "source": "## Summary\n\n- Done."},
        {"cell_type": "markdown", "metadata": {}, "source": f"Text first.\n\n{mark}"},
        {"cell_type": "markdown", "metadata": {}, "source": f"## Last\n\n{mark}"}]}
    page = tmp_path / "book" / "chapters" / "07_page.ipynb"
    page.parent.mkdir(parents=True)
    page.write_text(json.dumps(book))
    assert [s["marked"] for s in bookfiles.sections(book)] == [False, False, True, False,
                                                                False, True]
    copy = plain_notebooks.plain_notebook(page, values={}, cites={}, labels={},
                                          site="https://site.example/")
    texts = [source(c) for c in cells(copy, "markdown")]
    assert plain_notebooks.myst_left(copy) == []
    more = next(t for t in texts if t.startswith("## More"))
    assert ("> **Going further** \u2014 not on the workshop's core path: a workshop session "
            "skips this section (run its cells all the same); the core path goes on at "
            "\u201cSummary\u201d.\n>\n> For the curious.") in more
    assert more.endswith("\n\nText.")
    last = next(t for t in texts if t.startswith("## Last"))
    assert "core path: a workshop session skips this section" in last
    assert "the rest of the page goes further too." in last
    unmarked = next(t for t in texts if t.startswith("Text first."))
    assert "> **Going further**\n>\n> For the curious." in unmarked
    assert sum("not on the workshop's core path" in t for t in texts) == 2
    assert [source(c) for c in cells(copy, "code")] == ["x = 1"]


# --- make robustness -------------------------------------------------------------------------
ROBUSTNESS = [sys.executable, str(ROOT / "tools" / "robustness.py")]


@pytest.mark.parametrize("seeds", ["abc", "", "1 -2"])
def test_robustness_refuses_bad_seeds_at_once(seeds, tmp_path):
    run = subprocess.run(ROBUSTNESS + ["--seeds", seeds, "--out", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and 'SEEDS="1 2 3"' in run.stderr, run.stderr
    assert not (tmp_path / "r.json").exists()


def toy_notebook(path):
    """A notebook whose check holds for its own seed (0) and fails for seed 2."""
    def cell(text, tags=()):
        return {"cell_type": "code", "execution_count": None, "id": f"c{len(text)}",
                "metadata": {"tags": list(tags)}, "outputs": [], "source": text}
    notebook = {"cells": [cell("SEED = 0", ["parameters"]),
                          cell("from myst_nb import glue\nglue('double', 2 * SEED, "
                               "display=False)"),
                          cell("assert SEED != 2, 'the toy claim fails for seed 2'")],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))
    return path


def test_robustness_names_the_chapter_seed_and_check(tmp_path):
    toy = toy_notebook(tmp_path / "toy.ipynb")
    out = tmp_path / "r.json"
    run = subprocess.run(ROBUSTNESS + ["--seeds", "2", "--out", str(out), str(toy)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "toy with SEED = 2" in run.stderr and "assert SEED != 2" in run.stderr, run.stderr
    assert "the toy claim fails for seed 2" in run.stderr
    assert re.search(r"^\[\d/2\] toy seed 0: ok", run.stdout, flags=re.M), run.stdout
    chapter = json.loads(out.read_text())["chapters"]["toy"]
    assert chapter["values"]["double"] == {"0": 0.0, "2": 4.0}
    assert chapter["failed"] == [2] and chapter["own_seed"] == 0


def test_doctor_says_what_to_run_when_packages_are_missing(tmp_path):
    """make doctor outside the book's environment: a bare venv has none of the packages, and the
    verdict names the command that installs them. (nbval runs the same checks in the book's own
    environment, where check_setup.ipynb asserts READY when BOOK_EXPECT_READY=1, as in CI.)"""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")],
                   check=True)
    # Without BOOK_EXPECT_READY: with it the notebook asserts READY, which is right for the
    # book's own environment and wrong for this deliberately bare one.
    env = {key: value for key, value in os.environ.items() if key != "BOOK_EXPECT_READY"}
    run = subprocess.run([str(tmp_path / "bare" / "bin" / "python"),
                          str(ROOT / "tools" / "doctor.py")],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 1, run.stdout + run.stderr[-2000:]
    verdict = [line for line in run.stdout.splitlines() if line.startswith("NOT READY")]
    assert verdict and "-m pip install tensorflow==" in verdict[0], run.stdout
    assert "tiny LSTM: skipped" in run.stdout and "make venv" in run.stdout


def test_robustness_merge_drops_names_no_longer_glued(tmp_path):
    """Rerunning every seed of a notebook replaces its record: a name it no longer glues goes."""
    sys.path.insert(0, str(ROOT / "tools"))
    import robustness
    out, path = tmp_path / "r.json", tmp_path / "ch.ipynb"
    parameters = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "SEED = 0"}
    path.write_text(json.dumps({"cells": [parameters], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    robustness.write_record(out, [path], [1], {(path, 1): (True, 1.0, {"old": 1.0, "kept": 2.0}),
                                               (path, 0): (True, 1.0, {"old": 1.5, "kept": 2.5})})
    robustness.write_record(out, [path], [1], {(path, 1): (True, 1.0, {"kept": 3.0}),
                                               (path, 0): (True, 1.0, {"kept": 3.5})},
                            merge=True)
    values = json.loads(out.read_text())["chapters"]["ch"]["values"]
    assert values == {"kept": {"0": 3.5, "1": 3.0}}


def test_robustness_runs_other_numerics_with_their_environment(tmp_path):
    """--numerics runs each notebook at its own seed in the variant's environment (the toy glues
    what it sees) and records those runs apart from the usual ones, with the machine."""
    toy = toy_notebook(tmp_path / "toy.ipynb")
    notebook = json.loads(toy.read_text())
    notebook["cells"][1]["source"] = (
        "import os\nfrom myst_nb import glue\n"
        "glue('onednn', os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset'), display=False)\n"
        "glue('strict', os.environ.get('BOOK_STRICT_TIMING', 'unset'), display=False)")
    toy.write_text(json.dumps(notebook))
    out = tmp_path / "r.json"
    run = subprocess.run(ROBUSTNESS + ["--seeds", "", "--numerics", "onednn-off", "--out",
                                       str(out), str(toy)], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "BOOK_STRICT_TIMING": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "toy seed 0 under onednn-off numerics: ok" in run.stdout
    chapter = json.loads(out.read_text())["chapters"]["toy"]
    variant = chapter["numerics"]["onednn-off"]
    assert variant["values"] == {"onednn": {"0": 0.0}, "strict": {"0": "unset"}}
    assert variant["environment"] == {"TF_ENABLE_ONEDNN_OPTS": "0"} and not variant["failed"]
    assert chapter["values"] == {} and "vector" in variant["machine"]
    bad = subprocess.run(ROBUSTNESS + ["--numerics", "avx3", str(toy)], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode != 0 and "choose from" in bad.stderr, bad.stderr


def test_nbval_run_writes_what_a_notebook_glued(tmp_path):
    """conftest.py: once every cell of a notebook has passed under nbval, its glued values are in
    _build/glued/<name>.json (the robustness page shows them as 'this build')."""
    toy = toy_notebook(tmp_path / "glued_toy.ipynb")
    written = ROOT / "_build" / "glued" / "glued_toy.json"
    written.unlink(missing_ok=True)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p",
                          "no:cacheprovider", "-n", "0", "--nbval-lax", "-m", "",
                          "--rootdir", str(tmp_path), "-c", "/dev/null", str(toy)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert json.loads(written.read_text()) == {"double": 0.0}
    finally:
        written.unlink(missing_ok=True)


def test_learner_branch_holds_a_plain_notebook_for_every_launch_button(tmp_path):
    """tools/learner_branch.py: at the path of every page a learner launches, its plain
    notebook (no MyST, the package carried where the page imports it); the maintainers' pages
    are left out (the site shows them no launch button); Binder's files; a README; and --push
    makes the one commit of branch `learners` on the remote."""
    sys.path.insert(0, str(ROOT / "tools"))
    import plain_notebooks

    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    out = tmp_path / "learners"
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "learner_branch.py"),
                          "--out", str(out), "--push", str(remote)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    pages = bookfiles.learner_pages()
    assert {p.stem for p in pages} >= {c.stem for c in chapters()} | {"check_setup"}
    assert not {p.relative_to(ROOT).with_suffix("").as_posix() for p in pages} & set(
        bookfiles.MAINTAINER_PAGES)
    for page in pages:
        copy = json.loads((out / page.relative_to(ROOT)).read_text())
        assert plain_notebooks.myst_left(copy) == [], page.name
        code = [source(c) for c in cells(copy, "code")]
        if any("keeping_state" in c for c in code[1:]):
            assert code[0].startswith("# This learner copy carries"), page.name
    for name in ("requirements.txt", "runtime.txt"):
        assert (out / "binder" / name).read_bytes() == (ROOT / "binder" / name).read_bytes()
    assert "do not edit" in (out / "README.md").read_text()
    listed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only",
                             "learners"], capture_output=True, text=True, check=True).stdout
    assert "book/chapters/03_bptt_windows.ipynb" in listed.split()
    assert not (out / "book" / "robustness.ipynb").exists()


def test_profile_times_every_cell_and_flags_a_notebook_over_budget(tmp_path, monkeypatch):
    """make profile: a notebook run alone gets one time per code cell (nbclient's stamps) and
    its total; the table names its slowest cell and marks a total over the hard limit."""
    sys.path.insert(0, str(ROOT / "tools"))
    import cell_times as book_profile  # tools/cell_times.py

    notebook = tmp_path / "slow.ipynb"
    notebook.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# t"},
                  {"cell_type": "code", "id": "quick", "metadata": {}, "outputs": [],
                   "execution_count": None, "source": "x = 1"},
                  {"cell_type": "code", "id": "sleepy", "metadata": {}, "outputs": [],
                   "execution_count": None, "source": "import time\ntime.sleep(0.5)"}]}))
    monkeypatch.setattr(book_profile, "EXECUTED", tmp_path / "executed")
    run = book_profile.run_alone(notebook)
    seconds = {c["id"]: c["seconds"] for c in run["cells"]}
    assert set(seconds) == {"quick", "sleepy"} and seconds["sleepy"] >= 0.5 > seconds["quick"]
    assert run["total"] >= seconds["sleepy"]
    text = book_profile.table({"how": "test", "notebooks": {
        "slow": run, "huge": {"total": book_profile.HARD_LIMIT_S + 1.0, "cells": run["cells"]}}})
    assert "`sleepy` import time" in text.splitlines()[6]
    assert "huge | 91.0 **over**" in text.replace(str(book_profile.HARD_LIMIT_S + 1.0), "91.0")
    with pytest.raises(SystemExit, match="no such notebook"):
        book_profile.main([str(tmp_path / "missing.ipynb")])
