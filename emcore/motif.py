"""Motif discovery in DNA by EM: the OOPS, ZOOPS and TCM models of MEME.

Given unaligned DNA sequences, find a pattern of width ``W`` that occurs (with
variation) in them (Lawrence & Reilly 1990; Bailey & Elkan 1994, 1995). The motif is
a position probability matrix ``ppm`` of shape ``(W, 4)`` (rows: motif columns,
columns: A, C, G, T); every letter outside a site comes from a zero-order background
``b``. The missing data is where the site starts (and on which strand).

Models
------
``"oops"``
    One occurrence per sequence: each sequence holds exactly one site, its start
    uniform over the ``m_i`` allowed windows (``2 m_i`` with both strands).
``"zoops"``
    Zero or one occurrence per sequence: a site with probability ``gamma`` (learned),
    otherwise none. ZOOPS with ``gamma = 1`` is OOPS; one E-step serves both.
``"tcm"``
    Two-component mixture: every window of every sequence is a site with
    probability ``gamma`` (Bailey & Elkan 1994's model of W-mers as independent
    draws, without MEME's overlap smoothing). Because nothing stops overlapping
    windows from all being called sites, TCM can lock onto self-overlapping or
    shifted copies of a motif (palindromes especially) and report more sites than
    there are; prefer ZOOPS unless sequences really hold several sites.

Let ``LO_ij = sum_k log(ppm[k, x_{i,j+k}] / b[x_{i,j+k}])`` be the log-odds of the
window starting at ``j`` in sequence ``i``. For OOPS/ZOOPS,

    P(x_i) = P_bg(x_i) * (1 - gamma + gamma * sum_j pi_ij exp(LO_ij)),

with ``pi_ij`` the prior over start positions (uniform over allowed windows and
strands; down-weighted where earlier motifs were found, see :func:`erase`). The
posterior of a start is the term ``j`` of that sum over the whole bracket.

Objective
---------
The M-step adds Dirichlet pseudocounts ``pseudocount * b`` to the expected letter
counts of each column: a MAP estimate under the prior whose log density is, up to
a constant,

    log_prior(ppm) = sum_k sum_a pseudocount * b_a * log ppm[k, a]

(:meth:`MotifModel.log_prior`, the optional MAP method of the EM protocol in
:mod:`emcore.em`; 0 with ``pseudocount=0``). EM therefore climbs the *penalised*
log-likelihood ``log P(x; ppm, gamma) + log_prior(ppm)``: this is what
:func:`emcore.fit_em` monitors and reports as ``EMResult.objective``, and what never
decreases (hard EM: the classification log-likelihood plus ``log_prior``). Every log-likelihood the model returns is the *plain* one, without the
prior: :meth:`MotifModel.e_step` and :meth:`MotifModel.loglik` return
``log P(x; ppm, gamma)``, :meth:`MotifModel.hard_e_step` also the plain
classification log-likelihood ``max_z log P(x, z)``, and
:meth:`MotifModel.complete_loglik` the plain ``E_q[log P(x, z)]``, so that
``complete_loglik + entropy`` (:func:`emcore.em.elbo`) bounds ``log P(x)`` and
that bound plus ``log_prior`` bounds the objective. ``EMResult.loglik`` and
:attr:`MotifResult.loglik` are the plain log-likelihood. Natural logs, summed over
sequences, always.

Masked letters
--------------
N and the other IUPAC ambiguity codes (and lower case with ``mask_lowercase=True``)
are *masked*: a window that covers one is not a candidate site, and the letter
itself contributes nothing to the likelihood. A sequence with no allowed window
(shorter than ``W``, say) is skipped with a :class:`MotifWarning`.

Vectorisation
-------------
All window log-odds are computed at once: the letters of each window are cut into
chunks of up to five, each chunk is coded as one integer (a 5-mer is one of
``4**5 = 1024`` codes), and the log-odds of a window is the sum of a few table
look-ups. The M-step counts letters the same way with weighted ``bincount``. No
Python loop runs over sequences or positions.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import xlogy

from ._sequences import ALPHABET, MASKED, check_dna, encode, reverse_complement
from ._sequences import read_fasta as _read_fasta
from ._validation import (
    as_float_array,
    check_choice,
    check_flag,
    check_int,
    check_real,
    check_seed,
    check_stochastic_matrix,
    describe,
    readonly,
)
from . import transforms as _tr
from .em import fit_em

__all__ = [
    "MotifData",
    "MotifModel",
    "MotifParams",
    "MotifResult",
    "MotifWarning",
    "Site",
    "candidate_kmers",
    "consensus",
    "crp_sites",
    "chipseq_peaks",
    "erase",
    "find_motifs",
    "information_content",
    "kmer_params",
    "mutate_sites",
    "plant_sites",
    "ppm_similarity",
    "read_fasta",
    "sites_of",
    "to_meme",
]

MODELS = ("oops", "zoops", "tcm")
MODES = ("soft", "hard")
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
        for name, value in (("names", names), ("sequences", seqs), ("width", width), ("codes", codes),
                            ("lengths", lengths), ("index", index), ("valid", valid)):
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
        raise ValueError(f"MotifData valid must have shape {(codes.shape[0], J)} (sequences, windows); got {valid.shape}")
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
        raise ValueError(
            f"every sequence is shorter than the motif width {width} (the longest has {longest} letters)"
        )
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


# --------------------------------------------------------------------------- params
@dataclass(frozen=True, eq=False)
class MotifParams:
    """Parameters of a motif model.

    Attributes
    ----------
    ppm : ndarray, shape (W, 4)
        Position probability matrix: row ``k`` is the distribution of A, C, G, T at
        motif column ``k`` (read-only).
    gamma : float
        ZOOPS: probability that a sequence holds a site; OOPS: 1; TCM: probability
        that a window is a site.
    """

    ppm: np.ndarray
    gamma: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "ppm", readonly(_as_ppm(self.ppm, "ppm")))
        object.__setattr__(self, "gamma", _check_gamma(self.gamma))

    @property
    def width(self) -> int:
        return int(self.ppm.shape[0])

    @property
    def consensus(self) -> str:
        return consensus(self.ppm)

    def __repr__(self) -> str:
        return f"MotifParams(consensus={self.consensus!r}, gamma={self.gamma:.4g})"


def _as_matrix(values: Any, name: str, width: int | None = None) -> np.ndarray:
    """A finite, non-negative float array of shape (W, 4) with W >= 1 (``width`` if given)."""
    if isinstance(values, Mapping):
        raise TypeError(f"{name} must be a (W, 4) array (columns A, C, G, T); got {describe(values)}")
    try:
        array = as_float_array(values, name, finite=False, min_size=0)
    except ValueError:  # rows of different lengths
        raise ValueError(f"{name} must be a (W, 4) array with rows of equal length; got {describe(values)}") from None
    rows = "W" if width is None else str(width)
    if array.ndim != 2 or array.shape[1] != 4 or (width is not None and array.shape[0] != width):
        raise ValueError(f"{name} must have shape ({rows}, 4) (W rows, columns A C G T); got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty: a motif needs at least one column; got shape {array.shape}")
    return as_float_array(array, name, nonnegative=True)


def _as_ppm(values: Any, name: str, width: int | None = None, atol: float = _SUM_TOL) -> np.ndarray:
    """A position probability matrix: (W, 4), finite, non-negative, each row summing to 1."""
    return check_stochastic_matrix(_as_matrix(values, name, width), name, atol=atol)


def _check_gamma(gamma: Any) -> float:
    return check_real(gamma, "gamma", minimum=0.0, maximum=1.0, lo_open=True)


def kmer_params(kmer: str, weight: float = 0.5, gamma: float = 1.0) -> MotifParams:
    """MEME's starting point from a W-mer: its letter gets ``weight``, the others share the rest.

    ``kmer`` is a non-empty string of A, C, G, T (either case), ``weight`` lies in
    ``[0.25, 1)`` and ``gamma`` in ``(0, 1]``.
    """
    if not isinstance(kmer, str):
        raise TypeError(f"kmer must be a string of A, C, G, T; got {describe(kmer)}")
    if not kmer:
        raise ValueError("kmer is empty: a starting W-mer needs at least one letter of A, C, G, T")
    upper = kmer.upper()
    if set(upper) - set(ALPHABET):
        raise ValueError(f"a starting W-mer must consist of A, C, G, T; got {kmer!r}")
    weight = check_real(weight, "weight", minimum=0.25, maximum=1.0, hi_open=True)
    gamma = _check_gamma(gamma)
    ppm = np.full((len(upper), 4), (1 - weight) / 3)
    ppm[np.arange(len(upper)), [ALPHABET.index(c) for c in upper]] = weight
    return MotifParams(ppm=ppm, gamma=gamma)


def consensus(ppm: Any) -> str:
    """The most probable letter of each column.

    ``ppm`` is a (W, 4) array of probabilities or counts (columns A, C, G, T),
    finite and non-negative, with no all-zero row.
    """
    ppm = _as_matrix(ppm, "ppm")
    empty = ~(ppm.sum(axis=1) > 0)
    if empty.any():
        raise ValueError(f"ppm row {int(np.flatnonzero(empty)[0])} is all zero: it has no most probable letter")
    return "".join(ALPHABET[k] for k in np.argmax(ppm, axis=1))


def information_content(ppm: Any) -> np.ndarray:
    """Information content of each column in bits, ``2 + sum_a f_a log2 f_a``, shape (W,).

    ``ppm`` must be probabilities: (W, 4), non-negative, each row summing to 1
    (within 1e-6; normalise counts first).
    """
    ppm = _as_ppm(ppm, "ppm", atol=1e-6)
    return 2.0 + np.sum(xlogy(ppm, ppm), axis=1) / math.log(2)


def _revcomp_matrix(matrix: np.ndarray) -> np.ndarray:
    """Reverse complement of a (W, 4) matrix over A, C, G, T."""
    return np.ascontiguousarray(matrix[::-1, ::-1])


# --------------------------------------------------------------------------- model
class MotifModel:
    """A motif of width ``W`` in DNA sequences, for :func:`emcore.fit_em`.

    Parameters
    ----------
    width : int
        Motif width ``W`` (at least 2).
    model : {"zoops", "oops", "tcm"}
        Occurrences per sequence: zero or one (default), exactly one, any number.
    revcomp : bool
        Search both strands: a site may be the reverse complement of the motif.
    background : sequence of 4 floats, optional
        Zero-order background probabilities of A, C, G, T. Default: the letter
        frequencies of the data (averaged over both strands with ``revcomp``; if a
        letter never occurs, one of each letter is added to the counts so that no
        background probability is 0).
    pseudocount : float
        Total Dirichlet pseudocount added to each column, spread in proportion to
        the background (MEME's prior; its log density is :meth:`log_prior`); 0
        gives the plain maximum-likelihood M-step.
    learn_gamma : bool
        Estimate ``gamma`` (ZOOPS and TCM). False keeps the starting value.
    mask_lowercase : bool
        Treat lower-case letters (soft-masked repeats) as masked. Default False:
        lower case is read as ordinary bases.

    Notes
    -----
    The posterior over completions is an array of shape ``(n, S, J)`` (``S = 2``
    strands with ``revcomp``, else 1): the probability that the site of sequence
    ``i`` starts at window ``j`` on strand ``s`` (strand 1 = minus; its window is
    read as the reverse complement). For OOPS/ZOOPS, ``1 - q[i].sum()`` is the
    probability of no site; for TCM, ``1 - q[i, :, j].sum()`` that window ``j`` is
    background.
    """

    def __init__(
        self,
        width: int,
        model: str = "zoops",
        *,
        revcomp: bool = False,
        background: Sequence[float] | None = None,
        pseudocount: float = 1.0,
        learn_gamma: bool = True,
        mask_lowercase: bool = False,
    ):
        self.width = check_int(width, "width", minimum=2)
        self.model = check_choice(model, "model", MODELS)
        self.revcomp = check_flag(revcomp, "revcomp")
        self.learn_gamma = check_flag(learn_gamma, "learn_gamma")
        self.mask_lowercase = check_flag(mask_lowercase, "mask_lowercase")
        self.pseudocount = check_real(pseudocount, "pseudocount", minimum=0.0)
        self.n_strands = 2 if self.revcomp else 1
        self._background = None if background is None else _check_background(background)

    def __repr__(self) -> str:
        return f"MotifModel(width={self.width}, model={self.model!r}, revcomp={self.revcomp})"

    # -- data ------------------------------------------------------------------
    def prepare(self, data: Any) -> MotifData:
        """Check and encode sequences (list of str, SeqRecords, mapping name->seq, Path)."""
        if isinstance(data, MotifData):
            if data.width != self.width:
                raise ValueError(f"data were prepared for width {data.width}; this model has width {self.width}")
            return data
        names, seqs = _as_sequences(data)
        return _prepare(names, seqs, self.width, self.mask_lowercase)

    def background(self, data: Any) -> np.ndarray:
        """The background probabilities of A, C, G, T, shape (4,)."""
        if self._background is not None:
            return self._background
        counts = self.prepare(data).letter_counts
        if self.revcomp:
            counts = (counts + counts[::-1]) / 2
        if np.any(counts == 0):  # a letter absent from the data: add one of each, never b = 0
            counts = counts + 1.0
        return counts / counts.sum()

    # -- parameters ------------------------------------------------------------
    def initial_params(self, data: Any, rng: np.random.Generator) -> MotifParams:
        """MEME's start: an actual W-mer of the data (a random allowed window)."""
        data = self.prepare(data)
        i, j = _random_windows(data, _check_rng(rng), 1)
        kmer = _window_string(data, int(i[0]), int(j[0]))
        return kmer_params(kmer, gamma=self._default_gamma(data))

    def _default_gamma(self, data: MotifData) -> float:
        if self.model == "oops":
            return 1.0
        if self.model == "zoops":
            return 0.5
        return float(min(0.5, 1.0 / max(1.0, data.n_windows.mean())))

    def coerce_params(self, init: Any, data: Any = None) -> MotifParams:
        """Validate a :class:`MotifParams`, a mapping ``{"ppm": ..., "gamma": ...}`` or a W-mer string."""
        return self._coerce(init, data, "init")

    def _params(self, params: Any, data: Any = None) -> MotifParams:
        """``params`` as MotifParams of this model (checked unless it already is one)."""
        if isinstance(params, MotifParams) and params.width == self.width and (
            self.model != "oops" or params.gamma == 1.0
        ):
            return params
        return self._coerce(params, data, "params")

    def _coerce(self, init: Any, data: Any, what: str) -> MotifParams:
        data = None if data is None else self.prepare(data)
        if isinstance(init, str):
            if len(init) != self.width:
                raise ValueError(f"{what}: the W-mer {init!r} has {len(init)} letters; this model has width {self.width}")
            init = kmer_params(init, gamma=self._default_gamma(data) if data is not None else 1.0)
        if isinstance(init, MotifParams):
            ppm, gamma = init.ppm, init.gamma
        elif isinstance(init, Mapping):
            keys = list(init)
            for key in keys:
                if not isinstance(key, str):
                    raise TypeError(f"{what}: motif parameters are named 'ppm' and 'gamma'; got key {describe(key)}")
            unknown = sorted(set(keys) - {"ppm", "gamma"})
            if unknown:
                raise ValueError(f"{what}: motif parameters are 'ppm' and 'gamma'; got unknown keys {unknown}")
            if "ppm" not in init:
                raise ValueError(f"{what}: motif parameters need 'ppm', a (W, 4) position probability matrix")
            ppm = init["ppm"]
            gamma = init.get("gamma", 1.0 if self.model == "oops" else self._default_gamma(data) if data else 0.5)
        else:
            raise TypeError(
                f"{what} must be MotifParams, a mapping {{'ppm': ..., 'gamma': ...}} or a W-mer; got {describe(init)}"
            )
        ppm = _as_ppm(ppm, "ppm", self.width)
        gamma = _check_gamma(gamma)
        if self.model == "oops" and gamma != 1.0:
            raise ValueError(f"OOPS has one site per sequence: gamma must be 1; got {gamma}")
        return MotifParams(ppm=ppm, gamma=gamma)

    # -- the E-step ------------------------------------------------------------
    def log_odds(self, data: MotifData, params: MotifParams) -> np.ndarray:
        """Log-odds ``log P(window | motif) - log P(window | background)``.

        Returns
        -------
        ndarray, shape (n, S, J)
            ``-inf`` at windows that are not allowed. Strand 1 is the minus strand.
        """
        data = self.prepare(data)
        out = self._raw_log_odds(data, self._params(params, data))
        out[~np.broadcast_to(data.valid[:, None, :], out.shape)] = -np.inf
        return out

    def _cached(self, data: MotifData):
        """Strand-stacked chunk codes and the log prior over starts, computed once per data."""
        if getattr(self, "_cache_data", None) is not data:
            S = self.n_strands
            codes = tuple(
                (offset, size, code[:, None, :] + (4**size) * np.arange(S)[:, None])
                for offset, size, code in data.chunks
            )
            self._cache = (codes, self._log_start_prior(data))
            self._cache_data = data
        return self._cache

    def _raw_log_odds(self, data: MotifData, params: MotifParams) -> np.ndarray:
        """Window log-odds, shape (n, S, J), not yet masked: one table look-up per chunk."""
        with np.errstate(divide="ignore"):
            lr = np.log(params.ppm) - np.log(self.background(data))
        mats = [lr] if not self.revcomp else [lr, _revcomp_matrix(lr)]
        codes, _ = self._cached(data)
        out = None
        for offset, size, code in codes:
            table = np.concatenate([_chunk_table(m[offset : offset + size]) for m in mats])
            if out is None:
                out = np.take(table, code)
            else:
                out += np.take(table, code)
        return out

    def _log_start_prior(self, data: MotifData) -> np.ndarray:
        """Log prior of a start position, shape (n, 1, J): given a site (OOPS/ZOOPS), or 0/-inf (TCM).

        Part of the model of the sequences (``pi_ij``), not of :meth:`log_prior`.
        """
        S = self.n_strands
        if self.model == "tcm":
            return np.where(data.valid, 0.0, -np.inf)[:, None, :]
        if data.log_window_weight is None:
            lw = np.where(data.valid, 0.0, -np.inf)
        else:
            lw = np.where(data.valid, data.log_window_weight, -np.inf)
        top = lw.max(axis=1, keepdims=True)
        norm = top + np.log(np.exp(lw - top).sum(axis=1, keepdims=True) * S)
        return (lw - norm)[:, None, :]

    def _background_loglik(self, data: MotifData) -> float:
        return float(data.letter_counts @ np.log(self.background(data)))

    def _tcm_window_background(self, data: MotifData) -> float:
        logb = np.log(self.background(data))
        per = np.where(data.codes == MASKED, 0.0, logb[np.minimum(data.codes, 3)])
        return float(_window_sums(per, self.width)[data.valid].sum())

    def log_prior(self, data: Any, params: Any) -> float:
        """Log Dirichlet prior of the matrix, up to a constant (MAP-EM, see :mod:`emcore.em`).

        ``sum_k sum_a pseudocount * b_a * log ppm[k, a]``: each column has a
        Dirichlet prior with parameters ``1 + pseudocount * b`` (``b`` the
        background), whose mode is what the M-step's pseudocounts produce. The
        driver climbs ``loglik + log_prior``; 0 with ``pseudocount=0``.

        Parameters
        ----------
        data : MotifData or sequences
            The data (the background ``b`` may be estimated from it).
        params : MotifParams or mapping

        Returns
        -------
        float
            ``<= 0``; ``-inf`` for a matrix with a zero where the prior has mass.
        """
        data = self.prepare(data)
        params = self._params(params, data)
        if self.pseudocount == 0:
            return 0.0
        beta = self.pseudocount * self.background(data)
        return float(np.sum(xlogy(np.broadcast_to(beta, params.ppm.shape), params.ppm)))

    def _terms(self, data: MotifData, params: MotifParams):
        """Log joint of each completion relative to the background, and of 'no site'."""
        site = self._raw_log_odds(data, params)
        gamma = params.gamma
        site += self._cached(data)[1] + (math.log(gamma / self.n_strands) if self.model == "tcm" else math.log(gamma))
        none = math.log1p(-gamma) if gamma < 1 else -math.inf
        return site, none

    def _normalise(self, site: np.ndarray, none: float):
        """Posterior and log normaliser per sequence (OOPS/ZOOPS) or window (TCM)."""
        axes = (1, 2) if self.model != "tcm" else 1
        top = np.maximum(site.max(axis=axes, keepdims=True), none)
        # A window with no possible completion (TCM with gamma = 1 at a window that
        # is not allowed): posterior 0, log normaliser -inf, and no NaN on the way.
        top[top == -np.inf] = 0.0
        weights = np.subtract(site, top, out=site)  # site is a fresh array: reuse it
        np.exp(weights, out=weights)
        total = weights.sum(axis=axes, keepdims=True)
        if none > -math.inf:
            total = total + np.exp(none - top)
        np.divide(weights, total, out=weights, where=total > 0)
        with np.errstate(divide="ignore"):
            log_norm = top + np.log(total)
        return weights, log_norm

    def _constant(self, data: MotifData) -> float:
        """The background log-likelihood that the log-odds terms are relative to."""
        return self._tcm_window_background(data) if self.model == "tcm" else self._background_loglik(data)

    def e_step(self, data: MotifData, params: MotifParams) -> tuple[np.ndarray, float]:
        """Posterior over site starts, shape (n, S, J), and the log-likelihood.

        The log-likelihood is the plain ``log P(x; params)`` (natural log, total),
        without the Dirichlet term :meth:`log_prior`; the driver adds that itself.
        """
        data = self.prepare(data)
        site, none = self._terms(data, self._params(params, data))
        post, log_norm = self._normalise(site, none)
        if self.model == "tcm":
            log_norm = log_norm[np.broadcast_to(data.valid[:, None, :], log_norm.shape)]
        return post, float(log_norm.sum()) + self._constant(data)

    def hard_e_step(self, data: MotifData, params: MotifParams) -> tuple[np.ndarray, float, float]:
        """The single most likely site per sequence (or none, if that is likelier).

        For TCM: each window is a site (on its better strand) or background,
        whichever is likelier. Returns the degenerate posterior, the plain
        log-likelihood ``log P(x)`` and the plain classification log-likelihood
        ``max_z log P(x, z)`` (neither includes :meth:`log_prior`).
        """
        data = self.prepare(data)
        site, none = self._terms(data, self._params(params, data))
        _, log_norm = self._normalise(site.copy(), none)
        n, S, J = site.shape
        hard = np.zeros_like(site)
        if self.model == "tcm":
            best_s = np.argmax(site, axis=1)  # (n, J)
            best = np.take_along_axis(site, best_s[:, None, :], axis=1)[:, 0, :]
            is_site = (best > none) & data.valid
            ii, jj = np.nonzero(is_site)
            hard[ii, best_s[ii, jj], jj] = 1.0
            closs = np.where(is_site, best, none)[data.valid].sum()
            ll = log_norm[np.broadcast_to(data.valid[:, None, :], log_norm.shape)].sum()
        else:
            flat = site.reshape(n, -1)
            k = np.argmax(flat, axis=1)
            best = flat[np.arange(n), k]
            is_site = best >= none
            hard.reshape(n, -1)[np.flatnonzero(is_site), k[is_site]] = 1.0
            closs = np.where(is_site, best, none).sum()
            ll = log_norm.sum()
        const = self._constant(data)
        return hard, float(ll) + const, float(closs) + const

    # -- the M-step ------------------------------------------------------------
    def expected_counts(self, data: MotifData, posterior: np.ndarray) -> np.ndarray:
        """Expected letter counts of each motif column, shape (W, 4).

        Minus-strand sites are counted as their reverse complement.
        """
        data = self.prepare(data)
        q = np.ascontiguousarray(as_float_array(posterior, "posterior", finite=False, min_size=0))
        S = self.n_strands
        if q.shape != (data.n_sequences, S, data.valid.shape[1]):
            raise ValueError(f"posterior must have shape {(data.n_sequences, S, data.valid.shape[1])}; got {q.shape}")
        raw = np.zeros((S, self.width, 4))
        codes, _ = self._cached(data)
        weights = q.ravel()
        for offset, size, code in codes:
            joint = np.bincount(code.ravel(), weights=weights, minlength=S * 4**size)
            joint = joint.reshape((S,) + (4,) * size)
            for m in range(size):
                raw[:, offset + m] = joint.sum(axis=tuple(a for a in range(1, size + 1) if a != m + 1))
        counts = raw[0]
        if S == 2:
            counts = counts + _revcomp_matrix(raw[1])
        return counts

    def m_step(self, data: MotifData, posterior: np.ndarray, params: MotifParams) -> MotifParams:
        """Expected counts plus pseudocounts, normalised per column; gamma = expected sites."""
        data = self.prepare(data)
        params = self._params(params, data)
        counts = self.expected_counts(data, posterior) + self.pseudocount * self.background(data)
        totals = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore"):
            ppm = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), params.ppm)
        gamma = params.gamma
        if self.learn_gamma and self.model == "zoops":
            gamma = float(np.clip(np.sum(posterior) / data.n_sequences, 0.0, 1.0))
        elif self.learn_gamma and self.model == "tcm":
            gamma = float(np.clip(np.sum(posterior) / data.n_windows.sum(), 0.0, 1.0))
        if gamma == 0.0:  # no site anywhere: keep the model defined
            gamma = params.gamma
        return MotifParams(ppm=ppm, gamma=gamma)

    # -- lower bound -----------------------------------------------------------
    def complete_loglik(self, data: Any, params: Any, posterior: np.ndarray) -> float:
        """``E_q[log P(x, z; params)]``, plain (without :meth:`log_prior`).

        ``q`` is in the E-step's layout ``(n, S, J)``; for OOPS/ZOOPS the mass
        ``1 - q[i].sum()`` is the 'no site' completion of sequence ``i``. With
        :meth:`entropy` this gives the evidence lower bound on the plain
        log-likelihood; add :meth:`log_prior` for the bound on the objective.
        """
        data = self.prepare(data)
        params = self._params(params, data)
        site, none = self._terms(data, params)
        q = np.asarray(posterior, dtype=float)
        if q.shape != site.shape:
            raise ValueError(f"posterior must have shape {site.shape}; got {q.shape}")
        axes = (1, 2) if self.model != "tcm" else 1
        rest = np.clip(1.0 - q.sum(axis=axes), 0.0, 1.0)
        if self.model == "tcm":
            rest = rest[data.valid]
        used = q > 0  # only where q has mass: site is -inf at windows that are not allowed
        total = np.sum(q[used] * site[used])
        if none > -math.inf:  # with gamma = 1 'no site' has probability 0 (rest is rounding)
            total += np.sum(rest) * none
        return float(total) + self._constant(data)

    def entropy(self, posterior: np.ndarray) -> float:
        """Entropy (natural log) of the posterior over completions, 'no site' included."""
        q = np.asarray(posterior, dtype=float)
        axes = (1, 2) if self.model != "tcm" else 1
        rest = np.clip(1.0 - q.sum(axis=axes), 0.0, 1.0)
        return float(-np.sum(xlogy(q, q)) - np.sum(xlogy(rest, rest)))

    # -- an unconstrained parametrisation (for SQUAREM acceleration) -------------
    def _gamma_learned(self, gamma: float) -> bool:
        return self.learn_gamma and self.model in ("zoops", "tcm") and 0.0 < gamma < 1.0

    def to_unconstrained(self, params: MotifParams) -> np.ndarray:
        """The learned parameters as one unconstrained vector (see :mod:`emcore.accelerate`).

        Each column of the matrix (row of ``ppm``) as centred log-probabilities of
        its positive entries, then the log-odds of ``gamma`` when it is learned
        (ZOOPS, TCM) and strictly between 0 and 1. The background is not a parameter
        (it is fixed); zeros of ``ppm`` and ``gamma = 1`` are fixed points of EM and
        left out.
        """
        if not isinstance(params, MotifParams) or params.ppm.shape != (self.width, 4):
            raise TypeError(f"params must be MotifParams of width {self.width}; got {describe(params)}")
        parts = [_tr.simplex_to_unconstrained(params.ppm)]
        if self._gamma_learned(params.gamma):
            parts.append(_tr.bernoulli_to_unconstrained(params.gamma))
        return np.concatenate(parts)

    def from_unconstrained(self, vector: Any, like: MotifParams) -> MotifParams:
        """Parameters from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the zero pattern of ``ppm`` and ``gamma`` when it is not in
        the vector. Raises ValueError for a vector of the wrong length or outside
        the parameter space.
        """
        if not isinstance(like, MotifParams) or like.ppm.shape != (self.width, 4):
            raise TypeError(f"like must be MotifParams of width {self.width}; got {describe(like)}")
        v = np.asarray(vector, dtype=float).ravel()
        ppm, used = _tr.simplex_from_unconstrained(v, like.ppm)
        gamma = like.gamma
        if self._gamma_learned(like.gamma):
            g, k = _tr.bernoulli_from_unconstrained(v[used:], like.gamma)
            gamma, used = float(g[0]), used + k
        if used != v.size:
            raise ValueError(f"vector must have {used} entries for these parameters; got {v.size}")
        return MotifParams(ppm=ppm, gamma=gamma)

    # -- conveniences ----------------------------------------------------------
    def loglik(self, data: Any, params: Any) -> float:
        """Plain observed-data log-likelihood ``log P(x; params)`` (natural log, total)."""
        data = self.prepare(data)
        params = self._params(params, data)
        _, loglik = self.e_step(data, params)
        return loglik

    def background_loglik(self, data: Any) -> float:
        """Log-likelihood of the background-only model (no motif at all)."""
        data = self.prepare(data)
        if self.model == "tcm":
            return self._tcm_window_background(data)
        return self._background_loglik(data)


