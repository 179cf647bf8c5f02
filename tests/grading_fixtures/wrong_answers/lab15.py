"""Lab 15: explanations with the wrong sign, class, score or weights, Grad-CAM without its
ReLU, by the class-activation-map shortcut or as constant zeros, receptive fields without
padding, clipped or in floats, top units from a window of the largest values, agreement rolled
on the wrong axis, answers that change the model they explain, the test cells' references
called from answers, forbidden libraries, and correct answers written differently (tensors,
arrays, float32/float64: they keep every point)."""
LAB = "lab15_what_a_cnn_looks_at"

_OCCLUSION_HEAD = (
    "def occlusion_map(model, image, label, patch, stride, fill):\n"
    "    tops, lefts = range(0, image.shape[0] - patch + 1, stride), range(0, image.shape[1] - patch + 1, stride)\n"
    "    batch = [image]\n"
    "    for top in tops:\n"
    "        for left in lefts:\n"
    "            hidden = image.copy()\n"
    "            hidden[top:top + patch, left:left + patch] = fill\n"
    "            batch.append(hidden)\n"
    "    scores = np.asarray(model(np.stack(batch)), dtype=np.float64)\n"
    "    p = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
    "    p /= p.sum(axis=1, keepdims=True)\n")
_GRAD_CAM_HEAD = (
    "def grad_cam(model, image, class_index, layer_name):\n"
    "    inner = keras.Model(model.input, [model.get_layer(layer_name).output, model.output])\n"
    "    x = tf.convert_to_tensor(image[None], dtype=tf.float32)\n"
    "    with tf.GradientTape() as tape:\n"
    "        maps, scores = inner(x)\n"
    "        score = scores[0, class_index]\n"
    "    grads = tape.gradient(score, maps)[0]\n")
_SALIENCY_HEAD = (
    "def saliency(model, image, class_index):\n"
    "    x = tf.convert_to_tensor(image[None], dtype=tf.float32)\n"
    "    with tf.GradientTape() as tape:\n"
    "        tape.watch(x)\n")

