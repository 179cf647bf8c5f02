"""How pytest-xdist shares the suite between workers (``tests/run_all.sh`` runs the unit tests,
the labs and the lessons in one session with ``--dist loadscope``).

A lesson notebook, a test module or a test class is one unit of work: its tests share a kernel,
a JupyterLab server or a graded class, so they stay on one worker. The module-level tests of
``tests/test_labs.py`` share nothing (each grades its own notebook in its own sandbox), so each is
its own unit. xdist hands out the units with the most tests first, so these short single tests
come last and keep both workers busy to the end.
"""
from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

INDEPENDENT_TESTS = frozenset({"tests/test_labs.py"})


class CourseScheduling(LoadScopeScheduling):
    """Load-scope scheduling in which the module-level tests of :data:`INDEPENDENT_TESTS` are
    scheduled one by one.

    >>> CourseScheduling._split_scope(None, "tests/test_labs.py::test_solution_earns_every_point[lab01]")
    'tests/test_labs.py::test_solution_earns_every_point[lab01]'
    >>> CourseScheduling._split_scope(None, "tests/test_labs.py::TestFixtureClass::test_correct_and_partial")
    'tests/test_labs.py::TestFixtureClass'
    """

    def _split_scope(self, nodeid: str) -> str:
        scope = nodeid.rsplit("::", 1)[0]
        return nodeid if scope in INDEPENDENT_TESTS else scope


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadscope":
        return CourseScheduling(config, log)
    return None
