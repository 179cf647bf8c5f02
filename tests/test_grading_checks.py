"""The grader's side of a submission, without kernels: data across the boundary (wire), what a
question allows (rules), and test cells run here against the student's names (checks, remote)."""
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from coursekit.grading import SOLUTIONS_DIR, questions, wire
from coursekit.grading.checks import _free_names, hidden_libraries, run_checks
from coursekit.grading.labs import grade_id
from coursekit.grading.remote import NotAnswered, Remote, StudentError, changes_inputs, run_student
from coursekit.grading.rules import NUMPY_ONLY, aliases_of, forbidden_uses, loops_in

sys.path.insert(0, str(Path(__file__).parent))
from grading_fixtures.fake_session import FakeSession  # noqa: E402

LAB = "lab01_cross_correlation"


# ------------------------------------------------------------------------------------ wire
def test_plain_data_and_arrays_cross_unchanged():
    value = {"y": np.arange(6.0).reshape(2, 3), "shape": (2, 3), "names": ["a", None, True], "n": np.int64(7),
             "x": 1.5, "nan": float("nan"), "flags": np.array([True, False])}
    back = wire.decode(wire.encode(value))
    assert back["shape"] == (2, 3) and back["names"] == ["a", None, True] and back["x"] == 1.5
    assert np.array_equal(back["y"], value["y"]) and back["y"].dtype == np.float64
    assert back["n"] == 7 and isinstance(back["n"], np.int64) and np.isnan(back["nan"])
    assert back["flags"].dtype == bool


def test_bfloat16_and_tensors_travel_as_numbers():
    import ml_dtypes
    import tensorflow as tf

    back = wire.decode(wire.encode([np.ones(3, dtype=ml_dtypes.bfloat16), tf.constant([1.0, 2.0])]))
    assert back[0].dtype == np.float32 and np.array_equal(back[1], [1.0, 2.0])


@pytest.mark.parametrize("value, message", [
    (np.array([object()]), "dtype object"),
    ({1: "a"}, "string keys"),
    (lambda: 1, "a function cannot be graded"),
    (type("Fixed", (), {})(), "a Fixed cannot be graded"),
])
def test_what_is_not_data_is_refused_by_name(value, message):
    with pytest.raises(wire.WireError, match=message):
        wire.encode(value)


def test_nothing_is_unpickled_and_size_is_limited(monkeypatch):
    import base64
    import io
    import pickle

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    sneaky = '{"__array__": "%s", "scalar": false}' % base64.b64encode(buffer.getvalue()).decode()
    with pytest.raises(ValueError, match="pickle"):
        wire.decode(sneaky)
    assert pickle  # the module is never used by wire
    monkeypatch.setattr(wire, "MAX_BYTES", 100)
    with pytest.raises(wire.WireError, match="larger than"):
        wire.encode(np.zeros(1000))


def small_model():
    import keras

    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(2, 3, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Flatten(), keras.layers.Dense(3)])
    model.layers[1].trainable = False
    return model


def test_a_keras_model_is_rebuilt_with_its_weights_and_flags():
    model = small_model()
    back = wire.decode(wire.encode(model))
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 1)).astype("float32")
    assert np.allclose(back(x), model(x), atol=1e-6)
    assert [layer.trainable for layer in back.layers] == [True, False, True, True]
    assert [type(layer).__name__ for layer in back.layers] == ["Conv2D", "BatchNormalization", "Flatten", "Dense"]


def test_a_functional_model_with_activation_functions_is_rebuilt():
    import keras

    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(4, activation=keras.activations.relu)(inputs)
    model = keras.Model(inputs, keras.layers.Concatenate()([inputs, hidden]))
    back = wire.decode(wire.encode(model))
    x = np.random.default_rng(1).normal(size=(3, 5)).astype("float32")
    assert np.allclose(back(x), model(x), atol=1e-6) and back.layers[1].activation.__name__ == "relu"


def test_a_model_with_code_or_a_false_description_is_refused():
    import keras

    lam = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)])
    with pytest.raises(wire.WireError, match="'Lambda'"):
        wire.decode(wire.encode(lam))
    data = wire.to_data(small_model())
    data["__model__"]["probe"][1] = wire.to_data(np.zeros((2, 3), "float32"))["__array__"]
    with pytest.raises(wire.WireError, match="does not compute what its own description says"):
        wire.from_data(data)


# ----------------------------------------------------------------------------------- rules
SETUP = ["import numpy as np\nimport keras\nimport tensorflow as tf\nfrom scipy import signal\nL = keras.layers\n"
         "def keras_bn(x):\n    return L.BatchNormalization()(x)\n"]


