"""pyproject.toml, environment.yml, README, the lab guide and .ci/run tell the same story.

TensorFlow comes with exactly one of two extras: ``cpu`` (inside ``dev``, the README's command)
brings ``tensorflow-cpu`` on x86-64, ``gpu`` brings ``tensorflow[and-cuda]`` on Linux x86-64. The
two builds install into the same ``tensorflow/`` folder and break each other side by side, so the
tests check the extras on every platform (markers evaluated here), ask pip to resolve the
documented CPU and GPU commands for real (``--dry-run``: nothing is installed), and check that the
environment the tests run in holds one build only.
"""
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text())
README = (ROOT / "README.md").read_text()
LAB_GUIDE = (ROOT / "docs" / "lab_guide.md").read_text()

#: The Python that CI installs the course with (``python3`` on CI's machine, pip route). The conda
#: route pins the same version, so that conda cannot pick a Python TensorFlow has no wheels for.
CI_PYTHON = "3.11"

#: The two TensorFlow builds that must never be installed together.
TF_BUILDS = {"tensorflow", "tensorflow-cpu"}

#: Platforms whose markers are evaluated: (sys_platform, platform_system, platform_machine).
PLATFORMS = {
    "linux-x86_64": ("linux", "Linux", "x86_64"),
    "linux-aarch64": ("linux", "Linux", "aarch64"),
    "macos-arm64": ("darwin", "Darwin", "arm64"),
    "windows-amd64": ("win32", "Windows", "AMD64"),
}


def bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def pip_install_commands(text: str) -> list[str]:
    """Every ``... pip install ... ".[extras]"`` command in code blocks or inline code of ``text``."""
    pieces = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S) + re.findall(r"`([^`\n]+)`", text)
    commands = []
    for piece in pieces:
        for line in piece.replace("\\\n", " ").splitlines():
            if re.search(r"pip install\b.*\"\.\[", line):
                commands.append(line.strip())
    return commands


def extras_of(command: str) -> set[str]:
    return set(re.search(r"\"\.\[([a-z,-]+)\]\"", command).group(1).split(","))


def gpu_command(text: str) -> str:
    """The one documented command that sets up the GPU build and opens the course."""
    found = [c for c in bash_blocks(text) if re.search(r"pip install -e \"\.\[gpu[,\]]", c)]
    assert len(found) == 1, f"exactly one bash block with the GPU install command, found {found}"
    return found[0]


# --------------------------------------------------------------------------------------------
# Static: the extras, evaluated for each platform
# --------------------------------------------------------------------------------------------

def requirements_for(extras: set[str], environment: dict) -> dict[str, Requirement]:
    """coursekit's requirements with ``extras`` on ``environment``, self-references expanded."""
    project = PYPROJECT["project"]
    optional = project["optional-dependencies"]
    wanted, seen, found = list(extras), set(), {}
    lines = list(project["dependencies"])
    while wanted:
        extra = wanted.pop()
        if extra in seen:
            continue
        assert extra in optional, f"unknown extra {extra!r}"
        seen.add(extra)
        lines += optional[extra]
    for line in lines:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(environment):
            continue
        if canonicalize_name(req.name) == "coursekit":
            found.update(requirements_for(req.extras, environment))
            continue
        found[canonicalize_name(req.name)] = req
    return found


def environment_of(name: str) -> dict:
    sys_platform, system, machine = PLATFORMS[name]
    env = default_environment()
    env.update(sys_platform=sys_platform, platform_system=system, platform_machine=machine,
               os_name="nt" if sys_platform == "win32" else "posix")
    return env


@pytest.mark.parametrize("name", PLATFORMS)
def test_each_route_brings_exactly_one_tensorflow_build(name):
    env = environment_of(name)
    x86 = PLATFORMS[name][2] in ("x86_64", "AMD64")
    base = requirements_for(set(), env)
    assert not TF_BUILDS & set(base), "TensorFlow comes with the cpu or gpu extra, not the base install"
    cpu = requirements_for({"dev"}, env)
    assert TF_BUILDS & set(cpu) == {"tensorflow-cpu" if x86 else "tensorflow"}
    gpu = requirements_for({"gpu", "lab", "site", "test"}, env)
    assert TF_BUILDS & set(gpu) == {"tensorflow"}, "the GPU route never brings tensorflow-cpu"
    cuda = gpu["tensorflow"].extras == {"and-cuda"}
    assert cuda == (name == "linux-x86_64"), "NVIDIA's libraries only where they have wheels"
    for req in (*cpu.values(), *gpu.values()):
        if canonicalize_name(req.name) in TF_BUILDS:
            assert req.specifier == SpecifierSet(">=2.21"), req


