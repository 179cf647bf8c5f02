import numpy as np
import pytest
from scipy import signal

from coursekit.ops import conv2d, conv_transpose2d, corr2d, corr2d_multi_in, corr2d_multi_in_out, pad2d, pool2d
from coursekit.shapes import ShapeError


def naive_corr2d(X, K, stride=(1, 1)):
    """The textbook double loop over output positions, an independent reference."""
    k_h, k_w = K.shape
    out_h = (X.shape[0] - k_h) // stride[0] + 1
    out_w = (X.shape[1] - k_w) // stride[1] + 1
    Y = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            Y[i, j] = (X[i * stride[0]:i * stride[0] + k_h, j * stride[1]:j * stride[1] + k_w] * K).sum()
    return Y


def test_seed_example():
    X = np.arange(9.0).reshape(3, 3)
    K = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(corr2d(X, K), [[19, 25], [37, 43]])


def test_seed_stride_example():
    X = np.arange(9.0).reshape(3, 3)
    K = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(corr2d(X, K, stride=(3, 2), padding=1), [[0, 8], [6, 8]])


@pytest.mark.parametrize("shape, kshape, stride, padding", [
    ((6, 8), (1, 2), (1, 1), 0), ((7, 7), (3, 3), (2, 2), 1), ((10, 9), (4, 2), (3, 1), 2),
    ((5, 5), (5, 5), (1, 1), 0), ((8, 8), (3, 3), (3, 3), (1, 0)),
])
def test_corr2d_matches_naive_loop_and_scipy(shape, kshape, stride, padding):
    rng = np.random.default_rng(0)
    X, K = rng.normal(size=shape), rng.normal(size=kshape)
    padded = pad2d(X, padding)
    expected = naive_corr2d(padded, K, stride)
    np.testing.assert_allclose(corr2d(X, K, stride, padding), expected, atol=1e-10)
    if stride == (1, 1):
        np.testing.assert_allclose(corr2d(X, K, 1, padding), signal.correlate2d(padded, K, "valid"), atol=1e-10)


def test_corr2d_matches_keras_conv2d():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    X, K = rng.normal(size=(9, 11)).astype(np.float32), rng.normal(size=(3, 2)).astype(np.float32)
    expected = tf.nn.conv2d(X[None, :, :, None], K[:, :, None, None], strides=(2, 3), padding="VALID")
    np.testing.assert_allclose(corr2d(X, K, stride=(2, 3)), expected.numpy()[0, :, :, 0], rtol=1e-5, atol=1e-5)


def test_asymmetric_padding():
    X = np.ones((2, 2))
    Y = corr2d(X, np.ones((2, 2)), padding=(1, 0, 0, 1))  # top 1, bottom 0, left 0, right 1
    np.testing.assert_array_equal(Y, [[2, 1], [4, 2]])


def test_conv2d_flips_the_kernel_like_scipy():
    rng = np.random.default_rng(2)
    X, K = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(conv2d(X, K), signal.convolve2d(X, K, "valid"), atol=1e-10)


def test_integer_input_gives_float_output():
    assert corr2d(np.arange(9).reshape(3, 3), np.ones((2, 2), int)).dtype.kind == "f"


@pytest.mark.parametrize("X, K, kwargs, error, message", [
    (np.zeros((3, 3, 3)), np.ones((2, 2)), {}, ShapeError, r"input X must be a 2-D matrix.*\(3, 3, 3\)"),
    (np.zeros((3, 3)), np.ones(2), {}, ShapeError, "kernel K must be a 2-D matrix"),
    (np.zeros((2, 2)), np.ones((3, 3)), {}, ShapeError, "kernel does not fit along height"),
    (np.zeros((3, 3)), np.ones((2, 2)), {"stride": 0}, ShapeError, "stride along height must be a positive"),
    (np.array([["a", "b"]]), np.ones((1, 1)), {}, TypeError, "must hold numbers"),
    (np.zeros((3, 3)), np.ones((2, 2)), {"padding": -1}, ShapeError, "padding must be >= 0"),
    (np.zeros((3, 3)), np.ones((2, 2)), {"padding": (1, 2, 3)}, ShapeError, "padding must be an int"),
    (np.zeros((0, 3)), np.ones((1, 1)), {}, ShapeError, "is empty"),
])
def test_bad_input_is_refused_with_a_clear_message(X, K, kwargs, error, message):
    with pytest.raises(error, match=message):
        corr2d(X, K, **kwargs)


def test_inputs_are_not_modified():
    X, K = np.arange(9.0).reshape(3, 3), np.array([[0.0, 1.0], [2.0, 3.0]])
    X0, K0 = X.copy(), K.copy()
    corr2d(X, K, padding=1)
    conv2d(X, K)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(K, K0)


