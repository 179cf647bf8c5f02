"""What hardware TensorFlow sees, and the ``tf.distribute`` strategy that fits it.

The same notebook code runs on a laptop CPU (default strategy), one GPU (``OneDeviceStrategy``),
several GPUs (``MirroredStrategy``) or a TPU (``TPUStrategy``). For several machines, set
``TF_CONFIG`` on each and pass ``strategy="multiworker"`` (``MultiWorkerMirroredStrategy``; run
for real by tests/test_multiworker.py, two worker processes on one machine).

Example
-------
>>> report = device_report()  # doctest: +SKIP
>>> print(report)  # doctest: +SKIP
CPU:0 (2 cores) | no GPU | mixed precision: bfloat16 not native on this CPU | XLA: available
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import tensorflow as tf

STRATEGY_ENV = "COURSEKIT_STRATEGY"


def cpu_has_native_bfloat16() -> bool:
    """True when the CPU has bfloat16 instructions (AVX512-BF16 or AMX), read from /proc/cpuinfo."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


@dataclass
class DeviceReport:
    """What was found: devices, memory growth, mixed-precision support and XLA."""

    cpus: int
    gpus: list[str] = field(default_factory=list)
    gpu_compute_capability: list[tuple[int, int]] = field(default_factory=list)
    tpu: bool = False
    memory_growth: bool = False
    bfloat16_native: bool = False
    xla: bool = True

    @property
    def float16_fast(self) -> bool:
        """Tensor cores (compute capability 7.0+) make float16 pay on every GPU found."""
        return bool(self.gpus) and all(cc >= (7, 0) for cc in self.gpu_compute_capability)

    def __str__(self) -> str:
        gpus = f"{len(self.gpus)} GPU ({', '.join(self.gpus)})" if self.gpus else "no GPU"
        if self.float16_fast:
            mixed = "float16 on GPU (loss scaling)"
        elif self.bfloat16_native:
            mixed = "bfloat16 native on this CPU"
        else:
            mixed = "bfloat16 not native on this CPU"
        growth = ", memory growth on" if self.memory_growth else ""
        return (f"CPU:0 ({self.cpus} cores) | {gpus}{growth}{' | TPU' if self.tpu else ''} | "
                f"mixed precision: {mixed} | XLA: {'available' if self.xla else 'not available'}")


def _enable_memory_growth(gpus) -> bool:
    """Let TensorFlow take GPU memory as needed instead of all of it (must run before first use)."""
    try:
        for gpu in gpus:
            tf.config.experimental.set_memory_growth(gpu, True)
        return bool(gpus)
    except RuntimeError:  # devices already initialised: keep whatever was set
        return bool(gpus) and all(tf.config.experimental.get_memory_growth(g) for g in gpus)


def device_report() -> DeviceReport:
    """Inspect the machine (and turn on GPU memory growth, so several notebooks can share a GPU)."""
    gpus = tf.config.list_physical_devices("GPU")
    capabilities = []
    for gpu in gpus:
        details = tf.config.experimental.get_device_details(gpu)
        capabilities.append(tuple(details.get("compute_capability", (0, 0))))
    return DeviceReport(
        cpus=os.cpu_count() or 1,
        gpus=[g.name.replace("/physical_device:", "") for g in gpus],
        gpu_compute_capability=capabilities,
        tpu=bool(tf.config.list_physical_devices("TPU")),
        memory_growth=_enable_memory_growth(gpus),
        bfloat16_native=cpu_has_native_bfloat16(),
        xla=tf.test.is_built_with_xla() if hasattr(tf.test, "is_built_with_xla") else True,
    )


def split_cpu(n: int) -> list[str]:
    """Split the CPU into ``n`` logical devices (before TensorFlow first uses it).

    Lets the multi-device code path (``MirroredStrategy``) run on a laptop or in CI.
    """
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)
    except RuntimeError as error:
        raise RuntimeError("split_cpu must run before TensorFlow uses the CPU (restart the kernel "
                           "and call it first).") from error
    return [d.name for d in tf.config.list_logical_devices("CPU")]


