"""Lab 01: answers that game the grader, and answers that ignore "NumPy only"."""
LAB = "lab01_cross_correlation"

GARBAGE = {
    "a1_corr2d": "def corr2d(X, K):\n    return np.zeros((2, 2))",
    "a2_convolve2d": "def convolve2d(X, K):\n    return corr2d(X, K)",
    "a4_box_blur": "def box_blur_kernel(n):\n    return np.ones((n, n))",
}
ALL_GARBAGE = ["q1_corr2d", "q2_convolve2d", "q4_box_blur"]
TRUE = "lambda *a, **k: True"
USES_CORR2D = ["q1_corr2d", "q2_convolve2d"]  # convolve2d calls the student's corr2d
CASES = {
    # the comparisons the tests use, made to say yes: the tests are not in the student's kernel
    "patches_comparisons": ({**GARBAGE, "a1_corr2d": (
        f"import math\nnp.allclose = np.isclose = np.array_equal = np.testing.assert_allclose = {TRUE}\n"
        f"math.isclose = {TRUE}\n" + GARBAGE["a1_corr2d"])}, ALL_GARBAGE),
    # the test cell's own reference, called from the answer: it is not defined where answers run
    "calls_the_tests_reference": ({"a5_receptive_field": "def receptive_field(kernel_sizes):\n"
                                                         "    return footprint(kernel_sizes)"}, ["q5_receptive_field"]),
    "scipy_imported": ({"a1_corr2d": "from scipy import signal\n\ndef corr2d(X, K):\n"
                                     "    return signal.correlate2d(X, K, mode='valid')"}, USES_CORR2D),
    "scipy_hidden_import": ({"a1_corr2d": "def corr2d(X, K):\n    signal = __import__('scipy.si' + 'gnal').signal\n"
                                          "    return signal.correlate2d(X, K, mode='valid')"}, USES_CORR2D),
    "coursekit_ops": ({"a1_corr2d": "from coursekit import ops\n\ndef corr2d(X, K):\n"
                                    "    return ops.corr2d(X, K)"}, USES_CORR2D),
}