def _check_background(values: Any, name: str = "background") -> np.ndarray:
    """4 positive probabilities of A, C, G, T (a sequence, or a mapping letter -> probability)."""
    if isinstance(values, Mapping):
        given = {}
        for key, value in values.items():
            if not isinstance(key, str) or key.upper() not in ALPHABET:
                raise ValueError(f"{name} mapping keys must be the letters A, C, G, T; got key {describe(key)}")
            if key.upper() in given:
                raise ValueError(f"{name} mapping gives the letter {key.upper()} twice")
            given[key.upper()] = value
        missing = set(ALPHABET) - set(given)
        if missing:
            raise ValueError(f"{name} mapping needs the letters A, C, G, T; missing {sorted(missing)}")
        values = [given[c] for c in ALPHABET]
    try:
        b = as_float_array(values, name, finite=False, min_size=0)
    except ValueError:  # nested lists of different lengths
        raise ValueError(f"{name} must be 4 probabilities for A, C, G, T; got {describe(values)}") from None
    if b.shape != (4,) or not np.all(np.isfinite(b)) or np.any(b <= 0) or abs(b.sum() - 1) > _SUM_TOL:
        raise ValueError(f"{name} must be 4 positive probabilities (A, C, G, T) summing to 1; got {b.tolist()}")
    return b


