"""The companion package, keeping_state: each helper does what its docstring says and refuses
wrong input with a message that says what is wrong."""
import re
import subprocess
import sys

import numpy as np
import pytest

import keeping_state as ks
from bookfiles import ROOT, chapter_titles, chapters, setup_extras, toc_files
from keeping_state import bookfiles, saved, timing


# --- install: the setup cell -------------------------------------------------------------------
def test_install_does_nothing_where_everything_is_present(capsys):
    assert ks.install(*ks.PINS, dry_run=True) == []
    assert "Setup: installed nothing (all present)" in capsys.readouterr().out


def test_install_names_what_is_missing(monkeypatch, capsys):
    monkeypatch.setitem(ks.PINS, "no-such-package-here", "1.0")
    assert ks.install("no-such-package-here", dry_run=True) == ["no-such-package-here==1.0"]
    assert "no-such-package-here==1.0" in capsys.readouterr().out


def test_pip_shows_progress_and_warnings_not_a_wall(monkeypatch, capsys):
    script = ("print('Collecting keras==3.15.1'); print('Requirement already satisfied: x');"
              "print('WARNING: a warning'); print('Successfully installed keras-3.15.1')")
    monkeypatch.setattr(ks, "PIP", [sys.executable, "-c", script])
    ks.run_pip(["install", "keras==3.15.1"])
    out = capsys.readouterr().out
    assert "pip: Collecting keras==3.15.1" in out and "pip: WARNING: a warning" in out
    assert "Successfully installed" in out and "already satisfied" not in out
    monkeypatch.setattr(ks, "PIP", [sys.executable, "-c", "print('boom'); raise SystemExit(1)"])
    with pytest.raises(RuntimeError, match="failed:\\nboom"):
        ks.run_pip(["install", "x"])


def test_install_asks_for_a_restart_when_it_upgraded_a_loaded_package(monkeypatch, capsys):
    """The message the teaching page quotes ("restart the kernel", Colab's menu path)."""
    monkeypatch.setattr(ks, "is_older", lambda name, pin: name == "numpy")  # numpy is loaded
    monkeypatch.setattr(ks, "run_pip", lambda arguments: None)
    with pytest.raises(RuntimeError, match="restart the kernel \\(Colab: Runtime > Restart "
                                           "session\\) and run all cells again"):
        ks.install()
    assert "pip's progress follows" in capsys.readouterr().out


def test_install_refuses_unpinned_names():
    with pytest.raises(ValueError, match="not pinned by the book"):
        ks.install("tensorfow")


@pytest.mark.parametrize("have, pin, older", [("2.21.0", "2.21.0", False),
                                              ("2.20.1", "2.21.0", True),
                                              ("3.0.0rc1", "2.21.0", False),
                                              ("2.21.0.post1", "2.21.0", False)])
def test_is_older_compares_release_numbers(monkeypatch, have, pin, older):
    monkeypatch.setattr(ks.importlib.metadata, "version", lambda name: have)
    assert ks.is_older("anything", pin) is older


def test_one_thread_warns_once_numpy_is_loaded(monkeypatch):
    for name in ks.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.warns(UserWarning, match="restart the kernel"):
        ks.one_thread()
    assert all(ks.os.environ[name] == "1" for name in ks.THREAD_VARIABLES)


def test_start_refuses_a_seed_that_is_not_a_whole_number():
    for bad in (-1, 1.5, "3"):
        with pytest.raises(ValueError, match="whole number"):
            ks.start(bad)


def test_start_seeds_everything_and_shortens_tracebacks(monkeypatch):
    import builtins

    import keras
    import tensorflow as tf
    magics = []

    class FakeShell:
        def run_line_magic(self, name, line):
            magics.append((name, line))

    monkeypatch.setattr(builtins, "get_ipython", lambda: FakeShell(), raising=False)
    ks.start(3)
    first = (np.random.random(), keras.random.uniform((2,)).numpy())
    ks.start(3)
    again = (np.random.random(), keras.random.uniform((2,)).numpy())
    assert first[0] == again[0] and (first[1] == again[1]).all()
    from tensorflow.python.framework import config  # no public reader of the flag
    assert config.is_op_determinism_enabled()
    assert magics == [("xmode", "Minimal")] * 2


