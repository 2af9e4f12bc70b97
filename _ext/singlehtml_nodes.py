"""Let the single-page build (`make pdf`) render every node the website renders.

Sphinx looks up a node's HTML visitors under the builder's name ("singlehtml") and only falls
back to the format ("html") when no extension registered anything under that name. Some do, so
myst-nb's hidden-code node (registered for "html" only) stopped the singlehtml build with
"unknown node type: HideCodeCellNode". Copying the missing "html" visitors fixes it.
"""


def copy_html_visitors(app):
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        single.setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", copy_html_visitors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
