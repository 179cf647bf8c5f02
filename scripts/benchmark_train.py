"""Training speed: plain ``model.fit`` on NumPy arrays vs ``coursekit.train.fit``, side by side.

Same model, same data, same batch size and epochs; each variant runs ``--repeats`` times in
this one process, alternating, and the median examples/s of the epochs after the first
(tracing and compilation) is reported with the ratio to plain ``fit``.

    python scripts/benchmark_train.py                    # small CNN, the defaults
    python scripts/benchmark_train.py --model resnet     # a small ResNet (mixed precision matters)
    python scripts/benchmark_train.py --variants plain,bfloat16   # only some variants
    python scripts/benchmark_train.py --variants float32,bfloat16 # what precision="auto" should pick here
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from coursekit import data, train  # noqa: E402
from coursekit.devices import device_report  # noqa: E402

L = keras.layers

VARIANTS = {  # short name: what is measured
    "plain": "plain model.fit (numpy)",
    "defaults": "coursekit.fit (defaults)",
    "steps1": "coursekit.fit steps_per_execution=1",
    "xla": "coursekit.fit jit_compile=True (XLA)",
    "float32": "coursekit.fit precision=float32",
    "bfloat16": "coursekit.fit precision=mixed_bfloat16",
}


def small_cnn() -> keras.Model:
    """A LeNet-sized CNN with ReLU and max pooling."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(6, 5, padding="same", activation="relu"), L.MaxPooling2D(),
        L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(), L.Flatten(),
        L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10, activation="softmax"),
    ], name="small_cnn")


def small_resnet() -> keras.Model:
    """Two residual stages of 3x3 convolutions with batch normalisation (about 0.2 M parameters)."""
    inputs = keras.Input((28, 28, 1))
    x = L.Conv2D(32, 3, padding="same", use_bias=False)(inputs)
    for filters, stride in ((32, 1), (64, 2)):
        shortcut = x if stride == 1 and x.shape[-1] == filters else L.Conv2D(filters, 1, strides=stride)(x)
        y = L.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        y = L.ReLU()(L.BatchNormalization()(y))
        y = L.BatchNormalization()(L.Conv2D(filters, 3, padding="same", use_bias=False)(y))
        x = L.ReLU()(L.Add()([shortcut, y]))
    outputs = L.Dense(10, activation="softmax")(L.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, outputs, name="small_resnet")


class EpochTimer(keras.callbacks.Callback):
    """Wall time of every epoch."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def rate(timer: EpochTimer, examples: int) -> float:
    steady = timer.times[1:] or timer.times
    return examples / statistics.median(steady)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("cnn", "resnet"), default="cnn")
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated subset of {','.join(VARIANTS)} (plain is always the baseline)")
    args = parser.parse_args()
    chosen = ["plain"] + [v for v in args.variants.split(",") if v and v != "plain"]
    unknown = sorted(set(chosen) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}.")

    build = small_cnn if args.model == "cnn" else small_resnet
    (x, y), _ = data.load_fashion_mnist(fast=False, verbose=False)
    x, y = x[:args.examples], y[:args.examples]
    x_float = data.as_float_images(x)
    print(device_report())
    print(f"{build.__name__}, {len(x):,} examples, batch {args.batch_size}, {args.epochs} epochs, "
          f"{args.repeats} repeats; examples/s = median over epochs 2..{args.epochs}")

    def plain() -> float:
        keras.utils.set_random_seed(0)
        model = build()
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        timer = EpochTimer()
        model.fit(x_float, y, batch_size=args.batch_size, epochs=args.epochs, verbose=0, callbacks=[timer])
        return rate(timer, len(x))

    def coursekit(**options) -> float:
        timer = EpochTimer()
        train.fit(build, x, y, epochs=args.epochs, batch_size=args.batch_size, verbose=False,
                  callbacks=[timer], **options)
        return rate(timer, len(x))

    runs = {
        "plain": plain,
        "defaults": coursekit,
        "steps1": lambda: coursekit(steps_per_execution=1),
        "xla": lambda: coursekit(jit_compile=True),
        "float32": lambda: coursekit(precision="float32"),
        "bfloat16": lambda: coursekit(precision="mixed_bfloat16"),
    }
    variants = {VARIANTS[key]: runs[key] for key in chosen}
    results = {name: [] for name in variants}
    for repeat in range(args.repeats):
        for name, run in variants.items():
            results[name].append(run())
            print(f"  repeat {repeat + 1}: {name}: {results[name][-1]:,.0f} examples/s", flush=True)
    baseline = statistics.median(results[VARIANTS["plain"]])
    print(f"{'variant':42s} {'examples/s':>12s} {'vs plain':>9s}   {'range over repeats':>20s}")
    for name, rates in results.items():
        median = statistics.median(rates)
        spread = f"{min(rates):,.0f}-{max(rates):,.0f}"
        print(f"{name:42s} {median:12,.0f} {median / baseline:8.2f}x   {spread:>20s}", flush=True)


if __name__ == "__main__":
    main()
