"""Pretrain the transfer-learning source network (lesson 14) on five Fashion-MNIST classes.

The source sees only T-shirt/top, Trouser, Pullover, Dress and Coat (classes 0-4), so lesson 14
can transfer it to the five classes it never saw (a similar target) and to MNIST digits (a
different one).

Writes ``<out>/small_cnn_fashion.weights.h5`` and ``<out>/small_cnn_fashion.json`` (SHA-256 of
the weights, the recipe, the test accuracy, the history), refusing to overwrite either file.
The copy that ships in ``data/weights`` was made with the defaults on a 2-core CPU:

    python scripts/pretrain_source.py --out data/weights

Fast mode (``COURSEKIT_FAST=1``) would train on the 2,000-image subset; the script refuses it,
because shipped weights must come from the full recipe.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from coursekit import data, models
from coursekit.mode import is_fast
from coursekit.train import cosine_decay, fit
from coursekit.transfer import SOURCE_CLASSES, SOURCE_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the weights and manifest")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--classes", type=int, nargs="+", default=list(SOURCE_CLASSES),
                        help="Fashion-MNIST classes the source learns (default: 0-4)")
    args = parser.parse_args(argv)
    if is_fast():
        parser.error("COURSEKIT_FAST is set; shipped weights must come from the full data (unset it).")
    weights = args.out / f"{SOURCE_NAME}.weights.h5"
    manifest = args.out / f"{SOURCE_NAME}.json"
    for path in (weights, manifest):
        if path.exists():
            parser.error(f"{path} exists; move it away or choose another --out (nothing is overwritten).")

    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(fast=False)
    if len(x_train) < 60_000:
        parser.error("the full Fashion-MNIST is needed (the loader fell back to the offline subset).")
    keep_train, keep_test = np.isin(y_train, args.classes), np.isin(y_test, args.classes)
    relabel = np.zeros(10, np.uint8)
    relabel[args.classes] = np.arange(len(args.classes))  # class numbers 0..k-1 for the k kept
    x_train, y_train = x_train[keep_train], relabel[y_train[keep_train]]
    x_test, y_test = x_test[keep_test], relabel[y_test[keep_test]]
    builder_kwargs = {"channels": [32, 64, 128], "num_classes": len(args.classes)}
    result = fit(lambda: models.small_cnn(**builder_kwargs), x_train, y_train, test_data=(x_test, y_test),
                 epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                 callbacks=[cosine_decay(args.learning_rate, args.epochs)], live=False)
    args.out.mkdir(parents=True, exist_ok=True)
    shipped = models.small_cnn(**builder_kwargs)  # uncompiled: the file holds no optimizer state
    shipped.set_weights(result.model.get_weights())
    shipped.save_weights(weights)
    info = {
        "model": "coursekit.models.small_cnn",
        "builder_kwargs": builder_kwargs,
        "parameters": result.model.count_params(),
        "classes": args.classes,
        "class_names": [data.FASHION_MNIST_CLASSES[c] for c in args.classes],
        "trained_on": f"Fashion-MNIST classes {args.classes}: {len(x_train):,} training images, "
                      f"tested on {len(x_test):,} (coursekit.data.load_fashion_mnist)",
        "recipe": {"optimizer": "adam", "learning_rate": args.learning_rate, "schedule": "cosine",
                   "epochs": args.epochs, "batch_size": args.batch_size, "seed": 0},
        "test_accuracy": round(result.test_accuracy, 4),
        "test_loss": round(result.test_loss, 4),
        "history": {k: [round(float(v), 4) for v in vals] for k, vals in result.history.history.items()
                    if k != "learning_rate"},
        "seconds": round(result.seconds, 1),
        "machine": f"{platform.machine()}, {result.device}, TensorFlow {tf.__version__}, Keras {keras.__version__}",
        "sha256": data.file_sha256(weights),
    }
    manifest.write_text(json.dumps(info, indent=1) + "\n")
    print(f"wrote {weights} ({weights.stat().st_size:,} bytes) and {manifest}; "
          f"test accuracy {info['test_accuracy']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