def _check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)); got {describe(rng)}")
    return rng


def _check_data(data: Any, name: str = "data") -> MotifData:
    if not isinstance(data, MotifData):
        raise TypeError(f"{name} must be MotifData (from MotifModel.prepare); got {describe(data)}")
    return data


def _check_posterior(posterior: Any, data: MotifData, n_strands: int | None = None) -> np.ndarray:
    """A posterior over site starts for ``data``: shape (n, S, J), entries in [0, 1], no mass
    on windows that are not allowed."""
    n, J = data.valid.shape
    q = as_float_array(posterior, "posterior", ndim=3, min_size=0)
    strands = (1, 2) if n_strands is None else (n_strands,)
    if q.shape[0] != n or q.shape[2] != J or q.shape[1] not in strands:
        S = "S" if n_strands is None else n_strands
        raise ValueError(f"posterior must have shape ({n}, {S}, {J}) (sequences, strands, windows) for these data; got {q.shape}")
    bad = (q < 0) | (q > 1 + 1e-9)
    if bad.any():
        i, s, j = (int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"posterior must hold probabilities in [0, 1]; entry [{i}, {s}, {j}] is {q[i, s, j]}")
    off = (q > 0) & ~data.valid[:, None, :]
    if off.any():
        i, s, j = (int(k) for k in np.argwhere(off)[0])
        raise ValueError(f"posterior puts mass on window {j} of sequence {i}, which is not an allowed site start")
    return q


