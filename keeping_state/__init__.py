"""keeping_state: the companion package of the book *Keeping State*.

Plumbing a reader need not read lives here, tested in tests/test_package.py;
what a chapter teaches stays in the chapter. One file per purpose:

- ``__init__``  (standard library only, so that it runs before numpy or
  TensorFlow is imported) ``install()``: the setup cell's repair of a
  learner's environment at the book's pins; ``one_thread()``.
- ``_pins``     the pins, generated from requirements.txt (tools/generate.py).
- ``notebook``  ``start(SEED)``: seeds, determinism, plot style, short
  tracebacks, the versions printed; ``generator(SEED, name)``: one
  experiment's random numbers, independent of the cells run before;
  ``printed_below``/``printed_above``: a bound glued on the safe side.
- ``timing``    the timing policy (``BOOK_STRICT_TIMING``), ``check_timing``,
  ``time_ms``, ``median_ms``, ``machine()``.
- ``saved``     helpers a chapter writes and explains (marked ``#@save``),
  reused by later chapters; generated from the chapters by tools/generate.py.
- ``stack``     many copies of one small model trained at once, update for
  update as ``fit`` trains each (tested; the chapters' engines move here next).
- ``bookfiles`` readers of the book's own files (notebooks, _toc.yml, the
  exercise directives) for the tests, the tools and the back matter.
"""
import importlib.metadata
import os
import re
import subprocess
import sys

from ._pins import PINS
from .notebook import (GLUED, fails_with, generator, glue, printed_above,  # noqa: F401
                       printed_below, stages, start)  # (standard library until called)
from . import stack  # noqa: F401,E402 (imports TensorFlow only when its functions run)

# What every chapter imports; a chapter names what it needs beyond this. (Not myst-nb: ks.glue
# keeps and prints the values without it, and only the website's build needs it.)
CORE = ("tensorflow", "keras", "numpy", "pandas", "matplotlib")
__version__ = "1.0"


def is_older(name, pin):
    """True when package `name` is missing or older than version `pin`."""
    try:
        have = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return True
    numbers = [list(map(int, re.findall(r"\d+", v)[:3])) for v in (have, pin)]
    return numbers[0] < numbers[1]


def install(*extra, dry_run=False):
    """Install the book's pins of CORE and `extra` where they are missing or
    older (Colab, a hub, a bare laptop); else do nothing. Returns the list of
    requirements installed ("name==version")."""
    unknown = [name for name in extra if name not in PINS]
    if unknown:
        raise ValueError(f"install: {unknown} are not pinned by the book; "
                         f"pinned: {sorted(PINS)}")
    names = dict.fromkeys((*CORE, *extra))
    wanted = [f"{n}=={PINS[n]}" for n in names if is_older(n, PINS[n])]
    if wanted and not dry_run:
        print(f"Setup: installing {', '.join(wanted)} and what they need (a minute or "
              "two on a fresh machine; pip's progress follows) ...", flush=True)
        run_pip(["install", "--progress-bar", "off", *wanted])
    loaded = [w for w in wanted
              if w.split("==")[0].replace("-", "_") in sys.modules]
    if loaded and not dry_run:
        raise RuntimeError(f"{loaded} were imported before this cell and are now "
                           "upgraded: restart the kernel (Colab: Runtime > "
                           "Restart session) and run all cells again.")
    print("Setup: installed", ", ".join(wanted) or "nothing (all present)")
    return wanted


PIP = [sys.executable, "-m", "pip"]
SHOWN = ("Collecting", "Downloading", "Installing", "Successfully", "Attempting",
         "WARNING", "ERROR", "error:")  # pip's lines a learner needs; not "already satisfied"


def run_pip(arguments):
    """Run pip with `arguments`, printing its progress and warnings as they come (a line per
    package, not a wall of "Requirement already satisfied"); raise with its output's tail
    if it fails."""
    process = subprocess.Popen([*PIP, *arguments], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1)
    tail = []
    for line in process.stdout:
        tail = (tail + [line.rstrip()])[-30:]
        if line.lstrip().startswith(SHOWN):
            print("  pip:", line.strip(), flush=True)
    if process.wait() != 0:
        raise RuntimeError(f"pip {' '.join(arguments)} failed:\n" + "\n".join(tail))


THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                    "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def one_thread():
    """Hold numpy's BLAS to one thread (for timings). Must run before numpy is
    imported; TensorFlow's own threads are set by notebook.start."""
    if "numpy" in sys.modules:
        import warnings
        warnings.warn("numpy is already loaded: restart the kernel to time on "
                      "one thread", stacklevel=2)
    os.environ.update({name: "1" for name in THREAD_VARIABLES})
