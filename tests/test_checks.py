import numpy as np
import pytest

from coursekit.checks import CheckFailed, check_close, check_equal


def test_check_close_passes_and_prints(capsys):
    check_close(np.ones(3), np.ones(3) + 1e-9, what="ones")
    assert capsys.readouterr().out.startswith("✓ ones: max |difference| 1e-09")


def test_check_close_fails_with_location_and_values():
    with pytest.raises(CheckFailed, match=r"result: max \|difference\| 0.5 .* at index \(1,\) got 2.5, expected 2"):
        check_close([1.0, 2.5], [1.0, 2.0])


def test_check_close_shape_and_nan():
    with pytest.raises(CheckFailed, match=r"shape \(2,\), expected \(3,\)"):
        check_close(np.ones(2), np.ones(3))
    with pytest.raises(CheckFailed, match="NaN"):
        check_close([np.nan], [1.0])


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


def test_check_equal(capsys):
    check_equal((2, 2), (2, 2), what="shape")
    assert capsys.readouterr().out == "✓ shape: (2, 2)\n"
    with pytest.raises(CheckFailed, match="got 3, expected 4"):
        check_equal(3, 4)
    with pytest.raises(CheckFailed):
        check_equal(np.array([1, 2]), np.array([1, 2, 3]))


def test_check_close_says_where_the_nan_is_and_a_likely_cause():
    with np.errstate(invalid="ignore"):
        precision = np.array([3.0, 0.0, 5.0]) / np.array([4.0, 0.0, 5.0])   # a class never predicted: 0 / 0
    with pytest.raises(CheckFailed, match=r"1 of 3 values, the first at index \(1,\): nan\); .*total that is 0"):
        check_close(precision, [0.75, 0.0, 1.0], what="precision")
    with pytest.raises(CheckFailed, match=r"the value is inf"):
        check_close(np.inf, 1.0)


def test_check_close_refuses_an_undefined_reference():
    with pytest.raises(CheckFailed, match=r"expected value contains NaN or infinity \(1 of 2 values, .*index \(0,\)"):
        check_close([1.0, 2.0], [np.nan, 2.0])


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_checks_accept_the_low_precision_floats_a_model_can_return(dtype, capsys):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    values = np.array([0.5, 1.0, 2.0], dtype=getattr(ml_dtypes, dtype, None) or dtype)
    check_close(values, [0.5, 1.0, 2.0], what=dtype)
    check_close(values[0], 0.5, what="one value")
    check_equal(values, np.array([0.5, 1.0, 2.0]), what="equal")
    assert capsys.readouterr().out.count("✓") == 3


def test_checks_accept_tensorflow_tensors_of_any_float_dtype():
    tf = pytest.importorskip("tensorflow")
    for dtype in (tf.float32, tf.float16, tf.bfloat16):
        check_close(tf.constant([0.25, 4.0], dtype=dtype), [0.25, 4.0], what=dtype.name)