def test_start_holds_tensorflow_to_one_thread_per_pool_unless_told_otherwise():
    """The book's default (tf_threads=1) and None (TensorFlow's own), in fresh processes."""
    probe = ("import keeping_state as ks, tensorflow as tf; ks.start(0{}); t = tf.config.threading;"
             "print(t.get_inter_op_parallelism_threads(), t.get_intra_op_parallelism_threads())")
    for argument, pools in (("", "1 1"), (", tf_threads=None", "0 0"), (", tf_threads=2", "2 2")):
        run = subprocess.run([sys.executable, "-c", probe.format(argument)],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip().splitlines()[-1] == pools, (argument, run.stdout)
    with pytest.raises(ValueError, match="tf_threads"):
        ks.notebook._hold_tensorflow_threads(None, 0)


def test_generator_depends_on_seed_and_name_only():
    first = ks.generator(0, "padding").random(3)
    ks.generator(0, "other experiment").random(100)  # another cell runs between
    assert (ks.generator(0, "padding").random(3) == first).all()
    assert not (ks.generator(0, "waves").random(3) == first).any()
    assert not (ks.generator(1, "padding").random(3) == first).any()
    for seed, name in [(0, ""), (0, 3), (-1, "padding")]:
        with pytest.raises(ValueError):
            ks.generator(seed, name)


@pytest.mark.parametrize("value, fmt, below, above", [
    (13.8, ".0f", 13, 14), (0.04812, ".0%", 0.04, 0.05), (0.001614, ".2%", 0.0016, 0.0017),
    (4.601e-07, ".1e", 4.6e-07, 4.7e-07), (3.395e-07, ".0e", 3e-07, 4e-07),
    (3.739, ".1f", 3.7, 3.8), (2.0, ".1f", 2.0, 2.0), (-0.25, ".1f", -0.3, -0.2)])
def test_printed_bounds_lie_on_the_safe_side(value, fmt, below, above):
    low, high = ks.printed_below(value, fmt), ks.printed_above(value, fmt)
    assert format(low, fmt) == format(below, fmt) and low <= value
    assert format(high, fmt) == format(above, fmt) and high >= value
    with pytest.raises(ValueError, match="use one like"):
        ks.printed_below(value, ".2g")


def test_fails_with_keeps_run_all_going_and_fails_when_the_error_does_not_come(capsys):
    from keeping_state import fails_with

    with fails_with(ValueError, "not in [0, 1)") as failure:
        raise ValueError("indices[0] = 1 is not in [0, 1)\n\tsome detail")
    shown = capsys.readouterr().out
    assert shown.startswith("ValueError: indices[0] = 1 is not in [0, 1)")
    assert "the failure is the point" in shown
    assert failure.line == "indices[0] = 1 is not in [0, 1)"
    assert isinstance(failure.error, ValueError) and "some detail" in failure.message
    with pytest.raises(AssertionError, match="ran without error"):
        with fails_with(ValueError, "x"):
            pass
    with pytest.raises(AssertionError, match="the message was: something else"):
        with fails_with(ValueError, "x"):
            raise ValueError("something else")
    with pytest.raises(KeyError):  # another failure is not swallowed
        with fails_with(ValueError, "x"):
            raise KeyError("x")
    frames = "\n".join(["Graph execution error:"] + [f"  File {i}" for i in range(40)]
                       + ["Incompatible shapes: [2,16] vs. [4,16]", "\t [[{{node x}}]]"])
    with fails_with(ValueError, "Incompatible shapes"):  # forty frames, shortened
        raise ValueError(frames)
    shown = capsys.readouterr().out
    assert "Incompatible shapes: [2,16]" in shown and "File 39" in shown
    assert "File 20" not in shown and len(shown.splitlines()) < 12
    with fails_with(LookupError, "gone"):  # a subclass counts
        raise KeyError("gone")
    with pytest.raises(TypeError, match="exception class"):
        fails_with("ValueError", "x")
    with pytest.raises(TypeError, match="non-empty"):
        fails_with(ValueError, "")


def test_a_quote_is_taken_from_the_real_message():
    from keeping_state import fails_with

    with fails_with(ValueError, "extension") as failure:
        raise ValueError("Invalid filepath  extension for saving.\nPlease add a `.keras`\n"
                         "extension. Received: filepath=x.")
    assert failure.quote("Invalid") == "Invalid filepath extension for saving."
    assert failure.quote("Please", "extension") == "Please add a `.keras` extension"
    assert failure.quote("add", "x.") == "add a `.keras` extension. Received: filepath=x."
    with pytest.raises(AssertionError, match="not in the message"):
        failure.quote("Valid filepath")
    with fails_with(IndexError, "out of range") as bold:  # as Keras prints it
        raise IndexError("Exception in LSTM.call().\n\x1b[1mlist index out of range\x1b[0m")
    assert bold.quote("list") == "list index out of range"
    with pytest.raises(AssertionError, match="does not follow"):
        failure.quote("Please", "Invalid")
    with pytest.raises(ValueError, match="pick a `last`"):
        failure.quote("Invalid", "x.", most=20)
    with pytest.raises(RuntimeError, match="not failed yet"):
        fails_with(ValueError, "x").quote("x")


def test_glue_keeps_plain_numbers_and_says_what_it_glued(capsys):
    """Outside IPython the line is printed at once (in a notebook: one line per cell)."""
    from keeping_state import GLUED, glue

    glue("test_gap", np.float64(0.000123456), display=False)
    glue("test_count", np.int64(3), display=False)
    assert type(GLUED["test_gap"]) is float and type(GLUED["test_count"]) is int
    assert capsys.readouterr().out == "test_gap = 0.0001235\ntest_count = 3\n"
    with pytest.raises(ValueError, match="identifier"):
        glue("not a name", 1.0)


# --- timing: the policy and the clocks -------------------------------------------------------
def test_check_timing_returns_the_margin(monkeypatch):
    monkeypatch.delenv("BOOK_STRICT_TIMING", raising=False)
    assert timing.check_timing("ratio", 4.0, above=2.0) == pytest.approx(1.0)
    assert timing.check_timing("ratio", 1.5, below=2.0, above=1.0) == pytest.approx(1 / 3)
    assert timing.timing_checks[-1]["claim"] == "ratio"


def test_check_timing_reports_a_miss_unless_strict(monkeypatch, capsys):
    monkeypatch.delenv("BOOK_STRICT_TIMING", raising=False)
    assert timing.check_timing("fast", 3.0, below=2.0) < 0
    assert "measured 3, the book says below 2" in capsys.readouterr().out
    assert "reported, not enforced" in timing.policy()
    monkeypatch.setenv("BOOK_STRICT_TIMING", "1")
    assert "enforced (BOOK_STRICT_TIMING=1)" == timing.policy().split(": ")[1]
    with pytest.raises(AssertionError, match="fast: measured 3"):
        timing.check_timing("fast", 3.0, below=2.0)


@pytest.mark.parametrize("kwargs, message", [({}, "give a bound"),
                                             ({"above": 1, "value": 0}, "positive"),
                                             ({"above": 1, "value": float("nan")}, "positive")])
def test_check_timing_refuses_a_check_that_cannot_decide(kwargs, message):
    kwargs.setdefault("value", 1.0)
    with pytest.raises(ValueError, match=message):
        timing.check_timing("claim", **kwargs)


def test_median_ms_warms_up_once_then_times_each_call():
    calls = []
    assert timing.median_ms(lambda: calls.append(1), repeats=5) >= 0
    assert len(calls) == 6
    assert timing.time_ms(lambda: None, 3).shape == (3,)


@pytest.mark.parametrize("text, cpu, vector", [
    ("model name\t: Fake CPU 9000\nflags\t\t: fpu sse4_2 avx avx2 fma\n", "Fake CPU 9000", "AVX2"),
    ("model name\t: Big\nflags\t\t: avx2 avx512f\n", "Big", "AVX-512"),
    ("Model\t\t: Raspberry Pi 5\nFeatures\t: fp asimd crc32\n", "Raspberry Pi 5", "NEON")])
def test_machine_reads_the_cpu_and_its_vector_set(tmp_path, text, cpu, vector):
    (tmp_path / "cpuinfo").write_text(text)
    found = timing.machine(tmp_path / "cpuinfo")
    assert (found["cpu"], found["vector"]) == (cpu, vector)
    assert found["cores"] >= 1 and found["python"].count(".") == 2


def test_machine_without_cpuinfo_says_unknown(tmp_path):
    assert timing.machine(tmp_path / "missing")["vector"] == "unknown"


# --- saved: the helpers the chapters teach ---------------------------------------------------
def test_make_windows_pairs_each_window_with_the_next_value():
    X, y = saved.make_windows(np.arange(6), 3)
    assert X.shape == (3, 3, 1) and y.shape == (3, 1)
    assert X[1, :, 0].tolist() == [1, 2, 3] and y[1, 0] == 4
    with pytest.raises(ValueError, match="length must be in 1..5"):
        saved.make_windows(np.arange(6), 6)


def test_lstm_step_is_keras_lstm():
    import keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    keras_h, *_ = layer(x)
    kernel, recurrent, bias = (w.numpy() for w in layer.weights)
    h = c = np.zeros((2, 4), "float32")
    for t in range(5):
        h, c = saved.lstm_step(x[:, t], h, c, kernel, recurrent, bias)
        np.testing.assert_allclose(h, keras_h[:, t], atol=1e-6)


def test_reset_state_resets_every_stateful_layer():
    import keras
    model = keras.Sequential([keras.Input(batch_shape=(1, 2, 1)),
                              keras.layers.SimpleRNN(3, stateful=True),
                              keras.layers.Dense(1)])
    first = model(np.ones((1, 2, 1), "float32")).numpy()
    model(np.ones((1, 2, 1), "float32"))
    saved.reset_state(model)
    np.testing.assert_array_equal(model(np.ones((1, 2, 1), "float32")).numpy(), first)


# --- bookfiles and the generated files --------------------------------------------------------
def test_generated_files_are_up_to_date():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "generate.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr + run.stdout


def test_chapters_come_from_the_toc_in_its_order():
    listed = [f for f in toc_files() if f.startswith("book/chapters/")]
    assert [f"book/chapters/{p.stem}" for p in chapters()] == listed
    numbers = [n for n, _ in chapter_titles().values()]
    assert numbers == list(range(1, len(listed) + 1))


def test_setup_extras_reads_the_start_call(tmp_path):
    import json

    def notebook(*texts):
        (tmp_path / "n.ipynb").write_text(json.dumps({"cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": text} for text in texts]}))
        return tmp_path / "n.ipynb"

    setup = 'if find_spec("keeping_state") is None:\n    %pip install -q x\n'
    start = 'import keeping_state as ks\n\nks.start(SEED, "onnx", "tf2onnx", one_thread=True)\n'
    assert setup_extras(notebook(setup, "SEED = 0", start)) == ["onnx", "tf2onnx"]
    assert setup_extras(notebook(setup, "SEED = 0", "ks.start(SEED)")) == []
    assert setup_extras(notebook(setup, "import os\n")) is None


