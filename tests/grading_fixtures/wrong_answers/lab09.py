"""Lab 09: blocks with the right shapes and parameter counts whose layers are in the wrong order or
miss a ReLU, an answer that calls a test cell's own helper, and right answers written differently."""
LAB = "lab09_resnet"

BN_AFTER_RELU = '''def residual_block(x, channels, strides=1):
    y = L.Conv2D(channels, 3, strides=strides, padding="same", use_bias=False)(x)
    y = L.BatchNormalization()(L.ReLU()(y))
    y = L.BatchNormalization()(L.Conv2D(channels, 3, padding="same", use_bias=False)(y))
    shortcut = x
    if strides != 1 or x.shape[-1] != channels:
        shortcut = L.BatchNormalization()(L.Conv2D(channels, 1, strides=strides, use_bias=False)(x))
    return L.ReLU()(L.Add()([shortcut, y]))'''
STRIDE_ON_SECOND = '''def residual_block(x, channels, strides=1):
    y = L.Conv2D(channels, 3, padding="same", use_bias=False)(x)
    y = L.ReLU()(L.BatchNormalization()(y))
    y = L.BatchNormalization()(L.Conv2D(channels, 3, strides=strides, padding="same", use_bias=False)(y))
    shortcut = x
    if strides != 1 or x.shape[-1] != channels:
        shortcut = L.BatchNormalization()(L.Conv2D(channels, 1, strides=strides, use_bias=False)(x))
    return L.ReLU()(L.Add()([shortcut, y]))'''
# right: shortcut first, layers named and made out of order, activations as Activation layers
OTHER_ORDER = '''def residual_block(x, channels, strides=1):
    project = strides != 1 or x.shape[-1] != channels
    if project:
        x_short = L.BatchNormalization(name="short_bn")(L.Conv2D(channels, (1, 1), strides, padding="same",
                                                                  use_bias=False, name="short")(x))
    else:
        x_short = x
    norm_b, norm_a = L.BatchNormalization(name="norm_b"), L.BatchNormalization(name="norm_a")
    conv_b = L.Conv2D(channels, (3, 3), padding="same", use_bias=False, name="conv_b")
    conv_a = L.Conv2D(channels, (3, 3), strides=(strides, strides), padding="same", use_bias=False, name="conv_a")
    y = norm_b(conv_b(L.Activation("relu")(norm_a(conv_a(x)))))
    return L.Activation("relu")(L.add([y, x_short]))'''
DENSE_CONV_BN_RELU = '''def dense_block(x, num_convs, growth):
    for _ in range(num_convs):
        y = L.ReLU()(L.BatchNormalization()(L.Conv2D(growth, 3, padding="same")(x)))
        x = L.Concatenate()([x, y])
    return x'''
DENSE_NO_RELU = '''def dense_block(x, num_convs, growth):
    for _ in range(num_convs):
        y = L.Conv2D(growth, 3, padding="same")(L.BatchNormalization()(x))
        x = L.Concatenate()([x, y])
    return x'''
TRANSITION_NO_RELU = '''def transition_block(x, channels):
    return L.AveragePooling2D(2, strides=2)(L.Conv2D(channels, 1)(L.BatchNormalization()(x)))'''
# right: pooling before the 1x1 convolution computes the same (both are linear)
TRANSITION_POOL_FIRST = '''def transition_block(x, channels):
    return L.Conv2D(channels, 1)(L.AveragePooling2D(2)(L.Activation("relu")(L.BatchNormalization()(x))))'''
CASES = {
    "bn_after_relu": ({"a1_residual_block": BN_AFTER_RELU, "a4_transition": TRANSITION_NO_RELU},
                      ["q1_residual_block", "q4_transition"]),
    "stride_on_second_conv": ({"a1_residual_block": STRIDE_ON_SECOND, "a3_dense_block": DENSE_CONV_BN_RELU},
                              ["q1_residual_block", "q3_dense_block"]),
    # the test cell's reference is not defined where answers run
    "calls_reference_dense_no_relu": ({"a2_block_weights": "def block_weights(c):\n    return reference(c)",
                                       "a3_dense_block": DENSE_NO_RELU, "a4_transition": TRANSITION_POOL_FIRST},
                                      ["q2_block_weights", "q3_dense_block"]),
    "right_in_other_order_uses_coursekit": ({"a1_residual_block": OTHER_ORDER,
                                             "a2_block_weights": "import coursekit\n\ndef block_weights(c):\n"
                                                                 "    return 17 * c * c, 288 * c * c"},
                                            ["q2_block_weights"]),
}

# squeeze-and-excitation (question 5)
SE_MAX_POOL = '''def se_block(x, ratio):
    c = x.shape[-1]
    s = L.GlobalMaxPooling2D()(x)
    s = L.Dense(c, activation="sigmoid")(L.Dense(c // ratio, activation="relu")(s))
    return L.Multiply()([x, L.Reshape((1, 1, c))(s)])'''
SE_NO_SIGMOID = '''def se_block(x, ratio):
    c = x.shape[-1]
    s = L.GlobalAveragePooling2D()(x)
    s = L.Dense(c)(L.Dense(c // ratio, activation="relu")(s))
    return L.Multiply()([x, L.Reshape((1, 1, c))(s)])'''
# right: keras.ops inside a Lambda-free functional graph, layers made first, keepdims pooling
SE_OTHER_WAY = '''def se_block(x, ratio):
    c = x.shape[-1]
    fc_up, fc_down = L.Dense(c, name="up"), L.Dense(c // ratio, name="down")
    s = L.GlobalAveragePooling2D(keepdims=True)(x)
    s = L.Activation("sigmoid")(fc_up(L.ReLU()(fc_down(s))))
    return L.multiply([s, x])'''
CASES.update({
    "se_max_pool": ({"a5_se_block": SE_MAX_POOL}, ["q5_se_block"]),
    "se_no_sigmoid": ({"a5_se_block": SE_NO_SIGMOID}, ["q5_se_block"]),
    "se_other_way_is_right": ({"a5_se_block": SE_OTHER_WAY}, []),
})
