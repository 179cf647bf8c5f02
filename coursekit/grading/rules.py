"""What a question allows in its answer, checked on the answer's source.

A test cell's ``answer_rules`` metadata can forbid libraries (``"forbid": ["scipy", ...]``: the
question asks for NumPy only) and loops in named functions (``"no_loops": ["conv1x1"]``). The
grader also takes forbidden libraries out of the sandbox, so an answer that hides its use from
this check fails anyway; this check is what names the problem in the feedback.

>>> loops_in("def f(x):\\n    return [v for v in x]", ["f"])
['f uses a comprehension']
"""
from __future__ import annotations

import ast
from collections.abc import Iterable

LIBRARY_NAMES = {"scipy": "SciPy", "sklearn": "scikit-learn", "keras": "Keras", "tensorflow": "TensorFlow",
                 "coursekit": "coursekit", "torch": "PyTorch", "jax": "JAX"}
NUMPY_ONLY = ("scipy", "sklearn", "keras", "tensorflow", "coursekit", "torch", "jax")
_LOOPS = {ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop",
          ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
          ast.GeneratorExp: "a generator expression"}
_LOOPING_CALLS = {"map", "filter", "vectorize", "apply_along_axis", "apply_over_axes", "frompyfunc", "fromiter",
                  "reduce", "accumulate"}
_DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "import_module", "getattr", "globals", "vars"}


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _names_loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def aliases_of(setup_code: Iterable[str], forbid: Iterable[str]) -> dict[str, str]:
    """Names the lab's setup cells bind to a forbidden library (``keras``, ``L = keras.layers``,
    a helper built on it), each with the library it stands for."""
    forbid, found = set(forbid), {}
    for code in setup_code:
        tree = _parse(code) or ast.Module(body=[], type_ignores=[])
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                for alias in node.names:
                    top = (module or alias.name).split(".")[0]
                    if top in forbid:
                        found[(alias.asname or alias.name).split(".")[0]] = top
        for node in tree.body:
            used = _names_loaded(node) & set(found)
            if used and isinstance(node, (ast.Assign, ast.FunctionDef, ast.ClassDef)):
                targets = ([t.id for t in node.targets if isinstance(t, ast.Name)] if isinstance(node, ast.Assign)
                           else [node.name])
                found.update(dict.fromkeys(targets, found[sorted(used)[0]]))
    return found


def forbidden_uses(code: str, forbid: Iterable[str], aliases: dict[str, str]) -> list[str]:
    """The forbidden libraries ``code`` imports or uses (by name, in plain words). An alias the
    code binds itself (its own variable called ``tf``) is its own, not the library."""
    tree = _parse(code)
    if tree is None:
        return []
    forbid, used = set(forbid), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            used |= {a.name.split(".")[0] for a in node.names} & forbid
        elif isinstance(node, ast.ImportFrom) and node.module:
            used |= {node.module.split(".")[0]} & forbid
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.split(".")[0] in forbid:
            used.add(node.value.split(".")[0])  # __import__("scipy"), importlib.import_module("keras")
    own = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    own |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    own |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
            for a in n.names}
    used |= {aliases[name] for name in _names_loaded(tree) - own if name in aliases}
    return sorted(LIBRARY_NAMES.get(name, name) for name in used)


def loops_in(code: str, functions: Iterable[str]) -> list[str]:
    """Loops in the named functions of ``code`` and in the functions of ``code`` they call."""
    tree = _parse(code)
    if tree is None:
        return []
    defined = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
               and hasattr(n, "name")}
    todo, seen, found = [f for f in functions if f in defined], set(), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(defined[name]):
            if type(node) in _LOOPS:
                found.append(f"{name} uses {_LOOPS[type(node)]}")
            elif isinstance(node, ast.Call):
                called = _call_name(node)
                if called in _LOOPING_CALLS:
                    found.append(f"{name} calls {called}, a loop in disguise")
                elif called in _DYNAMIC_CALLS:
                    found.append(f"{name} calls {called}, which hides what it runs")
                elif called == name:
                    found.append(f"{name} calls itself (recursion is a loop)")
                elif called in defined:
                    todo.append(called)
    return sorted(set(found))
