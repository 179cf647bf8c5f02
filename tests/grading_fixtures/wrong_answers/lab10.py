"""Lab 10: epsilon in the wrong place, batch statistics at inference, Keras where NumPy only is asked."""
LAB = "lab10_batch_norm"

CASES = {
    # epsilon added to the standard deviation instead of the variance: the feedback must say so
    # (it used to say "use the moving mean" for q3)
    "eps_outside_the_root": ({
        "a1_bn_train": "def batch_norm_train(X, gamma, beta, eps=1e-3):\n"
                       "    X = np.asarray(X, dtype=float)\n    axes = tuple(range(X.ndim - 1))\n"
                       "    mean, var = X.mean(axis=axes), X.var(axis=axes)\n"
                       "    return gamma * (X - mean) / (np.sqrt(var) + eps) + beta, mean, var",
        "a3_bn_infer": "def batch_norm_infer(X, gamma, beta, moving_mean, moving_var, eps=1e-3):\n"
                       "    return gamma * (np.asarray(X, dtype=float) - moving_mean) / (np.sqrt(moving_var) + eps) + beta",
        "a4_layer_norm": "def layer_norm(X, eps=1e-3):\n    X = np.asarray(X, dtype=float)\n"
                         "    axes = tuple(range(1, X.ndim))\n"
                         "    return (X - X.mean(axis=axes, keepdims=True)) / (X.std(axis=axes, keepdims=True) + eps)",
    }, ["q1_bn_train", "q3_bn_infer", "q4_layer_norm"]),
    # the sample variance in training, the batch's statistics at inference, momentum the wrong way round
    "batch_stats_ddof_swapped_momentum": ({
        "a1_bn_train": "def batch_norm_train(X, gamma, beta, eps=1e-3):\n"
                       "    X = np.asarray(X, dtype=float)\n    axes = tuple(range(X.ndim - 1))\n"
                       "    mean, var = X.mean(axis=axes), X.var(axis=axes, ddof=1)\n"
                       "    return gamma * (X - mean) / np.sqrt(var + eps) + beta, mean, var",
        "a2_update_moving": "def update_moving(moving, batch_value, momentum=0.99):\n"
                            "    return (1 - momentum) * np.asarray(moving) + momentum * np.asarray(batch_value)",
        "a3_bn_infer": "def batch_norm_infer(X, gamma, beta, moving_mean, moving_var, eps=1e-3):\n"
                       "    X = np.asarray(X, dtype=float)\n    axes = tuple(range(X.ndim - 1))\n"
                       "    return gamma * (X - X.mean(axis=axes)) / np.sqrt(X.var(axis=axes) + eps) + beta",
    }, ["q1_bn_train", "q2_update_moving", "q3_bn_infer"]),
    # NumPy only: the setup's Keras helper, and Keras's own layer
    "keras_where_numpy_only": ({
        "a1_bn_train": "def batch_norm_train(X, gamma, beta, eps=1e-3):\n"
                       "    X = np.asarray(X, dtype='float32')\n    axes = tuple(range(X.ndim - 1))\n"
                       "    Y = np.asarray(keras_bn(X, gamma, beta, epsilon=eps)(X, training=True))\n"
                       "    return Y, X.mean(axis=axes), X.var(axis=axes)",
        "a4_layer_norm": "import keras\n\ndef layer_norm(X, eps=1e-3):\n    X = np.asarray(X, dtype='float32')\n"
                         "    layer = keras.layers.LayerNormalization(axis=list(range(1, X.ndim)), epsilon=eps,\n"
                         "                                            center=False, scale=False)\n"
                         "    return np.asarray(layer(X))",
    }, ["q1_bn_train", "q4_layer_norm"]),
    # the backward pass with the batch statistics treated as constants (the usual mistake)
    "backward_ignores_batch_statistics": ({
        "a5_bn_backward": "def batch_norm_backward(dY, X, gamma, eps=1e-3):\n"
                          "    dY, X = np.asarray(dY, dtype=float), np.asarray(X, dtype=float)\n"
                          "    axes = tuple(range(X.ndim - 1))\n    s = np.sqrt(X.var(axis=axes) + eps)\n"
                          "    X_hat = (X - X.mean(axis=axes)) / s\n"
                          "    return gamma * dY / s, (dY * X_hat).sum(axis=axes), dY.sum(axis=axes)",
    }, ["q5_bn_backward"]),
    # the mean's term but not the variance's, and m = number of examples
    "backward_mean_term_only": ({
        "a5_bn_backward": "def batch_norm_backward(dY, X, gamma, eps=1e-3):\n"
                          "    dY, X = np.asarray(dY, dtype=float), np.asarray(X, dtype=float)\n"
                          "    axes = tuple(range(X.ndim - 1))\n    s = np.sqrt(X.var(axis=axes) + eps)\n"
                          "    X_hat = (X - X.mean(axis=axes)) / s\n"
                          "    dX = gamma * (dY - dY.mean(axis=axes)) / s\n"
                          "    return dX, (dY * X_hat).sum(axis=axes), dY.sum(axis=axes)",
    }, ["q5_bn_backward"]),
}