@pytest.mark.parametrize("code, used", [
    ("def f(X):\n    return np.sum(X)", []),
    ("import scipy.signal\ndef f(X):\n    return scipy.signal.correlate2d(X, X)", ["SciPy"]),
    ("from sklearn import metrics", ["scikit-learn"]),
    ("def f(X):\n    return __import__('scipy.si' + 'gnal')", ["SciPy"]),
    ("def f(X):\n    return __import__('sc' + 'ipy.signal')", []),   # hidden from the text, not from the sandbox
    ("def f(X):\n    return __import__('tensorflow').constant(X)", ["TensorFlow"]),
    ("def f(X):\n    return L.Dense(3)(X)", ["Keras"]),
    ("def f(X):\n    return keras_bn(X)", ["Keras"]),
    ("def f(X):\n    return signal.convolve2d(X, X)", ["SciPy"]),
    ("from coursekit import ops", ["coursekit"]),
    ("def f(X):\n    tf = 2\n    return X * tf", []),   # a variable of its own that happens to share the name
])
def test_forbidden_libraries_are_named(code, used):
    assert forbidden_uses(code, NUMPY_ONLY, aliases_of(SETUP, NUMPY_ONLY)) == used


@pytest.mark.parametrize("code, found", [
    ("def f(X, W):\n    return np.einsum('ij,jkl->ikl', W, X)", []),
    ("def f(X):\n    out = 0\n    for x in X:\n        out += x\n    return out", ["f uses a for loop"]),
    ("def f(X):\n    return np.array([x * 2 for x in X])", ["f uses a comprehension"]),
    ("def f(X):\n    return np.vectorize(lambda v: v)(X)", ["f uses vectorize, a loop in disguise"]),
    ("def f(X):\n    return list(map(abs, X))", ["f uses map, a loop in disguise"]),
    ("def f(X):\n    m = map\n    return list(m(abs, X))", ["f uses map, a loop in disguise"]),
    ("def g(X):\n    while X:\n        X = X[1:]\n\ndef f(X):\n    return g(X)", ["g uses a while loop"]),
    ("def f(X):\n    return eval('[x for x in X]')", ["f uses eval, which hides what it runs"]),
    ("def f(X):\n    return f(X[1:]) if len(X) else 0", ["f -> f is recursion (a loop)"]),
    ("def f(X):\n    return g(X)\n\ndef g(X):\n    return h(X[1:]) if len(X) else 0\n\ndef h(X):\n    return g(X)",
     ["g -> h -> g is recursion (a loop)"]),
    ("junk = " + "1+" * 100000 + "1\ndef f(X):\n    return X", ["the answer could not be read"]),
    ("def other(X):\n    for x in X:\n        pass\n\ndef f(X):\n    return X", []),
])
def test_loops_are_found_in_the_named_function_and_what_it_calls(code, found):
    assert loops_in(code, ["f"]) == found


# ---------------------------------------------------------------------------------- checks
def test_free_names_are_what_a_test_reads_from_outside():
    code = ("from scipy import signal\nX = np.ones(3)\ndef ref(a):\n    return signal.x(a) + helper(a)\n"
            "assert np.allclose(corr2d(X, K), ref(X))\nprint([k for k in range(3)])")
    assert _free_names(code) == {"np", "helper", "corr2d", "K"}


def lab(answers=None):
    nb = nbformat.read(SOLUTIONS_DIR / f"{LAB}.ipynb", as_version=4)
    for cell in nb.cells:
        if answers and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def check(answers=None):
    source, graded = lab(), lab(answers)
    session = FakeSession(graded)
    return run_checks(source, graded, {hidden: session for hidden in hidden_libraries(source)}), session


def test_the_solution_passes_and_every_test_is_reached_in_order():
    outcomes, session = check()
    assert all(passed for passed, _ in outcomes.values()), outcomes
    assert session.reached == [q.grade_id for q in questions(lab())]


def test_a_test_never_takes_its_own_names_from_the_student():
    source, graded = lab(), lab({"a5_receptive_field": "def receptive_field(kernel_sizes):\n    return 7\n\n"
                                                       "def footprint(kernel_sizes):\n    return 7"})
    test = next(c for c in source.cells if grade_id(c) == "q5_receptive_field")
    test.source = "assert receptive_field([3, 3, 3]) == footprint([3, 3, 3])\n\ndef footprint(sizes):\n    return 0"
    outcome = run_checks(source, graded, {h: FakeSession(graded) for h in hidden_libraries(source)})["q5_receptive_field"]
    assert outcome == (False, "error: NameError: name 'footprint' is not defined")


