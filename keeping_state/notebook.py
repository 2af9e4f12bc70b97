"""The start of every chapter: one call after the SEED cell."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads


def start(seed, one_thread=False, figsize=(7, 3.2)):
    """Seed Python, numpy and Keras with `seed`, make TensorFlow's kernels
    deterministic, set the book's plot style and short tracebacks (an error
    demonstration shows its message, not the library's internals)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
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
