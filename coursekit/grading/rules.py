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
                 "coursekit": "coursekit", "torch": "PyTorch", "jax": "JAX", "pandas": "pandas",
                 "skimage": "scikit-image", "mlxtend": "mlxtend", "PIL": "Pillow"}
# Every installed library that could compute an answer for the student: pandas (nlargest, rolling
# windows), scikit-image (pooling, filters), mlxtend (metrics), Pillow (MaxFilter, reduce) included.
NUMPY_ONLY = ("scipy", "sklearn", "keras", "tensorflow", "coursekit", "torch", "jax", "pandas", "skimage", "mlxtend",
              "PIL")
_LOOPS = {ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop",
          ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
          ast.GeneratorExp: "a generator expression"}
_LOOPING_CALLS = {"map", "filter", "vectorize", "apply_along_axis", "apply_over_axes", "frompyfunc", "fromiter",
                  "reduce", "accumulate", "starmap"}
_DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "import_module", "getattr", "globals", "vars", "locals",
                  "__dict__", "__getattribute__", "setattr"}


def parse(code: str) -> ast.Module | None:
    """``code``'s syntax tree, or None when it cannot be read (invalid, or nested so deeply that
    the parser gives up)."""
    try:
        return ast.parse(code)
    except Exception:  # noqa: BLE001 - SyntaxError, RecursionError, MemoryError, ValueError: all unreadable
        return None


def _names_loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def aliases_of(setup_code: Iterable[str], forbid: Iterable[str]) -> dict[str, str]:
    """Names the lab's setup cells bind to a forbidden library (``keras``, ``L = keras.layers``,
    a helper built on it), each with the library it stands for."""
    forbid, found = set(forbid), {}
    for code in setup_code:
        tree = parse(code) or ast.Module(body=[], type_ignores=[])
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
    tree = parse(code)
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
    """Loops in the named functions of ``code`` and in every function of ``code`` they refer to:
    loop statements and comprehensions, looping helpers (``map``, ``np.vectorize``, ... even
    under another name), code hidden in strings (``exec``, ``eval``, ``getattr``, ...) and
    recursion (a function that reaches itself, directly or through others)."""
    tree = parse(code)
    if tree is None:
        return ["the answer could not be read"]
    defined: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined[node.name] = node
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            defined.update({t.id: node.value for t in node.targets if isinstance(t, ast.Name)})
    found: set[str] = set()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            found.add(f"{' -> '.join(path[path.index(name):] + (name,))} is recursion (a loop)")
            return
        if name in done:
            return
        for node in ast.walk(defined[name]):
            if type(node) in _LOOPS:
                found.add(f"{name} uses {_LOOPS[type(node)]}")
            referred = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if referred in _LOOPING_CALLS:
                found.add(f"{name} uses {referred}, a loop in disguise")
            elif referred in _DYNAMIC_CALLS:
                found.add(f"{name} uses {referred}, which hides what it runs")
            elif isinstance(node, ast.Name) and referred in defined:
                visit(referred, path + (name,))
        done.add(name)

    for function in functions:
        if function in defined:
            visit(function, ())
    return sorted(found)