# ----------------------------------------------------------------------------- channels
def test_multi_in_seed_example():
    X = np.stack([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)])
    K = np.stack([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    Y = corr2d_multi_in(X, K)
    assert Y[0, 0] == (1 * 1 + 2 * 2 + 4 * 3 + 5 * 4) + (0 * 0 + 1 * 1 + 3 * 2 + 4 * 3) == 56
    np.testing.assert_array_equal(Y, [[56, 72], [104, 120]])


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (0, 1))])
def test_multi_in_out_matches_keras_conv2d(stride, padding):
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 9, 8)).astype(np.float32)          # (c_i, h, w)
    K = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)       # (c_o, c_i, k_h, k_w)
    pads = (padding, padding) if isinstance(padding, int) else padding
    x_last = np.pad(X.transpose(1, 2, 0), ((pads[0],) * 2, (pads[1],) * 2, (0, 0)))[None]
    expected = tf.nn.conv2d(x_last, K.transpose(2, 3, 1, 0), strides=stride, padding="VALID")
    Y = corr2d_multi_in_out(X, K, stride, padding)
    np.testing.assert_allclose(Y, expected.numpy()[0].transpose(2, 0, 1), rtol=1e-4, atol=1e-4)


def test_channel_mismatch_is_explained():
    with pytest.raises(ShapeError, match="3 channels but kernel K has 2"):
        corr2d_multi_in(np.ones((3, 4, 4)), np.ones((2, 2, 2)))
    with pytest.raises(ShapeError, match=r"\(channels, height, width\)"):
        corr2d_multi_in(np.ones((4, 4)), np.ones((1, 2, 2)))
    with pytest.raises(ShapeError, match="out_channels, in_channels"):
        corr2d_multi_in_out(np.ones((1, 4, 4)), np.ones((1, 2, 2)))


# ----------------------------------------------------------------------------- pooling
def test_pool_seed_example():
    X = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(pool2d(X, 2, stride=1), [[4, 5], [7, 8]])
    np.testing.assert_array_equal(pool2d(X, 2, stride=1, mode="avg"), [[2, 3], [5, 6]])


@pytest.mark.parametrize("mode, layer", [("max", "MaxPooling2D"), ("avg", "AveragePooling2D")])
@pytest.mark.parametrize("pool, stride, padding, keras_padding", [
    (2, None, 0, "valid"), (3, 2, 0, "valid"), ((2, 3), (1, 2), 0, "valid"),
    (3, 1, 1, "same"), (2, 2, (0, 1, 0, 1), "same"),  # Keras puts the extra row/column bottom/right
])
def test_pool_matches_keras_per_channel(mode, layer, pool, stride, padding, keras_padding):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 7, 7)).astype(np.float32)
    keras_layer = getattr(keras.layers, layer)(pool, strides=stride, padding=keras_padding)
    expected = np.asarray(keras_layer(X.transpose(1, 2, 0)[None]))[0].transpose(2, 0, 1)
    np.testing.assert_allclose(pool2d(X, pool, stride, padding, mode), expected, rtol=1e-5, atol=1e-6)


def test_pool_bad_arguments():
    with pytest.raises(ValueError, match="mode must be one of"):
        pool2d(np.ones((4, 4)), 2, mode="min")
    with pytest.raises(ShapeError, match="smaller than the window"):
        pool2d(np.ones((4, 4)), 2, padding=2)
    with pytest.raises(ShapeError, match="does not fit along height"):
        pool2d(np.ones((2, 2)), 3)


def keras_conv_transpose(X, K, stride, **options):
    """A one-filter, bias-free ``keras.layers.Conv2DTranspose`` with kernel K on the image X."""
    import keras

    layer = keras.layers.Conv2DTranspose(1, K.shape, strides=stride, use_bias=False, **options)
    layer.build((None, *X.shape, 1))
    layer.set_weights([K[:, :, None, None].astype("float32")])
    return np.asarray(layer(X[None, :, :, None].astype("float32")))[0, :, :, 0]


@pytest.mark.parametrize(("n", "k", "stride", "padding", "output_padding"),
                         [(3, 3, 2, 1, 1), (4, 2, 3, 1, 2), (5, 3, 2, 0, 1), (2, 1, 3, 0, 1), (4, 4, 2, 2, 1), (3, 3, 2, 1, 0)])
def test_conv_transpose2d_output_padding_matches_keras(n, k, stride, padding, output_padding):
    """PyTorch's meaning: crop ``padding`` per side, then give ``output_padding`` rows back at the bottom/right.
    Keras's "valid" with ``output_padding`` is the uncropped grid with those rows, so crop it by hand."""
    rng = np.random.default_rng(n * 10 + k)
    X, K = rng.normal(size=(n, n)), rng.normal(size=(k, k))
    grid = keras_conv_transpose(X, K, stride, padding="valid", output_padding=output_padding)
    assert grid.shape == ((n - 1) * stride + k + output_padding,) * 2
    side = grid.shape[0] - 2 * padding
    ours = conv_transpose2d(X, K, stride, padding=padding, output_padding=output_padding)
    np.testing.assert_allclose(ours, grid[padding:padding + side, padding:padding + side], atol=1e-5)


def test_conv_transpose2d_refuses_output_padding_not_below_the_stride():
    with pytest.raises(ShapeError, match="0 <= output_padding < stride"):
        conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), stride=2, output_padding=2)
