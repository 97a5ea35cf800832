"""DNA sequences for :mod:`emcore.motif`: FASTA reading, letter checks, encoding.

Letters are coded A=0, C=1, G=2, T=3; every position that cannot be part of a site
(N and the other IUPAC ambiguity codes, gaps, optionally lower case, and the padding
after a short sequence) is coded 4 and called *masked*.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ALPHABET = "ACGT"
MASKED = 4
#: IUPAC ambiguity codes and gap symbols: legal in DNA, masked for motif search.
AMBIGUOUS = "NRYSWKMBDHV-."
_DNA = set(ALPHABET + AMBIGUOUS + ALPHABET.lower() + AMBIGUOUS.lower())


def _lookup(mask_lowercase: bool) -> np.ndarray:
    table = np.full(256, -1, dtype=np.int8)
    for code, letter in enumerate(ALPHABET):
        table[ord(letter)] = code
        table[ord(letter.lower())] = MASKED if mask_lowercase else code
    for letter in AMBIGUOUS:
        table[ord(letter)] = MASKED
        table[ord(letter.lower())] = MASKED
    return table


def check_dna(sequences: Sequence[str], names: Sequence[str]) -> None:
    """Raise a ValueError naming the first sequence that holds non-DNA characters."""
    for name, seq in zip(names, sequences):
        bad = set(seq) - _DNA
        if bad:
            shown = "".join(sorted(bad))[:12]
            raise ValueError(
                f"sequence {name!r} is not DNA: it holds the characters {shown!r} "
                "(expected A, C, G, T, N or another IUPAC code)"
            )


def read_fasta(path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """Names and sequences of a FASTA file, read with Biopython's ``SeqIO``.

    Lines starting with ``#`` before the first record are skipped (comments, as in
    logomaker's example files). Raises a ValueError for a missing, unreadable or
    empty file, or one that is not FASTA.
    """
    from ._optional import require

    SeqIO = require("Bio.SeqIO", "motif", "reading FASTA files")

    path = Path(path)
    try:
        with path.open() as handle:
            records = list(SeqIO.parse(_skip_comments(handle), "fasta"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a text FASTA file (it could not be decoded as text)") from None
    if not records:
        raise ValueError(f"{path} holds no FASTA records (expected lines '>name' followed by sequence lines)")
    names = [r.id or f"seq{i + 1}" for i, r in enumerate(records)]
    seqs = [str(r.seq) for r in records]
    return names, seqs


def _skip_comments(handle):
    import io

    lines = [line for line in handle if not line.startswith("#")]
    while lines and not lines[0].strip():  # blank lines before the first header
        lines.pop(0)
    if lines and not lines[0].startswith(">"):
        name = getattr(handle, "name", "the file")
        first = lines[0].strip()
        raise ValueError(f"{name} is not a FASTA file: its first line {first[:30]!r} is not a '>' header")
    return io.StringIO("".join(lines))


def encode(sequences: Sequence[str], mask_lowercase: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Padded letter codes.

    Returns
    -------
    codes : ndarray of int8, shape (n_sequences, max_length)
        0-3 for A, C, G, T; 4 for masked letters and padding.
    lengths : ndarray of int, shape (n_sequences,)
    """
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    n, width = len(sequences), int(lengths.max(initial=0))
    flat = np.frombuffer("".join(sequences).encode("ascii", "replace"), dtype=np.uint8)
    letters = _lookup(mask_lowercase)[flat]
    codes = np.full((n, width), MASKED, dtype=np.int8)
    rows = np.repeat(np.arange(n), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    cols = np.arange(flat.size) - np.repeat(starts, lengths)
    codes[rows, cols] = letters
    return codes, lengths


def reverse_complement(seq: str) -> str:
    """Reverse complement of a DNA string (IUPAC codes other than ACGT become N)."""
    table = str.maketrans("ACGTacgt", "TGCAtgca")
    out = seq.translate(table)[::-1]
    return "".join(c if c in "ACGTacgt" else "N" for c in out)
