"""Rebuild data/fashion-mnist-subset/ from the full Fashion-MNIST (reproducible, seed 0).

The subset is what the loader falls back to on a machine with neither the full files nor
internet: 5,000 training and 1,000 test images, stratified (500 / 100 per class).

    python scripts/make_fashion_subset.py
"""
from __future__ import annotations

from coursekit.data import (
    _IDX_FILES, FASHION_MNIST, REPO_DATA_DIR, _read_idx_set, file_sha256, find_files,
    stratified_subset, write_idx,
)

TRAIN_SIZE, TEST_SIZE = 5_000, 1_000


def main() -> None:
    source = find_files(FASHION_MNIST)
    if source is None:
        raise SystemExit("The full Fashion-MNIST is needed to build the subset; see coursekit.data.")
    (x_train, y_train), (x_test, y_test) = _read_idx_set(source)
    arrays = (*stratified_subset(x_train, y_train, TRAIN_SIZE),
              *stratified_subset(x_test, y_test, TEST_SIZE))
    target = REPO_DATA_DIR / "fashion-mnist-subset"
    target.mkdir(parents=True, exist_ok=True)
    # _IDX_FILES order: train images, train labels, test images, test labels.
    for name, array in zip(_IDX_FILES, arrays):
        write_idx(target / name, array)
        print(f"{name}: {array.shape} sha256 {file_sha256(target / name)}")


if __name__ == "__main__":
    main()