def _chunk_table(block: np.ndarray) -> np.ndarray:
    """Sum of the log-odds of a chunk for every one of the 4**size letter combinations."""
    size = block.shape[0]
    table = np.zeros((4,) * size)
    for m in range(size):
        shape = [1] * size
        shape[m] = 4
        table = table + block[m].reshape(shape)
    return table.ravel()


def _random_windows(data: MotifData, rng: np.random.Generator, k: int):
    flat = np.flatnonzero(data.valid)
    pick = rng.choice(flat, size=min(k, flat.size), replace=False)
    return np.unravel_index(pick, data.valid.shape)


def _window_string(data: MotifData, i: int, j: int, strand: int = 0) -> str:
    kmer = "".join(ALPHABET[c] if c < 4 else "N" for c in data.codes[i, j : j + data.width])
    return kmer if strand == 0 else reverse_complement(kmer)


# --------------------------------------------------------------------------- erasing
def erase(data: MotifData, posterior: np.ndarray) -> MotifData:
    """Down-weight the windows that overlap the sites of a motif already found.

    Each letter's weight is multiplied by the probability that it is *not* covered by
    a site of the motif (summed over starts and strands); a window's weight is the
    product of its letters' weights and enters the next search as a prior over
    start positions (so EM stays EM). This is MEME's probabilistic erasing.

    ``posterior`` is the E-step's posterior for ``data``, shape ``(n, S, J)``. A
    letter's weight never falls below the smallest normal float, however often it
    is erased, so the log weights stay finite.
    """
    q = _check_posterior(posterior, _check_data(data)).sum(axis=1)  # (n, J)
    n, L = data.codes.shape
    W = data.width
    start = np.zeros((n, L + 1))
    start[:, : q.shape[1]] = q
    # P(letter p covered) = sum of q over the W windows that start at p - W + 1 .. p
    cover = np.cumsum(start, axis=1)
    covered = cover[:, :L] - np.concatenate([np.zeros((n, W)), cover[:, : L - W]], axis=1)
    weight = np.ones((n, L)) if data.position_weight is None else data.position_weight.copy()
    weight *= np.clip(1.0 - covered, 1e-8, 1.0)
    np.maximum(weight, _WEIGHT_FLOOR, out=weight)
    log_w = _window_sums(np.log(weight), W)
    return replace(data, log_window_weight=log_w, position_weight=weight)


