import numpy as np
import pytest

from coursekit.shapes import (
    ShapeError,
    check_shape,
    conv_output_size,
    does_fit,
    pool_output_size,
    receptive_field,
    transposed_conv_output_size,
)


@pytest.mark.parametrize("n, k, s, p, expected", [
    (7, 3, 1, 0, 5), (7, 3, 2, 0, 3), (7, 3, 3, 0, 2),  # the 7x7 / 3x3 slide cases (3 is floored)
    (7, 3, 1, 1, 7), (32, 5, 1, 2, 32), (227, 11, 4, 0, 55), (3, 2, 3, 1, 2), (28, 5, 1, 2, 28),
])
def test_conv_output_size_matches_formula(n, k, s, p, expected):
    assert conv_output_size(n, k, s, p) == expected == (n - k + 2 * p) // s + 1


def test_conv_output_size_per_dimension():
    assert conv_output_size((3, 3), (2, 2), stride=(3, 2), padding=(1, 1)) == (2, 2)
    assert conv_output_size((32, 32), 5, padding=2) == (32, 32)


def test_same_and_valid_padding_follow_keras():
    assert conv_output_size(7, 3, 2, "same") == 4
    assert conv_output_size(7, 3, 2, "valid") == 3


def test_dilation_widens_the_kernel():
    assert conv_output_size(7, 3, dilation=2) == 3  # spans 5


def test_does_fit_and_strict_mode_explain_the_leftover():
    assert does_fit(7, 3, stride=2)
    assert not does_fit(7, 3, stride=3)
    with pytest.raises(ShapeError, match=r"stride 3 does not fit along width.*1.33.*last 1"):
        conv_output_size(7, 3, stride=3, strict=True)
    assert conv_output_size(7, 3, stride=3) == 2  # Keras/PyTorch floor


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=2, kernel=3), "kernel does not fit along width: it spans 3 but the padded input is only 2"),
    (dict(size=7, kernel=3, stride=0), "stride along width must be a positive integer, got 0"),
    (dict(size=7, kernel=3, stride=-1), "stride along width must be a positive integer"),
    (dict(size=7, kernel=0), "kernel size along width must be positive"),
    (dict(size=7, kernel=3, padding=-1), "padding along width must be >= 0"),
    (dict(size=7, kernel=3, padding="full"), "padding must be an int, 'valid' or 'same'"),
    (dict(size=(7, 7), kernel=(3, 3, 3)), "kernel must be an int or 2 ints"),
])
def test_bad_configurations_raise_clear_errors(kwargs, message):
    with pytest.raises(ShapeError, match=message):
        conv_output_size(**kwargs)


def test_pool_output_size_defaults_stride_to_window():
    assert pool_output_size((4, 4), 2) == (2, 2)
    assert pool_output_size(5, 3, stride=1) == 3
    assert pool_output_size(7, 2, strict=False) == 3
    with pytest.raises(ShapeError, match="does not fit"):
        pool_output_size(7, 2, strict=True)


@pytest.mark.parametrize("n, k, s, p, op, expected", [
    (2, 2, 2, 0, 0, 4), (3, 3, 1, 0, 0, 5), (4, 4, 2, 1, 0, 8), (4, 3, 2, 1, 1, 8),
])
def test_transposed_conv_output_size(n, k, s, p, op, expected):
    assert transposed_conv_output_size(n, k, s, p, op) == expected == (n - 1) * s + k - 2 * p + op


def test_transposed_conv_bad_output_padding():
    with pytest.raises(ShapeError, match="output_padding < stride"):
        transposed_conv_output_size(4, 3, stride=2, output_padding=2)


def test_transposed_conv_matches_keras():
    keras = pytest.importorskip("keras")
    layer = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="valid")
    out = layer(np.zeros((1, 5, 5, 1), np.float32))
    assert tuple(out.shape[1:3]) == transposed_conv_output_size((5, 5), 3, 2)


def test_check_shape_accepts_wildcards():
    check_shape(np.zeros((8, 28, 28, 1)), (None, 28, 28, 1))


def test_check_shape_names_the_wrong_dimension():
    with pytest.raises(ShapeError) as info:
        check_shape(np.zeros((8, 28, 28, 3)), (None, 28, 28, 1),
                    names=("batch", "height", "width", "channels"), what="images")
    assert str(info.value) == (
        "images has shape (batch=8, height=28, width=28, channels=3), expected "
        "(batch=any, height=28, width=28, channels=1): channels is 3, expected 1.")