def test_dev_extra_is_the_cpu_build_with_lab_site_and_test_tools():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert extras["dev"] == ["coursekit[cpu,lab,site,test]"]
    names = {re.split(r"[<>=;\[ ]", d)[0] for d in extras["test"]}
    assert {"pytest", "nbval", "pytest-xdist", "pytest-timeout", "pyyaml"} <= names
    assert any(d.startswith("jupyterlab>=4") for d in extras["lab"])
    for extra in ("lab", "site", "test"):
        assert not any(d.startswith("tensorflow") for d in extras[extra]), extra


#: The only upper bounds allowed, each for a reason: Jupyter Book 2 is a different (Node-based) tool
#: with another configuration format, so the site needs the 1.x line.
MAJOR_VERSION_CAPS = {"jupyter-book>=1.0.4,<2"}


def test_dependencies_are_lower_bounds_not_pins():
    project = PYPROJECT["project"]
    for dep in project["dependencies"] + [d for ds in project["optional-dependencies"].values() for d in ds]:
        requirement = dep.split(";")[0].strip()
        assert "==" not in requirement, dep
        assert "<" not in requirement or requirement in MAJOR_VERSION_CAPS, dep


# --------------------------------------------------------------------------------------------
# The documented commands
# --------------------------------------------------------------------------------------------

def test_readme_has_two_commands_and_ci_runs_the_test_command_exactly():
    setup, test = bash_blocks(README)[:2]
    assert setup.endswith("jupyter lab notebooks/") and 'pip install -e ".[dev]"' in setup
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines(), "CI must call exactly the README test command"
    install = setup.split(" && ")[:2]
    for step in install:
        assert step.replace(".venv/bin/pip install", ".venv/bin/pip install --quiet") in ci or step in ci, step


def test_gpu_command_is_one_line_in_readme_and_lab_guide_on_a_fresh_venv():
    command = gpu_command(README)
    assert command == gpu_command(LAB_GUIDE), "README and lab guide give the same GPU command"
    # --clear empties an existing .venv first: run after the CPU command it replaces tensorflow-cpu
    # instead of adding the GPU build next to it.
    assert command.startswith("python3 -m venv --clear .venv && ")
    assert command.endswith("jupyter lab notebooks/")
    check = 'python -c "from coursekit.devices import device_report; print(device_report())"'
    for text in (README, LAB_GUIDE):
        assert check in text, "how to check that the GPU is seen"
        assert "WSL" in text and "tensorflow-metal" in text


def test_documented_commands_never_install_both_builds():
    commands = [c for text in (README, LAB_GUIDE) for c in pip_install_commands(text)]
    assert len(commands) >= 4, commands
    for command in commands:
        extras = extras_of(command)
        assert not ({"gpu"} & extras and {"cpu", "dev"} & extras), command
        if "gpu" in extras or "cpu" in extras:
            # Either build on an existing environment only with a fresh venv (or conda env) first.
            assert "venv --clear" in command or "conda create" in command, command


# --------------------------------------------------------------------------------------------
# conda
# --------------------------------------------------------------------------------------------

def test_conda_environment_pins_the_python_ci_tests_and_installs_dev():
    deps = ENVIRONMENT["dependencies"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip_section == ["-e .[dev]"], "conda installs the same package and extras as pip"
    assert "pip" in deps
    python = [d for d in deps if isinstance(d, str) and re.match(r"python\b", d)]
    assert python == [f"python={CI_PYTHON}"], "conda's Python is the one CI tests"
    assert CI_PYTHON + ".0" in SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert f"Python {CI_PYTHON}" in README and f"Python {CI_PYTHON}" in LAB_GUIDE
    # The conda GPU route creates its environment with the same Python.
    conda_gpu = [c for c in pip_install_commands(README + LAB_GUIDE) if "conda create" in c]
    assert conda_gpu and all(f"python={CI_PYTHON}" in c for c in conda_gpu), conda_gpu


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="only CI's interpreter is the tested one")
def test_ci_runs_the_python_that_environment_yml_pins():
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert running == CI_PYTHON, f"CI runs Python {running}: update CI_PYTHON and environment.yml"


# --------------------------------------------------------------------------------------------
# This environment
# --------------------------------------------------------------------------------------------

def test_this_environment_has_one_tensorflow_build():
    installed = {canonicalize_name(d.metadata["Name"]) for d in metadata.distributions()}
    assert len(TF_BUILDS & installed) <= 1, (
        "tensorflow and tensorflow-cpu are both installed and overwrite each other's files; start "
        "again from a fresh environment with one of the README's commands (python3 -m venv --clear .venv ...)")


# --------------------------------------------------------------------------------------------
# pip, for real: the documented commands resolve to the right build
# --------------------------------------------------------------------------------------------

#: pip's messages when the package registry cannot be reached (then the test skips, saying so).
UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|"
    r"Name or service not known|Network is unreachable|ConnectTimeout|Read timed out|ProxyError|"
    r"Could not fetch URL|Connection refused|No route to host")