# --- the exercise format: one parser for tests, tools, slides and the teaching page ----------
def markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "source": text}


EXERCISE = markdown("````{exercise}\n:label: ex-a\n\nPredict, then check.\n````")
OPENING = markdown("```{solution-start} ex-a\n:class: dropdown\n```\nIt holds.")
CLOSING = markdown("```{solution-end}\n```")


def test_exercises_pairs_statements_with_their_gated_solutions():
    nb = {"cells": [EXERCISE, OPENING, code("assert True"), CLOSING, code("x = 1")]}
    (found,) = bookfiles.exercises(nb)
    assert found["label"] == "ex-a" and found["statement"] == "Predict, then check."
    assert [c["source"] for c in found["solution"]] == \
        [OPENING["source"], "assert True", CLOSING["source"]]
    stripped, removed = bookfiles.without_solutions(nb)
    assert removed == 1 and [c["source"] for c in stripped["cells"]] == \
        [EXERCISE["source"], "x = 1"]
    assert len(nb["cells"]) == 5, "the original is left alone"


@pytest.mark.parametrize("cells, message", [
    ([EXERCISE, OPENING, code("1")], "has no {solution-end}"),
    ([EXERCISE, CLOSING], "must close its markdown cell, after a {solution-start}"),
    ([EXERCISE, markdown("Text first.\n" + OPENING["source"]), CLOSING],
     "must open its markdown cell"),
    ([EXERCISE, markdown("````{solution} ex-a\nOld form.\n````")], "not {solution}"),
    ([EXERCISE], "no gated solution"),
    ([OPENING, CLOSING], "solutions without an exercise"),
    ([EXERCISE, OPENING, OPENING, CLOSING], "follow the last one's {solution-end}"),
])
def test_exercises_say_what_is_wrong_with_the_format(cells, message):
    with pytest.raises(bookfiles.ExerciseFormatError, match=re.escape(message)):
        bookfiles.exercises({"cells": cells}, "toy.ipynb")


