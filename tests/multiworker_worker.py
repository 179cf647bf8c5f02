"""One worker of the two-process ``strategy="multiworker"`` test (tests/test_multiworker.py).

``TF_CONFIG=... python tests/multiworker_worker.py OUT.npz SEED`` trains a tiny CNN through
``coursekit.train.fit`` and saves to ``OUT.npz`` the weights it started and ended with, the loss
per epoch, the test accuracy and how many training examples this worker was given per epoch.
"""
import os
import sys
import time


def main(out: str, seed: int) -> None:
    start = time.perf_counter()
    from coursekit import train  # coursekit first: it quiets TensorFlow's start-up logs
    from coursekit.data import to_tf_dataset
    from coursekit.devices import choose_strategy

    import keras
    import numpy as np
    import tensorflow as tf

    L = keras.layers
    initial = []

    def build() -> keras.Model:
        model = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.Flatten(),
                                  L.Dense(3, activation="softmax")])
        initial.extend(np.array(w) for w in model.get_weights())
        return model

    # fit sets up the strategy before TensorFlow runs anything, as a script on each machine would.
    # The same images on every worker: three classes told apart by which third is bright. 100
    # examples in global batches of 16 end in a partial batch, as real data sets do.
    rng = np.random.default_rng(0)
    y = np.arange(130) % 3
    x = rng.integers(0, 60, (130, 8, 8)).astype(np.uint8)
    for i, label in enumerate(y):
        x[i, :, label * 2:label * 2 + 3] += 180
    print(f"imported in {time.perf_counter() - start:.1f} s ({time.process_time():.1f} s CPU)", flush=True)
    result = train.fit(build, x[:100], y[:100], test_data=(x[100:], y[100:]), epochs=2, batch_size=16,
                       learning_rate=0.02, precision="float32", strategy="multiworker", seed=seed, live=False)
    strategy = choose_strategy("multiworker")
    assert strategy is result.model.distribute_strategy  # the one fit set up, not a second one
    batches = strategy.experimental_distribute_dataset(to_tf_dataset(x[:100], y[:100], 16, seed=seed))
    local = sum(int(strategy.experimental_local_results(labels)[0].shape[0]) for _, labels in batches)
    np.savez(out, loss=np.array(result.history.history["loss"]), test_accuracy=result.test_accuracy,
             local_examples=local, replicas=strategy.num_replicas_in_sync,
             **{f"initial_{i}": w for i, w in enumerate(initial)},
             **{f"final_{i}": np.array(w) for i, w in enumerate(result.model.get_weights())})
    # Wait until both workers are here (an all-reduce of 1 per replica), then leave without
    # TensorFlow's teardown, which takes seconds with the cluster's servers running.
    together = strategy.reduce("SUM", tf.constant(1.0), axis=None)
    print(f"worker done on {result.device} in {time.perf_counter() - start:.1f} s, "
          f"{float(together):.0f} workers at the end ({time.process_time():.1f} s CPU)", flush=True)
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