def test_a_failed_hidden_test_does_not_show_its_inputs():
    leak = ("def corr2d(X, K):\n    if X.shape == (3, 3):\n        return np.array([[19.0, 25.0], [37.0, 43.0]])\n"
            "    raise ValueError('HIDDEN INPUT ' + repr(X.tolist()))")
    outcomes, _ = check({"a1_corr2d": leak})
    assert outcomes["q1_corr2d"] == (False, "failed a hidden test: your code raised ValueError")


def test_each_question_says_why_it_failed():
    outcomes, _ = check({
        "a1_corr2d": "def corr2d(X, K):\n    return np.zeros((2, 2))",
        "a2_convolve2d": "def convolve2d(X, K):\n    raise NotImplementedError()",
        "a3_edge_kernel": "raise NotImplementedError()",
        "a4_box_blur": "from scipy import ndimage\ndef box_blur_kernel(n):\n    return np.ones((n, n)) / n**2",
        "a5_receptive_field": "def receptive_field(kernel_sizes):\n    return footprint(kernel_sizes)",
    })
    assert outcomes["q1_corr2d"] == (False, "failed: Not yet: the lecture example should give [[19, 25], [37, 43]]. "
                                            "Which window of X does Y[i, j] use?")
    assert outcomes["q2_convolve2d"] == (False, "not answered yet (NotImplementedError)")
    assert outcomes["q3_edge_kernel"] == (False, "not answered yet: name 'vertical_edge_kernel' is not defined")
    assert outcomes["q4_box_blur"] == (False, "uses SciPy, which this question does not allow (NumPy only)")
    assert outcomes["q5_receptive_field"] == (False, "error in your code: NameError: name 'footprint' is not defined")


def test_a_warning_costs_nothing():
    outcomes, _ = check({"a4_box_blur": "import warnings\ndef box_blur_kernel(n):\n"
                                        "    warnings.warn('slow'); np.exp(1000.0)\n    return np.full((n, n), 1 / n**2)"})
    assert outcomes["q4_box_blur"] == (True, "passed")


def test_student_exceptions_arrive_as_their_builtin_type():
    session = FakeSession(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "def f(n):\n    if n < 0:\n        raise ValueError('negative')\n    return n")]))
    f = Remote(session).fetch("f")
    with pytest.raises(ValueError, match="negative") as raised:
        f(-1)
    assert isinstance(raised.value, StudentError) and f(2) == 2
    with pytest.raises(NotAnswered, match="'g' is not defined"):
        Remote(session).fetch("g")


def test_a_function_cannot_change_the_tests_arrays_but_can_be_asked_whether_it_tried():
    session = FakeSession(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "def scale(x):\n    x *= 2\n    return None\n\ndef keep(x):\n    return x * 2\n\n"
        "def freeze(model):\n    model.layers[0].trainable = False")]))
    x = np.ones(3)
    Remote(session).fetch("scale")(x)
    assert np.array_equal(x, [1, 1, 1])
    assert changes_inputs(Remote(session).fetch("scale"), x) and not changes_inputs(Remote(session).fetch("keep"), x)
    assert changes_inputs(session.namespace["scale"], x) and x[0] == 2  # in a notebook: the call itself
    model = small_model()
    model.layers[1].trainable = True
    Remote(session).fetch("freeze")(model)
    assert [layer.trainable for layer in model.layers] == [False, True, True, True]


def test_run_student_runs_beside_the_answers():
    assert run_student("result = x * 3", x=2) == 6
    session = FakeSession(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("offset = 10")]))
    from coursekit.grading.remote import grading_with

    token = grading_with(Remote(session))
    try:
        assert run_student("result = x + offset", x=1) == 11
    finally:
        token.var.reset(token)


def test_nested_trainable_flags_cross_in_both_directions():
    import keras

    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(2)], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1)])
    inner.layers[0].trainable = False
    back = wire.decode(wire.encode(outer))
    assert wire.trainable_flags(back) == wire.trainable_flags(outer) == [True, [[True, [[False, []], [True, []]]],
                                                                                [True, []]]]
    session = FakeSession(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "def freeze(model):\n    model.layers[0].layers[1].trainable = False\n    model.layers[0].layers[0].trainable = True")]))
    Remote(session).fetch("freeze")(outer)
    assert wire.trainable_flags(outer)[1][0] == [True, [[True, []], [False, []]]]


def test_a_model_too_big_to_rebuild_is_refused_before_it_is_built(monkeypatch):
    import keras

    deep = keras.Sequential([keras.Input((4,))] + [keras.layers.ReLU() for _ in range(12)])
    monkeypatch.setattr(wire, "MAX_LAYERS", 10)
    with pytest.raises(wire.WireError, match="at most 10"):
        wire.decode(wire.encode(deep))