def start_resolution(extras: str, workdir: Path) -> tuple[subprocess.Popen, Path, list[str]]:
    """Start ``pip install --dry-run --report`` of ``.[extras]`` on a copy of the project."""
    project = workdir / extras.replace(",", "-")
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    # A copy, so that building the metadata writes no coursekit.egg-info into the work tree.
    shutil.copytree(ROOT / "coursekit", project / "coursekit", ignore=shutil.ignore_patterns("__pycache__"))
    report = project / "report.json"
    # fast-deps reads each wheel's metadata with HTTP range requests. Without it, pip downloads
    # every wheel whose index serves no separate metadata file (PEP 658) in full: 3.4 GB for the
    # GPU route on this project's registry mirror, instead of about 20 MB.
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
               "--no-input", "--disable-pip-version-check", "--use-feature=fast-deps",
               "--report", str(report), f".[{extras}]"]
    process = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    return process, report, command


def finish_resolution(process: subprocess.Popen, report: Path, command: list[str]) -> dict[str, dict]:
    """The metadata of every distribution pip would install, by name; skips if the registry is unreachable."""
    try:
        output, _ = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"pip took over 10 minutes to resolve: {' '.join(command)}")
    if process.returncode and "fast-deps" in output and "invalid choice" in output:
        command = [c for c in command if c != "--use-feature=fast-deps"]  # a pip without the feature
        process = subprocess.run(command, cwd=report.parent, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, timeout=600)
        output = process.stdout
    if process.returncode:
        if UNREACHABLE.search(output):
            pytest.skip("the package registry cannot be reached, so pip cannot resolve the install "
                        f"routes here (needs network access to PyPI): {UNREACHABLE.search(output).group(0)}")
        pytest.fail(f"{' '.join(command)} failed:\n{output[-3000:]}")
    resolved = json.loads(report.read_text())["install"]
    return {canonicalize_name(item["metadata"]["name"]): item["metadata"] for item in resolved}


@pytest.fixture(scope="module")
def resolved_routes(tmp_path_factory):
    """pip's resolution of README's CPU command (``.[dev]``) and GPU command, run side by side."""
    if os.environ.get("PIP_NO_INDEX", "").lower() in ("1", "true", "yes"):
        pytest.skip("PIP_NO_INDEX is set: no package registry to resolve against")
    workdir = tmp_path_factory.mktemp("resolve")
    gpu_extras = ",".join(sorted(extras_of(gpu_command(README)), key=lambda e: e != "gpu"))
    started = {route: start_resolution(extras, workdir) for route, extras in
               (("cpu", "dev"), ("gpu", gpu_extras))}
    try:
        return {route: finish_resolution(*job) for route, job in started.items()}
    finally:  # after a skip or failure of the first, end the other pip too
        for process, _, _ in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()


#: 25 to 50 s for both (they run side by side, mostly waiting for the registry); ``-m "not registry"``
#: leaves them out.
registry = pytest.mark.registry

x86_64_linux = pytest.mark.skipif(
    not (sys.platform == "linux" and platform.machine() == "x86_64"),
    reason="pip resolves for the machine it runs on; the tensorflow-cpu and CUDA routes are Linux x86-64's")


@registry
@x86_64_linux
def test_pip_resolves_the_cpu_route_to_tensorflow_cpu(resolved_routes):
    cpu = resolved_routes["cpu"]
    assert TF_BUILDS & set(cpu) == {"tensorflow-cpu"}
    assert not [name for name in cpu if name.startswith("nvidia-")]
    assert "jupyterlab" in cpu and "pytest" in cpu


@registry
@x86_64_linux
def test_pip_resolves_the_gpu_route_to_tensorflow_with_cuda(resolved_routes):
    gpu = resolved_routes["gpu"]
    assert TF_BUILDS & set(gpu) == {"tensorflow"}, "the GPU route never brings tensorflow-cpu"
    tensorflow = gpu["tensorflow"]
    assert Version(tensorflow["version"]) >= Version("2.21")
    # tensorflow[and-cuda]: every library of that extra (CUDA, cuDNN, cuBLAS, NCCL, ...) comes as a
    # wheel, so only the NVIDIA driver is the system's.
    env = default_environment()
    cuda = {canonicalize_name(req.name) for req in map(Requirement, tensorflow["requires_dist"])
            if req.marker is not None and req.marker.evaluate({**env, "extra": "and-cuda"})
            and not req.marker.evaluate({**env, "extra": ""})}
    assert "nvidia-cudnn-cu12" in cuda or any(name.startswith("nvidia-cudnn") for name in cuda), cuda
    assert cuda <= set(gpu), f"missing: {cuda - set(gpu)}"
    assert "jupyterlab" in gpu
