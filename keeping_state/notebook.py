"""The start of every chapter (one call after the SEED cell) and its helpers."""
import contextlib
import math
import os
import re
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads


def start(seed, *needs, one_thread=False, tf_threads=1, figsize=(7, 3.2)):
    """The chapter's start, in the cell after SEED's: install the book's pins
    of the core packages and of `needs` where missing or older (install()),
    hold numpy's BLAS to one thread if asked (one_thread, before numpy loads),
    give TensorFlow `tf_threads` threads in each of its two pools (inter-op
    and intra-op; None keeps its defaults, one per core, except that
    one_thread then holds its kernels, the intra-op pool, to one), then seed Python,
    numpy and Keras with `seed`, make TensorFlow's kernels deterministic, set
    the book's plot style and short tracebacks (an error demonstration shows
    its message, not the library's internals).

    tf_threads=1 is the book's default: its models are so small that a
    second thread only adds hand-offs between threads (on 2 cores chapter 3
    ran in 62 s instead of 96 s, with the same glued results), and two
    notebooks side by side no longer fight over the cores."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
    from . import install
    from . import one_thread as hold_numpy_to_one_thread
    install(*needs)
    if one_thread:
        hold_numpy_to_one_thread()
    with _native_stderr_silenced():  # TensorFlow's C++ start-up notes, not errors
        import keras
        import matplotlib.pyplot as plt
        import tensorflow as tf

    if tf_threads is not None:
        _hold_tensorflow_threads(tf, tf_threads)
    elif one_thread and tf.config.threading.get_intra_op_parallelism_threads() != 1:
        tf.config.threading.set_intra_op_parallelism_threads(1)  # kernels only
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    plt.rcParams.update({"figure.figsize": figsize, "axes.grid": True})
    try:
        ipython = get_ipython()  # noqa: F821 (defined inside IPython only)
    except NameError:
        ipython = None
    if ipython is not None:
        ipython.run_line_magic("xmode", "Minimal")
    pools = tf.config.threading.get_inter_op_parallelism_threads()
    print(f"Keras {keras.__version__}, TensorFlow {tf.__version__}, "
          f"SEED = {seed}" + (f", TensorFlow threads: {pools} per pool"
                              if pools else ""))


def _hold_tensorflow_threads(tf, threads):
    """Both of TensorFlow's thread pools to `threads`, or a warning if
    TensorFlow has already started with other pools."""
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"tf_threads must be a whole number >= 1 or None, not "
                         f"{threads!r}")
    pools = tf.config.threading
    if (pools.get_inter_op_parallelism_threads() == threads
            and pools.get_intra_op_parallelism_threads() == threads):
        return
    try:
        pools.set_inter_op_parallelism_threads(threads)
        pools.set_intra_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow ran an operation before start()
        import warnings
        warnings.warn(f"TensorFlow has already started: restart the kernel to "
                      f"run it on {threads} thread(s) per pool (run times "
                      "differ, results do not)", stacklevel=3)


@contextlib.contextmanager
def _native_stderr_silenced():
    """File descriptor 2 to /dev/null for the block: TensorFlow's C++ code writes its
    start-up notes ("All log messages before absl::InitializeLog()...", oneDNN's) there,
    past Python and TF_CPP_MIN_LOG_LEVEL. Python's own exceptions are unaffected."""
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (some embedded kernels): nothing to silence
        yield
        return
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(sink)


def generator(seed, name):
    """A numpy generator for one experiment: its draws depend on the seed and
    the experiment's name only, not on which cells ran before (rerunning one
    cell leaves every other experiment's data alone)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name the experiment with a non-empty string, not {name!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
    import numpy as np
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _scale(value, fmt):
    """The power of ten that makes `fmt`'s last printed digit a unit."""
    m = re.fullmatch(r"\.(\d+)([fe%])", fmt)
    if m is None:
        raise ValueError(f"format {fmt!r}: use one like '.2f', '.0e' or '.0%'")
    digits, kind = int(m.group(1)), m.group(2)
    if kind == "e":
        digits -= math.floor(math.log10(abs(value))) if value else 0
    return 10.0 ** (digits + (2 if kind == "%" else 0))


def printed_below(value, fmt):
    """The largest number that `fmt` prints exactly and that is <= value: what
    to glue after "at least" (13.8 with '.0f' gives 13, never 14)."""
    scale = _scale(value, fmt)
    return math.floor(float(value) * scale) / scale


def printed_above(value, fmt):
    """The smallest number that `fmt` prints exactly and that is >= value: what
    to glue after "below", "at most" or "within" (0.0016 with '.3f': 0.002)."""
    scale = _scale(value, fmt)
    return math.ceil(float(value) * scale) / scale


class fails_with:
    """An error demonstration that keeps "Run all" going (Colab and VS Code ignore the
    raises-exception tag and stop at the first error):

        with ks.fails_with(ValueError, "batch_input_shape") as failure:
            keras.layers.LSTM(4, batch_input_shape=(1, 1, 1))

    The block must raise `kind` (or a subclass) with `fragment` in its message; the
    message is then printed as Python would print it, with a line saying the failure is
    the point, and kept: failure.message (str(error)), failure.line (its first line),
    failure.error. A block that runs without error, or fails another way, fails the cell.
    failure.quote(first, last) is the part of the real message the prose quotes (glue it)."""

    def __init__(self, kind, fragment):
        if not (isinstance(kind, type) and issubclass(kind, BaseException)):
            raise TypeError(f"fails_with: kind must be an exception class, not {kind!r}")
        if not isinstance(fragment, str) or not fragment:
            raise TypeError("fails_with: fragment must be a non-empty part of the message")
        self.kind, self.fragment = kind, fragment
        self.error = self.message = self.line = None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        import traceback as tb
        expected = f"{self.kind.__name__} with {self.fragment!r} in its message"
        if error is None:
            raise AssertionError(f"expected {expected}, but the block ran without error")
        if not isinstance(error, self.kind):
            return False  # another failure: Python shows it as usual
        self.error, self.message = error, str(error)
        self.line = self.message.strip().splitlines()[0] if self.message.strip() else ""
        if self.fragment not in self.message:
            raise AssertionError(f"expected {expected}; the message was: "
                                 f"{self.message[:500]}") from error
        print(_shortened("".join(tb.format_exception_only(type(error), error)).rstrip(),
                         self.fragment))
        print(f"^ the error this cell demonstrates ({type(error).__name__}, as expected): "
              "the failure is the point")
        return True

    def quote(self, first, last=None, most=100):
        """The message from `first` through `last` (through the end of first's line if
        last is None), whitespace collapsed: what the prose quotes, taken from the error
        itself so that a changed message fails the cell instead of leaving the prose wrong."""
        if self.message is None:
            raise RuntimeError("quote: the block has not failed yet; quote after the with")
        message = re.sub(r"\x1b\[[0-9;]*m", "", self.message)  # Keras's bold, as text
        text = " ".join(message.split())
        start = text.find(first)
        if start < 0:
            raise AssertionError(f"quote: {first!r} is not in the message: {text[:300]}")
        if last is None:
            lines = [" ".join(line.split()) for line in message.splitlines()]
            holding = next((line for line in lines if first in line), None)
            quoted = holding[holding.find(first):] if holding else text[start:]
        else:
            found = text.find(last, start + len(first))
            if found < 0:
                raise AssertionError(f"quote: {last!r} does not follow {first!r} in the "
                                     f"message: {text[start:start + 300]}")
            quoted = text[start:found + len(last)]
        if len(quoted) > most:
            raise ValueError(f"quote: {len(quoted)} characters (most {most}); pick a `last` "
                             f"nearer `first`: {quoted[:most]}...")
        return quoted


def _shortened(message, fragment, most=12):
    """A long message (a graph error's forty frames) as its first lines and the lines
    around the one that holds `fragment`."""
    lines = [line for line in message.splitlines() if line.strip()]
    if len(lines) <= most:
        return "\n".join(lines)
    hit = next((i for i, line in enumerate(lines) if fragment in line), 0)
    if hit < most - 2:
        return "\n".join(lines[:most] + [f"... ({len(lines) - most} more lines)"])
    return "\n".join(lines[:4] + [f"... ({hit - 5} lines)"] + lines[hit - 1:hit + 2]
                     + ([f"... ({len(lines) - hit - 2} more lines)"]
                        if hit + 2 < len(lines) else []))


def stages(items, what=""):
    """Loop over `items` (a few long stages) printing one line per stage as it runs,
    "[1/2] no dropout ... 6.9 s", so a cell that takes a while is never silent. An item
    that is a (name, value) pair is named by its first element."""
    import time
    items = list(items)
    if not items:
        raise ValueError("stages: nothing to run")
    for number, item in enumerate(items, start=1):
        name = item[0] if isinstance(item, tuple) else item
        print(f"[{number}/{len(items)}] {what}{' ' if what else ''}{name} ...", end="",
              flush=True)
        began = time.perf_counter()
        yield item
        print(f" {time.perf_counter() - began:.1f} s", flush=True)


GLUED = {}  # every value glued in this kernel, by name
_echo = []  # this cell's "name = value", printed in one line when the cell ends


def glue(name, value, display=False):
    """myst-nb's glue (the website shows the value where the prose names it), and more:
    numpy scalars become Python numbers (myst-nb formats those), the value is kept in
    ks.GLUED, and when the cell ends one line lists what it glued, so a learner sees their
    run's values next to the prose's. Without myst-nb (a plain notebook in Colab) the value is
    only kept and printed."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"glue: the name must be an identifier, not {name!r}")
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()  # np.float64(0.1) -> 0.1
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        myst_glue = None
    if myst_glue is not None:
        myst_glue(name, value, display=display)
    GLUED[name] = value
    _echo.append(f"{name} = {value:.4g}" if isinstance(value, float) else f"{name} = {value}")
    if not _echo_at_cell_end():
        print(_echo.pop())


def _echo_at_cell_end():
    """Print the cell's glued values in one line after it runs (IPython only)."""
    try:
        ipython = get_ipython()  # noqa: F821
    except NameError:
        return False
    if ipython is None:
        return False
    if not getattr(ipython, "_keeping_state_echo", False):
        def flush(*_):
            if _echo:
                print("glued:", ", ".join(_echo))
                _echo.clear()
        ipython.events.register("post_run_cell", flush)
        ipython._keeping_state_echo = True
    return True
