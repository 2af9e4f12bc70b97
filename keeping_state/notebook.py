"""The start of every chapter (one call after the SEED cell) and its helpers."""
import math
import os
import re
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads


def start(seed, *needs, one_thread=False, figsize=(7, 3.2)):
    """The chapter's start, in the cell after SEED's: install the book's pins
    of the core packages and of `needs` where missing or older (install()),
    hold numpy and TensorFlow to one thread if asked (before numpy loads),
    then seed Python, numpy and Keras with `seed`, make TensorFlow's kernels
    deterministic, set the book's plot style and short tracebacks (an error
    demonstration shows its message, not the library's internals)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
    from . import install
    from . import one_thread as hold_numpy_to_one_thread
    install(*needs)
    if one_thread:
        hold_numpy_to_one_thread()
    import keras
    import matplotlib.pyplot as plt
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    if one_thread and tf.config.threading.get_intra_op_parallelism_threads() != 1:
        tf.config.threading.set_intra_op_parallelism_threads(1)
    plt.rcParams.update({"figure.figsize": figsize, "axes.grid": True})
    try:
        ipython = get_ipython()  # noqa: F821 (defined inside IPython only)
    except NameError:
        ipython = None
    if ipython is not None:
        ipython.run_line_magic("xmode", "Minimal")
    print(f"Keras {keras.__version__}, TensorFlow {tf.__version__}, "
          f"SEED = {seed}")


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
