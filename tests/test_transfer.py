"""coursekit.transfer: the shipped source network, feature extraction and the ImageNet base."""
import json
import shutil
import socket
import time

import keras
import numpy as np
import pytest

from coursekit import data, models, transfer


def test_shipped_source_cnn_is_verified_and_really_pretrained():
    model = transfer.load_source_cnn()
    info = model.source_info
    classes = list(transfer.SOURCE_CLASSES)
    assert info["classes"] == classes and model.output.shape == (None, len(classes))
    assert info["parameters"] == model.count_params() == models.small_cnn(num_classes=len(classes)).count_params()
    (_, _), (x_test, y_test) = data.load_fashion_mnist(fast=True, verbose=False)
    seen = np.isin(y_test, classes)       # classes 0-4 keep their numbers in the source's output
    predicted = model.predict(data.as_float_images(x_test[seen]), verbose=0).argmax(1)
    accuracy = np.mean(predicted == y_test[seen])
    assert accuracy > 0.85, f"the shipped weights reach only {accuracy:.3f} on Fashion-MNIST test images"
    assert abs(accuracy - info["test_accuracy"]) < 0.05  # 500-image subset vs the full test set


def _copy_shipped(tmp_path, monkeypatch):
    weights, _ = transfer.read_manifest()
    for suffix in (".weights.h5", ".json"):
        shutil.copy(weights.parent / f"{transfer.SOURCE_NAME}{suffix}", tmp_path)
    monkeypatch.setattr(transfer, "weights_dirs", lambda: [tmp_path])
    return tmp_path / f"{transfer.SOURCE_NAME}.weights.h5"


def test_damaged_weights_are_refused(tmp_path, monkeypatch):
    weights = _copy_shipped(tmp_path, monkeypatch)
    raw = bytearray(weights.read_bytes())
    raw[-100] ^= 0xFF
    weights.write_bytes(bytes(raw))
    with pytest.raises(data.ChecksumError, match="corrupt or not the expected file"):
        transfer.load_source_cnn()


def test_missing_weights_name_the_folders_and_the_script(tmp_path, monkeypatch):
    monkeypatch.setattr(transfer, "weights_dirs", lambda: [tmp_path])
    with pytest.raises(data.DatasetNotFound, match="pretrain_source.py"):
        transfer.load_source_cnn()


def test_manifest_describes_the_recipe(tmp_path, monkeypatch):
    _copy_shipped(tmp_path, monkeypatch)
    info = json.loads((tmp_path / f"{transfer.SOURCE_NAME}.json").read_text())
    assert info["recipe"]["epochs"] == len(info["history"]["loss"])
    assert info["history"]["loss"][-1] < info["history"]["loss"][0]


def test_feature_extractor_pools_maps_and_shares_weights():
    model = models.small_cnn()
    one = transfer.feature_extractor(model)
    several = transfer.feature_extractor(model, ["block1_relu", "block2_relu", "features"])
    assert one.output.shape == (None, 128)
    assert [tuple(t.shape) for t in several.outputs] == [(None, 32), (None, 64), (None, 128)]
    x = np.random.default_rng(0).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    before = transfer.extract_features(one, x)
    assert before.shape == (4, 128)
    kernel = model.get_layer("block3_conv").kernel
    kernel.assign(kernel * 2.0)  # the extractor must see the model's weights, not a copy
    assert not np.allclose(transfer.extract_features(one, x), before)
    block1 = transfer.extract_features(several, x)[0]
    maps = keras.Model(model.input, model.get_layer("block1_relu").output).predict(x[..., None] / 255.0, verbose=0)
    np.testing.assert_allclose(block1, maps.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)