def _with_width(data: MotifData, width: int, mask_lowercase: bool) -> MotifData:
    return _prepare(list(data.names), list(data.sequences), width, mask_lowercase)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Site:
    """One motif site.

    ``position`` is the 0-based start of the site on the plus strand of the input
    sequence; ``strand`` is ``"+"`` or ``"-"``; ``text`` is the site read on its own
    strand (so it lines up with the motif).
    """

    sequence: int
    name: str
    position: int
    strand: str
    posterior: float
    text: str


@dataclass(frozen=True, eq=False)
class MotifResult:
    """One motif found by :func:`find_motifs`.

    Attributes
    ----------
    params : MotifParams
        The fitted matrix and gamma.
    sites : tuple of Site
        For OOPS the best start of every sequence; for ZOOPS the best start of every
        sequence whose probability of holding a site exceeds ``threshold``; for TCM
        every window with posterior above ``threshold``.
    loglik : float
        Plain observed-data log-likelihood ``log P(x; params)`` (natural log,
        total), without the Dirichlet term; equals ``fit.loglik``.
    loglik_background : float
        Log-likelihood of the background-only model on the same data.
    fit : EMResult
        The converged EM run. ``fit.objective`` is what that run climbed: in soft
        mode :attr:`objective`, in hard mode the classification log-likelihood
        plus :attr:`log_prior`.
    candidates : tuple of (str, float)
        The starting W-mers tried and their objective (``fit_em``'s
        ``EMResult.objective``, prior included) after the short runs.
    posterior : ndarray, shape (n, S, J)
        Posterior over site starts at the fitted parameters.
    background : ndarray, shape (4,)
        The background probabilities of A, C, G, T used.
    log_prior : float
        The Dirichlet term :meth:`MotifModel.log_prior` at the fitted matrix (0
        with ``pseudocount=0``).
    """

    params: MotifParams
    sites: tuple[Site, ...]
    loglik: float
    loglik_background: float
    fit: Any = field(repr=False)
    candidates: tuple = field(repr=False, default=())
    posterior: np.ndarray | None = field(repr=False, default=None)
    background: np.ndarray | None = field(repr=False, default=None)
    log_prior: float = field(repr=False, default=0.0)

    @property
    def ppm(self) -> np.ndarray:
        return self.params.ppm

    @property
    def consensus(self) -> str:
        return consensus(self.params.ppm)

    @property
    def information(self) -> np.ndarray:
        """Information content per column (bits), shape (W,)."""
        return information_content(self.params.ppm)

    @property
    def llr(self) -> float:
        """Log-likelihood ratio against the background-only model (natural log, plain)."""
        return self.loglik - self.loglik_background

    @property
    def objective(self) -> float:
        """The penalised log-likelihood ``loglik + log_prior`` that soft EM climbs."""
        return self.loglik + self.log_prior

    def __repr__(self) -> str:
        return (
            f"MotifResult(consensus={self.consensus!r}, sites={len(self.sites)}, "
            f"llr={self.llr:.2f}, gamma={self.params.gamma:.3f})"
        )


