"""Lab 05: wrong answers that used to pass, test helpers called from answers, Keras where NumPy is asked."""
LAB = "lab05_lenet"

# the too-small check looks at C1's output instead of the map C3 gets: 12x12 without padding slips through
FLATTEN_C1_CHECK = """def flatten_size(side, padding=2):
    c1 = side + 2 * padding - 4
    if c1 < 5:
        raise ValueError("too small")
    s4 = (c1 // 2 - 4) // 2
    return s4 * s4 * 16"""
# raises only when the size would be negative: 12x12 without padding gives 0 instead of a ValueError
FLATTEN_ZERO = """def flatten_size(side, padding=2):
    s2 = (side + 2 * padding - 4) // 2
    s4 = (s2 - 4) // 2
    if s4 < 0:
        raise ValueError("too small")
    return s4 * s4 * 16"""
FIRST_STAGE_MAX_POOL = """def first_stage(X, K, b):
    X, K, b = np.asarray(X, float), np.asarray(K, float), np.asarray(b, float)
    padded = np.pad(X, 2)
    h, w = X.shape
    out = np.zeros((len(K), h // 2, w // 2))
    for o, kernel in enumerate(K):
        z = np.zeros((h, w))
        for i in range(h):
            for j in range(w):
                z[i, j] = (padded[i:i + 5, j:j + 5] * kernel).sum() + b[o]
        a = 1 / (1 + np.exp(-z))
        out[o] = a[:h // 2 * 2, :w // 2 * 2].reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))
    return out"""
LENET_LAYERS = """L.Conv2D(6, 5, activation="relu"{first}), L.MaxPooling2D(2),
        L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(2),
        L.Flatten(), L.Dense(120, activation="relu"), L.Dense(84{dense84}),
        L.Dense(10, activation="softmax"),"""
# right, but Keras warns about input_shape on stderr
LENET_INPUT_SHAPE = ("def build_colour_lenet():\n    L = keras.layers\n    return keras.Sequential([\n        "
                     + LENET_LAYERS.format(first=", input_shape=(32, 32, 3)", dense84=', activation="relu"') + "\n    ])")
# same layers, shapes and parameter count; no ReLU after Dense(84)
LENET_NO_RELU = ("def build_colour_lenet():\n    L = keras.layers\n    return keras.Sequential([\n        keras.Input((32, 32, 3)),\n        "
                 + LENET_LAYERS.format(first="", dense84="") + "\n    ])")
# the right network with the functional API: the question asks for keras.Sequential
LENET_FUNCTIONAL = """def build_colour_lenet():
    L = keras.layers
    inputs = keras.Input((32, 32, 3))
    x = L.MaxPooling2D(2)(L.Conv2D(6, 5, activation="relu")(inputs))
    x = L.MaxPooling2D(2)(L.Conv2D(16, 5, activation="relu")(x))
    x = L.Dense(84, activation="relu")(L.Dense(120, activation="relu")(L.Flatten()(x)))
    return keras.Model(inputs, L.Dense(10, activation="softmax")(x))"""
KERAS_ACCURACY = """def accuracy(probabilities, labels):
    metric = keras.metrics.SparseCategoricalAccuracy()
    metric.update_state(np.asarray(labels), np.asarray(probabilities, "float32"))
    return float(metric.result())"""

CASES = {
    "c1_size_check_and_functional_model": ({"a2_flatten_size": FLATTEN_C1_CHECK, "a4_colour_lenet": LENET_FUNCTIONAL},
                                           ["q2_flatten_size", "q4_colour_lenet"]),
    # keras_first_stage is the test cell's: it is not defined where answers run
    "zero_size_and_calls_the_tests_helper": ({"a2_flatten_size": FLATTEN_ZERO,
                                              "a3_first_stage": "def first_stage(X, K, b):\n    return keras_first_stage(X, K, b)"},
                                             ["q2_flatten_size", "q3_first_stage"]),
    "max_pooling_and_dense_without_relu": ({"a3_first_stage": FIRST_STAGE_MAX_POOL, "a4_colour_lenet": LENET_NO_RELU},
                                           ["q3_first_stage", "q4_colour_lenet"]),
    # Keras in a NumPy-only question; the input_shape= model is right and keeps its points
    "keras_accuracy_and_input_shape": ({"a4_colour_lenet": LENET_INPUT_SHAPE, "a5_accuracy": KERAS_ACCURACY},
                                       ["q5_accuracy"]),
}
