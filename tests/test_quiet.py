"""coursekit.quiet: TensorFlow's C++ start-up lines never reach a notebook; other output does."""
import os
import subprocess
import sys
import warnings

from coursekit import quiet

FRESH = "import coursekit, keras, tensorflow as tf; print(float(tf.constant(2.0) + 1))"


def test_importing_tensorflow_after_coursekit_prints_nothing_on_stderr():
    env = {k: v for k, v in os.environ.items() if k != quiet.LOG_LEVEL_ENV}  # as in a fresh JupyterLab
    run = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == "3.0\n" and run.stderr == ""


def test_lines_that_are_not_start_up_chatter_are_written_back(capfd):
    with quiet.quiet_startup():
        os.write(2, b"I0000 00:00:1.2 7 cpu_feature_guard.cc:227] This TensorFlow binary is optimized\n")
        os.write(2, b"E0000 something really went wrong\n")
    assert capfd.readouterr().err == "E0000 something really went wrong\n"


def test_course_warnings_are_one_line_and_others_unchanged():
    from coursekit.data import DataFallbackWarning

    quiet.install()
    line = warnings.formatwarning("using the subset", DataFallbackWarning, "/tmp/ipykernel_1/2.py", 1)
    assert line == "DataFallbackWarning: using the subset\n"
    other = warnings.formatwarning("careful", UserWarning, "/tmp/x.py", 3, "")
    assert other.startswith("/tmp/x.py:3: UserWarning: careful")


def test_a_missing_tensorflow_names_the_install_command():
    """Without an extra there is no TensorFlow: the error says which command brings it."""
    hide = ("import sys, importlib.machinery as m; find = m.PathFinder.find_spec; "
            "m.PathFinder.find_spec = classmethod(lambda cls, n, p=None, t=None: None if n == 'tensorflow' "
            "else find(n, p, t)); import coursekit\n"
            "try:\n    import coursekit.train\nexcept ModuleNotFoundError as e:\n    print(e)")
    run = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == quiet.MISSING_TENSORFLOW, run.stderr[-2000:]