def sites_of(model: MotifModel, data: MotifData, posterior: np.ndarray, threshold: float = 0.5) -> tuple[Site, ...]:
    """Sites read off a posterior (see :class:`MotifResult` for which are reported).

    ``posterior`` is ``model``'s E-step posterior for ``data``, shape ``(n, S, J)``;
    ``threshold`` lies in [0, 1].
    """
    if not isinstance(model, MotifModel):
        raise TypeError(f"model must be a MotifModel; got {describe(model)}")
    data = model.prepare(_check_data(data))
    q = _check_posterior(posterior, data, model.n_strands)
    threshold = check_real(threshold, "threshold", minimum=0.0, maximum=1.0)
    n, S, J = q.shape
    W = data.width
    if model.model == "tcm":
        ii, ss, jj = np.nonzero(q > threshold)
    else:
        flat = q.reshape(n, -1)
        present = flat.sum(axis=1)
        if np.any(present > 1 + 1e-6):
            i = int(np.flatnonzero(present > 1 + 1e-6)[0])
            raise ValueError(f"posterior of sequence {i} sums to {float(present[i]):.6g}; with {model.model.upper()} it is at most 1")
        k = np.argmax(flat, axis=1)
        keep = np.ones(n, bool) if model.model == "oops" else present > threshold
        ii = np.flatnonzero(keep)
        ss, jj = np.unravel_index(k[ii], (S, J))
    out = []
    for i, s, j in zip(ii.tolist(), ss.tolist(), jj.tolist()):
        seq = data.sequences[i][j : j + W]
        text = seq if s == 0 else reverse_complement(seq)
        out.append(Site(int(data.index[i]), data.names[i], j, "+-"[s], float(q[i, s, j]), text.upper()))
    return tuple(out)


# --------------------------------------------------------------------------- search
@dataclass(frozen=True)
class _Settings:
    """The checked settings of one :func:`find_motifs` call."""

    mode: str
    n_candidates: int
    short_iter: int
    tol: float
    max_iter: int
    threshold: float
    shifts: int


def _check_settings(width, mode, n_candidates, short_iter, tol, max_iter, threshold, shifts) -> _Settings:
    shifts = check_int(shifts, "shifts", minimum=0)
    if shifts >= width:
        raise ValueError(f"shifts must be an integer >= 0 and <= {width - 1} (width - 1); got {shifts}")
    return _Settings(
        mode=check_choice(mode, "mode", MODES),
        n_candidates=check_int(n_candidates, "n_candidates", minimum=1),
        short_iter=check_int(short_iter, "short_iter", minimum=1),
        tol=check_real(tol, "tol", minimum=0.0),
        max_iter=check_int(max_iter, "max_iter", minimum=0),
        threshold=check_real(threshold, "threshold", minimum=0.0, maximum=1.0),
        shifts=shifts,
    )


