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
    # conv_as_matrix: the kernel laid out column by column (Fortran order) instead of row by row
    "conv_matrix_column_major": ({"a6_conv_as_matrix": (
        "def conv_as_matrix(K, shape):\n    K = np.asarray(K, dtype=float)\n    (k_h, k_w), (n_h, n_w) = K.shape, shape\n"
        "    m_h, m_w = n_h - k_h + 1, n_w - k_w + 1\n    W = np.zeros((m_h * m_w, n_h * n_w))\n"
        "    for i in range(m_h):\n        for j in range(m_w):\n            placed = np.zeros((n_h, n_w))\n"
        "            placed[i:i + k_h, j:j + k_w] = K\n            W[i * m_w + j] = placed.ravel(order='F')\n    return W")},
        ["q6_conv_as_matrix"]),
    # conv_as_matrix: the transpose, one row per input pixel instead of one per output
    "conv_matrix_transposed": ({"a6_conv_as_matrix": (
        "def conv_as_matrix(K, shape):\n    K = np.asarray(K, dtype=float)\n    (k_h, k_w), (n_h, n_w) = K.shape, shape\n"
        "    m_h, m_w = n_h - k_h + 1, n_w - k_w + 1\n    W = np.zeros((m_h * m_w, n_h * n_w))\n"
        "    for i in range(m_h):\n        for j in range(m_w):\n            placed = np.zeros((n_h, n_w))\n"
        "            placed[i:i + k_h, j:j + k_w] = K\n            W[i * m_w + j] = placed.ravel()\n    return W.T")},
        ["q6_conv_as_matrix"]),
}
