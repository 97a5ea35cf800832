"""Sequences prepared for motif discovery: MotifData (codes, allowed windows, chunk codes, weights),
read from strings, (name, sequence) pairs, SeqRecords, mappings or FASTA files."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._sequences import ALPHABET, MASKED, check_dna, encode, reverse_complement
from .._sequences import read_fasta as _read_fasta
from .._validation import as_float_array, check_int, describe, readonly

_CHUNK = 5


#: Rows of a position probability matrix must sum to 1 within this tolerance.
_SUM_TOL = 1e-9


#: Erasing never takes a letter's weight below this (its log stays finite).
_WEIGHT_FLOOR = np.finfo(float).tiny


class MotifWarning(UserWarning):
    """A sequence was skipped (too short, or no window free of masked letters)."""


# --------------------------------------------------------------------------- data
@dataclass(frozen=True, eq=False)
class MotifData:
    """Sequences prepared for a motif search of one width.

    Built by :meth:`MotifModel.prepare` (the usual way) or directly; either way it
    checks itself when it is built, so that no kernel sees inconsistent input.
    ``chunks`` and ``letter_counts`` are derived from ``codes`` and ``width``: leave
    them out and they are computed; given, they must match. Arrays are copied and
    made read-only.

    Attributes
    ----------
    names : tuple of str
        Names of the kept sequences.
    sequences : tuple of str
        The kept sequences, as given.
    index : ndarray of int, shape (n,)
        Position of each kept sequence in the input (increasing).
    codes : ndarray of int8, shape (n, max_length)
        Letter codes 0-3 (A, C, G, T); 4 for masked letters and padding. Must be
        the coding of ``sequences`` (lower case either read or masked).
    lengths : ndarray of int, shape (n,)
    width : int
        The motif width ``W`` the windows are cut for.
    valid : ndarray of bool, shape (n, J)
        Window ``j`` of sequence ``i`` (letters ``j .. j + W - 1``) is an allowed
        site start; ``J = max_length - W + 1``. No allowed window covers a masked
        letter, and every sequence has at least one.
    chunks : tuple of (offset, size, ndarray of intp, shape (n, J))
        The window letters ``offset .. offset + size - 1`` coded as one integer.
    letter_counts : ndarray of float, shape (4,)
        Counts of A, C, G, T over unmasked letters.
    log_window_weight : ndarray of float, shape (n, J), or None
        Log of the erasing weight of each window (None: no erasing yet); finite
        and ``<= 0`` at allowed windows.
    position_weight : ndarray of float, shape (n, max_length), or None
        The erasing weight of each letter, in ``(0, 1]``.

    Raises
    ------
    TypeError
        For fields of the wrong type (float codes, a non-boolean ``valid``, ...).
    ValueError
        For fields that do not fit together.
    """

    names: tuple[str, ...]
    sequences: tuple[str, ...]
    index: np.ndarray
    codes: np.ndarray
    lengths: np.ndarray
    width: int
    valid: np.ndarray
    chunks: tuple | None = field(default=None, repr=False)
    letter_counts: np.ndarray | None = field(default=None, repr=False)
    log_window_weight: np.ndarray | None = field(default=None, repr=False)
    position_weight: np.ndarray | None = field(default=None, repr=False)
    #: What a model derives from these data and its own settings (strand-stacked chunk
    #: codes, the log prior over starts), computed once: models keep no state.
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = _str_tuple(self.names, "MotifData names")
        seqs = _str_tuple(self.sequences, "MotifData sequences")
        if not seqs:
            raise ValueError("MotifData sequences is empty: at least one sequence is needed")
        if len(names) != len(seqs):
            raise ValueError(f"MotifData names must have one entry per sequence ({len(seqs)}); got {len(names)}")
        width = check_int(self.width, "MotifData width", minimum=2)
        check_dna(seqs, names)
        codes, lengths, index = _check_codes(self, seqs, names, width)
        valid = _check_valid(self.valid, codes, width, names)
        set_ = object.__setattr__
        for name, value in (
            ("names", names),
            ("sequences", seqs),
            ("width", width),
            ("codes", codes),
            ("lengths", lengths),
            ("index", index),
            ("valid", valid),
        ):
            set_(self, name, readonly(value, copy=False) if isinstance(value, np.ndarray) else value)
        set_(self, "chunks", _check_chunks(self.chunks, codes, width))
        set_(self, "letter_counts", _check_letter_counts(self.letter_counts, codes))
        set_(self, "log_window_weight", _check_window_weights(self.log_window_weight, valid))
        set_(self, "position_weight", _check_position_weights(self.position_weight, codes.shape))

    @property
    def n_sequences(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_windows(self) -> np.ndarray:
        """Allowed windows per sequence (one strand), shape ``(n,)``."""
        return self.valid.sum(axis=1)


def _str_tuple(values: Any, name: str) -> tuple[str, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of strings; got {describe(values)}")
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise TypeError(f"{name} must hold strings; entry {i} is {describe(v)}")
    return tuple(str(v) for v in values)


def _int_array(values: Any, name: str, shape: tuple[int | None, ...]) -> np.ndarray:
    """An integer array of ``shape`` (None: any size); floats and booleans are a TypeError."""
    if values is None or isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an integer array; got {describe(values)}")
    array = np.asarray(values)
    if array.dtype.kind not in "iu" or array.dtype == bool:
        raise TypeError(f"{name} must be an integer array; got values of dtype {array.dtype}")
    if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want}; got {array.shape}")
    return np.array(array, dtype=np.int64, copy=True)


def _check_codes(data: MotifData, seqs, names, width: int):
    """codes, lengths and index of a MotifData, checked against the sequences."""
    n = len(seqs)
    codes = _int_array(data.codes, "MotifData codes", (n, None))
    L = codes.shape[1]
    if L < width:
        raise ValueError(f"MotifData codes has {L} columns, fewer than the width {width}")
    lengths = _int_array(data.lengths, "MotifData lengths", (n,))
    for i, seq in enumerate(seqs):
        if lengths[i] != len(seq):
            raise ValueError(f"MotifData lengths[{i}] is {lengths[i]}, but sequence {i} has {len(seq)} letters")
    if lengths.max() > L:
        raise ValueError(f"MotifData codes has {L} columns, fewer than the longest sequence ({lengths.max()})")
    plain = np.full((n, L), MASKED, dtype=np.int64)
    soft = plain.copy()
    plain[:, : lengths.max()] = encode(seqs, False)[0]
    soft[:, : lengths.max()] = encode(seqs, True)[0]
    wrong = (codes != plain) & (codes != soft)
    if wrong.any():
        i, j = (int(k) for k in np.argwhere(wrong)[0])
        what = f"letter {seqs[i][j]!r}" if j < len(seqs[i]) else "padding (code 4)"
        raise ValueError(
            f"MotifData codes do not match the sequences: sequence {i} ({names[i]!r}), position {j} is "
            f"{what} but its code is {codes[i, j]}"
        )
    index = _int_array(data.index, "MotifData index", (n,))
    if index.min() < 0 or np.any(np.diff(index) <= 0):
        raise ValueError(f"MotifData index must hold increasing positions >= 0; got {describe(index.tolist())}")
    return codes.astype(np.int8), lengths, index


def _allowed_windows(codes: np.ndarray, width: int) -> np.ndarray:
    """Windows that cover no masked letter (nor padding), shape (n, L - width + 1)."""
    return _window_sums((codes == MASKED).astype(np.int32), width) == 0


def _check_valid(values: Any, codes: np.ndarray, width: int, names) -> np.ndarray:
    valid = np.asarray(values) if values is not None else None
    if valid is None or valid.dtype != bool:
        raise TypeError(f"MotifData valid must be a boolean array; got {describe(values)}")
    J = codes.shape[1] - width + 1
    if valid.shape != (codes.shape[0], J):
        raise ValueError(
            f"MotifData valid must have shape {(codes.shape[0], J)} (sequences, windows); got {valid.shape}"
        )
    bad = valid & ~_allowed_windows(codes, width)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise ValueError(
            f"MotifData valid allows window {j} of sequence {i} ({names[i]!r}), which covers a masked "
            "letter or runs past the end"
        )
    empty = ~valid.any(axis=1)
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise ValueError(f"MotifData sequence {i} ({names[i]!r}) has no allowed window; leave it out")
    return np.array(valid, copy=True)


def _chunk_codes(codes: np.ndarray, width: int) -> tuple:
    """The window letters cut into chunks of up to five, each coded as one integer."""
    plain = np.where(codes == MASKED, 0, codes).astype(np.intp)
    J = codes.shape[1] - width + 1
    chunks = []
    for offset in range(0, width, _CHUNK):
        size = min(_CHUNK, width - offset)
        code = np.zeros((codes.shape[0], J), dtype=np.intp)
        for m in range(size):  # a loop over the columns of one chunk (at most 5)
            code *= 4
            code += plain[:, offset + m : offset + m + J]
        chunks.append((offset, size, readonly(code, copy=False)))
    return tuple(chunks)


def _check_chunks(given: Any, codes: np.ndarray, width: int) -> tuple:
    derived = _chunk_codes(codes, width)
    if given is None:
        return derived
    try:
        same = len(given) == len(derived) and all(
            len(g) == 3 and g[0] == d[0] and g[1] == d[1] and np.array_equal(g[2], d[2]) for g, d in zip(given, derived)
        )
    except TypeError:
        same = False
    if not same:
        raise ValueError("MotifData chunks do not match codes and width (leave chunks out and they are computed)")
    return derived


def _letter_counts(codes: np.ndarray) -> np.ndarray:
    return np.bincount(codes.ravel(), minlength=5)[:4].astype(float)


def _check_letter_counts(given: Any, codes: np.ndarray) -> np.ndarray:
    derived = _letter_counts(codes)
    if given is not None:
        counts = as_float_array(given, "MotifData letter_counts", shape=(4,))
        if not np.array_equal(counts, derived):
            raise ValueError(
                f"MotifData letter_counts must be the counts of A, C, G, T in codes, {derived.tolist()}; "
                f"got {counts.tolist()} (leave it out and it is computed)"
            )
    return readonly(derived, copy=False)


def _check_window_weights(values: Any, valid: np.ndarray) -> np.ndarray | None:
    if values is None:
        return None
    lw = as_float_array(values, "MotifData log_window_weight", shape=valid.shape, finite=False)
    bad = valid & ~(np.isfinite(lw) & (lw <= 0))
    bad |= np.isnan(lw)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise ValueError(
            f"MotifData log_window_weight must be finite and <= 0 at allowed windows; entry [{i}, {j}] is {lw[i, j]}"
        )
    return readonly(lw)


def _check_position_weights(values: Any, shape: tuple[int, int]) -> np.ndarray | None:
    if values is None:
        return None
    w = as_float_array(values, "MotifData position_weight", shape=shape)
    bad = (w <= 0) | (w > 1)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"MotifData position_weight must lie in (0, 1]; entry [{i}, {j}] is {w[i, j]}")
    return readonly(w)


_SEQUENCES = "sequences must be a list of DNA strings, (name, sequence) pairs, SeqRecords, a mapping name -> sequence or a pathlib.Path to a FASTA file"


def _as_sequences(data: Any) -> tuple[list[str], list[str]]:
    if isinstance(data, (str, bytes)):
        hint = " (for a FASTA file, pass pathlib.Path(...))" if isinstance(data, str) else ""
        raise TypeError(f"{_SEQUENCES}; got a single string {describe(data[:20])}{hint}")
    if isinstance(data, os.PathLike):
        return read_fasta(data)
    if isinstance(data, Mapping):
        names, seqs = [str(k) for k in data.keys()], list(data.values())
        for name, seq in zip(names, seqs):
            if not isinstance(seq, str):
                raise TypeError(f"sequence {name!r} must be a string of DNA letters; got {describe(seq)}")
        return names, seqs
    try:
        items = list(data)
    except TypeError:
        raise TypeError(f"{_SEQUENCES}; got {describe(data)}") from None
    names, seqs = [], []
    for i, item in enumerate(items):
        if hasattr(item, "seq"):  # a Biopython SeqRecord
            names.append(getattr(item, "id", None) or f"seq{i + 1}")
            seqs.append(str(item.seq))
        elif isinstance(item, str):
            names.append(f"seq{i + 1}")
            seqs.append(item)
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
            names.append(str(item[0]))
            seqs.append(item[1])
        else:
            raise TypeError(
                f"sequence {i} must be a string of DNA letters (or a (name, sequence) pair); got {describe(item)}"
            )
    return [str(n) for n in names], seqs


def _window_sums(values: np.ndarray, width: int) -> np.ndarray:
    """Sums of ``width`` consecutive entries along axis 1: shape (n, L - width + 1)."""
    csum = np.zeros((values.shape[0], values.shape[1] + 1), dtype=values.dtype)
    np.cumsum(values, axis=1, out=csum[:, 1:])
    return csum[:, width:] - csum[:, :-width]


def _keep_windows(names, seqs, width, mask_lowercase, origin) -> tuple[MotifData | None, list[str]]:
    """The sequences that have an allowed window (None if none has), and the names of the others.

    ``origin[i]`` is the position of ``seqs[i]`` in the user's input.
    """
    codes, lengths = encode(seqs, mask_lowercase)
    valid = _allowed_windows(codes, width)
    keep = valid.any(axis=1)
    dropped = [names[i] for i in np.flatnonzero(~keep)]
    if not keep.any():
        return None, dropped
    rows = np.flatnonzero(keep)
    data = MotifData(
        names=tuple(names[i] for i in rows),
        sequences=tuple(seqs[i] for i in rows),
        index=np.asarray(origin)[rows],
        codes=codes[rows],
        lengths=lengths[rows],
        width=width,
        valid=valid[rows],
    )
    return data, dropped


def _prepare(names, seqs, width, mask_lowercase) -> MotifData:
    if not seqs:
        raise ValueError("no sequences: the input is empty (expected at least one DNA sequence)")
    check_dna(seqs, names)
    longest = max(len(s) for s in seqs)
    if longest == 0:
        raise ValueError(f"every sequence is empty (all {len(seqs)} of them): no DNA letters to search")
    if longest < width:
        raise ValueError(f"every sequence is shorter than the motif width {width} (the longest has {longest} letters)")
    data, dropped = _keep_windows(names, seqs, width, mask_lowercase, np.arange(len(seqs)))
    if data is None:
        masked = "N/ambiguous letters" + (" and masked lower case" if mask_lowercase else "")
        raise ValueError(
            f"no sequence has a window of {width} letters free of {masked} "
            f"(all {len(seqs)} sequences are shorter than the width or masked)"
        )
    if dropped:
        shown = ", ".join(dropped[:5]) + (" ..." if len(dropped) > 5 else "")
        warnings.warn(
            f"skipped {len(dropped)} sequence(s) with no window of {width} unmasked letters "
            f"(too short or masked): {shown}",
            MotifWarning,
            stacklevel=4,
        )
    return data


def read_fasta(path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """Names and sequences of a FASTA file (Biopython's ``SeqIO``).

    Lines starting with ``#`` and blank lines before the first record are skipped. Raises a
    ValueError for a missing, unreadable or empty file, or one that is not FASTA,
    and a TypeError for a path that is neither a string nor a path.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or pathlib.Path); got {describe(path)}")
    return _read_fasta(path)


def _check_data(data: Any, name: str = "data") -> MotifData:
    if not isinstance(data, MotifData):
        raise TypeError(f"{name} must be MotifData (from MotifModel.prepare); got {describe(data)}")
    return data


def _random_windows(data: MotifData, rng: np.random.Generator, k: int):
    flat = np.flatnonzero(data.valid)
    pick = rng.choice(flat, size=min(k, flat.size), replace=False)
    return np.unravel_index(pick, data.valid.shape)


def _window_string(data: MotifData, i: int, j: int, strand: int = 0) -> str:
    kmer = "".join(ALPHABET[c] if c < 4 else "N" for c in data.codes[i, j : j + data.width])
    return kmer if strand == 0 else reverse_complement(kmer)


def _with_width(data: MotifData, width: int, mask_lowercase: bool) -> MotifData:
    return _prepare(list(data.names), list(data.sequences), width, mask_lowercase)
