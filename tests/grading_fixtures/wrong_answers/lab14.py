"""Lab 14: trainable batch normalisation, a missing softmax, the test cell's scaler, the sample
standard deviation, and correct answers that warn or freeze layer by layer."""
LAB = "lab14_transfer"

CASES = {
    # BN layers left trainable above the cut; max instead of average pooling; a correct
    # standardize whose 0 / 0 for the constant feature warns (a warning costs nothing)
    "bn_trainable_max_pool_and_warning": ({
        "a1_freeze_below": "def freeze_below(model, first_trainable):\n"
                           "    names = [layer.name for layer in model.layers]\n"
                           "    if first_trainable not in names:\n"
                           "        raise ValueError(first_trainable)\n"
                           "    for index, layer in enumerate(model.layers):\n"
                           "        layer.trainable = index >= names.index(first_trainable)\n"
                           "    return int(sum(np.prod(w.shape) for w in model.trainable_weights))",
        "a3_stage_features": "def stage_features(model, layer_name, images):\n"
                             "    cut = keras.Model(model.input, model.get_layer(layer_name).output)\n"
                             "    return np.asarray(cut(images)).max(axis=(1, 2))",
        "a4_standardize": "def standardize(train_features, test_features):\n"
                          "    mean, std = train_features.mean(axis=0), train_features.std(axis=0)\n"
                          "    return (np.where(std > 0, (train_features - mean) / std, train_features - mean),\n"
                          "            np.where(std > 0, (test_features - mean) / std, test_features - mean))",
    }, ["q1_freeze_below", "q3_stage_features"]),
    # no softmax on the head; the test cell's fitted `scaler` used in the answer (not there when graded)
    "no_softmax_test_scaler": ({
        "a2_new_head": "def new_head(base, num_classes):\n    base.trainable = False\n"
                       "    inputs = keras.Input(base.input.shape[1:])\n"
                       "    outputs = keras.layers.Dense(num_classes)(base(inputs, training=False))\n"
                       "    return keras.Model(inputs, outputs)",
        "a4_standardize": "def standardize(train_features, test_features):\n"
                          "    return scaler.transform(train_features), scaler.transform(test_features)",
    }, ["q2_new_head", "q4_standardize"]),
    # the sample standard deviation (ddof=1); the base frozen layer by layer (correct)
    "ddof_and_layerwise_freezing": ({
        "a2_new_head": "def new_head(base, num_classes):\n    for layer in base.layers:\n"
                       "        layer.trainable = False\n"
                       "    inputs = keras.Input(base.input.shape[1:])\n"
                       "    features = base(inputs, training=False)\n"
                       "    outputs = keras.layers.Dense(num_classes, activation='softmax')(features)\n"
                       "    return keras.Model(inputs, outputs)",
        "a4_standardize": "def standardize(train_features, test_features):\n"
                          "    mean, std = train_features.mean(axis=0), train_features.std(axis=0, ddof=1)\n"
                          "    std = np.where(std > 0, std, 1.0)\n"
                          "    return (train_features - mean) / std, (test_features - mean) / std",
    }, ["q4_standardize"]),
    # an object that quacks like a model (shape, weights, uniform softmax): only a real Keras
    # model travels to the grader, which then checks what it computes
    "duck_typed_fake_model": ({"a2_new_head": (
        "class _Shape:\n    def __init__(self, c):\n        self.shape = (None, c)\n\n"
        "class _Fake:\n    def __init__(self, base, c):\n        self.c, self.n = c, base.count_params()\n"
        "        self.output = _Shape(c)\n        self.trainable_weights = [np.zeros((128, c), 'float32'), np.zeros(c, 'float32')]\n"
        "        self.non_trainable_weights = []\n"
        "    def __call__(self, x, training=False):\n        return np.full((len(x), self.c), 1.0 / self.c, 'float32')\n"
        "    def compile(self, *a, **k):\n        pass\n    def fit(self, *a, **k):\n        pass\n"
        "    def count_params(self):\n        return self.n + 129 * self.c\n\n"
        "def new_head(base, num_classes):\n    return _Fake(base, num_classes)")}, ["q2_new_head"]),
}
