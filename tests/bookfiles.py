"""The tests read the book's files with the package's readers (keeping_state.bookfiles)."""
from keeping_state.bookfiles import (BOOK, ROOT, ExerciseFormatError, cells,  # noqa: F401
                                     chapter_titles, chapters, exercise_statements, exercises,
                                     existing_source, load, notebooks, pins, python_only,
                                     setup_cell, setup_extras, solution_cells, solution_spans,
                                     source, start_call, toc_entries, toc_files,
                                     toc_notebooks, without_solutions)
