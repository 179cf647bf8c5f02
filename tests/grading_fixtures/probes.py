"""Notebooks whose cells probe the grading sandbox and runner from the inside.

Each probe cell prints one line ``name: value``; :func:`probe_results` reads them back from the
executed notebook. The hostile cells try to fake or hide a failing test.
"""
from __future__ import annotations

import nbformat


def notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def view_probes(repo: str, other_file: str, host_marker: str) -> nbformat.NotebookNode:
    """What a submission can see: each value is what the grader must (not) let it reach."""
    return notebook(f"""\
import os, subprocess, pathlib

def probe(name, action):
    try:
        value = action()
    except Exception as error:
        value = type(error).__name__
    print(f"{{name}}: {{value}}")

probe("git_show", lambda: subprocess.run(["git", "-C", {repo!r}, "show", "HEAD:solutions/lab01_cross_correlation.ipynb"],
                                         capture_output=True).returncode)
probe("solutions", lambda: len(os.listdir({repo!r} + "/solutions")))
probe("repo_listing", lambda: sorted(os.listdir({repo!r})))
probe("host_marker_in_tmp", lambda: {host_marker!r} in os.listdir("/tmp"))
probe("tmp_listing", lambda: sorted(n for n in os.listdir("/tmp") if not n.endswith(".json")))  # but the kernel's connection file
probe("root_home", lambda: os.listdir("/root"))
probe("home", lambda: os.path.expanduser("~") == os.getcwd())
probe("other_submission", lambda: open({other_file!r}).read())
probe("data", lambda: "fashion-mnist-subset" in os.listdir({repo!r} + "/data"))
probe("write_coursekit", lambda: open({repo!r} + "/coursekit/x.py", "w"))
probe("write_workdir", lambda: pathlib.Path("scratch.txt").write_text("ok"))
probe("runner_fds", lambda: os.listdir("/proc/1/fd"))
probe("import_coursekit", lambda: __import__("coursekit.shapes").__name__)
""")


def probe_results(executed: nbformat.NotebookNode) -> dict[str, str]:
    lines = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", [])).splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


FAILING_TEST = "assert 1 + 1 == 3, 'Not yet: arithmetic'"

SILENCERS = {  # an answer cell that tries to make the failing test after it look passed
    "custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    "showtraceback": "get_ipython().showtraceback = lambda *a, **k: None",
    "ast_transformer": """\
import ast
class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoAsserts())""",
    "input_transformer": "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
    "post_run_cell": """\
def _forget(result):
    result.error_in_exec = None
get_ipython().events.register("post_run_cell", _forget)""",
    "run_cell": """\
from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult
async def _pretend(raw_cell, *args, **kwargs):
    return ExecutionResult(ExecutionInfo(raw_cell, False, False, False, None))
get_ipython().should_run_async = lambda *args, **kwargs: True
get_ipython().run_cell_async = _pretend""",
}

WARNING_TEST = """\
import warnings
import numpy as np
warnings.warn("a deprecated argument", UserWarning)
assert np.isinf(np.exp(np.array([1000.0]))[0])  # RuntimeWarning: overflow in exp, on stderr
print("Correct")"""

SIGINT_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
MEMORY_HOG = "import numpy as np\nchunks = []\nwhile True:\n    chunks.append(np.ones(2**30 // 8))"
FORK_BOMB = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
THREAD_BOMB = """\
import threading, time
while True:
    try:
        threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
    except RuntimeError:
        pass"""
TENSORFLOW = """\
import numpy as np, keras
model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
                          keras.layers.Flatten(), keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(np.zeros((64, 28, 28, 1)), np.zeros(64), epochs=1, verbose=0)
print("trained")"""
