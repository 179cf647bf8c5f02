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
