"""Symbol sequences for a hidden Markov model: HMMData (integer codes of one or many sequences,
concatenated, with their offsets) and the coding of strings and symbol lists."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import describe, readonly


# ---------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------
def _int_vector(values: Any, name: str, what: str) -> np.ndarray:
    """``values`` as a 1-D int64 array; floats, booleans, strings and objects are a
    TypeError (a code or a boundary is a whole number, and a silent cast would hide a
    mistake), a wrong dimension is a ValueError."""
    if isinstance(values, (str, bytes)) or values is None or isinstance(values, numbers.Number):
        raise TypeError(f"{name} must be {what}; got {describe(values)}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):  # ragged nested lists and the like
        raise ValueError(f"{name} must be {what}; got nested lists of different lengths {describe(values)}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be {what} (1-D); got an array of shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)  # np.asarray([]) is float64: the caller reports the emptiness
    if array.dtype.kind == "b":
        raise TypeError(f"{name} must be {what}; got booleans")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be {what}; got values of dtype {array.dtype}")
    if array.dtype.kind == "u" and array.max() > np.iinfo(np.int64).max:
        i = int(np.argmax(array))
        raise ValueError(f"{name} must be {what}; entry {i} is {array[i]}, too large")
    return np.array(array, dtype=np.int64, copy=True)  # always a private copy


@dataclass(frozen=True, eq=False)
class HMMData:
    """One or more sequences of symbol codes, stored end to end.

    Built by :meth:`DiscreteHMM.prepare` (the usual way), or directly from the two
    arrays below; either way it checks itself when it is built, so the recursions
    never see inconsistent input. Both arrays are copied and made read-only.

    Attributes
    ----------
    symbols : ndarray of int64, shape (n_total,)
        The codes (0 .. n_symbols - 1) of all sequences, one after another
        (read-only). Integers only: floats and booleans are refused. Codes must be
        non-negative; a model checks them against its own alphabet size.
    offsets : ndarray of int64, shape (n_sequences + 1,)
        Sequence ``s`` is ``symbols[offsets[s]:offsets[s + 1]]``: integers that start
        at 0, increase strictly (no sequence is empty) and end at ``len(symbols)``.

    Raises
    ------
    TypeError
        For symbols or offsets that are not integer arrays.
    ValueError
        For a negative code, or offsets that do not cut ``symbols`` into non-empty
        sequences from its first to its last symbol.
    """

    symbols: np.ndarray
    offsets: np.ndarray
    _max_code: int = field(default=-1, init=False, repr=False)

    def __post_init__(self) -> None:
        symbols = _int_vector(self.symbols, "HMMData symbols", "a 1-D array of integer symbol codes")
        offsets = _int_vector(self.offsets, "HMMData offsets", "a 1-D array of integer sequence boundaries")
        if symbols.size == 0:
            raise ValueError("HMMData symbols is empty: at least one sequence of at least one symbol is needed")
        negative = symbols < 0
        if negative.any():
            i = int(np.flatnonzero(negative)[0])
            raise ValueError(f"HMMData symbols must be codes >= 0; entry {i} is {symbols[i]}")
        if offsets.size < 2:
            raise ValueError(
                "HMMData offsets must hold n_sequences + 1 boundaries, from 0 to len(symbols) "
                f"({symbols.size}); got {offsets.tolist()}"
            )
        if offsets[0] != 0:
            raise ValueError(f"HMMData offsets must start at 0; offsets[0] is {offsets[0]}")
        steps = np.diff(offsets)
        if np.any(steps <= 0):
            s = int(np.flatnonzero(steps <= 0)[0])
            what = "empty" if steps[s] == 0 else "of negative length"
            raise ValueError(
                f"HMMData offsets must increase strictly (every sequence needs at least one symbol); "
                f"sequence {s} is {what}: offsets[{s}] = {offsets[s]}, offsets[{s + 1}] = {offsets[s + 1]}"
            )
        if offsets[-1] != symbols.size:
            where = "past the end of" if offsets[-1] > symbols.size else "short of the end of"
            raise ValueError(
                f"HMMData offsets must end at len(symbols) = {symbols.size}; the last offset, "
                f"{offsets[-1]}, is {where} symbols"
            )
        object.__setattr__(self, "symbols", readonly(symbols, copy=False))
        object.__setattr__(self, "offsets", readonly(offsets, copy=False))
        object.__setattr__(self, "_max_code", int(symbols.max()))

    @property
    def n_sequences(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def lengths(self) -> np.ndarray:
        """Length of each sequence, shape (n_sequences,)."""
        return np.diff(self.offsets)

    @property
    def sequences(self) -> tuple[np.ndarray, ...]:
        """Each sequence as a read-only view, in order."""
        return tuple(self.symbols[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:]))

    def split(self, values: np.ndarray) -> list[np.ndarray]:
        """Cut an array with one row per symbol into one array per sequence."""
        return [values[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]

    def locate(self, index: int) -> tuple[int, int]:
        """``(sequence, position)`` of entry ``index`` of ``symbols``."""
        s = int(np.searchsorted(self.offsets, index, side="right")) - 1
        return s, int(index - self.offsets[s])

    def __repr__(self) -> str:
        return f"HMMData(n_sequences={self.n_sequences}, n_total={self.symbols.size})"


# ---------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------
def _symbol_name(code: int, alphabet: tuple[str, ...] | None) -> str:
    if alphabet is not None and 0 <= code < len(alphabet):
        return f"symbol {alphabet[code]!r} (code {code})"
    return f"symbol code {code}"


def _as_codes(
    seq: Any, index: int, alphabet: tuple[str, ...] | None, lookup: dict | None, n_symbols: int
) -> np.ndarray:
    """One sequence as int64 codes 0..n_symbols-1, or an error naming it."""
    if isinstance(seq, str):
        if lookup is None and alphabet is not None:
            raise TypeError(
                f"sequence {index} is a string, but this model's alphabet has symbols longer than one "
                f"letter; pass each sequence as a list of symbols (e.g. {list(alphabet[:2])}) or of integer codes"
            )
        if lookup is None:
            raise TypeError(
                f"sequence {index} is a string, but this model has no alphabet of "
                "one-letter symbols; pass integer codes 0..n_symbols-1 or give alphabet="
            )
        if len(seq) == 0:
            raise ValueError(f"sequence {index} is empty: every sequence needs at least one symbol")
        try:
            codes = np.fromiter((lookup[ch] for ch in seq), dtype=np.int64, count=len(seq))
        except KeyError:
            pos = next(i for i, ch in enumerate(seq) if ch not in lookup)
            raise ValueError(
                f"sequence {index} has symbol {seq[pos]!r} at position {pos}, outside the "
                f"alphabet {''.join(alphabet or ())!r}"
            ) from None
        return codes
    if isinstance(seq, (bytes, bytearray)):
        raise TypeError(
            f"sequence {index} is a bytes object; pass a str over the alphabet or integer codes "
            f"0..{n_symbols - 1}; got {describe(seq)}"
        )
    if seq is None or isinstance(seq, (numbers.Number, np.generic)):
        raise TypeError(
            f"sequence {index} must be a string over the alphabet or a 1-D sequence of integer codes "
            f"0..{n_symbols - 1}; got a single value {describe(seq)}. A list of numbers is one "
            "sequence; a list of lists (or strings) is several."
        )
    if isinstance(seq, (Mapping, set, frozenset)):
        raise TypeError(f"sequence {index} must be a string or a 1-D sequence of integer codes; got {describe(seq)}")
    try:
        array = np.asarray(seq)
    except (TypeError, ValueError):  # ragged nested lists
        raise ValueError(
            f"sequence {index} must be a flat (1-D) sequence of integer codes; it holds nested "
            f"lists of different lengths: {describe(seq)}"
        ) from None
    if array.ndim != 1:
        raise ValueError(f"sequence {index} must be 1-D; got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"sequence {index} is empty: every sequence needs at least one symbol")
    if array.dtype.kind == "U" and alphabet is not None:  # a list of symbols by name, e.g. ["sun", "rain"]
        names = {a: i for i, a in enumerate(alphabet)}
        items = array.tolist()
        for pos, item in enumerate(items):
            if item not in names:
                raise ValueError(
                    f"sequence {index} has symbol {item!r} at position {pos}, outside the alphabet {list(alphabet)}"
                )
        return np.array([names[item] for item in items], dtype=np.int64)
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        what = "booleans" if array.dtype.kind == "b" else f"values of type {array.dtype}"
        hint = " (strings of one-letter symbols are passed whole, e.g. 'ACGT')" if array.dtype.kind in "US" else ""
        raise TypeError(f"sequence {index} must hold integer symbol codes; got {what}{hint}")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array != np.round(array))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ValueError(f"sequence {index} must hold integer codes; position {pos} is {array[pos]}")
        big = np.abs(array) > 2.0**62
        if big.any():
            pos = int(np.flatnonzero(big)[0])
            raise ValueError(
                f"sequence {index} has symbol code {array[pos]} at position {pos}, outside the "
                f"alphabet 0..{n_symbols - 1}"
            )
    if array.dtype.kind == "u":
        over = array >= n_symbols
        if over.any():
            pos = int(np.flatnonzero(over)[0])
            raise ValueError(
                f"sequence {index} has symbol code {array[pos]} at position {pos}, outside the "
                f"alphabet 0..{n_symbols - 1}"
            )
    codes = array.astype(np.int64)
    out = (codes < 0) | (codes >= n_symbols)
    if out.any():
        pos = int(np.flatnonzero(out)[0])
        shown = alphabet[0] + ".." + alphabet[-1] if alphabet else None
        extra = f" (the alphabet {shown})" if shown else ""
        raise ValueError(
            f"sequence {index} has symbol code {codes[pos]} at position {pos}, outside the "
            f"alphabet 0..{n_symbols - 1}{extra}"
        )
    return codes
