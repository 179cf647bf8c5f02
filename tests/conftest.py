"""How pytest-xdist shares the suite between workers (``tests/run_all.sh`` runs the unit tests,
the labs and the lessons in one session with ``--dist loadscope``).

A lesson notebook, a test module or a test class is one unit of work: its tests share a kernel,
a JupyterLab server or a graded class, so they stay on one worker. The module-level tests of
``tests/test_labs.py`` share nothing (each grades its own notebook in its own sandbox), so each is
its own unit. xdist hands out the units with the most tests first, so these short single tests
come last and keep both workers busy to the end. Without pytest-xdist nothing here is used.
"""
from __future__ import annotations

import pytest

INDEPENDENT_TESTS = frozenset({"tests/test_labs.py"})


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its module or class, or itself in :data:`INDEPENDENT_TESTS`.

    >>> work_unit("notebooks/05_lenet.ipynb::Cell 3")
    'notebooks/05_lenet.ipynb'
    >>> work_unit("tests/test_labs.py::test_solution_earns_every_point[lab01]")
    'tests/test_labs.py::test_solution_earns_every_point[lab01]'
    >>> work_unit("tests/test_labs.py::TestFixtureClass::test_correct_and_partial")
    'tests/test_labs.py::TestFixtureClass'
    """
    scope = nodeid.rsplit("::", 1)[0]
    return nodeid if scope in INDEPENDENT_TESTS else scope


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """xdist's load-scope scheduling with :func:`work_unit` as the scope (other modes unchanged)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        _split_scope = staticmethod(work_unit)

    return CourseScheduling(config, log)
