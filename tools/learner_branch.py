"""The `learners` branch: what the site's Colab, Binder and JupyterHub buttons open.

sphinx-book-theme builds each page's launch links from _config.yml's repository URL and branch
(`learners`) and the page's path, so this branch holds, at the path of every page a learner runs
(bookfiles.learner_pages(): the chapters, the appendix, the setup check), its plain notebook
(tools/plain_notebooks.py: no MyST markup, the book's numbers in bold, solutions gathered at the
end, the companion package in a cell), plus binder/requirements.txt and binder/runtime.txt for
Binder and a README saying where it came from. The deploy workflow assembles and pushes it on
every push to main; nothing on it is edited by hand.
Usage: python tools/learner_branch.py [--out DIR] [--push REMOTE]
"""
import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRANCH = "learners"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from keeping_state import bookfiles  # noqa: E402
import learner_copies  # noqa: E402
import plain_notebooks  # noqa: E402

README = """# The learner notebooks of "Keeping State"

Generated from `{commit}` of the book's `main` branch by `tools/learner_branch.py`; do not edit
here. Each notebook is the plain version of a page of the book ({site}): it runs top to bottom in
Colab, Binder, a JupyterHub, VS Code or Jupyter, installs what it needs, and carries the book's
companion package. Binder builds its environment from `binder/`.
"""


def assemble(out):
    """Write the branch's files into `out` (emptied first); return the notebooks' paths."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shared = dict(cites=plain_notebooks.citations(), labels=plain_notebooks.labels_by_page(),
                  site=plain_notebooks.site_url())
    written = []
    for path in bookfiles.learner_pages():
        notebook = plain_notebooks.plain_notebook(path, "end", **shared)
        left = plain_notebooks.myst_left(notebook)
        if left:
            raise SystemExit(f"{path.name}: MyST markup left in the plain copy: {left[:5]}")
        if any("keeping_state" in bookfiles.source(c)
               for c in bookfiles.cells(notebook, "code")):
            notebook = learner_copies.carry_package(notebook)
        target = out / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        written.append(target)
    (out / "binder").mkdir(parents=True)
    for name in ("requirements.txt", "runtime.txt"):
        shutil.copy(ROOT / "binder" / name, out / "binder" / name)
    (out / "README.md").write_text(README.format(commit=_commit(),
                                                 site=shared["site"]), encoding="utf-8")
    return written


def push(out, remote):
    """Commit `out` as the one commit of the branch and force-push it to `remote`."""
    def git(*args):
        subprocess.run(["git", *args], cwd=out, check=True)
    git("init", "-q", "-b", BRANCH)
    git("add", "-A")
    git("-c", "user.name=keeping-state build", "-c", "user.email=build@keeping-state.invalid",
        "commit", "-q", "-m", f"Learner notebooks from {_commit()}")
    git("push", "-q", "--force", str(remote), f"{BRANCH}:{BRANCH}")


def _commit():
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True)
    return run.stdout.strip() or "an uncommitted tree"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / BRANCH)
    parser.add_argument("--push", metavar="REMOTE", help="a git remote URL or path")
    args = parser.parse_args(argv)
    written = assemble(args.out)
    print(f"{len(written)} learner notebooks in {args.out}")
    if args.push:
        push(args.out, args.push)
        print(f"pushed to {args.push}, branch {BRANCH}")


if __name__ == "__main__":
    main()