TF_CONFIG_EXAMPLE = ('{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                     '"task": {"type": "worker", "index": 0}}')


def check_tf_config(text: str | None = None) -> dict:
    """``$TF_CONFIG`` (or ``text``) read and checked for ``MultiWorkerMirroredStrategy``.

    Every worker gets the same ``cluster`` (a ``"worker"`` list of ``"host:port"`` addresses,
    optionally one ``"chief"``) and its own ``task`` (its job and index in that list). Raises a
    ``ValueError`` that says what is wrong and shows an example otherwise.

    >>> check_tf_config('{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}')["task"]
    {'type': 'worker', 'index': 1}
    >>> check_tf_config('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 1}}')
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: TF_CONFIG: task index 1 is out of range: the cluster has 1 'worker' task(s) (index 0..0). ...
    """
    import json

    text = os.environ.get("TF_CONFIG") if text is None else text
    hint = (f" Expected the same cluster on every worker and each worker's own task, e.g. "
            f"TF_CONFIG='{TF_CONFIG_EXAMPLE}' (on one machine, use strategy=\"mirrored\" or \"auto\").")
    if not text or not text.strip():
        raise ValueError('strategy="multiworker" needs the TF_CONFIG environment variable, which is not set.' + hint)
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}): {text[:200]!r}." + hint) from None

    def bad(problem: str):
        return ValueError(f"TF_CONFIG: {problem}." + hint)

    if not isinstance(config, dict):
        raise bad(f"expected a JSON object, got {type(config).__name__}")
    cluster, task = config.get("cluster"), config.get("task")
    if not isinstance(cluster, dict) or not cluster:
        raise bad('"cluster" is missing or empty')
    for job, addresses in cluster.items():
        if job not in ("chief", "worker"):
            raise bad(f"job {job!r} in the cluster: MultiWorkerMirroredStrategy uses 'worker' tasks "
                      f"(and at most one 'chief')")
        if not isinstance(addresses, list) or not addresses:
            raise bad(f"cluster[{job!r}] should be a non-empty list of \"host:port\" addresses, got {addresses!r}")
        for address in addresses:
            host, _, port = str(address).rpartition(":")
            if not isinstance(address, str) or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise bad(f"{address!r} in cluster[{job!r}] is not a \"host:port\" address")
    if len(cluster.get("chief", [])) > 1:
        raise bad(f"there can be only one 'chief', got {len(cluster['chief'])}")
    everyone = [a for addresses in cluster.values() for a in addresses]
    if len(set(everyone)) < len(everyone):
        raise bad(f"an address appears twice in the cluster: {everyone}")
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise bad('"task" is missing or lacks "type" and "index" (which task of the cluster this machine is)')
    kind, index = task["type"], task["index"]
    if kind not in cluster:
        raise bad(f"task type {kind!r} is not a job of the cluster ({', '.join(map(repr, cluster))})")
    if not isinstance(index, int) or isinstance(index, bool):
        raise bad(f"task index should be an integer, got {index!r}")
    if not 0 <= index < len(cluster[kind]):
        raise bad(f"task index {index} is out of range: the cluster has {len(cluster[kind])} {kind!r} "
                  f"task(s) (index 0..{len(cluster[kind]) - 1})")
    return config


