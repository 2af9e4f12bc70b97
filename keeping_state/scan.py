"""Chapter 7 (draft): a fixed-size state against a growing cache. Three small sequence
models in Keras 3 that a chapter puts side by side, each with a full-sequence pass (training)
and a one-step update (streaming inference), and the references they are checked against:

- ``MinGRU``: the minimal GRU of Feng et al. (2024), "Were RNNs All We Needed?". Its gate and
  candidate read the input only, z_t = sigmoid(W_z x_t + b_z), g_t = W_h x_t + b_h, so that
  h_t = (1 - z_t) * h_{t-1} + z_t * g_t is a *linear* recurrence h_t = a_t h_{t-1} + b_t whose
  whole sequence is a parallel (associative) scan: ``call`` runs keras.ops.associative_scan,
  ``step`` the one-step update, ``loop`` the step-by-step loop, ``numpy_step`` the step by hand.
- ``CausalDecoder``: a one-block causal Transformer decoder with its attention written out
  (pre-norm, learned positions, multi-head, a 4x MLP). ``call`` attends over the whole sequence
  under a causal mask; ``step`` appends the new key and value to a cache (a KV cache) and
  attends over it.
- ``lstm_model``/``mingru_model``/``decoder_model``: the three as Keras models of a stream of
  one-hot symbols to logits at every step.

And the memory task: ``recall_task`` (the symbol seen k steps earlier), its chance level.
tests/test_scan.py checks every equality the chapter asserts, on small sizes.
"""
import numpy as np

import keras
from keras import ops


def _combine(earlier, later):
    """Two linear maps h -> a h + b, the earlier one applied first: (a2 a1, a2 b1 + b2)."""
    a1, b1 = earlier
    a2, b2 = later
    return a2 * a1, a2 * b1 + b2


def doubling_scan(a, b):
    """The prefix combination of (a_t, b_t) along axis 1 by recursive doubling (Hillis and
    Steele): round r combines every position with the one 2^r before it, so log2(T) rounds
    of elementwise work, T log T in all, every shape static (XLA compiles it, which
    keras.ops.associative_scan's TensorFlow form does not). Returns (prod a, h)."""
    length, shift = a.shape[1], 1
    while shift < length:
        a_before = ops.concatenate([ops.ones_like(a[:, :shift]), a[:, :-shift]], 1)
        b_before = ops.concatenate([ops.zeros_like(b[:, :shift]), b[:, :-shift]], 1)
        a, b = _combine((a_before, b_before), (a, b))
        shift *= 2
    return a, b


def linear_scan(a, b, h0=None, method="doubling"):
    """Every h_t of h_t = a_t * h_{t-1} + b_t along axis 1, from h0 (zeros if None), by a
    parallel scan: log2(T) rounds of _combine instead of T steps. method="keras":
    keras.ops.associative_scan (the work-efficient form, about 2T combines)."""
    if method == "keras":
        prod_a, h = ops.associative_scan(_combine, (a, b), axis=1)
        known = [-1 if n is None else n for n in b.shape]  # the scan's graph loses the
        h, prod_a = ops.reshape(h, known), ops.reshape(prod_a, known)  # static shape
    elif method == "doubling":
        prod_a, h = doubling_scan(a, b)
    else:
        raise ValueError(f"method is 'doubling' or 'keras', not {method!r}")
    if h0 is not None:
        h = h + prod_a * ops.expand_dims(h0, 1)
    return h


@keras.saving.register_keras_serializable("keeping_state")
class MinGRU(keras.layers.Layer):
    """minGRU(units): z_t = sigmoid(x_t W_z + b_z), g_t = x_t W_h + b_h,
    h_t = (1 - z_t) h_{t-1} + z_t g_t. Input (B, T, F), output every h_t, (B, T, units)."""

    def __init__(self, units, method="doubling", **kwargs):
        super().__init__(**kwargs)
        self.units, self.method = units, method

    def build(self, input_shape):
        features = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(features, 2 * self.units),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(2 * self.units,),
                                    initializer="zeros")

    def gates(self, x):
        """(a, b) of the linear recurrence: a = 1 - z, b = z * g, from the input alone."""
        z_pre, g = ops.split(ops.matmul(x, self.kernel) + self.bias, 2, axis=-1)
        z = ops.sigmoid(z_pre)
        return 1.0 - z, z * g

    def call(self, x, initial_state=None):
        a, b = self.gates(x)
        return linear_scan(a, b, initial_state, self.method)

    def step(self, x_t, h):
        """One step: x_t (B, F), h (B, units) -> the new h."""
        a, b = self.gates(x_t)
        return a * h + b

    def loop(self, x, h=None):
        """The step-by-step loop over x (B, T, F): every h_t, as call gives them."""
        if h is None:
            h = ops.zeros((ops.shape(x)[0], self.units), dtype=x.dtype)
        states = []
        for t in range(x.shape[1]):
            h = self.step(x[:, t], h)
            states.append(h)
        return ops.stack(states, axis=1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "method": self.method}