def find_motifs(
    sequences: Any,
    width: int,
    *,
    model: str = "zoops",
    revcomp: bool = False,
    n_motifs: int = 1,
    background: Sequence[float] | None = None,
    pseudocount: float = 1.0,
    mask_lowercase: bool = False,
    mode: str = "soft",
    n_candidates: int = 30,
    short_iter: int = 3,
    tol: float = 1e-8,
    max_iter: int = 500,
    threshold: float = 0.5,
    shifts: int = 2,
    seed: Any = 0,
) -> list[MotifResult]:
    """Find ``n_motifs`` motifs one after another, MEME-style.

    For each motif: ``n_candidates`` distinct W-mers of the input are turned into
    starting matrices (:func:`kmer_params`), each is improved by ``short_iter`` EM
    iterations, and the best is run to convergence. Before the next motif is sought
    the sites of the last one are erased: :func:`erase` down-weights them (OOPS,
    ZOOPS); with TCM the letters of windows whose posterior exceeds 1/2 are masked.
    Nothing is erased after the last motif.

    Starts (and the shifted matrices tried after convergence) are ranked by the
    objective EM climbs, ``EMResult.objective``: the log-likelihood plus the
    Dirichlet term :meth:`MotifModel.log_prior` (in hard mode the classification
    log-likelihood plus that term). Ranking by the same quantity the runs
    maximise keeps the choice consistent with EM itself and with ``fit_em``'s
    choice among restarts; the reported :attr:`MotifResult.loglik` is the plain
    log-likelihood.

    Parameters
    ----------
    sequences : list of str, SeqRecords, mapping name -> sequence, Path, or MotifData
    width : int
        Motif width ``W`` >= 2.
    model, revcomp, background, pseudocount, mask_lowercase
        See :class:`MotifModel`.
    n_motifs : int
        Number of motifs to find (>= 1).
    mode : {"soft", "hard"}
        Soft EM, or hard EM (the single most likely site per sequence).
    n_candidates, short_iter : int
        The starting-point heuristic: how many W-mers to try (>= 1), how many EM
        iterations each gets before they are compared (>= 1).
    tol, max_iter : float, int
        Convergence settings of the final run (see :func:`emcore.fit_em`).
    threshold : float
        Posterior above which a site is reported, in [0, 1].
    shifts : int
        After convergence, the matrix shifted by up to ``shifts`` columns either way
        (new columns: the background) is also run to convergence, and the best kept:
        EM alone cannot escape a motif caught a letter or two off. ``0 <= shifts < W``.
    seed : None, int, numpy SeedSequence or numpy Generator
        Seeds the choice of candidate W-mers.

    Returns
    -------
    list of MotifResult
        One per motif found. With TCM, when the sites of the motifs found so far
        cover every window, the search stops early with a :class:`MotifWarning` and
        the list holds the motifs found so far.

    Raises
    ------
    TypeError, ValueError
        For a bad argument, named as passed (checked before any search runs).
    """
    n_motifs = check_int(n_motifs, "n_motifs", minimum=1)
    em_model = MotifModel(
        width, model, revcomp=revcomp, background=background, pseudocount=pseudocount,
        mask_lowercase=mask_lowercase,
    )
    settings = _check_settings(em_model.width, mode, n_candidates, short_iter, tol, max_iter, threshold, shifts)
    seed = check_seed(seed)
    data = em_model.prepare(sequences)
    rng = np.random.default_rng(seed)  # a Generator is used as it is
    results: list[MotifResult] = []
    for k in range(n_motifs):
        if k:  # erase between motifs, never after the last
            data = _erase_found(em_model, data, results[-1].posterior)
            if data is None:
                warnings.warn(
                    f"stopped after {k} of {n_motifs} motifs: the sites found so far cover every window "
                    f"of {em_model.width} letters, so none is left to search (TCM masks the sites it finds)",
                    MotifWarning,
                    stacklevel=2,
                )
                break
        results.append(_search(em_model, data, rng, settings))
    return results


def _erase_found(model: MotifModel, data: MotifData, posterior: np.ndarray) -> MotifData | None:
    """The data for the next motif (None: TCM masked every window)."""
    if model.model == "tcm":
        return _mask_sites(data, posterior)
    return erase(data, posterior)


def candidate_kmers(data: MotifData, rng: np.random.Generator, k: int) -> list[str]:
    """Up to ``k`` distinct W-mers drawn at random from the allowed windows of ``data``.

    These are MEME-style starting points: a site of the motif is a W-mer of the data.
    """
    data, rng = _check_data(data), _check_rng(rng)
    k = check_int(k, "k", minimum=1)
    ii, jj = _random_windows(data, rng, 4 * k)
    seen, out = set(), []
    for i, j in zip(ii.tolist(), jj.tolist()):
        kmer = _window_string(data, i, j)
        if kmer not in seen:
            seen.add(kmer)
            out.append(kmer)
        if len(out) == k:
            break
    return out


def _search(model: MotifModel, data: MotifData, rng: np.random.Generator, opts: _Settings) -> MotifResult:
    gamma0 = model._default_gamma(data)
    kmers = candidate_kmers(data, rng, opts.n_candidates)
    scored = []  # ranked by EMResult.objective = loglik + log_prior, the quantity EM climbs
    for kmer in kmers:
        run = fit_em(model, data, init=kmer_params(kmer, gamma=gamma0), mode=opts.mode, max_iter=opts.short_iter,
                     tol=opts.tol)
        scored.append((kmer, run.objective, run.params))
    best = max(range(len(scored)), key=lambda t: scored[t][1])
    fit = fit_em(model, data, init=scored[best][2], mode=opts.mode, tol=opts.tol, max_iter=opts.max_iter)
    # EM cannot slide a matrix along the sequence: a start that caught the motif
    # one letter off converges to the shifted motif. Try the shifted matrices too.
    for shift in range(-opts.shifts, opts.shifts + 1):
        if shift == 0:
            continue
        trial = fit_em(model, data, init=_shifted(fit.params, shift, model.background(data)), mode=opts.mode,
                       tol=opts.tol, max_iter=opts.max_iter)
        if trial.objective > fit.objective + 1e-9 * abs(fit.objective):
            fit = trial
    posterior, loglik = model.e_step(data, fit.params)
    return MotifResult(
        params=fit.params,
        sites=sites_of(model, data, posterior, opts.threshold),
        loglik=loglik,
        loglik_background=model.background_loglik(data),
        fit=fit,
        candidates=tuple((k, float(o)) for k, o, _ in scored),
        posterior=posterior,
        background=model.background(data),
        log_prior=model.log_prior(data, fit.params),
    )


def _shifted(params: MotifParams, shift: int, background: np.ndarray) -> MotifParams:
    """The matrix moved ``shift`` columns to the left (negative: right), padded with the background."""
    W = params.width
    ppm = np.tile(background, (W, 1))
    if shift > 0:
        ppm[: W - shift] = params.ppm[shift:]
    else:
        ppm[-shift:] = params.ppm[: W + shift]
    return MotifParams(ppm=ppm, gamma=params.gamma)


def _mask_sites(data: MotifData, posterior: np.ndarray) -> MotifData | None:
    """TCM erasing: letters covered by a site with probability > 1/2 become masked.

    Letters masked already (N, IUPAC codes, lower case with ``mask_lowercase``) stay
    masked: they are written as N. Sequences left without an allowed window are
    dropped (``index`` still points into the user's input); None when no sequence
    has one.
    """
    q = _check_posterior(posterior, data).sum(axis=1)
    n, L = data.codes.shape
    W = data.width
    padded = np.zeros((n, L + W))
    padded[:, W : W + q.shape[1]] = q
    covered = _window_sums(padded, W)[:, 1 : L + 1]
    seqs = []
    for i, s in enumerate(data.sequences):  # rebuilding strings: once per motif, not per iteration
        hit = (covered[i, : len(s)] > 0.5) | (data.codes[i, : len(s)] == MASKED)
        seqs.append("".join("N" if h else c for c, h in zip(s, hit)))
    masked, _ = _keep_windows(list(data.names), seqs, W, False, data.index)
    return masked


# --------------------------------------------------------------------------- output
def _check_results(results: Any) -> list[MotifResult]:
    if isinstance(results, MotifResult):
        return [results]
    if isinstance(results, (str, bytes, Mapping)) or not hasattr(results, "__iter__"):
        raise TypeError(f"results must be a MotifResult or a list of them (from find_motifs); got {describe(results)}")
    results = list(results)
    for i, res in enumerate(results):
        if not isinstance(res, MotifResult):
            raise TypeError(f"results[{i}] must be a MotifResult (from find_motifs); got {describe(res)}")
    if not results:
        raise ValueError("results is empty: no motifs to write")
    return results


