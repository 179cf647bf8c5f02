"""Lab 12: momentum in its averaging form, Adam's epsilon, RMSProp's epsilon, state not kept, Keras."""
LAB = "lab12_optimizers"

CASES = {
    # EMA momentum that starts at v = 0 (the hint used to say "start with v = 0"); Adam with the
    # bias corrections but the paper's epsilon (the hint used to talk about lr * sign(g));
    # RMSProp with epsilon outside the root
    "ema_momentum_adam_eps_rmsprop_eps": ({
        "a2_momentum": "def momentum_step(w, g, state, lr=0.01, momentum=0.9):\n"
                       "    v = np.zeros_like(w) if state is None else state\n"
                       "    v = momentum * v + (1 - momentum) * g\n    return w - lr * v, v",
        "a3_adam": "def adam_step(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):\n"
                   "    m, v, t = (np.zeros_like(w), np.zeros_like(w), 0) if state is None else state\n"
                   "    t += 1\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g**2\n"
                   "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
                   "    return w - lr * m_hat / (np.sqrt(v_hat) + eps), (m, v, t)",
        "a4_rmsprop": "def rmsprop_step(w, g, state, lr=0.001, rho=0.9, eps=1e-7):\n"
                      "    G = np.zeros_like(w) if state is None else state\n"
                      "    G = rho * G + (1 - rho) * g**2\n    return w - lr * g / (np.sqrt(G) + eps), G",
    }, ["q2_momentum", "q3_adam", "q4_rmsprop"]),
    # Keras where NumPy only is asked; momentum whose velocity is never kept; Adam without the
    # bias corrections
    "keras_no_memory_no_bias_correction": ({
        "a1_iterations": "from keras import ops\n\ndef iterations(n, batch_size, epochs=1):\n"
                         "    return epochs * int(ops.ceil(n / batch_size))",
        "a2_momentum": "def momentum_step(w, g, state, lr=0.01, momentum=0.9):\n"
                       "    v = momentum * np.zeros_like(w) - lr * g\n    return w + v, None",
        "a3_adam": "def adam_step(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):\n"
                   "    m, v = (np.zeros_like(w), np.zeros_like(w)) if state is None else state\n"
                   "    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g**2\n"
                   "    return w - lr * m / (np.sqrt(v) + eps), (m, v)",
    }, ["q1_iterations", "q2_momentum", "q3_adam"]),
}
