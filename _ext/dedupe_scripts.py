"""Drop repeated <script> entries from every page.

jupyter-book 1.0.4 registers sphinx-thebe's inline configuration twice, so each page declared
`const THEBE_JS_URL` twice and the browser logged "Identifier 'THEBE_JS_URL' has already been
declared" (tests/test_build.py::test_page_renders caught it). Keeping the first of identical
entries changes nothing else.
"""


def dedupe(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # the two copies differ only in filename None vs "" (both mean "inline")
        key = (getattr(script, "filename", script) or "",
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

