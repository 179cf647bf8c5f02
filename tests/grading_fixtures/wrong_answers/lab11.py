"""Lab 11: Keras where NumPy is asked, a test cell's helper, common mistakes, a correct answer that warns."""
LAB = "lab11_regularization"

CASES = {
    # Keras's Dropout where NumPy is asked; an equal loss counted as a new best; and a correct
    # mc_predict whose 0 * log 0 emits RuntimeWarnings (nansum): a warning costs nothing
    "keras_dropout_ties_and_warning": ({
        "a1_dropout": "import keras\n\ndef dropout(X, rate, rng, training=True):\n"
                      "    if not 0 <= rate < 1:\n        raise ValueError(rate)\n"
                      "    return np.asarray(keras.layers.Dropout(rate)(np.asarray(X, 'float32'), training=training))",
        "a3_early_stop": "def early_stop(val_losses, patience):\n    best, best_epoch = np.inf, 0\n"
                         "    for epoch, loss in enumerate(val_losses, start=1):\n"
                         "        if loss <= best:\n            best, best_epoch = loss, epoch\n"
                         "        elif epoch - best_epoch >= patience:\n            return epoch, best_epoch\n"
                         "    return len(val_losses), best_epoch",
        "a4_mc_predict": "def mc_predict(model, x, passes=30):\n"
                         "    mean = np.mean([np.asarray(model(x, training=True)) for _ in range(passes)], axis=0)\n"
                         "    return mean, -np.nansum(mean * np.log(mean), axis=1)",
    }, ["q1_dropout", "q3_early_stop"]),
    # half the penalty, the test cell's Keras reference called from the answer (not there when
    # graded), and dropout off in the Monte-Carlo passes
    "half_penalty_test_helper_no_dropout": ({
        "a2_penalised_cost": "def penalised_cost(probabilities, labels, kernels, lam):\n"
                             "    p = np.asarray(probabilities, dtype=float)\n"
                             "    ce = -np.mean(np.log(p[np.arange(len(p)), np.asarray(labels)]))\n"
                             "    return ce + lam / 2 * sum(np.sum(np.asarray(k) ** 2) for k in kernels)",
        "a3_early_stop": "def early_stop(val_losses, patience):\n    stop = keras_stop(val_losses, patience)\n"
                         "    return stop, int(np.argmin(val_losses[:stop])) + 1",
        "a4_mc_predict": "def mc_predict(model, x, passes=30):\n"
                         "    mean = np.mean([np.asarray(model(x, training=False)) for _ in range(passes)], axis=0)\n"
                         "    logs = np.log(np.where(mean > 0, mean, 1.0))\n"
                         "    return mean, -np.sum(mean * logs, axis=1)",
    }, ["q2_penalised_cost", "q3_early_stop", "q4_mc_predict"]),
}