CASES = {
    # occlusion as p(occluded) - p(original); saliency without the absolute value
    "wrong_signs": ({
        "a1_occlusion_map": _OCCLUSION_HEAD + "    return (p[1:, label] - p[0, label]).reshape(len(tops), len(lefts))",
        "a2_saliency": _SALIENCY_HEAD + "        score = model(x)[0, class_index]\n"
                                        "    return tape.gradient(score, x).numpy()[0].max(axis=-1)",
    }, ["q1_occlusion_map", "q2_saliency"]),
    # the drop of the score instead of the probability; Grad-CAM without its ReLU
    "score_drop_and_no_relu": ({
        "a1_occlusion_map": _OCCLUSION_HEAD.replace("    p = np.exp", "    p = scores\n    unused = np.exp")
                            .replace("    p /= p.sum(axis=1, keepdims=True)\n", "")
                            + "    return (p[0, label] - p[1:, label]).reshape(len(tops), len(lefts))",
        "a3_grad_cam": _GRAD_CAM_HEAD + "    return (maps[0] * tf.reduce_mean(grads, axis=(0, 1))).numpy().sum(axis=-1)",
    }, ["q1_occlusion_map", "q3_grad_cam"]),
    # Grad-CAM of the predicted class instead of class_index; saliency of the softmax probability
    "wrong_class_and_probability": ({
        "a3_grad_cam": _GRAD_CAM_HEAD.replace("score = scores[0, class_index]",
                                              "score = scores[0, int(tf.argmax(scores[0]))]")
                       + "    return tf.nn.relu(tf.reduce_sum(maps[0] * tf.reduce_mean(grads, axis=(0, 1)), axis=-1)).numpy()",
        "a2_saliency": _SALIENCY_HEAD + "        score = tf.nn.softmax(model(x))[0, class_index]\n"
                                        "    return np.abs(tape.gradient(score, x).numpy()[0]).max(axis=-1)",
    }, ["q2_saliency", "q3_grad_cam"]),
    # channel weights by the largest gradient; saliency of the first channel only (both pass
    # the visible tests: a GAP head has the same gradient everywhere, and one channel)
    "max_weights_and_first_channel": ({
        "a3_grad_cam": _GRAD_CAM_HEAD
                       + "    return tf.nn.relu(tf.reduce_sum(maps[0] * tf.reduce_max(grads, axis=(0, 1)), axis=-1)).numpy()",
        "a2_saliency": _SALIENCY_HEAD + "        score = model(x)[0, class_index]\n"
                                        "    return np.abs(tape.gradient(score, x).numpy()[0, :, :, 0])",
    }, ["q2_saliency", "q3_grad_cam"]),
    # the class activation map from the last layer's weights: right only for a GAP head;
    # a receptive box that ignores the padding
    "cam_shortcut_and_no_padding": ({
        "a3_grad_cam": "def grad_cam(model, image, class_index, layer_name):\n"
                       "    maps = keras.Model(model.input, model.get_layer(layer_name).output)(image[None]).numpy()[0]\n"
                       "    w = model.layers[-1].kernel.numpy()[:, class_index]\n"
                       "    return np.maximum(maps @ w, 0) / (maps.shape[0] * maps.shape[1])",
        "a4_receptive_box": "def receptive_box(layers, i, j):\n"
                            "    field, jump = 1, 1\n"
                            "    for kernel, stride, padding in layers:\n"
                            "        field, jump = field + (kernel - 1) * jump, jump * stride\n"
                            "    return i * jump, i * jump + field, j * jump, j * jump + field",
    }, ["q3_grad_cam", "q4_receptive_box"]),
    # the test cells' own (hidden) references, which only exist where the tests run
    "calls_test_references": ({
        "a1_occlusion_map": "def occlusion_map(model, image, label, patch, stride, fill):\n"
                            "    return occlusion_drops(model, image, label, patch, stride, fill)",
        "a3_grad_cam": "def grad_cam(model, image, class_index, layer_name):\n"
                       "    return weighted_maps(model, image, class_index, layer_name, 'mean')",
        "a4_receptive_box": "def receptive_box(layers, i, j):\n    return gradient_box(layers, i, j, 1000)",
        "a6_agreement": "def agreement(heats_a, heats_b, fraction):\n"
                        "    return mean_iou(heats_a, heats_b, fraction), mean_iou(heats_a, np.roll(heats_b, 1, axis=0), fraction)",
    }, ["q1_occlusion_map", "q3_grad_cam", "q4_receptive_box", "q6_agreement"]),
    # libraries the questions do not allow: coursekit for Grad-CAM (hidden behind __import__),
    # TensorFlow for the NumPy-only top_units, Keras's setup alias for receptive_box
    "forbidden_libraries": ({
        "a3_grad_cam": "_ck = __import__('course' + 'kit')\n" + _GRAD_CAM_HEAD
                       + "    return tf.nn.relu(tf.reduce_sum(maps[0] * tf.reduce_mean(grads, axis=(0, 1)), axis=-1)).numpy()",
        "a5_top_units": "import tensorflow as tf\n\n"
                        "def top_units(maps, k):\n"
                        "    flat = maps.reshape(len(maps), -1)\n"
                        "    values, images = tf.math.top_k(flat.max(axis=1), k)\n"
                        "    rows, cols = np.unravel_index(flat.argmax(axis=1)[images.numpy()], maps.shape[1:])\n"
                        "    return [(int(n), int(r), int(c)) for n, r, c in zip(images.numpy(), rows, cols)]",
        "a4_receptive_box": "def receptive_box(layers, i, j):\n"
                            "    keras.backend.clear_session()\n"
                            "    field, jump, first = 1, 1, 0\n"
                            "    for kernel, stride, padding in layers:\n"
                            "        field, first, jump = field + (kernel - 1) * jump, first - padding * jump, jump * stride\n"
                            "    return first + i * jump, first + i * jump + field, first + j * jump, first + j * jump + field",
    }, ["q3_grad_cam", "q4_receptive_box", "q5_top_units"]),
    # occlusion that writes into the image it was given; a receptive box clipped to [0, inf);
    # the k strongest values wherever they are (three from one image); the top region by
    # floor(fraction * HW) pixels
    "in_place_clipped_repeats_floor": ({
        "a1_occlusion_map": "def occlusion_map(model, image, label, patch, stride, fill):\n"
                            "    tops, lefts = range(0, image.shape[0] - patch + 1, stride), range(0, image.shape[1] - patch + 1, stride)\n"
                            "    p0 = np.asarray(tf.nn.softmax(model(image[None])))[0, label]\n"
                            "    out = np.zeros((len(tops), len(lefts)))\n"
                            "    for a, top in enumerate(tops):\n"
                            "        for b, left in enumerate(lefts):\n"
                            "            saved = image[top:top + patch, left:left + patch].copy()\n"
                            "            image[top:top + patch, left:left + patch] = fill\n"
                            "            out[a, b] = p0 - np.asarray(tf.nn.softmax(model(image[None])))[0, label]\n"
                            "    return out",
        "a4_receptive_box": "def receptive_box(layers, i, j):\n"
                            "    field, jump, first = 1, 1, 0\n"
                            "    for kernel, stride, padding in layers:\n"
                            "        field, first, jump = field + (kernel - 1) * jump, first - padding * jump, jump * stride\n"
                            "    top, left = max(first + i * jump, 0), max(first + j * jump, 0)\n"
                            "    return top, first + i * jump + field, left, first + j * jump + field",
        "a5_top_units": "def top_units(maps, k):\n"
                        "    order = np.argsort(-maps.ravel())[:k]\n"
                        "    n, i, j = np.unravel_index(order, maps.shape)\n"
                        "    return [(int(a), int(b), int(c)) for a, b, c in zip(n, i, j)]",
        "a6_agreement": "def agreement(heats_a, heats_b, fraction):\n"
                        "    def top(h):\n"
                        "        flat = h.reshape(len(h), -1)\n"
                        "        count = int(fraction * flat.shape[1])\n"
                        "        return np.argsort(np.argsort(-flat, axis=1), axis=1) < count\n"
                        "    def iou(a, b):\n"
                        "        return float(np.mean((a & b).sum(1) / (a | b).sum(1)))\n"
                        "    return iou(top(heats_a), top(heats_b)), iou(top(heats_a), np.roll(top(heats_b), 1, axis=0))",
    }, ["q1_occlusion_map", "q4_receptive_box", "q5_top_units", "q6_agreement"]),
    # correct answers written differently: occlusion with np.where and masks, Grad-CAM with
    # NumPy after the tape, the box from the centre of the field, top_units by sorting; they
    # print and warn on the way (which costs nothing)
    "correct_alternatives": ({
        "a1_occlusion_map": "import warnings\n\n"
                            "def occlusion_map(model, image, label, patch, stride, fill):\n"
                            "    warnings.warn('computing an occlusion map')\n"
                            "    h, w = image.shape[:2]\n"
                            "    tops, lefts = np.arange(0, h - patch + 1, stride), np.arange(0, w - patch + 1, stride)\n"
                            "    rows, cols = np.arange(h)[None, :, None], np.arange(w)[None, None, :]\n"
                            "    t, l = np.meshgrid(tops, lefts, indexing='ij')\n"
                            "    t, l = t.reshape(-1, 1, 1), l.reshape(-1, 1, 1)\n"
                            "    masks = (rows >= t) & (rows < t + patch) & (cols >= l) & (cols < l + patch)\n"
                            "    batch = np.where(masks[..., None], fill, image[None]).astype(np.float32)\n"
                            "    p = np.asarray(tf.nn.softmax(model(np.concatenate([image[None], batch]))))[:, label]\n"
                            "    return (p[0] - p[1:]).reshape(len(tops), len(lefts))",
        "a3_grad_cam": _GRAD_CAM_HEAD
                       + "    print('Grad-CAM of', layer_name)\n"
                       + "    alpha = grads.numpy().mean(axis=(0, 1))\n"
                       + "    return np.maximum(np.einsum('ijk,k->ij', maps.numpy()[0], alpha), 0)",
        "a4_receptive_box": "def receptive_box(layers, i, j):\n"
                            "    r, jump, start = 1, 1, 0.0\n"
                            "    for k, s, p in layers:\n"
                            "        r, start, jump = r + (k - 1) * jump, start + ((k - 1) / 2 - p) * jump, jump * s\n"
                            "    top, left = (int(round(start + u * jump - (r - 1) / 2)) for u in (i, j))\n"
                            "    return top, top + r, left, left + r",
        "a5_top_units": "def top_units(maps, k):\n"
                        "    best = maps.reshape(len(maps), -1).max(axis=1)\n"
                        "    order = np.argsort(best)[::-1][:k]\n"
                        "    return [(int(n),) + tuple(int(v) for v in np.unravel_index(maps[n].argmax(), maps[n].shape)) for n in order]",
    }, []),
    # the predicted class instead of label / class_index (occlusion, saliency); Grad-CAM as zeros
    # of the layer's shape (the old visible test had an all-zero map); a right box in floats;
    # the k largest values then one per image among them; np.roll without axis=0
    "predicted_class_zeros_floats_window_flat_roll": ({
        "a1_occlusion_map": _OCCLUSION_HEAD + "    label = int(p[0].argmax())\n"
                            "    return (p[0, label] - p[1:, label]).reshape(len(tops), len(lefts))",
        "a2_saliency": _SALIENCY_HEAD + "        scores = model(x)\n        score = scores[0, int(tf.argmax(scores[0]))]\n"
                                        "    return np.abs(tape.gradient(score, x).numpy()[0]).max(axis=-1)",
        "a3_grad_cam": "def grad_cam(model, image, class_index, layer_name):\n"
                       "    return np.zeros(model.get_layer(layer_name).output.shape[1:3])",
        "a4_receptive_box": "def receptive_box(layers, i, j):\n"
                            "    field, jump, first = 1.0, 1.0, 0.0\n"
                            "    for kernel, stride, padding in layers:\n"
                            "        field, first, jump = field + (kernel - 1) * jump, first - padding * jump, jump * stride\n"
                            "    return first + i * jump, first + i * jump + field, first + j * jump, first + j * jump + field",
        "a5_top_units": "def top_units(maps, k):\n"
                        "    n, i, j = np.unravel_index(np.argsort(-maps.ravel())[:3 * k], maps.shape)\n"
                        "    seen, units = set(), []\n"
                        "    for a, b, c in zip(n, i, j):\n"
                        "        if a not in seen:\n"
                        "            seen.add(a)\n"
                        "            units.append((int(a), int(b), int(c)))\n"
                        "    return units[:k]",
        "a6_agreement": "def agreement(heats_a, heats_b, fraction):\n"
                        "    def top(h):\n"
                        "        flat = h.reshape(len(h), -1)\n"
                        "        return np.argsort(np.argsort(-flat, axis=1), axis=1) < int(np.ceil(fraction * flat.shape[1]))\n"
                        "    def iou(a, b):\n"
                        "        return float(np.mean((a & b).sum(1) / (a | b).sum(1)))\n"
                        "    return iou(top(heats_a), top(heats_b)), iou(top(heats_a), top(np.roll(heats_b, 1)))",
    }, ["q1_occlusion_map", "q2_saliency", "q3_grad_cam", "q4_receptive_box", "q5_top_units", "q6_agreement"]),
    # answers that change the model they explain (the tests then compared against the changed
    # model): saliency without its absolute value after making every weight positive (so every
    # gradient is >= 0: this had full marks), Grad-CAM without its ReLU likewise, occlusion
    # computed right on a model whose scores it scaled
    "changes_the_model": ({
        "a1_occlusion_map": _OCCLUSION_HEAD.replace("    tops, lefts", "    model.get_layer('scores').kernel.assign(10 * model.get_layer('scores').kernel)\n    tops, lefts", 1)
                            + "    return (p[0, label] - p[1:, label]).reshape(len(tops), len(lefts))",
        "a2_saliency": "def saliency(model, image, class_index):\n"
                       "    for layer in model.layers:\n"
                       "        layer.set_weights([np.abs(w) for w in layer.get_weights()])\n"
                       + _SALIENCY_HEAD.split("\n", 1)[1]
                       + "        score = model(x)[0, class_index]\n"
                       "    return tape.gradient(score, x).numpy()[0].max(axis=-1)",
        "a3_grad_cam": _GRAD_CAM_HEAD.replace("    inner = ", "    for layer in model.layers:\n"
                                              "        layer.set_weights([np.abs(w) for w in layer.get_weights()])\n    inner = ", 1)
                       + "    return (maps[0] * tf.reduce_mean(grads, axis=(0, 1))).numpy().sum(axis=-1)",
    }, ["q1_occlusion_map", "q2_saliency", "q3_grad_cam"]),
    # correct answers that return TensorFlow tensors, NumPy arrays and lists, in float32 or
    # float64: a batch built by np.repeat, the gradient of a float64 input, Grad-CAM by running
    # the layers after layer_name by hand, the box as an int array, top_units as an (k, 3)
    # array, agreement as a float32 array
    "correct_tensors_and_arrays": ({
        "a1_occlusion_map": "def occlusion_map(model, image, label, patch, stride, fill):\n"
                            "    h, w, _ = image.shape\n"
                            "    tops, lefts = np.arange(0, h - patch + 1, stride), np.arange(0, w - patch + 1, stride)\n"
                            "    batch = np.repeat(image[None], len(tops) * len(lefts) + 1, axis=0)\n"
                            "    for n, (t, l) in enumerate([(t, l) for t in tops for l in lefts], start=1):\n"
                            "        batch[n, t:t + patch, l:l + patch] = fill\n"
                            "    p = tf.nn.softmax(model(batch))[:, label]\n"
                            "    return tf.reshape(p[0] - p[1:], (len(tops), len(lefts)))",
        "a2_saliency": "def saliency(model, image, class_index):\n"
                       "    x = tf.Variable(image[None].astype('float64'))\n"
                       "    with tf.GradientTape() as tape:\n"
                       "        s = model(x)[:, class_index]\n"
                       "    return tf.reduce_max(tf.abs(tape.gradient(s, x)), axis=-1)[0]",
        "a3_grad_cam": "def grad_cam(model, image, class_index, layer_name):\n"
                       "    at = [layer.name for layer in model.layers].index(layer_name)\n"
                       "    x = image[None]\n"
                       "    for layer in model.layers[1:at + 1]:\n"
                       "        x = layer(x)\n"
                       "    maps = tf.Variable(x)\n"
                       "    with tf.GradientTape() as tape:\n"
                       "        y = maps\n"
                       "        for layer in model.layers[at + 1:]:\n"
                       "            y = layer(y)\n"
                       "        score = y[0, class_index]\n"
                       "    g = tape.gradient(score, maps)[0].numpy()\n"
                       "    return np.maximum(np.tensordot(maps[0].numpy(), g.mean((0, 1)), 1), 0).astype(np.float64)",
        "a4_receptive_box": "def receptive_box(layers, i, j):\n"
                            "    table = np.asarray(layers)\n"
                            "    jumps = np.concatenate([[1], np.cumprod(table[:, 1])[:-1]])\n"
                            "    field, first = 1 + ((table[:, 0] - 1) * jumps).sum(), -(table[:, 2] * jumps).sum()\n"
                            "    jump = np.prod(table[:, 1])\n"
                            "    return np.array([first + i * jump, first + i * jump + field, first + j * jump, first + j * jump + field])",
        "a5_top_units": "def top_units(maps, k):\n"
                        "    flat = maps.reshape(len(maps), -1)\n"
                        "    images = np.argsort(flat.max(1))[::-1][:k]\n"
                        "    return np.stack([images, *np.unravel_index(flat[images].argmax(1), maps.shape[1:])], axis=1)",
        "a6_agreement": "def agreement(heats_a, heats_b, fraction):\n"
                        "    heats_a, heats_b = np.asarray(heats_a, np.float32), np.asarray(heats_b, np.float32)\n"
                        "    n, h, w = heats_a.shape\n"
                        "    count = int(np.ceil(fraction * h * w))\n"
                        "    def top(x):\n"
                        "        t = np.zeros((len(x), h * w), bool)\n"
                        "        np.put_along_axis(t, np.argpartition(-x.reshape(len(x), -1), count - 1, axis=1)[:, :count], True, axis=1)\n"
                        "        return t\n"
                        "    ta, tb = top(heats_a), top(heats_b)\n"
                        "    iou = lambda a, b: ((a & b).sum(1) / (a | b).sum(1)).mean()\n"
                        "    return np.array([iou(ta, tb), iou(ta, np.roll(tb, 1, axis=0))], np.float32)",
    }, []),
    # pandas computes the answer: the "NumPy only" question hides it (and names it)
    "pandas_top_units": ({
        "a5_top_units":
            "import pandas as pd\n"
            "def top_units(maps, k):\n"
            "    flat = pd.DataFrame(maps.reshape(len(maps), -1))\n"
            "    best = flat.max(axis=1).nlargest(k).index\n"
            "    rows, cols = np.unravel_index(flat.loc[best].to_numpy().argmax(axis=1), maps.shape[1:])\n"
            "    return [(int(n), int(r), int(c)) for n, r, c in zip(best, rows, cols)]",
    }, ["q5_top_units"]),
}