def test_front_page_and_robustness_page_follow_the_toc():
    """_toc.yml is the one chapter list: the intro's table and the robustness page's sections
    are generated from it (tools/generate.py; test_generated_files_are_up_to_date keeps them
    fresh), so a chapter added to the toc appears in both."""
    intro = (ROOT / "book" / "intro.md").read_text()
    rows = re.findall(r"^\| (\d+)\. \[(.+?)\]\(chapters/(\w+)\.ipynb\)", intro, re.M)
    assert [(int(n), t, s) for n, t, s in rows] == \
        [(n, t, s) for s, (n, t) in chapter_titles().items()]
    page = bookfiles.load(ROOT / "book" / "robustness.ipynb")
    shown = re.findall(r'^show\("(\w+)"\)', "\n".join(
        bookfiles.source(c) for c in bookfiles.cells(page, "code")), re.M)
    assert shown == [p.stem for p in bookfiles.toc_notebooks()
                     if p.parent.name in ("chapters", "appendix")]


# --- stack: many copies trained at once, update for update as fit trains each -------------
def test_train_stacked_makes_fits_updates():
    import keras
    import tensorflow as tf

    from keeping_state import stack

    def model(seed):
        keras.utils.set_random_seed(seed)
        return keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(3),
                                 keras.layers.Dense(1)])

    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 8, 5, 1)).astype("float32")  # 6 updates of 8 windows
    y = x.sum(axis=2)
    copies, fitted = [model(s) for s in (1, 2)], [model(s) for s in (1, 2)]
    weights = stack.stack_weights(copies)

    def losses_of(w, xb, yb):
        return tf.reduce_mean((stack.lstm_dense(w, xb) - yb) ** 2, axis=[1, 2])

    both = lambda a: np.stack([a, a])  # the same batches for both copies
    losses = stack.train_stacked(weights, losses_of,
                                 [both(x).swapaxes(0, 1), both(y).swapaxes(0, 1)])
    stack.unstack_weights(copies, weights)
    for m in fitted:
        m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        m.fit(x.reshape(-1, 5, 1), y.reshape(-1, 1), batch_size=8, shuffle=False,
              epochs=1, verbose=0)
    gap = max(np.abs(a - b).max() for c, f in zip(copies, fitted)
              for a, b in zip(c.get_weights(), f.get_weights()))
    assert losses.shape == (6, 2) and gap < 1e-5, f"stacked and fit differ by {gap}"
    with pytest.raises(ValueError, match="differ"):
        stack.stack_weights([copies[0], keras.Sequential([keras.Input((1,)),
                                                          keras.layers.Dense(2)])])


