"""Lab 07: VGG blocks with the right shapes that compute something else, test helpers called from
answers, coursekit; and right answers Keras warns about."""
LAB = "lab07_vgg"

BLOCK_NO_RELU = """def vgg_block(num_convs, channels):
    layers = [L.Conv2D(channels, 3, padding="same") for _ in range(num_convs)]
    return keras.Sequential(layers + [L.MaxPooling2D(2, strides=2)])"""
BLOCK_AVERAGE = """def vgg_block(num_convs, channels):
    layers = [L.Conv2D(channels, 3, padding="same", activation="relu") for _ in range(num_convs)]
    return keras.Sequential(layers + [L.AveragePooling2D(2, strides=2)])"""
STACK_WITH_BIASES = """def stack_vs_single(n, c):
    k = 2 * n + 1
    return n * (9 * c + 1) * c, (k * k * c + 1) * c"""
STACK_COURSEKIT = """import coursekit

def stack_vs_single(n, c):
    k = 2 * n + 1
    return n * 9 * c * c, k * k * c * c"""
# the side rounded up after each pooling
PARAMS_CEIL = """def vgg_params(blocks, side, in_channels, dense_units, classes):
    total, c_in = 0, in_channels
    for num_convs, channels in blocks:
        for _ in range(num_convs):
            total += channels * (9 * c_in + 1)
            c_in = channels
        side = (side + 1) // 2
    n_in = side * side * c_in
    for n_out in (dense_units, dense_units, classes):
        total += (n_in + 1) * n_out
        n_in = n_out
    return total"""
STAGES = """def max_pooling_stages(side):
    stages = 0
    while side >= 2:
        side //= 2
        stages += 1
    return stages


"""
# keras_stages is the test cell's: it is not defined where answers run
FIX_CALLS_HELPER = """def max_pooling_stages(side):
    return keras_stages(side)


def build_fixed():
    channels = (16, 32, 64, 128, 128)[:4]
    return keras.Sequential([keras.Input((28, 28, 1))] + [vgg_block(1, c) for c in channels]
                            + [L.Flatten(), L.Dense(10, activation="softmax")])"""
FIX_NO_SOFTMAX = STAGES + """def build_fixed():
    channels = (16, 32, 64, 128, 128)[:max_pooling_stages(28)]
    return keras.Sequential([keras.Input((28, 28, 1))] + [vgg_block(1, c) for c in channels]
                            + [L.Flatten(), L.Dense(10)])"""
# right, but Keras warns about input_shape on stderr
FIX_INPUT_SHAPE = STAGES + """def build_fixed():
    first = keras.Sequential([L.Conv2D(16, 3, padding="same", activation="relu", input_shape=(28, 28, 1)),
                              L.MaxPooling2D(2, strides=2)])
    return keras.Sequential([first] + [vgg_block(1, c) for c in (32, 64, 128)]
                            + [L.Flatten(), L.Dense(10, activation="softmax")])"""

# the variance instead of the standard deviation
INIT_VARIANCE = """def init_std(fan_in, fan_out, kind):
    if kind == "xavier":
        return 2 / (fan_in + fan_out)
    if kind == "he":
        return 2 / fan_in
    raise ValueError(kind)"""
# He with the average fan (fan_in + fan_out) / 2, and no error for an unknown kind
INIT_HE_AVERAGE_FAN = """def init_std(fan_in, fan_out, kind):
    if kind == "xavier":
        return np.sqrt(2 / (fan_in + fan_out))
    return np.sqrt(4 / (fan_in + fan_out))"""

CASES = {
    # build_fixed uses the student's own vgg_block: a wrong block costs question 1 only
    "block_without_relu_and_calls_the_tests_helper": ({"a1_vgg_block": BLOCK_NO_RELU, "a4_fix_network": FIX_CALLS_HELPER},
                                                      ["q1_vgg_block", "q4_fix_network"]),
    "average_pooling_and_biases_counted": ({"a1_vgg_block": BLOCK_AVERAGE, "a2_stack_vs_single": STACK_WITH_BIASES},
                                           ["q1_vgg_block", "q2_stack_vs_single"]),
    "sides_rounded_up_and_input_shape": ({"a3_vgg_params": PARAMS_CEIL, "a4_fix_network": FIX_INPUT_SHAPE},
                                         ["q3_vgg_params"]),
    "no_softmax_and_coursekit": ({"a2_stack_vs_single": STACK_COURSEKIT, "a4_fix_network": FIX_NO_SOFTMAX},
                                 ["q2_stack_vs_single", "q4_fix_network"]),
    "init_variance_not_std": ({"a5_init_std": INIT_VARIANCE}, ["q5_init_std"]),
    "init_he_with_average_fan": ({"a5_init_std": INIT_HE_AVERAGE_FAN}, ["q5_init_std"]),
}