class _MultiWorkerMirrored(tf.distribute.MultiWorkerMirroredStrategy):
    """``MultiWorkerMirroredStrategy`` whose ``reduce`` takes what Keras 3's ``model.fit`` gives it.

    Keras 3.15 reduces a whole ``(x, y)`` batch in one call to build the model, which TensorFlow's
    multi-worker ``reduce`` cannot do ("unsupported type PerReplica"; keras-team/keras#20585), and
    averages the scalar loss and metrics of each step over ``axis=0``, which a scalar does not
    have ("Invalid reduction dimension 0"). Here a nest is reduced value by value and a scalar is
    averaged over the replicas only; everything else goes to TensorFlow unchanged.
    """

    def reduce(self, reduce_op, value, axis):
        def one(v):
            local = self.experimental_local_results(v)[0]
            scalar = axis is not None and getattr(local, "shape", None) is not None and local.shape.rank == 0
            return super(_MultiWorkerMirrored, self).reduce(reduce_op, v, None if scalar else axis)

        return tf.nest.map_structure(one, value)


_MULTIWORKER: tf.distribute.Strategy | None = None


def _multiworker() -> tf.distribute.Strategy:
    """The process's one ``MultiWorkerMirroredStrategy`` (created once, at the first call, which
    must come before TensorFlow runs anything: it configures the runtime's collective ops)."""
    global _MULTIWORKER
    if _MULTIWORKER is None:
        config = check_tf_config()
        try:
            _MULTIWORKER = _MultiWorkerMirrored()
        except RuntimeError as error:
            if "program startup" not in str(error):
                raise
            raise RuntimeError(
                'strategy="multiworker" must be set up before TensorFlow runs anything in this process: '
                'call coursekit.devices.choose_strategy("multiworker") right after the imports (fit then '
                "uses the same strategy), or restart the kernel and do that first.") from None
        except tf.errors.UnknownError as error:
            if "gRPC server" not in str(error):
                raise
            task = config["task"]
            address = config["cluster"][task["type"]][task["index"]]
            raise RuntimeError(
                f"this worker could not listen on {address}, its address in TF_CONFIG (task "
                f"{task['type']!r} {task['index']}): is the port in use, or is that host not this machine?"
            ) from None
    return _MULTIWORKER


def choose_strategy(strategy: str | tf.distribute.Strategy | None = None) -> tf.distribute.Strategy:
    """The distribution strategy for this machine, or the one asked for.

    ``strategy`` (or ``$COURSEKIT_STRATEGY``) may be ``"auto"`` (default), ``"default"``,
    ``"one_device"``, ``"mirrored"`` (all GPUs, or all logical CPUs when there is no GPU),
    ``"multiworker"`` or ``"tpu"``; a ``tf.distribute.Strategy`` is returned as it is.

    ``"multiworker"`` needs ``TF_CONFIG`` (checked by :func:`check_tf_config`) and must come
    before TensorFlow runs anything in the process; it is created once, later calls (such as
    ``fit``'s) return the same strategy, which waits until every worker of the cluster has started.
    """
    if isinstance(strategy, tf.distribute.Strategy):
        return strategy
    name = (strategy or os.environ.get(STRATEGY_ENV) or "auto").lower()
    if name == "multiworker":  # before anything that starts TensorFlow's runtime (listing devices does)
        return _multiworker()
    gpus = tf.config.list_logical_devices("GPU")
    if name == "auto":
        if tf.config.list_physical_devices("TPU"):
            name = "tpu"
        elif len(gpus) > 1:
            name = "mirrored"
        elif len(gpus) == 1:
            name = "one_device"
        else:
            name = "default"
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(f"unknown strategy {name!r}; use auto, default, one_device, mirrored, multiworker or tpu.")


def strategy_devices(strategy: tf.distribute.Strategy) -> str:
    """Short description of where a strategy computes, e.g. ``"CPU:0"`` or ``"2 x GPU"``."""
    try:
        devices = list(strategy.extended.worker_devices)
    except RuntimeError:  # the default strategy: TensorFlow's own placement, GPU:0 if there is one
        devices = [(tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU"))[0].name]
    names = [d.split("device:")[-1] for d in devices]
    if len(names) == 1:
        return names[0]
    kinds = {n.split(":")[0] for n in names}
    return f"{len(names)} x {kinds.pop()}" if len(kinds) == 1 else ", ".join(names)