def test_check_shape_rank_mismatch_and_non_arrays():
    with pytest.raises(ShapeError, match="has 2 dimensions"):
        check_shape(np.zeros((28, 28)), (28, 28, 1))
    with pytest.raises(TypeError, match="has no .shape"):
        check_shape([1, 2, 3], (3,))
    with pytest.raises(ValueError, match="names has 2 entries but expected has 1"):
        check_shape(np.zeros(3), (3,), names=("a", "b"))


def test_receptive_field_of_stacked_layers():
    assert receptive_field([3]) == 3
    assert receptive_field([3, 3]) == 5 and receptive_field([3, 3, 3]) == 7
    assert receptive_field([2, 3], strides=[2, 1]) == 2 + 2 * 2  # pooling doubles the step


def test_receptive_field_matches_gradient_footprint():
    tf = pytest.importorskip("tensorflow")
    x = tf.Variable(tf.zeros((1, 21, 21, 1)))
    kernels, strides = [3, 2, 3], [1, 2, 1]
    with tf.GradientTape() as tape:
        y = x
        for k, s in zip(kernels, strides):
            y = tf.nn.conv2d(y + 1.0, tf.ones((k, k, 1, 1)), strides=s, padding="VALID")
        centre = y[0, y.shape[1] // 2, y.shape[2] // 2, 0]
    rows = np.nonzero(tape.gradient(centre, x).numpy()[0, :, :, 0].any(axis=1))[0]
    assert rows.max() - rows.min() + 1 == receptive_field(kernels, strides)


def test_receptive_field_bad_input():
    with pytest.raises(ValueError, match="2 kernels but 1 strides"):
        receptive_field([3, 3], strides=[1])
    with pytest.raises(ShapeError, match="must be positive"):
        receptive_field([3, 0])


@pytest.mark.parametrize("call, message", [
    (lambda: conv_output_size(28.0, 3), r"size must be an int or a tuple of 1 to 3 ints .*got 28.0 \(float\)"),
    (lambda: conv_output_size(None, 3), r"size must be an int .*got None \(NoneType\)"),
    (lambda: conv_output_size((28, 28.0), 3), r"size must be .*got \(28, 28.0\)"),
    (lambda: conv_output_size(28, 3.5), r"kernel must be an int, got 3.5 \(float\)"),
    (lambda: conv_output_size(28, True), r"kernel must be an int, got True \(bool\)"),
    (lambda: conv_output_size(True, 1), r"size must be an int .*got True \(bool\)"),
    (lambda: conv_output_size((28, 28), 3, stride=(1, 2.0)), r"stride must be an int or 2 ints, got \(1, 2.0\)"),
    (lambda: conv_output_size(28, 3, padding=1.5), r"padding must be an int, 'valid' or 'same', got 1.5"),
    (lambda: conv_output_size(28, 3, dilation=None), r"dilation must be an int, got None"),
    (lambda: pool_output_size(28.0, 2), r"size must be an int"),
    (lambda: pool_output_size(28, 2, stride=False), r"stride must be an int, got False \(bool\)"),
    (lambda: does_fit(None, 3), r"size must be an int"),
    (lambda: transposed_conv_output_size(4.0, 2), r"size must be an int"),
    (lambda: transposed_conv_output_size(4, 2, stride=True), r"stride must be an int, got True \(bool\)"),
    (lambda: transposed_conv_output_size(4, 3, padding="same"), r"padding must be an int, got 'same'"),
    (lambda: receptive_field(3), r"kernels must be a sequence of ints, one per layer, got 3 \(int\)"),
    (lambda: receptive_field([3, 3.0]), r"kernels must be a sequence of ints"),
    (lambda: receptive_field([3, 3], strides=[1, True]), r"strides must be a sequence of ints"),
    (lambda: check_shape(np.zeros(3), 3), r"expected must be a sequence of ints or None"),
    (lambda: check_shape(np.zeros(3), (3.0,)), r"expected must be a sequence of ints or None"),
])
def test_arguments_of_the_wrong_type_say_what_was_expected(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_numpy_integers_are_sizes_and_more_than_three_dimensions_are_refused():
    assert conv_output_size(np.int64(28), np.int32(3)) == 26
    assert conv_output_size(np.array([28, 28]), 3, stride=np.int8(2)) == (13, 13)
    assert transposed_conv_output_size(np.int64(2), 2, stride=2) == 4
    assert receptive_field(np.array([3, 3])) == 5
    check_shape(np.zeros((2, 3)), (np.int64(2), None))
    with pytest.raises(ShapeError, match=r"size must have 1 to 3 spatial dimensions, got \(1, 2, 3, 4\)"):
        conv_output_size((1, 2, 3, 4), 1)
