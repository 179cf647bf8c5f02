"""Lab 08: Inception blocks with the right shapes and parameter counts that compute something else,
an answer that calls a test cell's own helper, and one that uses coursekit."""
LAB = "lab08_inception"

REDUCTIONS_WITHOUT_RELU = '''def inception(x, c1, c2, c3, c4):
    p1 = L.Conv2D(c1, 1, activation="relu")(x)
    p2 = L.Conv2D(c2[1], 3, padding="same", activation="relu")(L.Conv2D(c2[0], 1)(x))
    p3 = L.Conv2D(c3[1], 5, padding="same", activation="relu")(L.Conv2D(c3[0], 1)(x))
    p4 = L.Conv2D(c4, 1, activation="relu")(L.MaxPooling2D(3, strides=1, padding="same")(x))
    return L.Concatenate()([p1, p2, p3, p4])'''
POOL_AFTER_CONV = '''def inception(x, c1, c2, c3, c4):
    p1 = L.Conv2D(c1, 1, activation="relu")(x)
    p2 = L.Conv2D(c2[1], 3, padding="same", activation="relu")(L.Conv2D(c2[0], 1, activation="relu")(x))
    p3 = L.Conv2D(c3[1], 5, padding="same", activation="relu")(L.Conv2D(c3[0], 1, activation="relu")(x))
    p4 = L.MaxPooling2D(3, strides=1, padding="same")(L.Conv2D(c4, 1, activation="relu")(x))
    return L.Concatenate()([p1, p2, p3, p4])'''
PATHS_REVERSED = '''def inception(x, c1, c2, c3, c4):
    p1 = L.Conv2D(c1, 1, activation="relu")(x)
    p2 = L.Conv2D(c2[1], 3, padding="same", activation="relu")(L.Conv2D(c2[0], 1, activation="relu")(x))
    p3 = L.Conv2D(c3[1], 5, padding="same", activation="relu")(L.Conv2D(c3[0], 1, activation="relu")(x))
    p4 = L.Conv2D(c4, 1, activation="relu")(L.MaxPooling2D(3, strides=1, padding="same")(x))
    return L.Concatenate()([p4, p3, p2, p1])'''
# right: layers made first, in another order, with names of their own and separate ReLU layers
OTHER_ORDER = '''def inception(x, c1, c2, c3, c4):
    pool, pool_conv = L.MaxPooling2D(3, 1, "same", name="pool"), L.Conv2D(c4, 1, name="zz_pool_proj")
    big, big_reduce = L.Conv2D(c3[1], 5, padding="same", name="a_big"), L.Conv2D(c3[0], (1, 1), name="b_reduce")
    mid, mid_reduce = L.Conv2D(c2[1], (3, 3), padding="same", name="c_mid"), L.Conv2D(c2[0], 1, name="d_reduce")
    one = L.Conv2D(c1, 1, padding="same", name="e_one")
    relu = lambda t: L.Activation("relu")(t)
    p4 = relu(pool_conv(pool(x)))
    p3 = relu(big(L.ReLU()(big_reduce(x))))
    p2 = relu(mid(relu(mid_reduce(x))))
    return L.concatenate([relu(one(x)), p2, p3, p4], axis=-1)'''
CASES = {
    "reductions_without_relu": ({"a1_inception": REDUCTIONS_WITHOUT_RELU,
                                 "a4_factorised": "def factorised_weights(n, c):\n    return 2 * n * c * c + 2 * c, n * n * c * c + c"},
                                ["q1_inception", "q4_factorised"]),
    "pool_after_conv": ({"a1_inception": POOL_AFTER_CONV,
                         "a3_gap_classify": "def gap_classify(maps):\n    e = np.exp(maps - maps.max(axis=-1, keepdims=True))\n"
                                            "    return (e / e.sum(axis=-1, keepdims=True)).mean(axis=(1, 2))"},
                        ["q1_inception", "q3_gap_classify"]),
    "paths_reversed_and_hardcoded_macs": ({"a1_inception": PATHS_REVERSED,
                                           "a2_inception_macs": "def inception_macs(h, w, c_in, c1, c2, c3, c4):\n"
                                                                "    return 128_049_152"},
                                          ["q1_inception", "q2_inception_macs"]),
    # the test cell's reference is not defined where answers run; coursekit is not allowed
    "calls_keras_macs_uses_coursekit": ({"a1_inception": OTHER_ORDER,
                                         "a2_inception_macs": "def inception_macs(*args):\n    return keras_macs(*args)",
                                         "a4_factorised": "from coursekit import ops\n\ndef factorised_weights(n, c):\n"
                                                          "    return 2 * n * c * c, n * n * c * c"},
                                        ["q2_inception_macs", "q4_factorised"]),
}

# channel shuffle (question 5): no swap, the inverse shuffle, a loop-free answer that imports keras
SHUFFLE_NO_SWAP = '''def channel_shuffle(x, groups):
    n, h, w, c = x.shape
    return x.reshape(n, h, w, groups, c // groups).reshape(n, h, w, c)'''
SHUFFLE_INVERSE = '''def channel_shuffle(x, groups):
    n, h, w, c = x.shape
    return x.reshape(n, h, w, c // groups, groups).swapaxes(3, 4).reshape(n, h, w, c)'''
# right: the permutation written as an index array
SHUFFLE_BY_INDEX = '''def channel_shuffle(x, groups):
    c = x.shape[-1]
    j = np.arange(c)
    return x[..., (j % groups) * (c // groups) + j // groups]'''
SHUFFLE_WITH_KERAS = '''import keras

def channel_shuffle(x, groups):
    n, h, w, c = x.shape
    return np.asarray(keras.ops.reshape(keras.ops.swapaxes(keras.ops.reshape(x, (n, h, w, groups, c // groups)), 3, 4),
                                        (n, h, w, c)))'''
CASES.update({
    "shuffle_without_swap": ({"a5_channel_shuffle": SHUFFLE_NO_SWAP}, ["q5_channel_shuffle"]),
    "inverse_shuffle": ({"a5_channel_shuffle": SHUFFLE_INVERSE}, ["q5_channel_shuffle"]),
    "shuffle_with_keras_is_not_numpy_only": ({"a5_channel_shuffle": SHUFFLE_WITH_KERAS}, ["q5_channel_shuffle"]),
    "shuffle_by_index_is_right": ({"a5_channel_shuffle": SHUFFLE_BY_INDEX}, []),
})
