"""The tests read the book's files with the package's readers (keeping_state.bookfiles)."""
from keeping_state.bookfiles import (BOOK, CORE_NOT_YET, FILE_NAME_ALT,  # noqa: F401
                                     GLUE_ROLE, MAINTAINER_PAGES, ROOT,
                                     ExerciseFormatError, cells, chapter_titles, chapters,
                                     exercise_statements, exercises, existing_source,
                                     figure_cells, figure_text, further_cells, glue_calls,
                                     glued_in_prose, learner_pages,
                                     load, notebooks, pins, python_only, sections, setup_cell,
                                     setup_extras, solution_cells, solution_spans, source,
                                     start_call, toc_entries, toc_files, toc_notebooks,
                                     without_solutions)
