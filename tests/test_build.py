"""The website builds strictly (-n -W --keep-going), shows what the chapters computed, and works
in a real browser (headless Chromium, offline)."""
import contextlib
import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest

from bookfiles import (CORE_NOT_YET, FILE_NAME_ALT, ROOT, chapters, existing_source, exercises,
                       figure_cells, figure_text, load, sections, toc_files)

HTML = ROOT / "_build" / "html"
REVEAL = ROOT / "node_modules" / "reveal.js" / "dist" / "reveal.js"
PDF = HTML / "keeping-state.pdf"
BUDGET_S = 90          # a chapter's execution budget on a 2-core CPU machine
SLACK = 2              # CI may run the build next to nbval on the same two cores


@contextlib.contextmanager
def once_per_run(name):
    """Hold _build/<name>.lock and say whether this pytest run still has to make <name>: the
    first of several test modules and xdist workers makes it, the others wait and reuse it. The
    stamp is written only when the caller's block succeeds."""
    import fcntl

    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    (ROOT / "_build").mkdir(exist_ok=True)
    stamp = ROOT / "_build" / f"{name}.stamp"
    with open(ROOT / "_build" / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = stamp.exists() and stamp.read_text() == run_id
        if not made:
            stamp.unlink(missing_ok=True)
        yield not made
        stamp.write_text(run_id)


@pytest.fixture(scope="module")
def build():
    """The strict build, made once per pytest run."""
    log_file = ROOT / "_build" / "build.log"
    with once_per_run("build") as needed:
        if needed:
            jb = Path(sys.executable).with_name("jupyter-book")
            run = subprocess.run([str(jb), "build", str(ROOT), "-n", "-W", "--keep-going"],
                                 capture_output=True, text=True)
            log_file.write_text(run.stdout + run.stderr)
            assert run.returncode == 0, "strict build failed:\n" + log_file.read_text()[-6000:]
    return log_file.read_text()


def run_tool(*args):
    run = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                         cwd=ROOT)
    assert run.returncode == 0, f"{args[0]} failed:\n" + (run.stdout + run.stderr)[-4000:]
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def extras(build):
    """The slide decks, the learner copies and the PDF, made once per pytest run from the
    build's executions (as `make slides`, `make exercises` and `make pdf` do). Without npm or
    Chromium they are skipped, except where BOOK_REQUIRE_BROWSER=1 (CI)."""
    with once_per_run("extras") as needed:
        if not needed:
            return
        if not REVEAL.exists():
            if not shutil.which("npm"):
                missing("slides need npm (Node.js) for reveal.js: apt-get install npm")
            run = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT,
                                 capture_output=True, text=True)
            assert run.returncode == 0, "npm ci failed:\n" + run.stdout + run.stderr
        run_tool(ROOT / "tools" / "slides.py")
        run_tool(ROOT / "tools" / "learner_copies.py")
        need_browser()
        run_tool(ROOT / "tools" / "book_pdf.py")


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
    folded = html.count('class="solution dropdown admonition"')
    assert folded == len(exercises(load(notebook))), \
        f"{notebook.name}: {folded} folded solutions on the page, not one per exercise"


def test_chapters_run_within_budget(build):
    """The build's execution cache records each notebook's run time."""
    from jupyter_cache import get_cache

    cache = get_cache(ROOT / "_build" / ".jupyter_cache")
    # The cache keeps a record per executed version of a notebook: the newest one counts.
    records = sorted(cache.list_cache_records(), key=lambda r: r.created)
    seconds = {Path(r.uri).name: r.data.get("execution_seconds", 0) for r in records}
    (ROOT / "_build" / "timings").mkdir(parents=True, exist_ok=True)
    (ROOT / "_build" / "timings" / "build.json").write_text(json.dumps(seconds, indent=1))
    slow = {name: s for name, s in seconds.items() if s > BUDGET_S * SLACK}
    assert not slow, f"chapters over {SLACK}x the {BUDGET_S} s budget: {slow}"


# --- The site as readers see it: headless Chromium on the built pages -----------------------

SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def missing(message):
    """Skip on a reader's machine without a tool; fail where BOOK_REQUIRE_BROWSER=1 (.ci/run
    sets it and installs the tools)."""
    if os.environ.get("BOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(message + ": BOOK_REQUIRE_BROWSER=1 wants it installed (.ci/run does)")
    pytest.skip(message)


def need_browser():
    if CHROMIUM and CHROMEDRIVER and importlib.util.find_spec("selenium"):
        return
    missing("browser test needs Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver) and selenium")


@pytest.fixture(scope="module")
def site(build, extras):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(site):
    need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--window-size=1300,1800",
                 # offline-safe: every host but the local server is unreachable
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def toc_pages():
    return [entry for entry in toc_files() if existing_source(entry)]


def visit(browser, url):
    browser.get(url)
    browser.execute_script("return document.readyState")
    browser.execute_async_script(  # wait until MathJax has typeset, where the page has any
        "const done = arguments[0];"
        "if (window.MathJax && MathJax.startup) { MathJax.startup.promise.then(done); }"
        "else { done(); }")
    return browser


@pytest.mark.parametrize("entry", toc_pages())
def test_page_renders(browser, site, entry):
    url = urljoin(site, entry + ".html")
    visit(browser, url)
    errors = [entry_ for entry_ in browser.get_log("browser")
              if entry_["level"] == "SEVERE" and site in entry_["message"]]
    assert not errors, f"console errors from the site's own scripts: {errors}"
    broken = browser.execute_script(
        "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src)")
    assert not broken, f"images that did not load: {broken}"
    text = browser.find_element("tag name", "body").text
    assert "missing glue" not in text.lower() and "\\(" not in text, "unrendered glue or math"
    full_page_screenshot(browser, SCREENSHOTS / f"{entry.replace('/', '_')}.png")


# The images of the page's own content (not the theme's logos and launch buttons): their alt.
PAGE_ALTS = "return [...document.querySelectorAll('article.bd-article img')]" \
    ".map(i => i.getAttribute('alt') || '')"


def unread_figures(browser):
    """The alt texts of the open page's content images that a screen reader cannot use:
    empty, or a file name (myst-nb's alt for a figure whose cell gives no mystnb.image.alt is
    its path, ../../_images/<hash>.png)."""
    return [alt for alt in browser.execute_script(PAGE_ALTS)
            if not alt.strip() or FILE_NAME_ALT.search(alt)]


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.name)
def test_figures_have_alt_text_on_the_page(browser, site, notebook):
    """On a cut chapter's page (not in CORE_NOT_YET) no content image's alt text is empty or a
    file name, and every alt text the chapter's figure cells give reaches the page
    (tests/test_figures.py checks the metadata itself)."""
    if notebook.stem in CORE_NOT_YET:
        pytest.skip(f"{notebook.stem}: core path not cut yet (bookfiles.CORE_NOT_YET)")
    visit(browser, urljoin(site, f"book/chapters/{notebook.stem}.html"))
    unread = unread_figures(browser)
    assert not unread, f"{notebook.stem}: images whose alt text is empty or a file name: {unread}"
    nb = load(notebook)
    given = {figure_text(nb["cells"][i])[0].strip() for i in figure_cells(nb)} - {""}
    missing = given - {alt.strip() for alt in browser.execute_script(PAGE_ALTS)}
    assert not missing, f"{notebook.stem}: alt texts of the metadata not on the page: {missing}"


def full_page_screenshot(browser, path, width=1300, max_height=20000):
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(height, max_height))
    browser.save_screenshot(str(path))
    browser.set_window_size(width, 1800)


def test_math_is_rendered(browser, site):
    visit(browser, urljoin(site, "book/chapters/02_rnn_by_hand.html"))
    assert browser.execute_script("return document.querySelectorAll('mjx-container').length") > 5


def test_internal_links_resolve(browser, site):
    """Every link to the site reaches a page, and every #anchor exists on it."""
    targets, anchors = set(), {}
    for entry in toc_pages():
        visit(browser, urljoin(site, entry + ".html"))
        hrefs = browser.execute_script("return [...document.links].map(a => a.href)")
        for page, fragment in (urldefrag(h) for h in hrefs if h.startswith(site)):
            targets.add(page)
            if fragment and page.endswith(".html"):
                anchors.setdefault(page, set()).add(fragment)
    dead = []
    for target in sorted(targets):
        try:
            urllib.request.urlopen(target, timeout=10).close()
        except OSError as error:
            dead.append(f"{target}: {error}")
    for page, fragments in anchors.items():
        visit(browser, page)
        dead += [f"{page}#{f}" for f in sorted(fragments)
                 if not browser.execute_script("return !!document.getElementById(arguments[0])", f)]
    assert len(targets) > 10 and not dead, dead


def test_search_finds_a_chapter(browser, site):
    visit(browser, urljoin(site, "search.html?q=alphabet"))
    from selenium.webdriver.support.ui import WebDriverWait

    found = WebDriverWait(browser, 30).until(lambda b: b.execute_script(
        "return [...document.querySelectorAll('#search-results a')].map(a => a.href)"))
    assert any("01_alphabet" in href for href in found), found


def test_launch_buttons_open_the_right_notebook(browser, site):
    visit(browser, urljoin(site, "book/chapters/03_bptt_windows.html"))
    hrefs = browser.execute_script("return [...document.links].map(a => a.href)")
    launch = [h for h in hrefs if "mybinder.org" in h or "colab.research.google.com" in h
              or "2i2c" in h]
    assert len(launch) >= 3, launch
    assert all("book/chapters/03_bptt_windows.ipynb" in h for h in launch), launch
    # the learners branch (tools/learner_branch.py): the plain notebook, not the MyST source
    assert any("/blob/learners/book/chapters/03_bptt_windows.ipynb" in h for h in launch)
    assert any("mybinder.org/v2/gh/" in h and "/learners?" in h for h in launch), launch
    for page in ("book/robustness.html", "book/teaching.html"):  # no learner copy: no button
        visit(browser, urljoin(site, page))
        hrefs = browser.execute_script("return [...document.links].map(a => a.href)")
        assert not [h for h in hrefs if "colab.research.google.com" in h], page


