import pytest

from coursekit.mode import FAST_ENV, is_fast, mode_name, pick


@pytest.mark.parametrize("value, fast", [("1", True), ("true", True), ("YES", True), ("", False),
                                         ("0", False), ("off", False)])
def test_is_fast_reads_the_environment(monkeypatch, value, fast):
    monkeypatch.setenv(FAST_ENV, value)
    assert is_fast() is fast
    assert pick(full=10, fast=1) == (1 if fast else 10)
    assert mode_name() == ("fast" if fast else "full")


def test_unset_is_full_mode(monkeypatch):
    monkeypatch.delenv(FAST_ENV, raising=False)
    assert not is_fast()


def test_typo_is_an_error_not_silently_full_mode(monkeypatch):
    monkeypatch.setenv(FAST_ENV, "ture")
    with pytest.raises(ValueError, match="COURSEKIT_FAST='ture' is not understood"):
        is_fast()