def test_train_stacked_carries_a_stateful_models_state_as_fit_does():
    """carry=: the state after one update is where the next starts, as in a stateful
    LSTM trained by fit without shuffling; a state reset every update would differ."""
    import keras
    import tensorflow as tf

    from keeping_state import stack

    def model(seed, batch=None):
        keras.utils.set_random_seed(seed)
        return keras.Sequential([keras.Input(batch_shape=(batch, 5, 1)),
                                 keras.layers.LSTM(3, stateful=batch is not None),
                                 keras.layers.Dense(1)])

    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4, 5, 1)).astype("float32")  # 6 updates of 4 rows
    y = x.sum(axis=2) + np.roll(x, 1, axis=0).sum(axis=2)  # needs the carried state
    fitted = model(1, batch=4)
    fitted.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    fitted.fit(x.reshape(-1, 5, 1), y.reshape(-1, 1), batch_size=4, shuffle=False,
               epochs=1, verbose=0)

    def gap_to_fit(carry_state):
        copies = [model(1)]
        weights = stack.stack_weights(copies)

        def losses_of(w, state, xb, yb):
            h, c = stack.lstm_states(w, xb, *state) if carry_state else \
                stack.lstm_states(w, xb)
            out = tf.matmul(h, w[3]) + w[4][:, None]
            return tf.reduce_mean((out - yb) ** 2, axis=[1, 2]), [h, c]

        zeros = [tf.zeros((1, 4, 3))] * 2
        stack.train_stacked(weights, losses_of, [x[:, None], y[:, None]], carry=zeros)
        stack.unstack_weights(copies, weights)
        return max(np.abs(a - b).max() for a, b in zip(copies[0].get_weights(),
                                                         fitted.get_weights()))

    carried, reset = gap_to_fit(True), gap_to_fit(False)
    assert carried < 1e-5 and reset > 1e-3, (carried, reset)


