"""Many copies of one small Keras model trained at once: their weights stacked along a new
first axis, one Adam step on the sum of the copies' losses (they share no weight, so each copy
gets the gradient of its own loss), all updates in one compiled TensorFlow loop.

Not yet used by the chapters (chapters 1, 3, 4 and 6 still carry their own engines; issue 24).
tests/test_package.py checks it against Keras's fit, update for update.
"""


def stack_weights(models):
    """One tf.Variable per weight of the (identical) models, copies along axis 0."""
    import numpy as np
    import tensorflow as tf
    shapes = {tuple(w.shape for w in m.get_weights()) for m in models}
    if len(shapes) != 1:
        raise ValueError(f"stack_weights: the models differ in their weights' shapes: {shapes}")
    return [tf.Variable(np.stack(ws)) for ws in zip(*(m.get_weights() for m in models))]


def unstack_weights(models, weights):
    """Load copy i of the stacked weights back into models[i]."""
    arrays = [w.numpy() for w in weights]
    for i, model in enumerate(models):
        model.set_weights([a[i] for a in arrays])


def lstm_dense(weights, x):
    """The stacked forward pass of LSTM(U) -> Dense(O) on x (M, B, T, F), weights as Keras
    orders them (kernel, recurrent kernel, bias, dense kernel, dense bias; gates i, f, c, o):
    the outputs (M, B, O) after the last step."""
    import tensorflow as tf
    kernel, recurrent, bias, w_out, b_out = weights
    units = recurrent.shape[1]
    h = c = tf.zeros([x.shape[0], x.shape[1], units])
    for t in range(x.shape[2]):
        z = tf.matmul(x[:, :, t], kernel) + tf.matmul(h, recurrent) + bias[:, None]
        i, f, g, o = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
    return tf.matmul(h, w_out) + b_out[:, None]


def train_stacked(weights, losses_of, batches, learning_rate=0.01):
    """Adam (Keras's, at `learning_rate`) on sum(losses_of(weights, *batch)) for each batch of
    `batches` (tensors whose first axis is the update), in one compiled loop. losses_of
    returns one loss per copy. Returns the (updates, copies) losses."""
    import keras
    import tensorflow as tf
    batches = [tf.convert_to_tensor(b) for b in batches]
    steps = int(batches[0].shape[0])
    if any(int(b.shape[0]) != steps for b in batches):
        raise ValueError("train_stacked: every tensor of batches needs the same first axis")
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(weights)

    @tf.function(autograph=False)
    def run():
        def body(step, log):
            with tf.GradientTape() as tape:
                losses = losses_of(weights, *[b[step] for b in batches])
                total = tf.reduce_sum(losses)
            optimizer.apply_gradients(zip(tape.gradient(total, weights), weights))
            return step + 1, log.write(step, losses)
        _, log = tf.while_loop(lambda step, _: step < steps, body,
                               [tf.constant(0), tf.TensorArray(tf.float32, steps)])
        return log.stack()

    return run().numpy()
