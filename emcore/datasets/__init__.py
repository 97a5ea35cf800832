"""Data sets and simulations: the one home for example data (no downloads).

Real data come from packages installed from the registry (their data files are read,
never downloaded); simulated data are drawn with a :class:`numpy.random.Generator`
the caller passes in.

- :func:`seed_coins` - the coin-flipping experiment of Do & Batzoglou (2008), Figure 1.
"""

from __future__ import annotations

from .coins import seed_coins

__all__ = ["seed_coins"]
