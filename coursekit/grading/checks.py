"""Run a lab's test cells in the grader's process against a student's kernel.

The instructor's test cells (hidden tests included) and the lab's setup cells run here, in a
namespace of their own; the student's kernel ran only the setup and answer cells. Each name a
test cell uses but does not define is fetched from the kernel (``remote.py``): a value, or a
function whose calls travel as data. So the references a test compares against, ``np.allclose``
and ``assert`` itself are the grader's, out of the answer's reach; an answer can only compute.

Before a question's tests run, its answer is checked against the question's ``answer_rules``
(``rules.py``). A question passes when its test cell runs to the end without an exception.
"""
from __future__ import annotations

import ast
import builtins
import symtable
from typing import Any

import nbformat
from nbgrader import utils as nbg

from coursekit.grading.labs import grade_id, is_test_cell
from coursekit.grading.remote import NotAnswered, NotGradable, Remote, StudentError, grading_with
from coursekit.grading.rules import NUMPY_ONLY, aliases_of, forbidden_uses, loops_in, parse


def answer_rules(cell: nbformat.NotebookNode) -> dict:
    """A test cell's rules for its answer: ``forbid`` (libraries) and ``no_loops`` (functions)."""
    rules = cell.metadata.get("answer_rules", {})
    return {"forbid": sorted(rules.get("forbid", [])), "no_loops": sorted(rules.get("no_loops", []))}


def hidden_libraries(source: nbformat.NotebookNode) -> list[frozenset[str]]:
    """The distinct sets of libraries the lab's questions forbid: one student kernel for each."""
    sets = {frozenset(answer_rules(c)["forbid"]) for c in source.cells if is_test_cell(c)}
    return sorted(sets, key=sorted)


def _is_setup(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and not is_test_cell(cell) and not nbg.is_solution(cell)


def _free_names(code: str) -> set[str]:
    """Names ``code`` reads but never binds at its top level (also from inside its functions)."""
    def walk(table: symtable.SymbolTable, top: bool) -> set[str]:
        names = set()
        for symbol in table.get_symbols():
            if top and symbol.is_referenced() and not (symbol.is_assigned() or symbol.is_imported()):
                names.add(symbol.get_name())
            elif not top and symbol.is_global() and not symbol.is_declared_global():
                names.add(symbol.get_name())
        for child in table.get_children():
            names |= walk(child, False)
        return names

    table = symtable.symtable(code, "<test>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    return walk(table, True) - bound - set(dir(builtins))


def _bound_names(code: str) -> set[str]:
    """Names ``code`` binds at its top level: never fetched from the student, even when the cell
    that binds them did not get that far."""
    table = symtable.symtable(code, "<cell>", "exec")
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}


def _answer_code(graded: nbformat.NotebookNode) -> dict[str, tuple[list[str], list[str]]]:
    """Each test cell's answer: (the answer cells since the previous test cell, their ids), with
    the top-level definitions from the student's other code cells (answers to other questions,
    cells of their own) that those use."""
    code_cells = [c for c in graded.cells if c.cell_type == "code" and not is_test_cell(c)
                  and (nbg.is_solution(c) or "nbgrader" not in c.metadata)]
    answers, code, ids = {}, [], []
    for cell in graded.cells:
        if is_test_cell(cell):
            others = [c.source for c in code_cells if grade_id(c) not in ids]
            answers[grade_id(cell)], code, ids = (code + _used_definitions(code, others), ids), [], []
        elif cell.cell_type == "code" and nbg.is_solution(cell):
            code, ids = code + [cell.source], ids + [grade_id(cell)]
    return answers


def _used_definitions(code: list[str], others: list[str]) -> list[str]:
    """Top-level statements of ``others`` that define a name ``code`` uses, and what those use."""
    wanted, found, statements = set(), [], []
    for text in code:
        tree = parse(text)
        wanted |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} if tree else set()
    for text in others:
        tree = parse(text)
        statements += tree.body if tree else []
    changed = True
    while changed:
        changed = False
        for node in statements:
            defines = ({node.name} if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else
                       {t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)})
            if defines & wanted and node not in found:
                found.append(node)
                wanted |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                changed = True
    texts = []
    for node in found:
        try:
            texts.append(ast.unparse(node))
        except Exception:  # noqa: BLE001 - a tree too deep to print back is left out (parse() saw it)
            continue
    return texts


def rule_problems(source: nbformat.NotebookNode, graded: nbformat.NotebookNode) -> dict[str, str]:
    """Why an answer breaks its question's ``answer_rules`` (by test cell id; only those that do).

    ``source`` holds the rules and setup cells, ``graded`` the student's answers (may be the same).
    """
    answers = _answer_code(graded)
    setup = [c.source for c in source.cells if _is_setup(c)]
    problems = {}
    for cell in source.cells:
        if not is_test_cell(cell):
            continue
        rules, (code, _) = answer_rules(cell), answers.get(grade_id(cell), ([], []))
        text = "\n\n".join(code)
        found = []
        if (rules["forbid"] or rules["no_loops"]) and parse(text) is None:
            problems[grade_id(cell)] = "your answer could not be read to check this question's rules (invalid or too deeply nested code)"
            continue
        used = forbidden_uses(text, rules["forbid"], aliases_of(setup, rules["forbid"]))
        if used:
            numpy_only = " (NumPy only)" if set(NUMPY_ONLY) <= set(rules["forbid"]) else ""
            found.append(f"uses {', '.join(used)}, which this question does not allow{numpy_only}")
        found += loops_in(text, rules["no_loops"])
        if found:
            problems[grade_id(cell)] = "; ".join(found)
    return problems


