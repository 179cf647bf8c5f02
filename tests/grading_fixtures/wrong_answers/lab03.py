"""Lab 03: loops where "without loops" is asked, answers that ignore "NumPy only", and answers
that call a test cell's helper."""
LAB = "lab03_channels"

MULTI_IN = ["q1_multi_in", "q2_multi_in_out"]  # corr2d_multi_in_out uses the student's corr2d_multi_in
CASES = {
    "conv1x1_for_loop_and_scipy": ({
        "a4_conv1x1": ("def conv1x1(X, W):\n    X, W = np.asarray(X, float), np.asarray(W, float)\n"
                       "    Y = np.zeros((W.shape[0],) + X.shape[1:])\n    for i in range(X.shape[1]):\n"
                       "        Y[:, i, :] = W @ X[:, i, :]\n    return Y"),
        "a1_multi_in": ("from scipy import signal\n\ndef corr2d_multi_in(X, K):\n"
                        "    if len(X) != len(K):\n        raise ValueError('channels differ')\n"
                        "    return sum(signal.correlate2d(x, k, mode='valid') for x, k in zip(X, K))"),
    }, ["q1_multi_in", "q2_multi_in_out", "q4_conv1x1"]),
    # the loop is a list comprehension in a helper conv1x1 calls
    "conv1x1_comprehension_and_keras": ({
        "a4_conv1x1": ("def _pixels(X, W):\n    return np.stack([W @ column for column in X.reshape(X.shape[0], -1).T], axis=1)\n\n"
                       "def conv1x1(X, W):\n    X, W = np.asarray(X, float), np.asarray(W, float)\n"
                       "    return _pixels(X, W).reshape((W.shape[0],) + X.shape[1:])"),
        "a5_conv_cost": ("def conv_cost(h, w, c_in, c_out, k, bias=True):\n"
                         "    layer = keras.layers.Conv2D(c_out, k, padding='same', use_bias=bias)\n"
                         "    layer.build((None, h, w, c_in))\n"
                         "    return layer.count_params(), h * w * c_out * k * k * c_in"),
    }, ["q4_conv1x1", "q5_conv_cost", "q6_bottleneck"]),
    "conv1x1_vectorize_and_hidden_tensorflow": ({
        "a4_conv1x1": ("def conv1x1(X, W):\n    X, W = np.asarray(X, float), np.asarray(W, float)\n"
                       "    dot = np.vectorize(lambda o, i: W[o] @ X[:, i // X.shape[2], i % X.shape[2]])\n"
                       "    o, i = np.meshgrid(np.arange(W.shape[0]), np.arange(X.shape[1] * X.shape[2]), indexing='ij')\n"
                       "    return dot(o, i).reshape((W.shape[0],) + X.shape[1:])"),
        "a3_keras_layout": ("def to_keras_kernel(K):\n    flow = __import__('tensor' + 'flow')\n"
                            "    return flow.transpose(K, (2, 3, 1, 0)).numpy()"),
    }, ["q3_keras_layout", "q4_conv1x1"]),
    "coursekit_ops": ({"a2_multi_in_out": ("from coursekit import ops\n\ndef corr2d_multi_in_out(X, K):\n"
                                           "    return ops.corr2d_multi_in_out(X, K)")}, ["q2_multi_in_out"]),
    # helpers from the test cells: not defined where answers run
    "calls_the_tests_helpers": ({
        "a4_conv1x1": "def conv1x1(X, W):\n    return reference(X, np.asarray(W)[:, :, None, None])",
        "a6_bottleneck": ("def bottleneck_saving(h, w, c_in, c_mid, c_out, k):\n"
                          "    return keras_saving(h, w, c_in, c_mid, c_out, k)"),
    }, ["q4_conv1x1", "q6_bottleneck"]),
}
