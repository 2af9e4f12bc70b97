"""keeping_state.scan (chapter 7's draft): each equality the chapter asserts, on small sizes."""
import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import ops  # noqa: E402

from keeping_state import scan  # noqa: E402

RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 13, 3)).astype("float32")  # 13: not a power of two


def loop_reference(a, b, h):
    out = []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        out.append(h)
    return np.stack(out, 1)


@pytest.mark.parametrize("method", ["doubling", "keras"])
def test_linear_scan_is_the_loop(method):
    a = RNG.uniform(0.2, 1.0, size=(2, 13, 4)).astype("float32")
    b = RNG.normal(size=(2, 13, 4)).astype("float32")
    h0 = RNG.normal(size=(2, 4)).astype("float32")
    got = np.asarray(scan.linear_scan(a, b, h0, method=method))
    np.testing.assert_allclose(got, loop_reference(a, b, h0), atol=1e-5)
    with pytest.raises(ValueError, match="doubling"):
        scan.linear_scan(a, b, method="serial")


def test_mingru_scan_loop_and_numpy_agree():
    keras.utils.set_random_seed(1)
    layer = scan.MinGRU(5)
    h0 = RNG.normal(size=(2, 5)).astype("float32")
    by_scan = np.asarray(layer(X, initial_state=h0))
    by_loop = np.asarray(layer.loop(X, ops.convert_to_tensor(h0)))
    kernel, bias = (w.numpy() for w in layer.weights)
    h, by_hand = h0, []
    for t in range(X.shape[1]):
        h = scan.numpy_mingru_step(X[:, t], h, kernel, bias)
        by_hand.append(h)
    np.testing.assert_allclose(by_scan, by_loop, atol=1e-5)
    np.testing.assert_allclose(by_scan, np.stack(by_hand, 1), atol=1e-5)
    assert layer.compute_output_shape((None, 13, 3)) == (None, 13, 5)


def test_decoder_cached_steps_are_the_full_forward():
    keras.utils.set_random_seed(2)
    decoder = scan.CausalDecoder(8, 2, max_length=13)
    full = np.asarray(decoder(X))
    cache, steps = None, []
    for t in range(X.shape[1]):
        out, cache = decoder.step(X[:, t], t, cache)
        steps.append(np.asarray(out))
    np.testing.assert_allclose(np.stack(steps, 1), full, atol=1e-5)
    assert tuple(cache[0].shape) == (2, 13, 8)  # one key per position seen
    assert 2 * np.prod(cache[0].shape[1:]) == scan.kv_cache_values(1, 8, 13)
    # causal: changing the last input leaves every earlier output alone
    changed = X.copy()
    changed[:, -1] += 1.0
    np.testing.assert_allclose(np.asarray(decoder(changed))[:, :-1], full[:, :-1],
                               atol=1e-6)
    with pytest.raises(ValueError, match="multiple"):
        scan.CausalDecoder(7, 2, max_length=4)


def test_models_count_and_shape():
    counts = {m.name: m.count_params() for m in [
        scan.lstm_model(4, 3, 6), scan.mingru_model(4, 3, 6), scan.decoder_model(4, 2, 3, 6)]}
    assert counts["lstm"] == 4 * 4 * (3 + 4 + 1) + 4 * 3 + 3
    assert counts["mingru"] == 2 * 4 * (3 + 1) + (4 * 4 + 4) + (4 * 3 + 3)
    width = 4  # embed, positions, 3 norms, qkv, out, MLP, read-out
    assert counts["decoder"] == ((3 * width + width) + 6 * width + 3 * 2 * width
                                 + (3 * width * width + 3 * width) + (width * width + width)
                                 + (8 * width * width + 5 * width) + (width * 3 + 3))


def test_recall_task_and_its_levels():
    x, target = scan.recall_task(np.random.default_rng(0), 50, 10, 4, delay=3)
    assert x.shape == (50, 10, 4) and target.shape == (50, 10)
    assert (target[:, :3] == -1).all()
    assert (target[:, 3:] == x.argmax(-1)[:, :-3]).all()
    logits = np.zeros((50, 10, 4))
    logits[:, 3:] = x[:, :-3]  # the ceiling: read the symbol 3 steps back
    assert scan.scored_accuracy(logits, target) == 1.0
    assert 0.25 <= scan.chance_accuracy(target) < 0.35
    with pytest.raises(ValueError, match="delay"):
        scan.recall_task(np.random.default_rng(0), 5, 10, 4, delay=10)


def test_train_together_lowers_each_loss():
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    xs, ys = zip(*[scan.recall_task(rng, 8, 6, 3, delay=1) for _ in range(30)])
    models = [scan.lstm_model(4, 3, 6), scan.mingru_model(4, 3, 6)]
    losses = scan.train_together(models, np.stack(xs), [np.stack(ys)] * 2, 0.05)
    assert losses.shape == (30, 2)
    assert (losses[-5:].mean(0) < losses[:5].mean(0)).all()
