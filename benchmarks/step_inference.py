"""Step-by-step LSTM inference: the latency ladder and the growth curve of chapter 5, at full size.

Run with `make bench` (or `python benchmarks/step_inference.py --help`). Writes
`ladder.csv`, `growth.csv` and `step_inference.png` under `_build/bench/`, so a reader can
reproduce the chapter's ratios on their own machine or GPU. The chapter is the explanation;
this script only measures, with more repeats and streams up to 400 steps: the ladder's calls
in interleaved rounds, each growth time the median of `--growth-rounds` rounds, and the same two
floors of the processor as the chapter (the step's arithmetic at the large-matmul rate, and one
read of the weights).

Like the chapter it times on one thread (numpy's BLAS, TensorFlow, LiteRT); to use more, set
the environment variable, e.g. `OMP_NUM_THREADS=4 make bench`.
"""
import argparse
import os
import tempfile
import time
from pathlib import Path

THREADS = int(os.environ.setdefault("OMP_NUM_THREADS", "1"))  # read by OpenBLAS and MKL at import
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402
from ai_edge_litert.interpreter import Interpreter  # noqa: E402

BATCH, FEATURES, UNITS_1, UNITS_2 = 10, 4, 100, 200
ROUNDS = 5  # each call's repeats are spread over this many rounds
STATE_UNITS = {"h1": UNITS_1, "c1": UNITS_1, "h2": UNITS_2, "c2": UNITS_2}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[25, 50, 100, 200, 400],
                        help="stream lengths for the growth curve")
    parser.add_argument("--predict-lengths", type=int, nargs="*", default=[25, 50, 100],
                        help="stream lengths timed with model.predict (slow; none to skip)")
    parser.add_argument("--repeats", type=int, default=500,
                        help="repeats per rung of the ladder (model.predict gets a tenth)")
    parser.add_argument("--growth-rounds", type=int, default=3,
                        help="each growth time is the median of this many rounds")
    parser.add_argument("--out", type=Path, default=Path("_build/bench"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.lengths + args.predict_lengths + [args.repeats, args.growth_rounds]) < 1:
        parser.error("lengths, repeats and rounds must be positive")
    return args


def build_models():
    """The article's classic model, its stateful twin and an explicit-state twin."""
    inputs = keras.Input((None, FEATURES))
    seq = keras.layers.LSTM(UNITS_1, return_sequences=True)(inputs)
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.LSTM(UNITS_2)(seq))
    classic = keras.Model(inputs, out)

    step_in = keras.Input(batch_shape=(BATCH, 1, FEATURES))
    s1 = keras.layers.LSTM(UNITS_1, return_sequences=True, stateful=True)(step_in)
    s2 = keras.layers.LSTM(UNITS_2, stateful=True)(s1)
    stateful = keras.Model(step_in, keras.layers.Dense(1, activation="sigmoid")(s2))

    x = keras.Input((None, FEATURES), name="x")
    s = {k: keras.Input((u,), name=k) for k, u in STATE_UNITS.items()}
    seq, h1, c1 = keras.layers.LSTM(UNITS_1, return_sequences=True, return_state=True)(
        x, initial_state=[s["h1"], s["c1"]])
    last, h2, c2 = keras.layers.LSTM(UNITS_2, return_state=True)(
        seq, initial_state=[s["h2"], s["c2"]])
    y = keras.layers.Dense(1, activation="sigmoid")(last)
    explicit = keras.Model({"x": x, **s}, {"y": y, "h1": h1, "c1": c1, "h2": h2, "c2": c2})
    for model in (stateful, explicit):
        model.set_weights(classic.get_weights())
    return classic, stateful, explicit


def stacked_weights(classic):
    """Per LSTM layer, [W; U] stacked for one matmul of [x, h], and the bias."""
    return [(np.vstack([W, U]), b) for W, U, b in (
        l.get_weights() for l in classic.layers if isinstance(l, keras.layers.LSTM))]


def numpy_step_fn(classic):
    """A numpy LSTM step with the model's weights, one matmul of [x, h] per layer."""
    (k1, b1), (k2, b2) = stacked_weights(classic)
    W_out, b_out = classic.layers[-1].get_weights()
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731

    def cell(x, h, c, kernel, bias):
        i, f, g, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
        c = sig(f) * c + sig(i) * np.tanh(g)
        return sig(o) * np.tanh(c), c

    def step(x, st):
        h1, c1 = cell(x, st["h1"], st["c1"], k1, b1)
        h2, c2 = cell(h1, st["h2"], st["c2"], k2, b2)
        return sig(h2 @ W_out + b_out), dict(h1=h1, c1=c1, h2=h2, c2=c2)

    return step