FURTHER_BOXES = """return [...document.querySelectorAll('div.admonition.further')].map(box => {
    const style = getComputedStyle(box), title = box.querySelector('.admonition-title');
    return {title: title ? title.innerText.trim() : '', top: style.borderTopStyle,
            left: style.borderLeftStyle, leftWidth: parseFloat(style.borderLeftWidth),
            topWidth: parseFloat(style.borderTopWidth), visible: box.offsetHeight > 0};
})"""


def test_the_site_shows_the_core_paths_mark(browser, site):
    """Every section a chapter marks as going further (bookfiles.sections) shows its box on
    the page, titled "Going further" and set apart by shape, not colour alone
    (book/_static/further.css: a dashed frame, a broad solid edge)."""
    marked = {path: sum(s["marked"] for s in sections(load(path))) for path in chapters()}
    if not any(marked.values()):
        pytest.skip("no chapter marks a section as going further yet")
    for path, count in marked.items():
        visit(browser, urljoin(site, f"book/chapters/{path.stem}.html"))
        boxes = browser.execute_script(FURTHER_BOXES)
        assert len(boxes) == count, f"{path.stem}: {len(boxes)} boxes for {count} marks"
        for box in boxes:
            assert box["visible"] and box["title"].startswith("Going further"), (path, box)
            assert box["top"] == "dashed" and box["left"] == "solid", (path, box)
            assert box["leftWidth"] > 2 * box["topWidth"], (path, box)


# --- The workshop kit: a slide deck per chapter and the book as one PDF ----------------------

@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.name)
def test_slide_deck_works_offline(browser, site, notebook):
    """Each deck loads with no console errors (every host but the local server is unreachable,
    so a CDN asset would be an error), has more than five slides, and its figures load with an
    alt text that is not a file name; every slide has speaker notes, the deck has a Summary
    slide, and the speaker view (`s`) opens and shows the current slide's notes."""
    from selenium.webdriver.support.ui import WebDriverWait

    url = urljoin(site, f"slides/{notebook.stem}.html")
    browser.get(url)
    slides = browser.execute_script("return window.Reveal && Reveal.isReady() ? "
                                    "Reveal.getTotalSlides() : -1")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"console errors in the {notebook.stem} deck: {errors}"
    assert slides > 5, f"{notebook.stem}: {slides} slides (reveal.js not ready if -1)"
    broken = browser.execute_script(
        "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
    text = browser.find_element("tag name", "body").get_attribute("textContent")
    assert broken == 0 and "{glue" not in text and "{cite" not in text
    alts = browser.execute_script("return [...document.images].map(i => i.alt)")
    named = [a for a in alts if not a.strip() or FILE_NAME_ALT.search(a)]
    assert not named, f"{notebook.stem}: figures whose alt text is empty or a file name: {named}"
    deck = browser.execute_script(  # per slide: its notes' length, its heading (no pilcrow)
        "return Reveal.getSlides().map(s => [(Reveal.getSlideNotes(s) || '').trim().length,"
        " (s.querySelector('h1, h2, h3') || {textContent: ''}).textContent"
        ".replace('\u00b6', '').trim()])")
    assert len(deck) == slides
    bare = [f"{i + 1} ({title})" for i, (notes, title) in enumerate(deck) if not notes]
    assert not bare, f"{notebook.stem}: slides without speaker notes: {bare}"
    assert any(title.startswith("Summary") for _, title in deck), f"{notebook.stem}: no Summary"
    # the speaker view is a popup the notes plugin writes itself; it is read from the deck's
    # window (switching to it would wait for a page load that never completes)
    browser.execute_script(
        "const open = window.open;"
        "window.open = function () { return window.speaker = open.apply(window, arguments); };"
        "Reveal.slide(1); Reveal.getPlugin('notes').open();")
    try:
        shown = WebDriverWait(browser, 30).until(lambda b: b.execute_script(
            "const n = window.speaker && window.speaker.document.querySelector("
            "'.speaker-controls-notes .value'); return n && n.textContent.trim()"))
        assert "The idea" in shown, f"{notebook.stem}: the speaker view shows {shown[:200]!r}"
    finally:
        browser.execute_script("window.speaker && window.speaker.close()")
    browser.execute_script("Reveal.slide(Reveal.getTotalSlides() - 1)")
    browser.save_screenshot(str(SCREENSHOTS / f"slides_{notebook.stem}.png"))


def test_book_pdf(extras):
    """One PDF with every chapter: its page count in a sane range, every toc title in its text."""
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text).lower()
    titles = re.findall(r'^\s*title:\s*"(.+)"', (ROOT / "_toc.yml").read_text(), re.M)
    assert len(titles) >= len(chapters())
    # once in the contents, once as the chapter's heading
    absent = [title for title in titles if text.count(title.lower()) < 2]
    assert not absent, f"titles not twice in the PDF's text: {absent}"
    assert "cc by 4.0" in reader.pages[-1].extract_text().lower(), "the PDF stops early"
    assert 5 * len(chapters()) <= len(reader.pages) <= 400, len(reader.pages)
