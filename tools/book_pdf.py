"""The whole book as one PDF (`make pdf`): the single-page HTML build, printed by headless Chromium.

`jupyter-book build --builder singlehtml` reuses the execution cache of `make book` (no chapter
runs again); Debian's Chromium, driven by selenium as in the browser test, opens the page offline,
waits for MathJax, unfolds the exercise solutions and hidden code, and prints to A4.
Output: _build/html/keeping-state.pdf (linked from the front page), and its page count on stdout.
Usage: python tools/book_pdf.py [--out FILE] [--skip-build]
"""
import argparse
import base64
import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
PDF = ROOT / "_build" / "html" / "keeping-state.pdf"
UNFOLD = """
const style = document.createElement('style');
style.textContent = '.skip-link, .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary,'
    + ' .bd-header-article, .search-button, button, .prev-next-area { display: none !important; }';
document.head.appendChild(style);
document.querySelectorAll('details').forEach(d => d.open = true);
document.querySelectorAll('.toggle-hidden, .tag_hide-input .cell_input')
    .forEach(e => e.classList.remove('toggle-hidden'));
"""


def build_single_page():
    jb = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run([str(jb), "build", str(ROOT), "--builder", "singlehtml"],
                         capture_output=True, text=True)
    if run.returncode != 0 or not (SINGLE / "book" / "intro.html").exists():
        raise SystemExit("pdf: the single-page build failed:\n" + (run.stdout + run.stderr)[-4000:])


def chromium():
    """A headless Chromium (selenium), offline, or SystemExit saying what to install."""
    browser = shutil.which("chromium") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        raise SystemExit("pdf: needs Debian's chromium and chromium-driver "
                         "(sudo apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def print_page(url, out):
    from selenium.webdriver.common.print_page_options import PrintOptions

    browser = chromium()
    try:
        browser.set_script_timeout(120)
        browser.get(url)
        browser.execute_async_script(
            "const done = arguments[0];"
            "if (window.MathJax && MathJax.startup) { MathJax.startup.promise.then(done); }"
            "else { done(); }")
        browser.execute_script(UNFOLD)
        browser.execute_async_script(  # every figure loaded before the print
            "const done = arguments[0];"
            "const images = [...document.images];"
            "images.forEach(i => i.loading = 'eager');"
            "Promise.all(images.map(i => i.complete ? null : new Promise("
            "  r => { i.onload = r; i.onerror = r; }))).then(done);")
        options = PrintOptions()
        options.page_width, options.page_height = 21.0, 29.7  # A4, in cm
        options.background = True
        out.write_bytes(base64.b64decode(browser.print_page(options)))
    finally:
        browser.quit()


def page_count(path):
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PDF)
    parser.add_argument("--skip-build", action="store_true",
                        help="print the existing _build/singlehtml")
    args = parser.parse_args(argv)
    if not args.skip_build:
        build_single_page()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(SINGLE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        # the root page itself: index.html only redirects to it, and a print during the
        # redirect catches whatever part of the page had loaded
        print_page(f"http://127.0.0.1:{server.server_address[1]}/book/intro.html", args.out)
    finally:
        server.shutdown()
    print(f"pdf: {args.out.relative_to(ROOT)}, {page_count(args.out)} pages")


if __name__ == "__main__":
    main()