def _quiet_print(*args: Any, **kwargs: Any) -> None:
    """Test cells print "Correct: ..." for students; the grader has no one to tell."""


def _hidden_line(source: str) -> int | None:
    """The line number of ``### BEGIN HIDDEN TESTS`` in a test cell, if it has one."""
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == "### BEGIN HIDDEN TESTS":
            return number
    return None


def _in_hidden_tests(error: BaseException, filename: str, hidden: int | None) -> bool:
    """Whether ``error`` was raised by a line after the hidden-tests marker of the test cell."""
    if hidden is None:
        return False
    where, line = error.__traceback__, None
    while where is not None:
        if where.tb_frame.f_code.co_filename == filename:
            line = where.tb_lineno
        where = where.tb_next
    return line is not None and line > hidden


def _hidden_why(error: BaseException) -> str:
    """Why a hidden test failed, without what it was given: a hint written for students
    ("Not yet: ...") is kept; other messages could show the hidden inputs (the student's own
    exception message could even be made of them)."""
    if isinstance(error, (NotAnswered, NotGradable)):
        return str(error)
    if isinstance(error, AssertionError) and str(error).startswith("Not yet"):
        return f"failed a hidden test: {error}"
    if isinstance(error, StudentError):
        return f"failed a hidden test: your code raised {type(error).__name__}"
    return "failed a hidden test"


def _why(error: BaseException, errors: list[str]) -> str:
    if isinstance(error, NotAnswered):
        cause = f" (your answer cell raised {errors[0]})" if errors else ""
        return f"not answered yet: {error}{cause}"
    if isinstance(error, StudentError) and isinstance(error, NotImplementedError):
        return "not answered yet (NotImplementedError)"
    if isinstance(error, StudentError):
        return f"error in your code: {type(error).__name__}: {error}"
    if isinstance(error, NotGradable):
        return str(error)
    if isinstance(error, AssertionError):
        return f"failed: {error}" if str(error) else "failed (a test assertion)"
    return f"error: {type(error).__name__}: {error}"


def _errors(records: dict[str, dict], ids: list[str]) -> list[str]:
    """The errors the answer cells ``ids`` raised, as "Name: message"."""
    return [": ".join(filter(None, (r.get("ename"), r.get("evalue")))) for gid in ids
            if (r := records.get(gid, {})).get("status") == "error"]


def run_checks(source: nbformat.NotebookNode, graded: nbformat.NotebookNode,
               sessions: dict[frozenset[str], Any]) -> dict[str, tuple[bool, str]]:
    """Run ``source``'s setup and test cells here, in order; each test against the student's
    kernel (``sessions``, by the libraries hidden from them) stopped where the test cell is.
    Returns (passed, why) per test cell.

    ``graded`` is the student's notebook with the tests restored; the sessions run it with a
    checkpoint in place of each test cell.
    """
    answers, broken = _answer_code(graded), rule_problems(source, graded)
    bound_by_lab = set().union(*(_bound_names(c.source) for c in source.cells if _is_setup(c) or is_test_cell(c)))
    namespace: dict[str, Any] = {"__name__": "__grading__", "print": _quiet_print}
    outcomes = {}
    for cell in source.cells:
        if _is_setup(cell):
            exec(compile(cell.source, f"<setup {grade_id(cell)}>", "exec"), namespace)  # noqa: S102 - the lab's code
            continue
        if not is_test_cell(cell):
            continue
        gid, rules = grade_id(cell), answer_rules(cell)
        records = {hidden: session.reach(gid) for hidden, session in sessions.items()}
        hidden = frozenset(rules["forbid"])
        ids = answers.get(gid, ([], []))[1]
        remote, scope, fetched = Remote(sessions[hidden]), dict(namespace), {}
        token = grading_with(remote)
        try:
            if gid in broken:
                outcomes[gid] = (False, broken[gid])
                continue
            fetched = {name: remote.fetch(name) for name in sorted(_free_names(cell.source) - set(namespace) - bound_by_lab)}
            scope.update(fetched)
            exec(compile(cell.source, f"<test {gid}>", "exec"), scope)  # noqa: S102 - the lab's own tests
            outcomes[gid] = (True, "passed")
        except Exception as error:  # noqa: BLE001 - any exception fails the question, with its reason
            hidden_failure = _in_hidden_tests(error, f"<test {gid}>", _hidden_line(cell.source))
            outcomes[gid] = (False, _hidden_why(error) if hidden_failure else _why(error, _errors(records[hidden], ids)))
        finally:
            token.var.reset(token)
            namespace.update({k: v for k, v in scope.items() if k not in fetched})
            for session in sessions.values():
                session.resume()
    return outcomes
