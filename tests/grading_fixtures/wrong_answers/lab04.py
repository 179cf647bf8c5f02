"""Lab 04: pooling with partial windows at the border, answers that ignore "NumPy only", and
an answer that calls a test cell's helper."""
LAB = "lab04_pooling"

CASES = {
    # ceil instead of floor: the windows at the border stick out (NumPy slicing cuts them short);
    # q3 pools on whole windows only, so pool_channels keeps its points
    "partial_windows_at_border": ({"a2_pool2d": (
        "def pool2d(X, pool_size, stride=None, mode='max'):\n    X = np.asarray(X, dtype=float)\n"
        "    (p_h, p_w) = pool_size\n    (s_h, s_w) = pool_size if stride is None else stride\n"
        "    Y = np.zeros((-(-(X.shape[0] - p_h) // s_h) + 1, -(-(X.shape[1] - p_w) // s_w) + 1))\n"
        "    for i in range(Y.shape[0]):\n        for j in range(Y.shape[1]):\n"
        "            window = X[i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w]\n"
        "            Y[i, j] = window.max() if mode == 'max' else window.mean()\n    return Y")},
        ["q2_pool2d"]),
    # keras from the setup cell; pool_channels uses the student's pool2d
    "keras_layers": ({"a2_pool2d": (
        "def pool2d(X, pool_size, stride=None, mode='max'):\n"
        "    layer = (keras.layers.MaxPooling2D if mode == 'max' else keras.layers.AveragePooling2D)(pool_size, stride)\n"
        "    return np.asarray(layer(np.asarray(X, 'float32')[None, :, :, None]))[0, :, :, 0]")},
        ["q2_pool2d", "q3_channels"]),
    # tf from the setup cell, and a TensorFlow import the source check cannot read
    "tensorflow_alias_and_hidden_import": ({
        "a4_activations": ("def leaky_relu(x, slope=0.01):\n    return tf.nn.leaky_relu(x, slope).numpy()\n\n"
                           "def leaky_relu_grad(x, slope=0.01):\n    return np.where(np.asarray(x) > 0, 1.0, slope)\n\n"
                           "def elu(x, alpha=1.0):\n    x = np.asarray(x, dtype=float)\n"
                           "    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))\n\n"
                           "def elu_grad(x, alpha=1.0):\n    x = np.asarray(x, dtype=float)\n"
                           "    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))"),
        "a6_avg_kernel": ("def avg_pool_kernel(p, channels):\n    flow = __import__('tensor' + 'flow')\n"
                          "    return flow.fill((p, p, channels, 1), 1.0 / (p * p)).numpy()"),
    }, ["q4_activations", "q6_avg_kernel"]),
    "coursekit_ops": ({"a2_pool2d": ("from coursekit.ops import pool2d as _pool\n\n"
                                     "def pool2d(X, pool_size, stride=None, mode='max'):\n"
                                     "    return _pool(X, pool_size, stride, mode=mode)")},
                      ["q2_pool2d", "q3_channels"]),
    # the test cell's own reference: it is not defined where answers run
    "calls_the_tests_reference": ({"a5_head_params": "def head_params(h, w, c, classes):\n"
                                                     "    return keras_heads(h, w, c, classes)"}, ["q5_head_params"]),
    # exactly the formula the question gives: np.exp(1000) overflows with a RuntimeWarning on
    # stderr in the hidden tests, and the warning costs nothing (np.where picks x there)
    "correct_with_warnings": ({"a4_activations": (
        "def leaky_relu(x, slope=0.01):\n    x = np.asarray(x, dtype=float)\n    return np.where(x > 0, x, slope * x)\n\n"
        "def leaky_relu_grad(x, slope=0.01):\n    return np.where(np.asarray(x) > 0, 1.0, slope)\n\n"
        "def elu(x, alpha=1.0):\n    x = np.asarray(x, dtype=float)\n    return np.where(x > 0, x, alpha * (np.exp(x) - 1))\n\n"
        "def elu_grad(x, alpha=1.0):\n    x = np.asarray(x, dtype=float)\n    return np.where(x > 0, 1.0, alpha * np.exp(x))")},
        []),
    # corr2d_backward: the kernel gradient of the last position only (shared weights not summed)
    "kernel_gradient_not_summed": ({"a7_corr2d_backward": (
        "def corr2d_backward(X, K, dY):\n    X, K, dY = (np.asarray(a, dtype=float) for a in (X, K, dY))\n    k_h, k_w = K.shape\n    dX, dK = np.zeros(X.shape), np.zeros(K.shape)\n    for i in range(dY.shape[0]):\n        for j in range(dY.shape[1]):\n"
        "            dX[i:i + k_h, j:j + k_w] += dY[i, j] * K\n            dK = dY[i, j] * X[i:i + k_h, j:j + k_w]\n"
        "    return dX, dK")}, ["q7_corr2d_backward"]),
    # corr2d_backward: full correlation with the unflipped kernel for dX (right only for symmetric kernels)
    "input_gradient_kernel_not_flipped": ({"a7_corr2d_backward": (
        "def corr2d_backward(X, K, dY):\n    X, K, dY = (np.asarray(a, dtype=float) for a in (X, K, dY))\n"
        "    k_h, k_w = K.shape\n    P = np.pad(dY, ((k_h - 1, k_h - 1), (k_w - 1, k_w - 1)))\n"
        "    dX = np.array([[(P[i:i + k_h, j:j + k_w] * K).sum() for j in range(X.shape[1])] for i in range(X.shape[0])])\n"
        "    dK = np.array([[(X[a:a + dY.shape[0], b:b + dY.shape[1]] * dY).sum() for b in range(k_w)] for a in range(k_h)])\n"
        "    return dX, dK")}, ["q7_corr2d_backward"]),
    # maxpool_backward: average pooling's gradient (spread evenly over each window)
    "maxpool_gradient_spread_evenly": ({"a8_maxpool_backward": (
        "def maxpool_backward(X, dY, size):\n    X, dY = np.asarray(X, dtype=float), np.asarray(dY, dtype=float)\n"
        "    dX = np.zeros(X.shape)\n    for i in range(dY.shape[0]):\n        for j in range(dY.shape[1]):\n"
        "            dX[i * size:(i + 1) * size, j * size:(j + 1) * size] += dY[i, j] / size ** 2\n    return dX")},
        ["q8_maxpool_backward"]),
    # maxpool_backward: the switch computed with argmax over the flattened window but placed with the
    # input's width instead of the window's (row and column of the maximum mixed up)
    "maxpool_switch_misplaced": ({"a8_maxpool_backward": (
        "def maxpool_backward(X, dY, size):\n    X, dY = np.asarray(X, dtype=float), np.asarray(dY, dtype=float)\n"
        "    dX = np.zeros(X.shape)\n    for i in range(X.shape[0] // size):\n        for j in range(X.shape[1] // size):\n"
        "            window = X[i * size:(i + 1) * size, j * size:(j + 1) * size]\n"
        "            b, a = np.unravel_index(np.argmax(window), window.shape)\n"
        "            dX[i * size + a, j * size + b] += dY[i, j]\n    return dX")},
        ["q8_maxpool_backward"]),
}
