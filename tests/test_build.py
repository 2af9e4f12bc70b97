"""The website builds strictly (-n -W --keep-going) and shows what the chapters computed."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bookfiles import ROOT, chapters

HTML = ROOT / "_build" / "html"
BUDGET_S = 90          # a chapter's execution budget on a 2-core CPU machine
SLACK = 2              # CI may run the build next to nbval on the same two cores


@pytest.fixture(scope="module")
def build():
    jb = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run([str(jb), "build", str(ROOT), "-n", "-W", "--keep-going"],
                         capture_output=True, text=True)
    log = run.stdout + run.stderr
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "build.log").write_text(log)
    assert run.returncode == 0, "strict build failed:\n" + log[-6000:]
    return log


def page(notebook):
    return HTML / notebook.relative_to(ROOT).with_suffix(".html")


def test_index_exists(build):
    assert (HTML / "index.html").exists()


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.name)
def test_chapter_page_shows_outputs(build, notebook):
    html = page(notebook).read_text(encoding="utf-8")
    assert "cell_output" in html, f"{notebook.name}: page shows no executed output"
    assert re.search(r'<img[^>]+src="[^"]+\.png"', html), f"{notebook.name}: page shows no figure"
    assert "missing glue" not in html.lower()
    assert "exercise" in html and "dropdown" in html


def test_chapters_run_within_budget(build):
    """The build's execution cache records each notebook's run time."""
    from jupyter_cache import get_cache

    cache = get_cache(ROOT / "_build" / ".jupyter_cache")
    seconds = {Path(r.uri).name: r.data.get("execution_seconds", 0)
               for r in cache.list_cache_records()}
    (ROOT / "_build" / "timings").mkdir(parents=True, exist_ok=True)
    (ROOT / "_build" / "timings" / "build.json").write_text(json.dumps(seconds, indent=1))
    slow = {name: s for name, s in seconds.items() if s > BUDGET_S * SLACK}
    assert not slow, f"chapters over {SLACK}x the {BUDGET_S} s budget: {slow}"
