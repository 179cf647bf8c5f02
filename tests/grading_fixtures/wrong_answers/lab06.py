"""Lab 06: test helpers called from answers, libraries the questions do not allow, plausible slips."""
LAB = "lab06_alexnet"

# the fit check forgets the padding on one side
COST_ONE_SIDED_PADDING = """def conv_layer_cost(n, c_in, c_out, k, stride=1, padding=0):
    if k > n + padding:
        raise ValueError("the kernel does not fit")
    m = (n + 2 * padding - k) // stride + 1
    return m, c_out * (k * k * c_in + 1), m * m * c_out * k * k * c_in"""
# pooling as a plain halving: right for 227, not for 224
SIDES_HALVING = """def alexnet_sides(n):
    sides = [(n - 11) // 4 + 1]
    sides.append(sides[-1] // 2)
    sides.append(sides[-1])
    sides.append(sides[-1] // 2)
    sides += [sides[-1]] * 3
    sides.append(sides[-1] // 2)
    return sides"""
# TensorFlow in a NumPy-only question
TF_CROPS = """def ten_crops(image, size):
    h, w = image.shape[:2]
    corners = [(0, 0), (0, w - size), (h - size, 0), (h - size, w - size), ((h - size) // 2, (w - size) // 2)]
    crops = [tf.image.crop_to_bounding_box(image, t, l, size, size) for t, l in corners]
    return np.stack([np.asarray(c) for c in crops] + [np.asarray(tf.image.flip_left_right(c)) for c in crops])"""
# Dense by name, not by type
DENSE_BY_NAME = """def dense_fraction(model):
    dense = sum(layer.count_params() for layer in model.layers if "dense" in layer.name)
    return dense / model.count_params()"""
DENSE_COURSEKIT = """import coursekit

def dense_fraction(model):
    dense = sum(layer.count_params() for layer in model.layers if isinstance(layer, keras.layers.Dense))
    return dense / model.count_params()"""

# LRN with Caffe's / PyTorch's alpha / n instead of the paper's (and TensorFlow's) alpha
LRN_ALPHA_OVER_N = """def lrn(a, k=2.0, n=5, alpha=1e-4, beta=0.75):
    a = np.asarray(a, dtype="float64")
    sums = np.empty_like(a)
    for i in range(a.shape[-1]):
        sums[..., i] = (a[..., max(0, i - n // 2):i + n // 2 + 1] ** 2).sum(axis=-1)
    return a / (k + alpha / n * sums) ** beta"""
# the channel window wraps around at the ends (np.roll) instead of being cut off
LRN_WRAPS_AROUND = """def lrn(a, k=2.0, n=5, alpha=1e-4, beta=0.75):
    a = np.asarray(a, dtype="float64")
    sums = sum(np.roll(a ** 2, shift, axis=-1) for shift in range(-(n // 2), n // 2 + 1))
    return a / (k + alpha * sums) ** beta"""
# TensorFlow in a NumPy-only question
LRN_TENSORFLOW = """def lrn(a, k=2.0, n=5, alpha=1e-4, beta=0.75):
    a = np.asarray(a, "float32")
    out = tf.nn.local_response_normalization(a.reshape(1, 1, -1, a.shape[-1]), n // 2, k, alpha, beta)
    return np.asarray(out).reshape(a.shape)"""

CASES = {
    # keras_sides is the test cell's: it is not defined where answers run
    "calls_the_tests_helper_and_dense_by_name": ({"a2_alexnet_sides": "def alexnet_sides(n):\n    return keras_sides(n)",
                                                  "a4_dense_fraction": DENSE_BY_NAME},
                                                 ["q2_alexnet_sides", "q4_dense_fraction"]),
    "one_sided_padding_and_tensorflow_crops": ({"a1_conv_cost": COST_ONE_SIDED_PADDING, "a3_ten_crops": TF_CROPS},
                                               ["q1_conv_cost", "q3_ten_crops"]),
    "halving_pools_and_coursekit": ({"a2_alexnet_sides": SIDES_HALVING, "a4_dense_fraction": DENSE_COURSEKIT},
                                    ["q2_alexnet_sides", "q4_dense_fraction"]),
    "lrn_alpha_divided_by_n": ({"a5_lrn": LRN_ALPHA_OVER_N}, ["q5_lrn"]),
    "lrn_window_wraps_around": ({"a5_lrn": LRN_WRAPS_AROUND}, ["q5_lrn"]),
    "lrn_with_tensorflow": ({"a5_lrn": LRN_TENSORFLOW}, ["q5_lrn"]),
}
