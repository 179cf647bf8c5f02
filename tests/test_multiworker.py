"""``strategy="multiworker"`` for real: two workers as processes on 127.0.0.1, each with its own
``TF_CONFIG``, train through ``coursekit.train.fit`` (tests/multiworker_worker.py); and the
clear errors for a missing or malformed ``TF_CONFIG``.

The two-worker run is bounded: every worker is killed when the run passes ``DEADLINE`` seconds
or as soon as the other one fails, so the test always ends by itself.
"""
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from coursekit import devices

WORKER = Path(__file__).with_name("multiworker_worker.py")
ROOT = WORKER.parent.parent
DEADLINE = 90.0  # seconds for the whole run: 15 CPU-seconds, 30-50 s on 2 cores shared with other jobs


def free_ports(n: int) -> list[int]:
    """``n`` different ports that are free now, drawn at random below the ephemeral range: the
    workers bind them only after importing TensorFlow, and in between the system hands out
    ephemeral ports (to outgoing connections, to ``bind(port 0)``) but never these."""
    try:
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    low, high = (20000, ephemeral - 1) if ephemeral > 21000 else (ephemeral, 65535)
    ports: list[int] = []
    draw = random.SystemRandom()
    for _ in range(1000):
        port = draw.randint(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
        if len(ports) == n:
            return ports
    raise RuntimeError(f"found no {n} free ports in {low}..{high}")


def tf_config(ports: list[int], index: int) -> str:
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def run_workers(folder: Path, n: int, deadline: float) -> list[tuple[int | None, str]]:
    """Start ``n`` workers, wait until all have ended, one has failed or ``deadline`` (a
    ``time.monotonic()`` value) has passed, kill whichever still runs; (exit code or None, output)."""
    ports = free_ports(n)
    env = {key: value for key, value in os.environ.items() if key not in ("TF_CONFIG", "COURSEKIT_STRATEGY")}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    procs, logs = [], []
    try:
        for i in range(n):
            logs.append(open(folder / f"worker{i}.log", "w+"))
            # Seeds differ on purpose: each worker initialises and shuffles differently, so equal
            # weights show that the first worker's initial values were broadcast and every
            # step's gradients were summed over both (the course's own scripts use one seed).
            procs.append(subprocess.Popen(
                [sys.executable, str(WORKER), str(folder / f"worker{i}.npz"), str(i + 1)],
                stdin=subprocess.DEVNULL, stdout=logs[-1], stderr=subprocess.STDOUT, cwd=folder,
                env={**env, "TF_CONFIG": tf_config(ports, i)}))
        while time.monotonic() < deadline:
            codes = [p.poll() for p in procs]
            if None not in codes or any(code not in (None, 0) for code in codes):
                break
            time.sleep(0.2)
    finally:
        for p in procs:  # only the processes started here, by their handles
            if p.poll() is None:
                p.kill()
            p.wait()
    results = []
    for p, log in zip(procs, logs):
        log.seek(0)
        results.append((p.returncode, log.read()))
        log.close()
    return results


@pytest.mark.timeout(2 * DEADLINE)  # a backstop only: run_workers ends by itself
def test_two_workers_train_to_identical_weights(tmp_path):
    start = time.monotonic()
    deadline = start + DEADLINE
    results = run_workers(tmp_path, 2, deadline)
    if any("could not listen on" in out for _, out in results) and time.monotonic() < deadline - 30:
        results = run_workers(tmp_path, 2, deadline)  # another program took a port in between: once more
    seconds = time.monotonic() - start
    report = "\n".join(f"--- worker {i}: exit code {code}\n{out[-3000:]}" for i, (code, out) in enumerate(results))
    assert all(code == 0 for code, _ in results), (
        f"the workers did not both finish within {DEADLINE:.0f} s (took {seconds:.0f} s):\n{report}")
    for _, out in results:
        assert "2 workers at the end" in out, report

    w0, w1 = (np.load(tmp_path / f"worker{i}.npz") for i in range(2))
    weights = sorted(k for k in w0.files if k.startswith("final_"))
    assert len(weights) == 4 and int(w0["replicas"]) == int(w1["replicas"]) == 2
    for key in w0.files:  # initial and final weights, losses, test accuracy: the same on both
        np.testing.assert_array_equal(w0[key], w1[key], err_msg=f"{key} differs between the workers")
    changed = [float(np.abs(w0[k] - w0[k.replace("final", "initial")]).max()) for k in weights]
    assert min(changed) > 1e-3, f"training left some weights (almost) unchanged: {changed}"
    loss = w0["loss"]
    assert len(loss) == 2 and np.isfinite(loss).all() and loss[-1] < loss[0], loss
    assert int(w0["local_examples"]) == int(w1["local_examples"]) == 50  # each worker half of the 100
    print(f"two workers: {seconds:.1f} s, loss {loss.round(3).tolist()}, "
          f"test accuracy {float(w0['test_accuracy']):.2f}")


# ----------------------------------------------------------------------------- TF_CONFIG checks
EXAMPLE = "e.g. TF_CONFIG="


@pytest.mark.parametrize("strategy, env", [("multiworker", {}), ("MultiWorker", {}),
                                           (None, {"COURSEKIT_STRATEGY": "multiworker"})])
def test_multiworker_without_tf_config(monkeypatch, strategy, env):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValueError, match="needs the TF_CONFIG environment variable, which is not set") as error:
        devices.choose_strategy(strategy)
    assert EXAMPLE in str(error.value) and 'strategy="mirrored"' in str(error.value)
    monkeypatch.setenv("TF_CONFIG", "  ")
    with pytest.raises(ValueError, match="needs the TF_CONFIG"):
        devices.choose_strategy(strategy)
    assert devices._MULTIWORKER is None


