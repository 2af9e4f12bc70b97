"""Repository-wide pytest hooks.

* No cell raises on purpose: an error demonstration runs inside ``ks.fails_with``, which fails
  the cell when the error does not come (tests/test_structure.py bans the raises-exception tag,
  which Colab ignores).
* The time nbval spends on each notebook is summed and written to ``_build/timings/nbval.json``
  by the controlling process (xdist forwards every report to it) and printed after the run;
  each cell's time goes to ``_build/timings/cells.json`` (``make profile-test`` tabulates it).
  Where BOOK_STRICT_TIMING=1, a notebook whose cells took more than
  ``keeping_state.timing.HARD_LIMIT_S`` in all fails the run (its budget, stated there once).
* Each notebook runs once per ``make test``: when nbval has run every cell of a notebook without
  a failure, the outputs it collected are stored in the website build's execution cache
  (``_build/.jupyter_cache``), so the strict build that follows reuses them instead of running
  the notebook a second time.
* A notebook whose metadata says ``{"robustness": {"run_alone": true}}`` (chapter 5: its timing
  checks compare calls on one core) gets the marker ``run_alone``: ``make test`` runs those
  notebooks after the others, with no notebook beside them. One whose metadata says
  ``{"robustness": {"run_last": true}}`` (the robustness page, which shows what the chapters of
  this build glued) gets ``run_last`` and runs at the very end, after the notebooks it reads.
* When every code cell of a notebook has passed, the values it glued are written to
  ``_build/glued/<name>.json``: the robustness page compares them with the record.
"""
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tools"))

ROOT = Path(__file__).parent
TIMINGS = ROOT / "_build" / "timings"
EXECUTION_CACHE = ROOT / "_build" / ".jupyter_cache"
GLUED = ROOT / "_build" / "glued"
_seconds = defaultdict(float)
_cell_seconds = defaultdict(dict)   # notebook -> {code cell number: seconds}
_executed = defaultdict(dict)   # notebook path -> {cell number: (outputs, passed)}


def _is_notebook_cell(item):
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    try:
        result = yield
    except BaseException:
        if _is_notebook_cell(item):
            _executed[str(item.fspath)][item.cell_num] = (item.test_outputs or [], False)
        raise
    if _is_notebook_cell(item):
        outputs = item.test_outputs or []
        _executed[str(item.fspath)][item.cell_num] = (outputs, True)
        _write_glued_if_complete(item)
    return result


def _write_glued_if_complete(item):
    """After the last code cell of a notebook whose every cell passed: its glued values."""
    import nbformat
    import robustness  # tools/robustness.py reads glued values the same way

    path = str(item.fspath)
    cells = _executed[path]
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    if sorted(cells) != list(range(len(code))) or not all(ok for _, ok in cells.values()):
        return
    executed = {"cells": [{"outputs": cells[n][0]} for n in sorted(cells)]}
    GLUED.mkdir(parents=True, exist_ok=True)
    (GLUED / f"{Path(path).stem}.json").write_text(
        json.dumps(robustness.glued_values(executed), indent=1, sort_keys=True))


def _robustness_metadata(path, cache={}):
    if path not in cache:
        metadata = json.loads(Path(path).read_text()).get("metadata", {})
        cache[path] = metadata.get("robustness", {})
    return cache[path]


def pytest_collection_modifyitems(items):
    for item in items:
        if _is_notebook_cell(item):
            metadata = _robustness_metadata(str(item.fspath))
            if metadata.get("run_alone"):
                item.add_marker(pytest.mark.run_alone)
            if metadata.get("run_last"):
                item.add_marker(pytest.mark.run_last)
    # the notebooks that run last keep their cells' order, after all the others
    items.sort(key=lambda item: _is_notebook_cell(item)
               and bool(_robustness_metadata(str(item.fspath)).get("run_last")))


def pytest_runtest_logreport(report):
    if report.when == "call" and "::Cell " in report.nodeid:
        notebook, cell = report.nodeid.split("::")[:2]
        _seconds[notebook] += report.duration
        _cell_seconds[notebook][cell.split()[-1]] = round(report.duration, 3)


def _executed_notebook(path, cells):
    """The notebook at `path` with nbval's outputs, if nbval ran every code cell and all passed."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    if sorted(cells) != list(range(len(code))) or not all(ok for _, ok in cells.values()):
        return None
    for number, cell in enumerate(code):
        outputs = [nbformat.from_dict(dict(out)) for out in cells[number][0]]
        for out in outputs:
            if out.output_type == "execute_result":
                out.execution_count = number + 1
        cell.outputs, cell.execution_count = outputs, number + 1
    return notebook


def _cache_executions(seconds):
    """Store every fully passed notebook of this process in the build's execution cache."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(EXECUTION_CACHE)
    for path, cells in _executed.items():
        notebook = _executed_notebook(path, cells)
        if notebook is None:
            continue
        bundle = CacheBundleIn(notebook, path, data={"execution_seconds": seconds.get(path, 0)})
        for attempt in range(20):  # two xdist workers may write the database at once
            try:
                cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
                break
            except Exception:  # sqlite "database is locked"
                if attempt == 19:
                    raise
                time.sleep(0.5)


def pytest_sessionfinish(session):
    if _executed:
        seconds = {str(ROOT / k): v for k, v in _seconds.items()}
        _cache_executions(seconds)
    if _seconds and not hasattr(session.config, "workerinput"):
        TIMINGS.mkdir(parents=True, exist_ok=True)
        timings = TIMINGS / "nbval.json"   # make test runs nbval twice: merge the two
        merged = json.loads(timings.read_text()) if timings.exists() else {}
        merged.update(_seconds)
        timings.write_text(json.dumps(merged, indent=1, sort_keys=True))
        cells = TIMINGS / "cells.json"
        by_cell = json.loads(cells.read_text()) if cells.exists() else {}
        by_cell.update(_cell_seconds)
        cells.write_text(json.dumps(by_cell, indent=1, sort_keys=True))
        _fail_over_budget(session)


def _over_budget():
    from keeping_state.timing import HARD_LIMIT_S
    return {name: s for name, s in _seconds.items() if s > HARD_LIMIT_S}


def _fail_over_budget(session):
    """Where timings are enforced, a notebook over its hard limit fails the run."""
    from keeping_state.timing import strict
    if strict() and _over_budget() and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _seconds:
        terminalreporter.section("notebook run times (nbval, s)")
        for notebook, seconds in sorted(_seconds.items()):
            terminalreporter.write_line(f"{seconds:7.1f}  {notebook}")
        from keeping_state.timing import HARD_LIMIT_S, strict
        for notebook, seconds in sorted(_over_budget().items()):
            verdict = "fails the run" if strict() else "reported (BOOK_STRICT_TIMING=1 fails it)"
            terminalreporter.write_line(
                f"OVER BUDGET: {notebook} took {seconds:.1f} s, more than {HARD_LIMIT_S} s: "
                f"{verdict}; see make profile-test for its slowest cells", red=True)