def numpy_mingru_step(x_t, h, kernel, bias):
    """The minGRU step by hand, in numpy (kernel (F, 2U): gate columns first)."""
    units = kernel.shape[1] // 2
    pre = x_t @ kernel + bias
    z = 1.0 / (1.0 + np.exp(-pre[:, :units]))
    return (1.0 - z) * h + z * pre[:, units:]


@keras.saving.register_keras_serializable("keeping_state")
class CausalDecoder(keras.layers.Layer):
    """One pre-norm Transformer decoder block over a stream, attention written out:
    x -> embed + position -> x + Attn(LN(x)) -> x + MLP(LN(x)) -> LN. Input (B, T, F),
    output (B, T, width). ``step`` decodes one position with a KV cache."""

    def __init__(self, width, heads, max_length, **kwargs):
        super().__init__(**kwargs)
        if width % heads:
            raise ValueError(f"width {width} is not a multiple of heads {heads}")
        self.width, self.heads, self.max_length = width, heads, max_length
        dense = keras.layers.Dense
        self.embed = dense(width, name="embed")
        self.position = keras.layers.Embedding(max_length, width, name="position")
        self.norm_1 = keras.layers.LayerNormalization(epsilon=1e-5, name="norm_1")
        self.qkv = dense(3 * width, name="qkv")
        self.attn_out = dense(width, name="attn_out")
        self.norm_2 = keras.layers.LayerNormalization(epsilon=1e-5, name="norm_2")
        self.mlp_in = dense(4 * width, activation="gelu", name="mlp_in")
        self.mlp_out = dense(width, name="mlp_out")
        self.norm_3 = keras.layers.LayerNormalization(epsilon=1e-5, name="norm_3")

    def build(self, input_shape):
        for layer, shape in [(self.embed, input_shape), (self.position, (None,))]:
            layer.build(shape)
        inner = (None, None, self.width)
        for layer in [self.norm_1, self.qkv, self.attn_out, self.norm_2, self.mlp_in,
                      self.norm_3]:
            layer.build(inner)
        self.mlp_out.build((None, None, 4 * self.width))

    def _heads(self, x):
        """(B, T, width) -> (B, heads, T, width / heads)."""
        b, t = ops.shape(x)[0], ops.shape(x)[1]
        x = ops.reshape(x, (b, t, self.heads, self.width // self.heads))
        return ops.transpose(x, (0, 2, 1, 3))

    def _attend(self, q, k, v, mask):
        """softmax(q k^T / sqrt(d) + mask) v, heads merged back: (B, Tq, width)."""
        scores = ops.matmul(q, ops.transpose(k, (0, 1, 3, 2)))
        scores = scores / np.sqrt(self.width // self.heads).astype("float32")
        if mask is not None:
            scores = ops.where(mask, scores, -1e9)
        weights = ops.exp(scores - ops.max(scores, axis=-1, keepdims=True))
        weights = weights / ops.sum(weights, axis=-1, keepdims=True)  # softmax (no
        out = ops.matmul(weights, v)  # warning for the first step's single key)
        b, tq = ops.shape(out)[0], ops.shape(out)[2]
        return ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (b, tq, self.width))

    def _rest(self, x, attended):
        x = x + self.attn_out(attended)
        x = x + self.mlp_out(self.mlp_in(self.norm_2(x)))
        return self.norm_3(x)

    def call(self, x):
        t = ops.shape(x)[1]
        x = self.embed(x) + self.position(ops.arange(t))
        q, k, v = ops.split(self.qkv(self.norm_1(x)), 3, axis=-1)
        causal = ops.tril(ops.ones((t, t), dtype="bool"))
        return self._rest(x, self._attend(*map(self._heads, (q, k, v)), causal))

    def step(self, x_t, t, cache):
        """Position t (an int or an integer tensor) of x_t (B, F), with cache = (keys,
        values), each (B, t, width) (None at t = 0): returns (output (B, width), the grown
        cache)."""
        x = self.embed(x_t[:, None]) + self.position(ops.reshape(t, (1,)))
        q, k, v = ops.split(self.qkv(self.norm_1(x)), 3, axis=-1)
        if cache is not None:
            k, v = ops.concatenate([cache[0], k], 1), ops.concatenate([cache[1], v], 1)
        out = self._rest(x, self._attend(*map(self._heads, (q, k, v)), None))
        return out[:, 0], (k, v)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.width)

    def get_config(self):
        return {**super().get_config(), "width": self.width, "heads": self.heads,
                "max_length": self.max_length}


def kv_cache_values(layers, width, t):
    """The numbers a KV cache holds per stream after t positions: a key and a value of
    `width` for every layer and position, 2 x layers x width x t."""
    return 2 * layers * width * t


def _model(core, symbols, length, name):
    inputs = keras.Input((length, symbols))
    logits = keras.layers.Dense(symbols, name="readout")(core(inputs))
    return keras.Model(inputs, logits, name=name)


def lstm_model(units, symbols, length, unroll=True):
    """LSTM(units, every step) -> Dense(symbols): logits at every step (unroll: the T steps
    written out in the graph, faster to train at small T; False: TensorFlow's step loop)."""
    lstm = keras.layers.LSTM(units, return_sequences=True, unroll=unroll)
    return _model(lstm, symbols, length, "lstm")


def mingru_model(units, symbols, length, mlp=True):
    """MinGRU(units) -> [Dense(units, relu)] -> Dense(symbols): logits at every step."""
    def core(x):
        h = MinGRU(units, name="mingru")(x)
        return keras.layers.Dense(units, activation="relu", name="mlp")(h) if mlp else h
    return _model(core, symbols, length, "mingru")


def decoder_model(width, heads, symbols, length):
    """CausalDecoder(width, heads) -> Dense(symbols): logits at every step."""
    return _model(CausalDecoder(width, heads, length, name="decoder"), symbols, length,
                  "decoder")


def recall_task(rng, streams, length, symbols, delay):
    """Streams of random symbols (one-hot, (streams, length, symbols)) and, at every step t,
    the symbol seen `delay` steps earlier (integers, (streams, length)); the first `delay`
    steps have no such symbol and are marked -1 (not scored)."""
    if not 1 <= delay < length:
        raise ValueError(f"delay must be in 1..{length - 1}, not {delay}")
    seen = rng.integers(0, symbols, size=(streams, length))
    target = np.full_like(seen, -1)
    target[:, delay:] = seen[:, :-delay]
    return np.eye(symbols, dtype="float32")[seen], target


def chance_accuracy(targets):
    """The accuracy of always guessing the most frequent scored target: the chance level."""
    scored = targets[targets >= 0]
    return float(np.bincount(scored).max() / scored.size)


def scored_accuracy(logits, targets):
    """The fraction of scored steps (target >= 0) whose largest logit is the target."""
    logits, targets = np.asarray(logits), np.asarray(targets)
    scored = targets >= 0
    return float((logits.argmax(-1)[scored] == targets[scored]).mean())


def masked_loss(logits, targets):
    """Mean cross-entropy over the scored steps (targets >= 0) of one model."""
    scored = ops.cast(targets >= 0, "float32")
    losses = keras.losses.sparse_categorical_crossentropy(
        ops.maximum(targets, 0), logits, from_logits=True)
    return ops.sum(losses * scored) / ops.maximum(ops.sum(scored), 1.0)


def train_together(models, inputs, targets, learning_rate=3e-3, jit_compile=False):
    """Adam on the sum of the models' losses, one update per batch: inputs (updates, B, T, F)
    shared by all, targets[i] (updates, B, T) model i's. The models share no weight, so each
    gets the gradient of its own loss and Adam (per weight) moves it as if trained alone.
    Returns the (updates, models) losses."""
    import tensorflow as tf
    weights = [w for m in models for w in m.trainable_weights]
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(weights)

    @tf.function(jit_compile=jit_compile)  # XLA: one fused program per update
    def update(x, ys):
        with tf.GradientTape() as tape:
            losses = ops.stack([masked_loss(m(x, training=True), y)
                                for m, y in zip(models, ys)])
            total = ops.sum(losses)
        optimizer.apply_gradients(zip(tape.gradient(total, weights), weights))
        return losses

    inputs = tf.convert_to_tensor(inputs)
    targets = [tf.convert_to_tensor(y) for y in targets]
    return np.stack([update(inputs[u], [y[u] for y in targets]).numpy()
                     for u in range(inputs.shape[0])])


def gradient_step(model):
    """A compiled training pass without the optimizer: the loss's gradient with respect to
    every weight, for timing what training costs at a sequence length."""
    import tensorflow as tf

    @tf.function
    def gradients(x, y):
        with tf.GradientTape() as tape:
            loss = masked_loss(model(x, training=True), y)
        return tape.gradient(loss, model.trainable_weights)
    return gradients


def interleaved_ms(calls, rounds, repeats=3):
    """Milliseconds of each named call, in `rounds` rounds that each call every one
    `repeats` times in turn (a burst of load spoils one round, not one call's numbers):
    {name: [each round's fastest call]}. Every call is made once first, untimed (tracing)."""
    import time
    for fn in calls.values():
        fn()
    fastest = {name: [] for name in calls}
    for _ in range(rounds):
        for name, fn in calls.items():
            times = []
            for _ in range(repeats):
                began = time.perf_counter()
                fn()
                times.append(1e3 * (time.perf_counter() - began))
            fastest[name].append(min(times))
    return fastest


def loglog_slope(lengths, times):
    """The exponent k of time ~ length^k, fitted on a log-log scale."""
    return float(np.polyfit(np.log(lengths), np.log(times), 1)[0])