GOOD = {"cluster": {"worker": ["127.0.0.1:2222", "127.0.0.1:2223"]}, "task": {"type": "worker", "index": 1}}


@pytest.mark.parametrize("text, message", [
    ("{cluster: ", "TF_CONFIG is not valid JSON"),
    ('["127.0.0.1:2222"]', "expected a JSON object, got list"),
    ('{"task": {"type": "worker", "index": 0}}', '"cluster" is missing or empty'),
    ('{"cluster": {}, "task": {"type": "worker", "index": 0}}', '"cluster" is missing or empty'),
    ('{"cluster": {"worker": "127.0.0.1:2222"}, "task": {"type": "worker", "index": 0}}',
     "cluster\\['worker'\\] should be a non-empty list"),
    ('{"cluster": {"worker": ["127.0.0.1"]}, "task": {"type": "worker", "index": 0}}',
     "'127.0.0.1' in cluster\\['worker'\\] is not a \"host:port\" address"),
    ('{"cluster": {"worker": ["localhost:http"]}, "task": {"type": "worker", "index": 0}}', "not a \"host:port\""),
    ('{"cluster": {"worker": ["a:1"], "ps": ["b:1"]}, "task": {"type": "worker", "index": 0}}',
     "job 'ps' in the cluster"),
    ('{"cluster": {"chief": ["a:1", "b:1"], "worker": ["c:1"]}, "task": {"type": "worker", "index": 0}}',
     "only one 'chief'"),
    ('{"cluster": {"worker": ["a:1", "a:1"]}, "task": {"type": "worker", "index": 0}}', "appears twice"),
    ('{"cluster": {"worker": ["a:1", "b:1"]}}', '"task" is missing'),
    ('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker"}}', '"task" is missing or lacks'),
    ('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "chief", "index": 0}}',
     "task type 'chief' is not a job of the cluster"),
    ('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": "1"}}',
     "task index should be an integer, got '1'"),
    ('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 2}}',
     "task index 2 is out of range: the cluster has 2 'worker' task\\(s\\) \\(index 0..1\\)"),
])
def test_malformed_tf_config(monkeypatch, text, message):
    with pytest.raises(ValueError, match=message) as error:
        devices.check_tf_config(text)
    assert EXAMPLE in str(error.value)
    monkeypatch.setenv("TF_CONFIG", text)  # the same error from choose_strategy, before TensorFlow is touched
    with pytest.raises(ValueError, match=message):
        devices.choose_strategy("multiworker")
    assert devices._MULTIWORKER is None


def test_good_tf_config(monkeypatch):
    assert devices.check_tf_config(json.dumps(GOOD)) == GOOD
    chief = {"cluster": {"chief": ["a:1"], "worker": ["b:1", "c:1"]}, "task": {"type": "chief", "index": 0}}
    assert devices.check_tf_config(json.dumps(chief)) == chief
    monkeypatch.setenv("TF_CONFIG", json.dumps(GOOD))
    assert devices.check_tf_config() == GOOD


def test_multiworker_after_tensorflow_started(monkeypatch):
    """In a process where TensorFlow already ran something, the strategy cannot be set up any
    more: the error says to create it first. (A one-worker cluster, so nothing waits for peers.)"""
    import tensorflow as tf

    float(tf.constant(1.0) + 1)  # TensorFlow's runtime is running now
    monkeypatch.setattr(devices, "_MULTIWORKER", None)
    monkeypatch.setenv("TF_CONFIG", tf_config(free_ports(1), 0))
    with pytest.raises(RuntimeError, match='call coursekit.devices.choose_strategy\\("multiworker"\\) right after'):
        devices.choose_strategy("multiworker")
    assert devices._MULTIWORKER is None
