"""Optional dependencies: imported where a feature needs them, one sentence when missing.

emcore needs only numpy, scipy and threadpoolctl. A few features use other packages,
grouped into the extras of ``pyproject.toml``:

* ``motif``: Biopython (reading FASTA files) and logomaker (the CRP sites it ships);
* ``hmm``: numba (compiled HMM recursions; without it the numpy recursions run);
* ``scale``: dask, distributed and zarr (chunked, distributed and on-disk EM,
  :mod:`emcore.scale`), and numba (the Gaussian mixture's statistics path in compiled
  blocks; without it numpy computes the same numbers to rounding);
* ``all``: every extra.

:func:`require` imports such a package at the point of use. When it is missing the
error is a :class:`MissingDependency` (an :class:`ImportError`) whose message is one
sentence naming the feature, the package and the command that installs it, e.g.
``reading FASTA files needs Biopython: pip install 'emcore[motif]'``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingDependency", "install_command", "missing_message", "require"]

#: The name users know a distribution by, for import names that differ from it.
_DISTRIBUTION = {"Bio": "Biopython", "numba": "numba", "logomaker": "logomaker"}


class MissingDependency(ImportError):
    """An optional package that a feature of emcore needs is not installed (or does not import)."""


def install_command(extra: str) -> str:
    """The command that installs emcore with the optional ``extra``."""
    return f"pip install 'emcore[{extra}]'"


def missing_message(module_name: str, extra: str, purpose: str) -> str:
    """The one sentence for a missing optional package: ``"{purpose} needs {package}: pip install ..."``."""
    top = module_name.partition(".")[0]
    return f"{purpose} needs {_DISTRIBUTION.get(top, top)}: {install_command(extra)}"


def require(module_name: str, extra: str, purpose: str) -> ModuleType:
    """Import and return ``module_name``, or raise :class:`MissingDependency`.

    Parameters
    ----------
    module_name : str
        What to import, e.g. ``"Bio.SeqIO"``.
    extra : str
        The extra of emcore that installs it, e.g. ``"motif"``.
    purpose : str
        What the caller is doing, as the subject of the message, e.g.
        ``"reading FASTA files"``.

    A package that is installed but fails to import (a broken installation, or one
    of its own dependencies missing) gets the same sentence followed by the reason.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        message = missing_message(module_name, extra, purpose)
        missing = getattr(exc, "name", None)
        if not (missing is not None and (module_name == missing or module_name.startswith(missing + "."))):
            # the package is there, but importing it failed (something it needs is missing)
            message += f" (importing {module_name} failed: {' '.join(str(exc).split())})"
        raise MissingDependency(message, name=module_name) from None
