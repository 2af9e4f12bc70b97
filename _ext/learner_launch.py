"""Launch buttons only where a learner notebook exists.

The Colab, Binder and JupyterHub buttons open the page's plain notebook on the `learners` branch
(_config.yml's repository branch; tools/learner_branch.py writes it). The maintainers' pages
(keeping_state.bookfiles.MAINTAINER_PAGES) read the repository itself and have no learner copy,
so their launch group is removed instead of pointing at a notebook that is not there.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from keeping_state.bookfiles import MAINTAINER_PAGES  # noqa: E402


def drop_launch(app, pagename, templatename, context, doctree):
    if pagename in MAINTAINER_PAGES and "header_buttons" in context:
        context["header_buttons"] = [b for b in context["header_buttons"]
                                     if b.get("label") != "launch-buttons"]


def setup(app):
    app.connect("html-page-context", drop_launch, priority=502)  # after the theme's, at 501
    return {"parallel_read_safe": True, "parallel_write_safe": True}
