"""emcore as users install it: the wheel, in a fresh virtual environment, outside the checkout.

The development environment imports emcore from the checkout (an editable install),
which hides a wheel that leaves files out. Here the wheel is built from a copy of
the sources (offline: the environment's own setuptools, no build isolation), then
installed with pip into a new virtual environment that holds emcore's required
dependencies (numpy, scipy, threadpoolctl: linked from this environment, so no
network is needed) and nothing else. From a directory outside the checkout the
installed ``emcore`` command must print its help and fit the Figure 1 coins, and a
subcommand whose optional package is absent must say which extra to install.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {"numpy", "scipy", "threadpoolctl"}
OPTIONAL = ("Bio", "logomaker", "numba")  # import names of the extras' packages
SUBCOMMANDS = ("coins", "gmm", "haplo", "motif")
FIGURE_1 = "heads,tosses\n5,10\n9,10\n8,10\n4,10\n7,10\n"


def _env() -> dict[str, str]:
    """This process's environment minus everything that would point Python at the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "COV_CORE"))}
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(argv, cwd, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)


def _check(proc: subprocess.CompletedProcess, what: str) -> str:
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _requirements(requires: list[str] | None) -> set[str]:
    """Names of the requirements that apply with no extra selected."""
    names = set()
    for line in requires or ():
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            names.add(canonicalize_name(req.name))
    return names


def _closure(names: set[str]) -> set[str]:
    """``names`` and everything they require, as installed in this environment."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += _requirements(importlib.metadata.distribution(name).requires)
    return seen


def _link_distribution(name: str, site: Path) -> None:
    """Make distribution ``name`` of this environment importable in ``site`` (symbolic links)."""
    dist = importlib.metadata.distribution(name)
    assert dist.files, f"{name} has no RECORD, so its files cannot be found to link"
    tops = {f.parts[0] for f in dist.files if f.parts and f.parts[0] not in ("..", "__pycache__")}
    for top in sorted(tops):
        source = Path(dist.locate_file(top))
        target = site / top
        if source.exists() and not target.exists():
            target.symlink_to(source, target_is_directory=source.is_dir())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the build writes build/ and *.egg-info)."""
    for module in ("setuptools", "wheel"):
        try:
            __import__(module)
        except ImportError:
            pytest.fail(f"building the wheel offline needs {module} in this environment: pip install {module}")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "emcore", src / "emcore", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp / "dist"
    _check(
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--no-index",
                "--disable-pip-version-check",
                "-q",
                "-w",
                dist,
                src,
            ],
            cwd=tmp,
        ),
        "pip wheel",
    )
    (found,) = dist.glob("emcore-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel and only its required dependencies."""
    tmp = tmp_path_factory.mktemp("venv")
    env_dir = tmp / "venv"
    _check(_run([sys.executable, "-m", "venv", env_dir], cwd=tmp), "python -m venv")
    python = env_dir / "bin" / "python"
    site = Path(
        _check(
            _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=tmp), "sysconfig"
        ).strip()
    )
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    for name in sorted(_closure(_requirements(requires))):
        _link_distribution(name, site)
    _check(
        _run(
            [python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", "-q", wheel],
            cwd=tmp,
        ),
        "pip install of the wheel",
    )
    return env_dir


def test_wheel_holds_every_module_and_the_console_script(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = zf.read(f"{info}/METADATA").decode()
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "emcore").rglob("*.py") if "__pycache__" not in p.parts}
    assert "emcore/cli/__init__.py" in modules
    missing = sorted(modules - names)
    assert not missing, f"the wheel leaves out {missing}"
    assert "emcore = emcore.cli:main" in entry_points
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert _requirements(requires) == REQUIRED, f"required dependencies: {sorted(_requirements(requires))}"
    extras = {line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Provides-Extra:")}
    assert {"motif", "hmm", "scale", "all"} <= extras


def test_fresh_environment_imports_the_installed_copy_without_the_extras(venv, tmp_path):
    code = (
        "import importlib.util, emcore, emcore._hmm_kernels as k\n"
        "print(emcore.__file__)\n"
        "print(k.HAVE_NUMBA)\n"
        f"print(*[importlib.util.find_spec(m) is not None for m in {OPTIONAL!r}])\n"
        "print(emcore.DiscreteHMM(2, 3).backend)\n"
    )
    out = _check(_run([venv / "bin" / "python", "-c", code], cwd=tmp_path), "import emcore")
    where, have_numba, found, backend = out.split("\n")[:4]
    location = Path(where).resolve()
    assert location.is_relative_to(venv.resolve()), f"emcore was imported from {location}, not the fresh environment"
    assert not location.is_relative_to(ROOT), f"emcore was imported from the checkout: {location}"
    assert found.split() == ["False"] * len(OPTIONAL), f"optional packages {OPTIONAL} visible: {found}"
    assert have_numba == "False" and backend == "numpy"
    pip_check = _run([venv / "bin" / "python", "-m", "pip", "check", "--disable-pip-version-check"], cwd=tmp_path)
    assert pip_check.returncode == 0, pip_check.stdout + pip_check.stderr


def test_console_script_help_lists_the_subcommands(venv, tmp_path):
    out = _check(_run([venv / "bin" / "emcore", "--help"], cwd=tmp_path), "emcore --help")
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("    ") and line.strip()}
    missing = [name for name in SUBCOMMANDS if name not in listed]
    assert not missing, f"emcore --help does not list the subcommands {missing}:\n{out}"
    assert out.startswith("usage: emcore "), out.splitlines()[0]  # the command the user typed


def test_console_script_fits_the_figure_1_coins(venv, tmp_path):
    (tmp_path / "sets.csv").write_text(FIGURE_1)
    argv = ["coins", "sets.csv", "--init", "0.6,0.5"]
    out = _check(_run([venv / "bin" / "emcore", *argv], cwd=tmp_path), "emcore coins")
    assert "log-likelihood (natural log, total): -31.570200" in out
    # python -m emcore runs the same entry point
    out = _check(_run([venv / "bin" / "python", "-m", "emcore", *argv], cwd=tmp_path), "python -m emcore coins")
    assert "-31.570200" in out


def test_missing_extra_is_one_line_naming_it(venv, tmp_path):
    (tmp_path / "seqs.fa").write_text(">a\nACGTACGTAC\n>b\nTTACGTAGGA\n")
    proc = _run([venv / "bin" / "emcore", "motif", "seqs.fa", "-w", "4"], cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    expected = "emcore motif: error: reading FASTA files needs Biopython: pip install 'emcore[motif]'"
    assert proc.stderr.strip() == expected
