"""Unphased genotypes: GenotypeData (two allele codes per individual and locus, -1 missing),
built from arrays, tables or data frames with their allele labels and missing codes."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import describe, readonly

#: Cells that :func:`read_genotypes` (and ``python -m emcore haplo``) always read as a
#: missing allele. ``0`` is read as missing too unless ``zero_missing=False``.
ALWAYS_MISSING = ("", "NA", "na", "N/A", "NaN", "nan", ".", "?")


# -- genotypes ----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GenotypeData:
    """Validated, coded genotypes.

    Attributes
    ----------
    codes : ndarray of int, shape (n_individuals, n_loci, 2)
        Allele codes (indices into ``alleles[locus]``); ``-1`` marks a missing allele.
    alleles : tuple of tuple
        The allele labels of each locus, sorted (numbers numerically, strings
        alphabetically).
    loci : tuple of str
        Locus names.
    ids : tuple of str, optional
        Individual identifiers, where the source had them (:func:`read_genotypes`
        with ``ids=True``).
    """

    codes: np.ndarray
    alleles: tuple[tuple[Any, ...], ...]
    loci: tuple[str, ...]
    ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        codes = self.codes
        if not isinstance(codes, np.ndarray) or codes.ndim != 3 or codes.shape[2] != 2 or codes.dtype.kind not in "iu":
            raise TypeError(
                "GenotypeData.codes must be an integer array of shape (n_individuals, n_loci, 2); "
                f"got {describe(codes)}; build genotypes with as_genotypes"
            )
        n, n_loci, _ = codes.shape
        if n == 0 or n_loci == 0:
            raise ValueError(
                f"GenotypeData needs at least one individual and one locus; got codes of shape {codes.shape}"
            )
        if len(self.alleles) != n_loci or len(self.loci) != n_loci:
            raise ValueError(
                f"GenotypeData: codes have {n_loci} loci but alleles has {len(self.alleles)} and "
                f"loci {len(self.loci)} entries"
            )
        for l, labels in enumerate(self.alleles):
            block = codes[:, l, :]
            if len(labels) == 0 or block.min() < -1 or block.max() >= len(labels):
                raise ValueError(
                    f"GenotypeData: allele codes of locus {self.loci[l]} must lie in -1..{len(labels) - 1} "
                    f"(-1 = missing); got {int(block.min())}..{int(block.max())}"
                )
        if self.ids is not None and len(self.ids) != n:
            raise ValueError(f"GenotypeData: {len(self.ids)} ids for {n} individuals")
        if codes.flags.writeable:
            object.__setattr__(self, "codes", readonly(codes))

    @property
    def n_individuals(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_loci(self) -> int:
        return int(self.codes.shape[1])

    @property
    def n_alleles(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.alleles)

    def labels(self, haplotype: Sequence[int]) -> tuple[Any, ...]:
        """The allele labels of a haplotype given as allele codes, one per locus."""
        return tuple(self.alleles[l][int(k)] for l, k in enumerate(haplotype))


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


_CODES_TEXT = "a missing-allele code (an integer or a string) or a collection of such codes"


def _missing_codes(missing: Any, name: str = "missing") -> tuple[frozenset[int], frozenset[str]]:
    """The codes of ``missing`` as (integers, strings): ``0`` and ``"0"`` match both ways."""
    if missing is None:
        return frozenset(), frozenset()
    if isinstance(missing, (str, bytes, numbers.Number, np.generic)):
        items = [missing]
    elif isinstance(missing, Mapping):
        raise TypeError(f"{name} must be {_CODES_TEXT}; got {describe(missing)}")
    else:
        try:
            items = list(missing)
        except TypeError:
            raise TypeError(f"{name} must be {_CODES_TEXT}; got {describe(missing)}") from None
    nums, strs = set(), set()
    for code in items:
        if isinstance(code, np.generic):
            code = code.item()
        if isinstance(code, bytes):
            code = code.decode(errors="replace")
        if code is None or (isinstance(code, float) and math.isnan(code)):
            continue  # always missing anyway
        if isinstance(code, bool):
            raise TypeError(f"{name} must be {_CODES_TEXT}; got the boolean {code!r}")
        if isinstance(code, numbers.Integral) or (
            isinstance(code, numbers.Real) and math.isfinite(code) and code == round(code)
        ):
            nums.add(int(float(code)))
            strs.add(str(int(float(code))))
        elif isinstance(code, str):
            text = code.strip()
            strs.add(text)
            if _INTEGER.fullmatch(text):
                nums.add(int(text))
        else:
            raise TypeError(f"{name} must be {_CODES_TEXT}; got {describe(code)}")
    return frozenset(nums), frozenset(strs)


def _clean_label(value: Any, where: str) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: allele labels must be integers or strings; got the boolean {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not math.isfinite(value) or value != round(value):
            raise ValueError(f"{where}: allele labels must be integers or strings; got {value!r}")
        return int(float(value))
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError(f"{where}: an empty allele label; use None or NaN for a missing allele")
        return text
    if isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{where}: a cell holds a sequence ({describe(value)}); put one allele in each cell, two columns per locus"
        )
    raise TypeError(f"{where}: allele labels must be integers or strings; got {type(value).__name__}")


def _who(i: int) -> str:
    return f"individual {i} (data row {i + 1})"


def _split_cell(value: str) -> list[str]:
    for sep in ("/", "|"):
        if sep in value:
            return [v.strip() for v in value.split(sep) if v.strip()]
    return [value]


def _locus_name(a: str, b: str) -> str:
    if a == b:
        return a
    prefix = ""
    for x, y in zip(a, b):
        if x != y:
            break
        prefix += x
    rest_a, rest_b = a[len(prefix) :], b[len(prefix) :]
    if prefix[-1:] in ("a", "A") and rest_a.isdigit() and rest_b.isdigit():
        # haplo.stats style "DRB.a1", "DRB.a2" -> "DRB"; a bare "a1", "a2" stays "a"
        prefix = prefix[:-1] if prefix[:-1].rstrip("._-: ") else prefix
    name = prefix.rstrip("._-: ")
    return name if name else f"{a}/{b}"


def _check_loci(loci: Any, n_loci: int) -> tuple[str, ...]:
    if isinstance(loci, (str, bytes)) or isinstance(loci, Mapping):
        raise TypeError(f"loci must be a sequence of {n_loci} locus names; got {describe(loci)}")
    try:
        names = list(loci)
    except TypeError:
        raise TypeError(f"loci must be a sequence of {n_loci} locus names; got {describe(loci)}") from None
    for name in names:
        if name is None or isinstance(name, (bool, np.bool_)) or not isinstance(name, (str, numbers.Integral)):
            raise TypeError(f"loci must hold locus names (strings); got {describe(name)}")
    names = [str(x).strip() for x in names]
    if len(names) != n_loci:
        raise ValueError(f"loci must name the {n_loci} loci; got {len(names)} names")
    if any(not x for x in names):
        raise ValueError(f"loci: locus {names.index('') + 1} has an empty name")
    return _unique_loci(names, "loci")


def _unique_loci(names: Sequence[str], what: str) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    for l, name in enumerate(names):
        if name in seen:
            raise ValueError(
                f"{what}: loci {seen[name] + 1} and {l + 1} are both named {name!r}; give each locus its own name"
            )
        seen[name] = l
    return tuple(names)


def _numeric_genotypes(array: np.ndarray, loci: tuple[str, ...] | None, nums: frozenset[int]) -> GenotypeData | None:
    """Vectorised path for a numeric array; None sends the caller to the general path
    (which produces the error message) when something is wrong."""
    a = np.asarray(array, dtype=float)
    missing = np.isnan(a)
    if nums:
        missing |= np.isin(a, np.array(sorted(nums), dtype=float))
    values = np.where(missing, 0.0, a)
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)) or np.any(np.abs(values) > 2.0**53):
        return None
    n, m = a.shape
    n_loci = m // 2
    if loci is None:
        loci = tuple(f"L{l + 1}" for l in range(n_loci))
    if np.any(missing.all(axis=1)):
        return None
    codes = np.full((n, n_loci, 2), -1, dtype=np.int64)
    alleles = []
    for l in range(n_loci):
        block = values[:, 2 * l : 2 * l + 2]
        seen = ~missing[:, 2 * l : 2 * l + 2]
        if not seen.any():
            return None
        labels, inverse = np.unique(block[seen], return_inverse=True)
        codes[:, l, :][seen] = inverse
        alleles.append(tuple(int(x) for x in labels))
    codes.setflags(write=False)
    return GenotypeData(codes=codes, alleles=tuple(alleles), loci=loci)


def as_genotypes(genotypes: Any, loci: Sequence[str] | None = None, *, missing: Any = None) -> GenotypeData:
    """Validate genotypes given with two allele columns per locus.

    Parameters
    ----------
    genotypes : array-like of shape (n_individuals, 2 * n_loci), pandas DataFrame or GenotypeData
        Columns ``2l`` and ``2l + 1`` hold the two alleles of locus ``l`` (their
        order carries no information). Alleles are integers or strings; ``None``,
        ``NaN``, pandas' ``NA`` and the strings ``"NA"``/``"NaN"`` are a missing allele.
    loci : sequence of str, optional
        Locus names (default: from the DataFrame's column names, else ``L1``, ``L2``, ...).
    missing : int, str or collection of them, optional
        More codes to read as a missing allele. R's ``haplo.em`` (``miss.val = c(0,
        NA)``) and PLINK code a missing allele as ``0``: pass ``missing=0`` for a table
        coded that way (``0`` then also matches the string ``"0"``). By default ``0``
        is an allele here, since arrays made in Python (msprime, scikit-allel) number
        alleles from 0; :func:`read_genotypes`, which reads files in the haplo.stats and
        PLINK layout, and ``python -m emcore haplo`` read ``0`` as missing by default.

    Returns
    -------
    GenotypeData

    Raises
    ------
    ValueError, TypeError
        An odd number of allele columns, ragged rows, a cell holding more than one
        allele (three alleles at a locus), an individual with every allele missing,
        a locus with no observed allele, two loci with the same name, or labels that
        are neither integers nor strings.

    Notes
    -----
    A locus with one allele only is accepted: it carries no information about phase
    and adds nothing to the test of linkage equilibrium (see :class:`HaplotypeResult`).
    """
    if isinstance(genotypes, GenotypeData):
        if missing is not None:
            raise ValueError("missing applies to a table of alleles; genotypes is already a GenotypeData")
        return genotypes
    nums, strs = _missing_codes(missing)
    if isinstance(genotypes, np.ndarray) and genotypes.ndim != 2:
        raise ValueError(f"genotypes must be 2-D (individuals x allele columns); got shape {genotypes.shape}")
    if (
        isinstance(genotypes, np.ndarray)
        and genotypes.ndim == 2
        and genotypes.dtype.kind in "iuf"
        and genotypes.size
        and genotypes.shape[1] % 2 == 0
    ):
        names = None if loci is None else _check_loci(loci, genotypes.shape[1] // 2)
        fast = _numeric_genotypes(genotypes, names, nums)
        if fast is not None:
            return fast
    columns = None
    if hasattr(genotypes, "columns") and hasattr(genotypes, "to_numpy"):
        columns = [str(c) for c in genotypes.columns]
        rows = genotypes.to_numpy(dtype=object)
    else:
        if isinstance(genotypes, (str, bytes)) or isinstance(genotypes, Mapping) or genotypes is None:
            raise TypeError(
                "genotypes must be a table with two allele columns per locus (a 2-D array, "
                f"a list of rows or a pandas DataFrame); got {type(genotypes).__name__}"
            )
        try:
            rows = list(genotypes)
        except TypeError:
            raise TypeError(
                "genotypes must be a table with two allele columns per locus (a 2-D array, "
                f"a list of rows or a pandas DataFrame); got {type(genotypes).__name__}"
            ) from None
        if not rows:
            raise ValueError("genotypes is empty: at least one individual is needed")
        lengths = []
        for i, row in enumerate(rows):
            if isinstance(row, (str, bytes)) or isinstance(row, Mapping) or not hasattr(row, "__len__"):
                raise ValueError(
                    f"individual {i} is {describe(row)}; each individual must be a row of alleles, "
                    "two columns per locus"
                )
            lengths.append(len(row))
        if len(set(lengths)) > 1:
            i = next(j for j, m in enumerate(lengths) if m != lengths[0])
            raise ValueError(
                f"ragged rows: individual 0 has {lengths[0]} allele columns but {_who(i)} "
                f"has {lengths[i]}; every individual needs two columns per locus"
            )
        table = np.empty((len(rows), lengths[0]), dtype=object)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                table[i, j] = v
        rows = table
    rows = np.asarray(rows, dtype=object)
    if rows.ndim != 2:
        raise ValueError(f"genotypes must be 2-D (individuals x allele columns); got shape {rows.shape}")
    n, m = rows.shape
    if n == 0:
        raise ValueError("genotypes is empty: at least one individual is needed")
    if m == 0 or m % 2:
        raise ValueError(f"genotypes need two allele columns per locus, an even number; got {m} column(s)")
    n_loci = m // 2
    if loci is None:
        if columns is not None:
            loci = _unique_loci(
                [_locus_name(columns[2 * l], columns[2 * l + 1]) for l in range(n_loci)], "the DataFrame's columns"
            )
        else:
            loci = tuple(f"L{l + 1}" for l in range(n_loci))
    else:
        loci = _check_loci(loci, n_loci)
    return _code_rows(rows, loci, nums, strs, _who)


_INTEGER = re.compile(r"[+-]?\d+")


def _code_rows(
    rows: np.ndarray,
    loci: tuple[str, ...],
    nums: frozenset[int],
    strs: frozenset[str],
    who,
    ids: tuple[str, ...] | None = None,
) -> GenotypeData:
    """Allele labels (an object array, two columns per locus) to coded genotypes.

    ``who(i)`` names individual ``i`` in messages (a data row, or a line of a file).
    """
    n, m = rows.shape
    n_loci = m // 2
    codes = np.full((n, n_loci, 2), -1, dtype=np.int64)
    alleles = []
    for l in range(n_loci):
        block = rows[:, 2 * l : 2 * l + 2]
        labels = np.empty((n, 2), dtype=object)
        seen_num, seen_str = False, False
        for i in range(n):
            cells: list[Any] = []
            for j in range(2):
                v = block[i, j]
                if _is_missing(v):
                    cells.append(None)
                    continue
                if isinstance(v, bytes):
                    v = v.decode(errors="replace")
                if isinstance(v, str):
                    text = v.strip()
                    if text in strs or text.upper() in ("NA", "NAN"):
                        cells.append(None)
                        continue
                    parts = _split_cell(text)
                    if len(parts) > 1:
                        other = block[i, 1 - j]
                        total = len(parts) + (0 if _is_missing(other) else len(_split_cell(str(other))))
                        raise ValueError(
                            f"{who(i)} has {total} alleles at locus {loci[l]} "
                            f"({block[i, 0]!r}, {block[i, 1]!r}); a diploid genotype has two, "
                            "one in each allele column"
                        )
                elif nums and isinstance(v, (numbers.Real, np.generic)) and not isinstance(v, (bool, np.bool_)):
                    x = v.item() if isinstance(v, np.generic) else v
                    if isinstance(x, numbers.Real) and math.isfinite(x) and x == round(x) and int(float(x)) in nums:
                        cells.append(None)
                        continue
                lab = _clean_label(v, f"{who(i)}, locus {loci[l]}")
                if isinstance(lab, str):
                    seen_str = True
                else:
                    seen_num = True
                cells.append(lab)
            labels[i, 0], labels[i, 1] = cells
        if seen_num and seen_str:
            raise TypeError(f"locus {loci[l]} mixes numbers and strings as allele labels; use one kind per locus")
        observed = sorted({x for x in labels.ravel() if x is not None})
        if not observed:
            raise ValueError(f"locus {loci[l]} has no observed allele: every individual is missing it")
        index = {a: k for k, a in enumerate(observed)}
        for i in range(n):
            for j in range(2):
                if labels[i, j] is not None:
                    codes[i, l, j] = index[labels[i, j]]
        alleles.append(tuple(observed))
    empty = np.all(codes < 0, axis=(1, 2))
    if empty.any():
        bad = np.flatnonzero(empty)
        raise ValueError(
            f"{who(int(bad[0]))} has every allele missing ({bad.size} such individual(s)); "
            "remove them: they carry no information about haplotypes"
        )
    codes.setflags(write=False)
    return GenotypeData(codes=codes, alleles=tuple(alleles), loci=loci, ids=ids)
