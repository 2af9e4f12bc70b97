"""The tests read the book's files with the package's readers (keeping_state.bookfiles)."""
from keeping_state.bookfiles import (BOOK, ROOT, cells, chapter_titles, chapters,  # noqa: F401
                                     existing_source, load, notebooks, pins, python_only,
                                     setup_cell, setup_extras, source, toc_entries, toc_files,
                                     toc_notebooks)