def test_feature_extractor_and_extract_features_reject_bad_input():
    model = models.small_cnn()
    with pytest.raises(ValueError, match="no layer"):
        transfer.feature_extractor(model, "block9_relu")
    with pytest.raises(ValueError, match=r"expects images shaped \(28, 28, 1\)"):
        transfer.extract_features(transfer.feature_extractor(model), np.zeros((2, 32, 32), np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        transfer.extract_features(transfer.feature_extractor(model), np.zeros((2, 28, 28), np.float32))


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """An empty Keras cache (``$KERAS_HOME``) in tmp_path."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "keras"


def _weights_from(monkeypatch, url: str) -> None:
    """Fetch MobileNetV2's weights from ``url`` (a local server) instead of the internet."""
    base = transfer.IMAGENET_BASES["MobileNetV2"]
    monkeypatch.setitem(transfer.IMAGENET_BASES, "MobileNetV2", base._replace(weights_url=url + "mobilenet_{rows}.h5"))


def test_imagenet_base_offline_says_why_and_what_to_copy(keras_home, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    _weights_from(monkeypatch, f"http://127.0.0.1:{port}/")
    with pytest.raises(transfer.WeightsUnavailable) as info:
        transfer.imagenet_base("MobileNetV2", timeout=3)
    message = str(info.value)
    assert f"MobileNetV2 ImageNet weights could not be downloaded: 127.0.0.1:{port} refused the connection" in message
    assert f"download http://127.0.0.1:{port}/mobilenet_96.h5" in message and str(keras_home / "models") in message
    assert not keras_home.exists() or not any(p.is_file() for p in keras_home.rglob("*"))


def test_imagenet_weights_download_has_one_deadline(keras_home, monkeypatch):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never answers
        _weights_from(monkeypatch, f"http://127.0.0.1:{silent.getsockname()[1]}/")
        start = time.monotonic()
        with pytest.raises(transfer.WeightsUnavailable, match="timed out after 1 s"):
            transfer.imagenet_weights("MobileNetV2", 100, timeout=1)
        assert time.monotonic() - start < 2


def test_imagenet_weights_file_follows_keras_naming(keras_home):
    cached = keras_home / "models" / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"already here")
    assert transfer.imagenet_weights("MobileNetV2", 100) == cached  # no download: 100 uses the 224 weights


def test_imagenet_base_wraps_the_network_behind_the_course_input(keras_home, monkeypatch):
    seen = {}

    def tiny_network(include_top, weights, input_shape):  # stands in for the real network
        seen.update(include_top=include_top, weights=weights, input_shape=input_shape)
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, keras.layers.Conv2D(8, 3, strides=2)(inputs))

    monkeypatch.setattr(keras.applications, "MobileNetV2", tiny_network)
    cached = keras_home / "models" / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
    cached.parent.mkdir(parents=True)
    cached.touch()
    base = transfer.imagenet_base("MobileNetV2", size=64)
    assert seen == {"include_top": False, "weights": str(cached), "input_shape": (64, 64, 3)}
    assert base.input.shape == (None, 28, 28, 1) and base.output.shape == (None, 8)
    assert base.trainable_weights == []  # the ImageNet network starts frozen
    features = transfer.extract_features(base, np.full((3, 28, 28), 255, np.uint8))
    assert features.shape == (3, 8) and np.isfinite(features).all()


def test_imagenet_base_names_a_cached_file_it_cannot_load(keras_home):
    cached = keras_home / "models" / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not an HDF5 file")
    with pytest.raises(transfer.WeightsUnavailable, match=rf"{cached} could not be loaded .*delete or replace"):
        transfer.imagenet_base("MobileNetV2")
    assert cached.read_bytes() == b"not an HDF5 file"


def test_imagenet_base_rejects_unknown_names_and_tiny_sizes():
    with pytest.raises(ValueError, match="choose one of"):
        transfer.imagenet_base("ResNet9000")
    with pytest.raises(ValueError, match="at least 32x32"):
        transfer.imagenet_base("MobileNetV2", size=16)


def test_pretrain_script_refuses_fast_mode_and_existing_files(tmp_path, monkeypatch, capsys):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "pretrain_source", Path(__file__).resolve().parent.parent / "scripts" / "pretrain_source.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setenv("COURSEKIT_FAST", "1")
    with pytest.raises(SystemExit):
        script.main(["--out", str(tmp_path)])
    assert "COURSEKIT_FAST is set" in capsys.readouterr().err
    monkeypatch.setenv("COURSEKIT_FAST", "0")
    (tmp_path / f"{transfer.SOURCE_NAME}.json").write_text("{}")
    with pytest.raises(SystemExit):
        script.main(["--out", str(tmp_path)])
    assert "nothing is overwritten" in capsys.readouterr().err
    assert (tmp_path / f"{transfer.SOURCE_NAME}.json").read_text() == "{}"


def test_small_cnn_names_its_blocks_and_checks_channels():
    model = models.small_cnn(channels=(8, 16), num_classes=3)
    assert [layer.name for layer in model.layers if layer.name.startswith("block2")] == [
        "block2_conv", "block2_bn", "block2_relu"]
    assert model.get_layer("block1_pool").output.shape == (None, 14, 14, 8)
    with pytest.raises(ValueError, match="positive integers"):
        models.small_cnn(channels=(8, 0))
