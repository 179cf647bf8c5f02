"""Lab 02: wrong answers the tests used to pass, answers that ignore "NumPy only", and an
answer that calls a test cell's helper."""
LAB = "lab02_padding_and_stride"

CASES = {
    # padding forgotten where it matters: output_size rejects a kernel wider than the unpadded
    # input (n=3, k=5, p=1 fits once), fits ignores p
    "padding_ignored": ({
        "a1_output_size": "def output_size(n, k, p=0, s=1):\n    if s <= 0 or k > n:\n"
                          "        raise ValueError('kernel does not fit')\n    return (n - k + 2 * p) // s + 1",
        "a4_fits": "def fits(n, k, s, p=0):\n    return (n - k) % s == 0",
    }, ["q1_output_size", "q4_fits"]),
    "scipy_imported": ({"a3_corr2d": (
        "from scipy import signal\n\ndef corr2d(X, K, stride=(1, 1), padding=0):\n"
        "    Y = signal.correlate2d(pad(X, padding), K, mode='valid')\n"
        "    return Y[::stride[0], ::stride[1]]")}, ["q3_corr2d"]),
    # a module name the source check cannot read: the sandbox has no Keras
    "keras_hidden_import": ({"a5_conv_params": (
        "def conv_params(k, c_in, c_out, bias=True):\n    layers = __import__('ker' + 'as').layers\n"
        "    layer = layers.Conv2D(c_out, k, use_bias=bias)\n    layer.build((None, 32, 32, c_in))\n"
        "    return layer.count_params()")}, ["q5_conv_params"]),
    # corr2d pads with the student's pad, so it fails with it
    "coursekit_ops": ({"a2_pad": "import coursekit.ops as ops\n\ndef pad(X, p):\n    return ops.pad2d(X, p)"},
                      ["q2_pad", "q3_corr2d"]),
    # the test cell's own reference: it is not defined where answers run
    "calls_the_tests_reference": ({"a3_corr2d": "def corr2d(X, K, stride=(1, 1), padding=0):\n"
                                                "    return reference(X, K, stride, padding)"}, ["q3_corr2d"]),
    # the right padded array, but the caller's array is zeroed on the way: the test's own data
    # never changes (the function gets a copy), and the hidden test asks whether it tried
    "zeroes_its_input": ({"a2_pad": "def pad(X, p):\n    out = np.pad(np.asarray(X, dtype=float), p)\n"
                                    "    if isinstance(X, np.ndarray):\n        X[...] = 0\n    return out"},
                         ["q2_pad"]),
}
