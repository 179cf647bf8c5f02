"""What hardware TensorFlow sees, and the ``tf.distribute`` strategy that fits it.

The same notebook code runs on a laptop CPU (default strategy), one GPU (``OneDeviceStrategy``),
several GPUs (``MirroredStrategy``) or a TPU (``TPUStrategy``). For several machines, set
``TF_CONFIG`` on each and pass ``strategy="multiworker"`` (``MultiWorkerMirroredStrategy``).

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


def choose_strategy(strategy: str | tf.distribute.Strategy | None = None) -> tf.distribute.Strategy:
    """The distribution strategy for this machine, or the one asked for.

    ``strategy`` (or ``$COURSEKIT_STRATEGY``) may be ``"auto"`` (default), ``"default"``,
    ``"one_device"``, ``"mirrored"`` (all GPUs, or all logical CPUs when there is no GPU),
    ``"multiworker"`` or ``"tpu"``; a ``tf.distribute.Strategy`` is returned as it is.
    """
    if isinstance(strategy, tf.distribute.Strategy):
        return strategy
    name = (strategy or os.environ.get(STRATEGY_ENV) or "auto").lower()
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
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
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