def to_meme(results: Sequence[MotifResult], background: Any = None, revcomp: bool = True) -> str:
    """The motifs in MEME's minimal motif format (readable by FIMO, Tomtom, ...).

    ``results`` is a MotifResult or a non-empty list of them; ``background`` (4
    probabilities of A, C, G, T) defaults to the first result's.
    """
    results = _check_results(results)
    revcomp = check_flag(revcomp, "revcomp")
    if background is None and results[0].background is None:
        raise ValueError("results[0] carries no background: pass background=[pA, pC, pG, pT]")
    b = _check_background(results[0].background if background is None else background)
    lines = [
        "MEME version 4",
        "",
        "ALPHABET= ACGT",
        "",
        f"strands: {'+ -' if revcomp else '+'}",
        "",
        "Background letter frequencies",
        " ".join(f"{a} {p:.3f}" for a, p in zip(ALPHABET, b)),
        "",
    ]
    for k, res in enumerate(results, start=1):
        W = res.params.width
        lines += [
            f"MOTIF MOTIF{k} {res.consensus}",
            f"letter-probability matrix: alength= 4 w= {W} nsites= {max(len(res.sites), 1)} E= 0",
        ]
        lines += ["  " + "  ".join(f"{p:.6f}" for p in row) for row in res.params.ppm]
        lines.append("")
    return "\n".join(lines)


def ppm_similarity(a: Any, b: Any, min_overlap: int = 5) -> tuple[float, int, str]:
    """Best column-wise similarity of two matrices over offsets and strands.

    ``a`` and ``b`` are (W, 4) arrays (columns A, C, G, T) of probabilities or
    counts (the correlation does not depend on the scale of a row); at least
    ``min_overlap`` columns must align, so ``1 <= min_overlap <= min(W_a, W_b)``.
    Returns the mean Pearson correlation of the aligned columns (``1`` is perfect),
    the offset of ``b`` relative to ``a`` and the strand of ``b`` (``"-"``: its
    reverse complement aligns better).
    """
    a = _as_matrix(a, "a")
    b = _as_matrix(b, "b")
    min_overlap = check_int(min_overlap, "min_overlap", minimum=1)
    narrow = min(a.shape[0], b.shape[0])
    if min_overlap > narrow:
        raise ValueError(
            f"min_overlap must be at most the width of the narrower matrix ({narrow}); got {min_overlap}"
        )
    best = (-np.inf, 0, "+")
    for strand, mat in (("+", b), ("-", _revcomp_matrix(b))):
        for off in range(-(mat.shape[0] - min_overlap), a.shape[0] - min_overlap + 1):
            lo, hi = max(0, off), min(a.shape[0], off + mat.shape[0])
            if hi - lo < min_overlap:
                continue
            x = a[lo:hi] - a[lo:hi].mean(axis=1, keepdims=True)
            y = mat[lo - off : hi - off] - mat[lo - off : hi - off].mean(axis=1, keepdims=True)
            den = np.sqrt((x**2).sum(axis=1) * (y**2).sum(axis=1))
            r = np.where(den > 0, (x * y).sum(axis=1) / np.where(den > 0, den, 1), 0.0)
            score = float(r.mean())
            if score > best[0] + 1e-12:
                best = (score, off, strand)
    return best


# --------------------------------------------------------------------------- data sets
def crp_sites() -> list[str]:
    """The 358 aligned E. coli CRP binding sites (26 bp) that ship with logomaker."""
    from ._optional import require

    logomaker = require("logomaker", "motif", "loading the CRP binding sites (crp_sites)")

    with logomaker.open_example_datafile("crp_sites.fa", print_description=False) as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    return [line.upper() for line in lines if not line.startswith(">")]


def chipseq_peaks(factor: str) -> tuple[list[str], list[str]]:
    """ChIP-seq peak sequences (200 bp) shipped in the janggu wheel: ``"mafk"`` or ``"oct4"``.

    Returns names and sequences. janggu is never imported; only its data file is read.
    """
    import importlib.metadata

    files = {"mafk": "sample2.fa", "oct4": "sample.fa"}
    if not isinstance(factor, str):
        raise TypeError(f"factor must be 'mafk' or 'oct4'; got {describe(factor)}")
    if factor.lower() not in files:
        raise ValueError(f"factor must be 'mafk' or 'oct4'; got {factor!r}")
    try:
        dist = importlib.metadata.distribution("janggu")
    except importlib.metadata.PackageNotFoundError:
        raise ValueError("the ChIP-seq examples need the janggu wheel: pip install --no-deps janggu==0.10.2") from None
    return read_fasta(dist.locate_file(f"janggu/resources/{files[factor.lower()]}"))


def _check_site(site: Any, name: str) -> str:
    if not isinstance(site, str):
        raise TypeError(f"{name} must be a non-empty string of A, C, G, T; got {describe(site)}")
    if not site or set(site) - set(ALPHABET):
        raise ValueError(f"{name} must be a non-empty string of A, C, G, T; got {site!r}")
    return site


def mutate_sites(site: str, n: int, rate: float, rng: np.random.Generator) -> list[str]:
    """``n`` noisy copies of ``site``, for :func:`plant_sites`.

    Each letter of each copy is, with probability ``rate``, replaced by a letter
    drawn uniformly from A, C, G, T (which may be the same letter).
    """
    site = _check_site(site, "site")
    n = check_int(n, "n", minimum=0)
    rate = check_real(rate, "rate", minimum=0.0, maximum=1.0)
    rng = _check_rng(rng)
    letters = list(ALPHABET)
    return ["".join(rng.choice(letters) if rng.random() < rate else c for c in site) for _ in range(n)]


def plant_sites(
    sites: Sequence[str],
    length: int,
    rng: np.random.Generator,
    *,
    background: Sequence[float] = (0.25, 0.25, 0.25, 0.25),
    n_empty: int = 0,
    flip: bool = False,
) -> tuple[list[str], list[int], list[str]]:
    """Plant each site at a random position of its own random background sequence.

    ``sites`` is a list of strings of A, C, G, T, each at most ``length`` letters.
    Returns the sequences, the 0-based start of each planted site (-1 for the
    ``n_empty`` sequences without a site, which come last) and the strand
    (``"+"``; ``"-"`` for a site planted as its reverse complement when ``flip``
    is True, each with probability 1/2).
    """
    if isinstance(sites, (str, bytes)) or not hasattr(sites, "__iter__"):
        raise TypeError(f"sites must be a list of strings of A, C, G, T; got {describe(sites)}")
    sites = [_check_site(site, f"sites[{i}]") for i, site in enumerate(sites)]
    length = check_int(length, "length", minimum=1)
    for i, site in enumerate(sites):
        if len(site) > length:
            raise ValueError(f"sites[{i}] has {len(site)} letters and does not fit in length {length}")
    rng = _check_rng(rng)
    b = _check_background(background)
    n_empty = check_int(n_empty, "n_empty", minimum=0)
    flip = check_flag(flip, "flip")
    seqs, starts, strands = [], [], []
    letters = np.array(list(ALPHABET))
    for site in sites + [None] * n_empty:
        seq = "".join(letters[rng.choice(4, size=length, p=b)])
        if site is None:
            seqs.append(seq)
            starts.append(-1)
            strands.append("")
            continue
        strand = "-" if flip and rng.random() < 0.5 else "+"
        text = reverse_complement(site) if strand == "-" else site
        j = int(rng.integers(0, length - len(site) + 1))
        seqs.append(seq[:j] + text + seq[j + len(site) :])
        starts.append(j)
        strands.append(strand)
    return seqs, starts, strands
