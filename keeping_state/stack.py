"""Many copies of one small Keras model trained at once: their weights stacked along a new
first axis, one Adam step on the sum of the copies' losses (they share no weight, so each copy
gets the gradient of its own loss), all updates in one compiled TensorFlow loop.

`train_stacked` is the book's one training loop outside `fit`: chapters 3 and 4 train their
stacks with it, chapter 1 trains one Keras model at a time with it (its weights are the
variables). tests/test_package.py checks it against Keras's fit, update for update, stateless
and with a state carried from update to update.
"""


def _max_shape(shapes):
    return tuple(max(s[k] for s in shapes) for k in range(len(shapes[0])))


def stack_weights(models, pad=False):
    """One tf.Variable per weight of the models, copies along axis 0. The models must have
    the same weight shapes, or with pad=True the same number of weights of the same ranks:
    each is then zero-padded to the largest shape (a wider read-out, say); unstack_weights
    trims every copy back to its own model's shapes."""
    import numpy as np
    import tensorflow as tf
    weights = [m.get_weights() for m in models]
    shapes = {tuple(w.shape for w in ws) for ws in weights}
    if len(shapes) != 1 and not pad:
        raise ValueError(f"stack_weights: the models differ in their weights' shapes: {shapes}"
                         " (pad=True zero-pads them to the largest)")
    ranks = {tuple(len(s) for s in ss) for ss in shapes}
    if len(ranks) != 1:
        raise ValueError(f"stack_weights: the models' weights differ in number or rank: {shapes}")
    stacked = []
    for copies in zip(*weights):
        widest = _max_shape([a.shape for a in copies])
        stacked.append(tf.Variable(np.stack([
            np.pad(a, [(0, w - s) for s, w in zip(a.shape, widest)]) for a in copies])))
    return stacked


def unstack_weights(models, weights):
    """Load copy i of the stacked weights back into models[i] (trimmed to its own shapes)."""
    arrays = [w.numpy() for w in weights]
    for i, model in enumerate(models):
        model.set_weights([a[i][tuple(slice(0, n) for n in own.shape)]
                           for a, own in zip(arrays, model.get_weights())])


def lstm_step(x, h, c, kernel, recurrent, bias):
    """One step of M LSTM cells at once, Keras's LSTMCell written out:
    x (M, B, F), h and c (M, B, U), kernel (M, F, 4U), recurrent (M, U, 4U),
    bias (M, 4U); gates in Keras's order i, f, c, o. Returns the new (h, c)."""
    import tensorflow as tf  # here, not at the top: ks loads before TF
    z = tf.matmul(x, kernel) + tf.matmul(h, recurrent) + bias[:, None]
    i, f, g, o = tf.split(z, 4, axis=-1)
    c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
    return tf.sigmoid(o) * tf.tanh(c), c


def lstm_states(weights, x, h=None, c=None):
    """The state (h, c) of M LSTMs (weights: kernel, recurrent kernel, bias, stacked) after
    reading x (M, B, T, F) from (h, c), zeros when not given."""
    import tensorflow as tf
    kernel, recurrent, bias = weights[:3]
    if h is None:
        h = c = tf.zeros([x.shape[0], x.shape[1], recurrent.shape[1]])
    for t in range(x.shape[2]):
        h, c = lstm_step(x[:, :, t], h, c, kernel, recurrent, bias)
    return h, c


def lstm_dense(weights, x):
    """The stacked forward pass of LSTM(U) -> Dense(O) on x (M, B, T, F), weights as Keras
    orders them (kernel, recurrent kernel, bias, dense kernel, dense bias): the outputs
    (M, B, O) after the last step."""
    import tensorflow as tf
    h, _ = lstm_states(weights, x)
    return tf.matmul(h, weights[3]) + weights[4][:, None]


def train_stacked(weights, losses_of, batches, learning_rate=0.01, carry=None, norms=False,
                  progress=None):
    """Adam (Keras's, at `learning_rate`, a float or a schedule) on the sum of
    losses_of(weights, *batch) for each batch of `batches` (tensors whose first axis is the
    update), all updates in one compiled loop (AutoGraph off: Python loops in losses_of
    unroll). losses_of returns one loss per copy, or any tensor of losses.

    carry: tensors, or a nest of them (a stateful model's state). losses_of is then called as
    losses_of(weights, carry, *batch) and returns (losses, new carry); the new carry, without
    its gradient, goes to the next update.
    norms=True: also return the gradient norm of every copy of every weight: a list with one
    (updates, copies) array per weight.

    progress: a label; if given, a line "label: 300/1500 updates, 8 s" after each fifth of
    the updates (a learner sees a long training move).

    Returns the (updates, ...) losses as numpy, and the norms when asked."""
    import time

    import keras
    import numpy as np
    import tensorflow as tf
    batches = [tf.convert_to_tensor(b) for b in batches]
    if not batches:
        raise ValueError("train_stacked: batches is empty; it sets the number of updates")
    steps = int(batches[0].shape[0])
    if any(int(b.shape[0]) != steps for b in batches):
        raise ValueError("train_stacked: every tensor of batches needs the same first axis "
                         f"(the update), not {[int(b.shape[0]) for b in batches]}")
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(weights)
    carried = [] if carry is None else carry

    def one_update(step, state):
        with tf.GradientTape() as tape:
            batch = [b[step] for b in batches]
            if carry is None:
                losses, state = losses_of(weights, *batch), []
            else:
                losses, state = losses_of(weights, state, *batch)
            total = tf.reduce_sum(losses)
        grads = tape.gradient(total, weights)
        optimizer.apply_gradients(zip(grads, weights))
        by_weight = [tf.sqrt(tf.reduce_sum(g ** 2, axis=list(range(1, g.shape.rank))))
                     for g in grads] if norms else []
        return losses, tf.nest.map_structure(tf.stop_gradient, state), by_weight

    @tf.function(autograph=False)
    def run(start, stop, state):
        def body(step, state, loss_log, norm_logs):
            losses, state, by_weight = one_update(step, state)
            row = step - start
            return (step + 1, state, loss_log.write(row, losses),
                    [log.write(row, n) for log, n in zip(norm_logs, by_weight)])
        logs = [tf.TensorArray(tf.float32, stop - start)
                for _ in range(1 + len(weights) * norms)]
        _, state, loss_log, norm_logs = tf.while_loop(
            lambda step, *_: step < stop, body, [start, state, logs[0], logs[1:]])
        return loss_log.stack(), [log.stack() for log in norm_logs], state

    # With progress, the updates run in five compiled pieces (one trace), a line after each.
    edges = np.linspace(0, steps, 6 if progress and steps >= 5 else 2).astype(int)
    pieces, began = [], time.perf_counter()
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")  # a new tf.function per call is intended: no retracing warning
    try:
        for start, stop in zip(edges[:-1], edges[1:]):
            losses, by_weight, carried = run(tf.constant(int(start)), tf.constant(int(stop)),
                                             carried)
            pieces.append((losses.numpy(), [n.numpy() for n in by_weight]))
            if progress:
                print(f"{progress}: {stop}/{steps} updates, "
                      f"{time.perf_counter() - began:.0f} s", flush=True)
    finally:
        logger.setLevel(level)
    loss_log = np.concatenate([losses for losses, _ in pieces])
    if norms:
        return loss_log, [np.concatenate(logs) for logs in zip(*(n for _, n in pieces))]
    return loss_log
