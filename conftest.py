"""Repository-wide pytest hooks.

* A notebook cell tagged ``raises-exception`` must really raise: nbval only *allows* the error,
  so a demo that silently stops failing (an API change, a fixed bug) would otherwise go unnoticed.
* The time nbval spends on each notebook is summed and written to ``_build/timings/nbval.json``
  by the controlling process (xdist forwards every report to it) and printed after the run.
"""
import json
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).parent
TIMINGS = ROOT / "_build" / "timings"
_seconds = defaultdict(float)


def _is_notebook_cell(item):
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    if _is_notebook_cell(item) and "raises-exception" in item.cell.metadata.get("tags", []):
        outputs = item.test_outputs or []
        if not any(out.get("output_type") == "error" for out in outputs):
            pytest.fail(
                f"cell {item.cell_num} of {item.fspath.basename} is tagged raises-exception "
                "but raised nothing: the failure it demonstrates no longer happens",
                pytrace=False,
            )
    return result


def pytest_runtest_logreport(report):
    if report.when == "call" and "::Cell " in report.nodeid:
        _seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_sessionfinish(session):
    if _seconds and not hasattr(session.config, "workerinput"):
        TIMINGS.mkdir(parents=True, exist_ok=True)
        (TIMINGS / "nbval.json").write_text(json.dumps(_seconds, indent=1, sort_keys=True))


def pytest_terminal_summary(terminalreporter):
    if _seconds:
        terminalreporter.section("notebook run times (nbval, s)")
        for notebook, seconds in sorted(_seconds.items()):
            terminalreporter.write_line(f"{seconds:7.1f}  {notebook}")
