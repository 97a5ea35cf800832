"""The coin-flipping experiment of Do & Batzoglou (2008), Figure 1."""

from __future__ import annotations

from ..coins import CoinData

__all__ = ["seed_coins"]

#: Figure 1 of Do & Batzoglou (2008): five sets of ten tosses and the coin of each.
_SEED_SEQUENCES = ("HTTTHHTHTH", "HHHHTHHHHH", "HTHHHHHTHH", "HTHTTTHHTT", "THHHTHHHTH")
_SEED_LABELS = ("B", "A", "A", "B", "A")


def seed_coins() -> CoinData:
    """The coin-flipping experiment of Do & Batzoglou (2008), Figure 1.

    Five sets of ten tosses, each made with coin A or coin B (chosen with
    probability 1/2). Returns a :class:`~emcore.coins.CoinData` with ``heads``
    ``[5, 9, 8, 4, 7]``, ``tosses`` ``[10] * 5``, ``labels`` ``('B', 'A', 'A', 'B',
    'A')`` and the toss ``sequences``.
    """
    return CoinData.from_sequences(_SEED_SEQUENCES, labels=_SEED_LABELS)