def test_stacked_norms_padding_progress_and_errors(capsys):
    import keras
    import tensorflow as tf

    from keeping_state import stack

    def model(width, seed=0):
        keras.utils.set_random_seed(seed)
        return keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2),
                                 keras.layers.Dense(width)])

    narrow, wide = model(1), model(3, seed=1)
    original = [m.get_weights() for m in (narrow, wide)]
    weights = stack.stack_weights([narrow, wide], pad=True)
    assert weights[3].shape == (2, 2, 3) and float(tf.reduce_sum(weights[4][0, 1:])) == 0
    x = np.random.default_rng(2).normal(size=(3, 2, 5, 4, 1)).astype("float32")

    def losses_of(w, xb):
        return tf.reduce_mean((stack.lstm_dense(w, xb) - 1.0) ** 2, axis=[1, 2])

    with tf.GradientTape() as tape:  # the first update's gradient, by hand
        first = tf.reduce_sum(losses_of(weights, x[0]))
    by_hand = np.stack([np.sqrt((g.numpy() ** 2).reshape(2, -1).sum(1))
                        for g in tape.gradient(first, weights)], axis=-1)
    losses, norms = stack.train_stacked(weights, losses_of, [x], norms=True)
    norms = np.stack(norms, axis=-1)  # (updates, copies, weights)
    again = stack.stack_weights([model(1), model(3, seed=1)], pad=True)
    in_pieces, _ = stack.train_stacked(again, losses_of, [np.concatenate([x] * 2)],
                                       norms=True, progress="test")
    assert "test: 6/6 updates" in capsys.readouterr().out
    assert np.array_equal(in_pieces[:3], losses), "five pieces make the same updates"
    assert losses.shape == (3, 2) and norms.shape == (3, 2, 5)
    assert np.allclose(norms[0], by_hand, rtol=1e-5) and not np.allclose(norms[1], by_hand)
    stack.unstack_weights([narrow, wide], weights)
    assert [w.shape for w in narrow.get_weights()] == [w.shape for w in original[0]]
    assert all(not np.allclose(a, b) for a, b in zip(narrow.get_weights(), original[0]))
    with pytest.raises(ValueError, match="pad=True"):
        stack.stack_weights([narrow, wide])
    with pytest.raises(ValueError, match="same first axis"):
        stack.train_stacked(weights, losses_of, [x, x[:2]])
    with pytest.raises(ValueError, match="batches is empty"):
        stack.train_stacked(weights, losses_of, [])


def test_train_stacked_called_in_a_loop_prints_no_retracing_warning():
    """A new compiled loop per call is intended; TensorFlow's warning about it would put a
    wall of text under a chapter's cell."""
    import io
    import logging

    import keras
    import tensorflow as tf

    from keeping_state import stack

    caught = io.StringIO()
    handler = logging.StreamHandler(caught)
    tf.get_logger().addHandler(handler)
    try:
        for seed in range(7):
            keras.utils.set_random_seed(seed)
            model = keras.Sequential([keras.Input((3, 1)), keras.layers.LSTM(2),
                                      keras.layers.Dense(1)])
            stack.train_stacked(stack.stack_weights([model]), lambda w, x: tf.reduce_mean(
                stack.lstm_dense(w, x) ** 2, [1, 2]), [np.ones((2, 1, 4, 3, 1), "float32")])
    finally:
        tf.get_logger().removeHandler(handler)
    assert "retracing" not in caught.getvalue()


def test_stages_prints_a_line_per_stage_as_it_runs(capsys):
    from keeping_state import stages

    seen = []
    for name, value in stages({"no dropout": 0.0, "dropout 0.5": 0.5}.items(), "training"):
        seen.append(value)
        print("inside", end="")  # what a stage prints stays on its line
    lines = capsys.readouterr().out.splitlines()
    assert seen == [0.0, 0.5] and len(lines) == 2
    assert lines[0].startswith("[1/2] training no dropout ...inside")
    assert lines[1].startswith("[2/2] training dropout 0.5 ...") and lines[1].endswith(" s")
    assert [x for x in stages(["a"])] == ["a"]
    with pytest.raises(ValueError, match="nothing to run"):
        list(stages([]))


def test_glue_calls_and_glued_in_prose_read_a_notebook():
    from keeping_state.bookfiles import glue_calls, glued_in_prose

    nb = {"cells": [
        {"cell_type": "code", "source": ['glue("a", ks.printed_below(f(x), ".1f"),\n',
                                         '     display=False)\n', "glue('b', 2)"]},
        {"cell_type": "markdown", "source": ["at least {glue:text}`a:.1f` and {glue}`b`"]}]}
    assert glue_calls(nb) == {"a": 'ks.printed_below(f(x), ".1f"),\n     display=False',
                              "b": "2"}
    assert glued_in_prose(nb) == {"a", "b"}