def litert_step_fn(explicit):
    """The explicit-state model exported with format="litert", as a signature runner."""
    spec = {"x": tf.TensorSpec((BATCH, 1, FEATURES), tf.float32, name="x")}
    spec |= {k: tf.TensorSpec((BATCH, u), tf.float32, name=k) for k, u in STATE_UNITS.items()}
    tf.get_logger().setLevel("ERROR")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "step.tflite")
        explicit.export(path, format="litert", input_signature=[spec], verbose=False)
        with open(path, "rb") as file:
            flatbuffer = file.read()
    return Interpreter(model_content=flatbuffer, num_threads=THREADS).get_signature_runner()


def median_ms_each(calls, progress, rounds=ROUNDS):
    """Median ms of each named (fn, repeats), as in chapter 5: the repeats are
    spread over rounds that visit every call, so load hits all calls alike."""
    times = {name: [] for name in calls}
    for fn, _ in calls.values():
        fn()  # the first call traces, compiles or warms caches
    for _ in range(rounds):
        for name, (fn, repeats) in calls.items():
            for _ in range(-(-repeats // rounds)):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
        progress.add(1)
    return {name: 1e3 * float(np.median(t)) for name, t in times.items()}


def ladder(classic, stateful, explicit, X, repeats, progress):
    x = tf.constant(X[:, :1])
    zeros = {k: tf.zeros((BATCH, u)) for k, u in STATE_UNITS.items()}
    zeros_np = {k: v.numpy() for k, v in zeros.items()}
    fn, xla = tf.function(explicit), tf.function(explicit, jit_compile=True)
    np_step = numpy_step_fn(classic)
    cell_1, cell_2 = (l.cell for l in classic.layers if isinstance(l, keras.layers.LSTM))

    def cells_step(x, h1, c1, h2, c2):
        out_1, (h1, c1) = cell_1(x, [h1, c1])
        out_2, (h2, c2) = cell_2(out_1, [h2, c2])
        return classic.layers[-1](out_2), h1, c1, h2, c2

    state = [zeros[k] for k in STATE_UNITS]
    x0 = tf.constant(X[:, 0])
    concrete = tf.function(cells_step, jit_compile=True).get_concrete_function(x0, *state)
    litert = litert_step_fn(explicit)
    x_np = X[:, :1].copy()
    empty = tf.function(lambda v: v).get_concrete_function(x0)
    (kernel_1, _), (kernel_2, _) = stacked_weights(classic)
    xh_1 = np.ones((BATCH, len(kernel_1)), "float32")
    xh_2 = np.ones((BATCH, len(kernel_2)), "float32")
    big = np.random.default_rng(0).standard_normal((1500, 1500), "float32")
    flat = np.concatenate([w.ravel() for w in classic.get_weights()])
    rungs = {
        "model.predict": (lambda: stateful.predict(x, verbose=0), max(3, repeats // 10)),
        "predict_on_batch": (lambda: stateful.predict_on_batch(x), repeats),
        "model(x)": (lambda: stateful(x), max(3, repeats // 5)),
        "tf.function": (lambda: fn({"x": x, **zeros}), repeats),
        "tf.function + XLA": (lambda: xla({"x": x, **zeros}), repeats),
        "concrete function + XLA": (lambda: concrete(x0, *state), repeats),
        "LiteRT interpreter": (lambda: litert(x=x_np, **zeros_np), repeats),
        "numpy": (lambda: np_step(X[:, 0], zeros_np), repeats),
        "empty tf.function call": (lambda: empty(x0), repeats),
        "numpy matmuls only": (lambda: (xh_1 @ kernel_1, xh_2 @ kernel_2), repeats),
        "large matmul": (lambda: big @ big, ROUNDS),
        "read the weights": (lambda: flat @ flat, repeats),
    }
    rows = median_ms_each(rungs, progress)
    flops = 2 * BATCH * (4 * UNITS_1 * (FEATURES + UNITS_1)
                         + 4 * UNITS_2 * (UNITS_1 + UNITS_2) + UNITS_2)
    rate = 2 * 1500 ** 3 / (rows.pop("large matmul") / 1e3)
    rows["arithmetic floor"] = flops / rate * 1e3
    # every step reads all the weights once: at best, as fast as one read of them
    rows["weight-traffic floor"] = rows.pop("read the weights")
    table = pd.Series(rows, name="ms_per_step").to_frame()
    references = ("numpy", "empty tf.function call", "numpy matmuls only", "arithmetic floor",
                  "weight-traffic floor")
    table["ratio_to_fastest_keras"] = table.ms_per_step / min(
        v for k, v in rows.items() if k not in references)
    return table


def growth(classic, stateful, explicit, X, lengths, predict_lengths, progress, rounds=3):
    classic_fn = tf.function(classic, input_signature=[
        tf.TensorSpec((BATCH, None, FEATURES), tf.float32)])
    step_fn = tf.function(explicit)
    X_tf = tf.constant(X)

    def carried(T):
        state = {k: tf.zeros((BATCH, u)) for k, u in STATE_UNITS.items()}
        for t in range(T):
            result = step_fn({"x": X_tf[:, t:t + 1], **state})
            state = {k: result[k] for k in STATE_UNITS}

    def predict_carried(T):
        for layer in stateful.layers:
            if getattr(layer, "stateful", False):
                layer.reset_state()
        for t in range(T):
            stateful.predict(X[:, t:t + 1], verbose=0)

    ways = [("no overhead", lengths,
             lambda T: [classic_fn(X_tf[:, :t]) for t in range(1, T + 1)], carried),
            ("model.predict", predict_lengths,
             lambda T: [classic.predict(X[:, :t], verbose=0) for t in range(1, T + 1)],
             predict_carried)]
    rows = []
    for how, Ts, rerun, carry in ways:
        if Ts:  # the first calls trace: keep them out of the timings
            rerun(1)
            carry(1)
        times = {(T, name): [] for T in Ts for name in ("rerun_prefix", "carried")}
        for _ in range(rounds):  # each round times every length, as in the chapter
            for T in Ts:
                for name, fn in (("rerun_prefix", rerun), ("carried", carry)):
                    start = time.perf_counter()
                    fn(T)
                    times[T, name].append(time.perf_counter() - start)
                    progress.add(1)
        rows += [dict(timing=how, way=name, T=T, seconds=float(np.median(t)))
                 for (T, name), t in times.items()]
    return pd.DataFrame(rows)


def plot(table, curve, path):
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    left.barh(table.index[::-1], table.ms_per_step[::-1])
    left.set(xscale="log", xlabel="ms per step (median, log)", title="One streaming step")
    for (how, way), part in curve.groupby(["timing", "way"]):
        k = np.polyfit(np.log(part["T"]), np.log(part.seconds), 1)[0] if len(part) > 1 else np.nan
        right.plot(part["T"], part.seconds, "o-" if how == "no overhead" else "o--",
                   label=f"{way}, {how} (slope {k:.2f})")
    right.set(xscale="log", yscale="log", xlabel="stream length T", ylabel="seconds",
              title="Total cost of streaming T steps")
    right.legend(fontsize="small")
    fig.savefig(path, dpi=120)


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    args.out.mkdir(parents=True, exist_ok=True)
    print("devices:", [d.device_type for d in tf.config.list_physical_devices()],
          "| threads:", THREADS)
    steps = max(args.lengths + args.predict_lengths)
    X = np.random.default_rng(args.seed).uniform(size=(BATCH, steps, FEATURES)).astype("float32")
    classic, stateful, explicit = build_models()
    n_tasks = ROUNDS + 2 * args.growth_rounds * (len(args.lengths) + len(args.predict_lengths))
    progress = keras.utils.Progbar(n_tasks, unit_name="measurement")
    table = ladder(classic, stateful, explicit, X, args.repeats, progress)
    curve = growth(classic, stateful, explicit, X, args.lengths, args.predict_lengths,
                   progress, args.growth_rounds)
    table.to_csv(args.out / "ladder.csv")
    curve.to_csv(args.out / "growth.csv", index=False)
    plot(table, curve, args.out / "step_inference.png")
    print(table.round(4).to_string())
    print(curve.pivot_table(index="T", columns=["timing", "way"], values="seconds").round(3))
    print("written:", *(str(args.out / n) for n in ("ladder.csv", "growth.csv",
                                                   "step_inference.png")))


if __name__ == "__main__":
    main()
