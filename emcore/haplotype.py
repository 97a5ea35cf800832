"""Haplotype frequencies from unphased genotypes (Excoffier & Slatkin 1995).

A diploid individual carries two haplotypes, one from each parent; a genotyping assay
reports only the unordered pair of alleles at each locus. The missing data is the
*phase*: which pair of haplotypes ``{h1, h2}`` makes up the genotype. With haplotype
frequencies ``p`` and random mating (Hardy-Weinberg), the probability of an
individual's genotype ``G_i`` is

    P(G_i; p) = sum over pairs {h1, h2} consistent with G_i of  c * p[h1] * p[h2],

with ``c = 2`` if ``h1 != h2`` and ``c = 1`` otherwise. The E-step gives each
consistent pair its posterior share of the individual; the M-step counts haplotypes
(each pair contributes one copy of ``h1`` and one of ``h2``, weighted by its
posterior) and divides by ``2n``. This is *gene counting* (Ceppellini, Siniscalco &
Smith 1955), the first EM algorithm.

Genotypes come as a table with two allele columns per locus (the convention of R's
``haplo.stats``): an array of shape ``(n_individuals, 2 * n_loci)`` or a pandas
DataFrame (:func:`as_genotypes`), or a CSV file with a header row
(:func:`read_genotypes`). Alleles may be integers or strings, loci may have any number
of alleles, and a missing allele is summed over all of its completions. A missing
allele is ``None`` or ``NaN`` in a table; R's ``haplo.em`` (``miss.val = c(0, NA)``)
and PLINK code it ``0``, and so :func:`read_genotypes` and ``python -m emcore haplo``
read ``0`` as missing by default (``zero_missing=False``, ``--no-missing-zero`` turn
that off), while :func:`as_genotypes` reads ``0`` as missing only when told
(``missing=0``), since arrays made in Python number alleles from 0.

The test of linkage equilibrium (:class:`HaplotypeResult`) compares the maximised
log-likelihood with the one maximised under linkage equilibrium, for the same
individuals, on ``prod(K_l) - 1 - sum(K_l - 1)`` degrees of freedom; a p-value is
given only where the chi-square approximation holds.

Every log-likelihood is a natural log summed over individuals.

Scale
-----
``method="full"`` enumerates every consistent pair: ``2**(h - 1)`` for ``h``
heterozygous loci. ``method="ligation"`` is partition-ligation EM (Qin, Niu & Liu
2002): phase short blocks of loci, keep the haplotypes above a frequency threshold
(plus those of every individual's most likely pair), then join neighbouring blocks
and phase again, up a binary tree; the final join is the table that
:func:`emcore.fit_em` maximises. During EM, haplotypes whose frequency falls below
``prune`` (and keeps falling) are dropped when doing so does not lower the
log-likelihood, so the table shrinks as EM converges.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import xlogy
from scipy.stats import chi2

from . import _haplo_tables as T
from . import transforms as _tr
from ._validation import (
    as_count_array,
    as_float_array,
    as_float_vector,
    check_choice,
    check_flag,
    check_int,
    check_probability_vector,
    check_real,
    check_seed,
    describe,
    readonly,
)
from .em import EMResult, fit_em

__all__ = [
    "ABO_PHENOTYPES",
    "ALWAYS_MISSING",
    "AlleleParams",
    "GeneCounting",
    "GenotypeData",
    "HaplotypeData",
    "HaplotypeModel",
    "HaplotypeParams",
    "HaplotypePosterior",
    "HaplotypeResult",
    "PhenotypeCounts",
    "as_genotypes",
    "equilibrium_fit",
    "estimate_haplotypes",
    "format_haplotype",
    "phase_accuracy",
    "read_genotypes",
]

_METHODS = ("auto", "full", "ligation")

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
        if not isinstance(codes, np.ndarray) or codes.ndim != 3 or codes.shape[2] != 2 \
                or codes.dtype.kind not in "iu":
            raise TypeError(
                "GenotypeData.codes must be an integer array of shape (n_individuals, n_loci, 2); "
                f"got {describe(codes)}; build genotypes with as_genotypes"
            )
        n, n_loci, _ = codes.shape
        if n == 0 or n_loci == 0:
            raise ValueError(f"GenotypeData needs at least one individual and one locus; got codes of shape {codes.shape}")
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
        if isinstance(code, numbers.Integral) or (isinstance(code, numbers.Real) and math.isfinite(code)
                                                  and code == round(code)):
            nums.add(int(code))
            strs.add(str(int(code)))
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
        return int(value)
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError(f"{where}: an empty allele label; use None or NaN for a missing allele")
        return text
    if isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{where}: a cell holds a sequence ({describe(value)}); put one allele in each cell, "
            "two columns per locus"
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
    rest_a, rest_b = a[len(prefix):], b[len(prefix):]
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
                f"{what}: loci {seen[name] + 1} and {l + 1} are both named {name!r}; give each locus "
                "its own name"
            )
        seen[name] = l
    return tuple(names)


def _numeric_genotypes(array: np.ndarray, loci: tuple[str, ...] | None,
                       nums: frozenset[int]) -> GenotypeData | None:
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
        block = values[:, 2 * l:2 * l + 2]
        seen = ~missing[:, 2 * l:2 * l + 2]
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
    if isinstance(genotypes, np.ndarray) and genotypes.ndim == 2 and genotypes.dtype.kind in "iuf" \
            and genotypes.size and genotypes.shape[1] % 2 == 0:
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
        raise ValueError(
            f"genotypes need two allele columns per locus, an even number; got {m} column(s)"
        )
    n_loci = m // 2
    if loci is None:
        if columns is not None:
            loci = _unique_loci([_locus_name(columns[2 * l], columns[2 * l + 1]) for l in range(n_loci)],
                                "the DataFrame's columns")
        else:
            loci = tuple(f"L{l + 1}" for l in range(n_loci))
    else:
        loci = _check_loci(loci, n_loci)
    return _code_rows(rows, loci, nums, strs, _who)


_INTEGER = re.compile(r"[+-]?\d+")


def _code_rows(rows: np.ndarray, loci: tuple[str, ...], nums: frozenset[int], strs: frozenset[str],
               who, ids: tuple[str, ...] | None = None) -> GenotypeData:
    """Allele labels (an object array, two columns per locus) to coded genotypes.

    ``who(i)`` names individual ``i`` in messages (a data row, or a line of a file).
    """
    n, m = rows.shape
    n_loci = m // 2
    codes = np.full((n, n_loci, 2), -1, dtype=np.int64)
    alleles = []
    for l in range(n_loci):
        block = rows[:, 2 * l: 2 * l + 2]
        labels = np.empty((n, 2), dtype=object)
        seen_num, seen_str = False, False
        for i in range(n):
            cells = []
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
                    if isinstance(x, numbers.Real) and math.isfinite(x) and x == round(x) and int(x) in nums:
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
            raise TypeError(
                f"locus {loci[l]} mixes numbers and strings as allele labels; use one kind per locus"
            )
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


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_genotypes(source: Any, *, ids: bool = False, zero_missing: bool = True, missing: Any = None,
                   delimiter: str = ",") -> GenotypeData:
    """Read a CSV file of unphased genotypes in the layout of R's haplo.stats.

    The first row is a header naming the two allele columns of each locus
    (``DQB.a1,DQB.a2,DRB.a1,DRB.a2``: the locus name is the common prefix), then one
    row per individual with the two alleles of each locus, in either order. Alleles
    are numbers or strings (a locus whose alleles are all whole numbers gets numeric
    labels). Blank lines are skipped.

    Parameters
    ----------
    source : str, path or open text file
        The file (opened with ``newline=""`` when given open).
    ids : bool
        The first column holds individual identifiers (kept in ``GenotypeData.ids``).
    zero_missing : bool
        Read ``0`` as a missing allele (default True), as R's ``haplo.em``
        (``miss.val = c(0, NA)``) and PLINK do. False reads ``0`` as an allele.
        An empty cell, ``NA``, ``NaN``, ``N/A``, ``.`` and ``?`` are always missing
        (:data:`ALWAYS_MISSING`).
    missing : int, str or collection of them, optional
        More codes to read as missing (for example ``-9``).
    delimiter : str
        The field separator (default a comma; ``"\\t"`` for tab-separated files).

    Returns
    -------
    GenotypeData

    Raises
    ------
    ValueError
        An empty file, no header (a first row that looks like genotype data), an odd
        number of allele columns, ragged rows, an individual with every allele
        missing, and the errors of :func:`as_genotypes`; every message names the file
        and the line.
    """
    ids = check_flag(ids, "ids")
    zero_missing = check_flag(zero_missing, "zero_missing")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise TypeError(f"delimiter must be a single character; got {describe(delimiter)}")
    nums, strs = _missing_codes(missing)
    strs = set(strs) | set(ALWAYS_MISSING) | ({"0"} if zero_missing else set())
    nums = set(nums) | ({0} if zero_missing else set())
    if isinstance(source, (str, os.PathLike)):
        name = str(source)
        try:
            with open(source, newline="", encoding="utf-8-sig") as handle:
                records = _records(handle, delimiter)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ValueError(f"{name} is not a readable CSV file: {exc}") from None
    elif hasattr(source, "read"):
        name = str(getattr(source, "name", "the genotype file"))
        records = _records(source, delimiter)
    else:
        raise TypeError(f"source must be a file name, a path or an open text file; got {describe(source)}")
    return _parse_records(records, name, ids, frozenset(nums), frozenset(strs), zero_missing, delimiter)


def _records(handle: Any, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(handle, delimiter=delimiter)
    out = []
    for row in reader:
        if row and isinstance(row[0], str) and row[0].startswith("\ufeff"):
            row[0] = row[0][1:]
        if any(cell.strip() for cell in row):
            out.append((reader.line_num, row))
    return out


_LAYOUT = "a header row naming the two allele columns of each locus (e.g. L1.a1,L1.a2,L2.a1,L2.a2), " \
          "then one row per individual"


def _parse_records(records, name, ids, nums, strs, zero_missing, delimiter) -> GenotypeData:
    layout = ("an identifier column, then " if ids else "") + _LAYOUT
    if not records:
        raise ValueError(f"{name} is empty (expected {layout})")
    head_line, header = records[0]
    header = [c.strip() for c in header]
    other = {",": "comma", "\t": "tab", ";": "semicolon"}
    if len(header) == 1:
        for sep, word in other.items():
            if sep != delimiter and sep in header[0]:
                raise ValueError(
                    f"{name}, line {head_line}: one field only, but the line holds {word}s; the file "
                    f"must be separated by {other.get(delimiter, repr(delimiter))}s"
                )
    cells = header[1:] if ids else header
    body = records[1:]
    hint0 = ("; 0 is read as a missing allele (if 0 is an allele in this file, read it with "
             "zero_missing=False, on the command line --no-missing-zero)") if zero_missing else ""

    def is_missing(text: str) -> bool:
        return text in strs or text.upper() in ("NA", "NAN")

    first_is_data = any(_is_number_text(c) and not is_missing(c) for c in cells) and \
        all(_is_number_text(c) or is_missing(c) for c in cells)
    if not first_is_data and body and len(cells) % 2 == 0 and cells:
        # string alleles: every header cell is an allele seen at its locus below
        width = len(header)
        seen = [set() for _ in cells]
        for _, row in body:
            if len(row) == width:
                for j, c in enumerate(row[1:] if ids else row):
                    seen[j].add(c.strip())
        at_locus = [seen[j] | seen[j ^ 1] for j in range(len(cells))]
        named = [c for c in cells if not is_missing(c)]
        first_is_data = bool(named) and all(is_missing(c) or c in at_locus[j] for j, c in enumerate(cells))
    if first_is_data:
        shown = ",".join(header[:6]) + (",..." if len(header) > 6 else "")
        raise ValueError(
            f"{name}, line {head_line}: the first row ({shown}) looks like genotype data, not a header; "
            f"add a header row: the file needs {layout}"
        )
    if len(cells) == 0 or len(cells) % 2:
        raise ValueError(
            f"{name} has {len(cells)} allele column(s) in its header; expected two columns per locus "
            "(an even number)"
        )
    if not body:
        raise ValueError(f"{name} has no data rows (expected {layout})")
    width = len(header)
    table, lines, names = [], [], []
    for line, row in body:
        if len(row) != width:
            raise ValueError(f"{name}, line {line}: ragged row with {len(row)} fields; the header has {width}")
        values = [c.strip() for c in (row[1:] if ids else row)]
        for j, c in enumerate(values):
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in c):
                raise ValueError(
                    f"{name}, line {line}: column {j + 1 + ids} holds a control character ({c!r}); "
                    "the file must be a text CSV file"
                )
            if len(c.split()) > 1:
                raise ValueError(
                    f"{name}, line {line}: the cell {c!r} (column {j + 1 + ids}) holds more than one allele; "
                    "put one allele in each cell, two columns per locus"
                )
        alleles = [None if is_missing(c) else c for c in values]
        if all(a is None for a in alleles):
            zeros = zero_missing and any(c == "0" for c in values)
            raise ValueError(
                f"{name}, line {line}: this individual has every allele missing; remove the row: it "
                f"carries no information about haplotypes{hint0 if zeros else ''}"
            )
        table.append(alleles)
        lines.append(line)
        if ids:
            names.append(row[0].strip())
    array = np.array(table, dtype=object)
    for j in range(0, array.shape[1], 2):  # numeric labels when every allele at a locus is a whole number
        block = array[:, j:j + 2]
        observed = [c for c in block.ravel() if c is not None]
        # ... and no two labels name the same number ("01" and "1" stay two string labels)
        if observed and all(_INTEGER.fullmatch(c) for c in observed) \
                and len({int(c) for c in observed}) == len(set(observed)):
            array[:, j:j + 2] = [[None if c is None else int(c) for c in r] for r in block]
    loci = []
    for j in range(0, len(cells), 2):
        loci.append(_locus_name(cells[j], cells[j + 1]) if (cells[j] or cells[j + 1]) else f"L{j // 2 + 1}")
    seen_names: dict[str, int] = {}
    for l, locus in enumerate(loci):
        if locus in seen_names:
            a = seen_names[locus]
            raise ValueError(
                f"{name}, line {head_line}: columns {2 * l + 1}-{2 * l + 2} ({cells[2 * l]}, {cells[2 * l + 1]}) "
                f"name locus {locus!r} again (columns {2 * a + 1}-{2 * a + 2} already do); give each locus its "
                "own name"
            )
        seen_names[locus] = l
    for l, locus in enumerate(loci):
        if all(c is None for c in array[:, 2 * l:2 * l + 2].ravel()):
            raise ValueError(
                f"{name}: locus {locus} (columns {2 * l + 1}-{2 * l + 2}) has no observed allele: every "
                f"individual is missing it{hint0}"
            )
    try:
        return _code_rows(array, tuple(loci), frozenset(), frozenset(), lambda i: f"line {lines[i]}",
                          tuple(names) if ids else None)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{name}, {exc}") from None


# -- linkage equilibrium ------------------------------------------------------------------
def _locus_allele_frequencies(codes: np.ndarray, k: int, tol: float = 1e-13, max_iter: int = 10_000):
    """MLE of one locus's allele frequencies (gene counting when alleles are missing)."""
    x, y = codes[:, 0], codes[:, 1]
    full = (x >= 0) & (y >= 0)
    half = (x >= 0) ^ (y >= 0)
    known = np.where(x >= 0, x, y)[half]
    fixed = np.bincount(x[full], minlength=k) + np.bincount(y[full], minlength=k)
    n_alleles = 2.0 * (full.sum() + half.sum())
    p = (fixed + np.bincount(known, minlength=k) + 1e-3) / (fixed.sum() + known.size + 1e-3 * k)
    if known.size == 0:
        return fixed / fixed.sum()
    for _ in range(max_iter):
        pa = p[known]
        share = 1.0 / (2.0 - pa)  # P({a, x}) = 2 p_a p_x (x != a), p_a^2 (x == a)
        counts = fixed + np.bincount(known, weights=1.0 + pa * share, minlength=k)
        counts = counts + 2.0 * p * np.sum(share) - np.bincount(known, weights=2.0 * pa * share, minlength=k)
        new = counts / n_alleles
        if np.max(np.abs(new - p)) <= tol:
            p = new
            break
        p = new
    return p


def _locus_loglik(codes: np.ndarray, p: np.ndarray) -> float:
    x, y = codes[:, 0], codes[:, 1]
    full = (x >= 0) & (y >= 0)
    half = (x >= 0) ^ (y >= 0)
    px, py = p[x[full]], p[y[full]]
    c = np.where(x[full] == y[full], 1.0, 2.0)
    pa = p[np.where(x >= 0, x, y)[half]]
    with np.errstate(divide="ignore"):
        return float(np.sum(np.log(c * px * py)) + np.sum(np.log(pa * (2.0 - pa))))


def equilibrium_fit(genotypes: Any) -> tuple[tuple[np.ndarray, ...], float]:
    """Allele frequencies and log-likelihood under linkage equilibrium.

    Under linkage equilibrium a haplotype's frequency is the product of its allele
    frequencies, and the likelihood of a genotype factorises over loci, so the
    maximum-likelihood fit is one single-locus fit per locus (allele counting; gene
    counting by EM where alleles are missing).

    Returns
    -------
    frequencies : tuple of ndarray
        Allele frequencies of each locus, in the order of ``GenotypeData.alleles``.
    loglik : float
        The maximised total log-likelihood (natural log).
    """
    g = as_genotypes(genotypes)
    freqs, total = [], 0.0
    for l, k in enumerate(g.n_alleles):
        p = _locus_allele_frequencies(g.codes[:, l, :], k)
        freqs.append(p)
        total += _locus_loglik(g.codes[:, l, :], p)
    return tuple(freqs), float(total)


# -- the prepared data ----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HaplotypeData:
    """Genotypes and the table of haplotype pairs consistent with them.

    Attributes
    ----------
    genotypes : GenotypeData
    haplotypes : ndarray of int, shape (n_haplotypes, n_loci)
        The candidate haplotypes (allele codes), those appearing in some consistent pair.
    ind, h1, h2 : ndarray of int, shape (n_pairs,)
        One row per unordered consistent pair ``{h1, h2}`` (``h1 <= h2``) of individual
        ``ind``, sorted by individual.
    c : ndarray of float, shape (n_pairs,)
        2 for a heterozygous pair, 1 for a homozygous one.
    centre : ndarray of float, shape (n_haplotypes,)
        The default starting frequencies: linkage equilibrium (``method="full"``) or
        the product of the frequencies of the two joined halves (``"ligation"``).
    method : str
        ``"full"`` or ``"ligation"``.
    n_enumerated : int
        Rows of every pair table that EM runs on, a measure of the work: the one
        table of full enumeration, or the tables of all blocks and joins of
        partition-ligation (the last join being this table).
    """

    genotypes: GenotypeData
    haplotypes: np.ndarray
    ind: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    c: np.ndarray
    centre: np.ndarray
    method: str
    n_enumerated: int

    @property
    def n_individuals(self) -> int:
        return self.genotypes.n_individuals

    @property
    def n_haplotypes(self) -> int:
        return int(self.haplotypes.shape[0])

    @property
    def n_pairs(self) -> int:
        return int(self.ind.size)

    def haplotype_labels(self, index: int) -> tuple[Any, ...]:
        return self.genotypes.labels(self.haplotypes[index])


@dataclass(frozen=True, eq=False)
class _Support:
    """The rows of the pair table whose two haplotypes both have positive frequency."""

    rows: np.ndarray
    ind: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    c: np.ndarray


@dataclass(frozen=True, eq=False)
class HaplotypeParams:
    """Haplotype frequencies over the candidate haplotypes of a :class:`HaplotypeData`.

    Attributes
    ----------
    frequencies : ndarray of float, shape (n_haplotypes,)
        Sums to 1; entry ``k`` is the frequency of ``data.haplotypes[k]``. Pruned
        haplotypes have frequency exactly 0.
    """

    frequencies: np.ndarray
    _support: _Support | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        f = self.frequencies
        if not (isinstance(f, np.ndarray) and f.dtype == np.float64 and f.ndim == 1 and not f.flags.writeable):
            f = readonly(as_float_array(f, "frequencies", ndim=1, nonnegative=True))
        object.__setattr__(self, "frequencies", f)

    def __repr__(self) -> str:
        return f"HaplotypeParams(n_haplotypes={self.frequencies.size}, n_positive={int(np.sum(self.frequencies > 0))})"


@dataclass(frozen=True, eq=False)
class HaplotypePosterior:
    """Posterior over each individual's consistent pairs.

    Attributes
    ----------
    rows : ndarray of int, shape (n_rows,)
        Rows of the data's pair table (pairs with zero prior weight are left out).
    prob : ndarray of float, shape (n_rows,)
        Posterior probability of each row's pair; sums to 1 within each individual.
    hard : bool
        True for the degenerate posterior of hard EM.
    """

    rows: np.ndarray
    prob: np.ndarray
    hard: bool = False


def _full_table(g: GenotypeData, loci: Sequence[int], ordered: bool):
    n = g.n_individuals
    table = T.locus_options(g.codes[:, loci[0], :], g.n_alleles[loci[0]])
    for l in loci[1:]:
        right = T.locus_options(g.codes[:, l, :], g.n_alleles[l])
        table = T.ligate(table, right, n, ordered=True)
    if ordered:
        return table, table.ind.size
    table = T.to_unordered(table)
    return table, table.n_rows


def _equilibrium_centre(g: GenotypeData, haps: np.ndarray, loci: Sequence[int], allele_freqs) -> np.ndarray:
    centre = np.ones(haps.shape[0])
    for j, l in enumerate(loci):
        centre = centre * allele_freqs[l][haps[:, j]]
    centre = np.maximum(centre, 1e-300)
    return centre / centre.sum()


def _retain(table: T.PairTable, freq: np.ndarray, n: int, keep: float) -> tuple[T.PairTable, np.ndarray]:
    """Keep haplotypes above ``keep`` plus those of each individual's best pair."""
    w = table.c * freq[table.h1] * freq[table.h2]
    best = T.segment_argmax(table.ind, w, n)
    retained = freq >= keep
    retained[table.h1[best]] = True
    retained[table.h2[best]] = True
    rows = retained[table.h1] & retained[table.h2]
    new_index = np.cumsum(retained) - 1
    f = freq[retained]
    out = T.PairTable(table.ind[rows], new_index[table.h1[rows]], new_index[table.h2[rows]], table.c[rows],
                      table.haps[retained])
    return out, f / f.sum()


def _predicted_pairs(g: GenotypeData) -> float:
    counts = np.ones(g.n_individuals)
    for l, k in enumerate(g.n_alleles):
        counts = counts * T.option_counts(g.codes[:, l, :], k)
    return float(np.sum((counts + 1) / 2))


def _check_frequency(value: Any, name: str) -> float:
    """A threshold in [0, 1) (``keep``, ``prune``)."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a frequency in [0, 1); got {describe(value)}")
    value = float(value)
    if not (0.0 <= value < 1.0):  # NaN fails too
        raise ValueError(f"{name} must be a frequency in [0, 1); got {value!r}")
    return value


class HaplotypeModel:
    """Haplotype frequencies from unphased genotypes, for :func:`emcore.fit_em`.

    Parameters
    ----------
    method : {"auto", "full", "ligation"}
        ``"full"`` enumerates every consistent pair; ``"ligation"`` is
        partition-ligation (Qin, Niu & Liu 2002); ``"auto"`` (default) enumerates when
        the table would have at most ``max_pairs`` rows and ligates otherwise.
    block_size : int
        Loci per block for partition-ligation (default 8).
    keep : float, optional
        Partition-ligation keeps a block's haplotypes with frequency at least ``keep``
        (plus those of every individual's most likely pair). Default ``1 / (4n)``:
        half a copy among the ``2n`` haplotypes of the sample.
    prune : float
        During EM, a haplotype whose frequency falls below ``prune`` and is still
        falling is set to zero (and its pairs dropped) whenever that does not lower
        the log-likelihood. 0 disables pruning. Default ``1e-6``.
    max_pairs : int
        Largest pair table ``method="full"`` builds (default 5,000,000).

    Notes
    -----
    The posterior (:class:`HaplotypePosterior`) lists, for each individual, its
    consistent haplotype pairs with their posterior probabilities.
    """

    def __init__(self, method: str = "auto", *, block_size: int = 8, keep: float | None = None,
                 prune: float = 1e-6, max_pairs: int = 5_000_000):
        self.method = check_choice(method, "method", _METHODS)
        self.block_size = check_int(block_size, "block_size", minimum=2)
        self.keep = None if keep is None else _check_frequency(keep, "keep")
        self.prune = _check_frequency(prune, "prune")
        self.max_pairs = check_int(max_pairs, "max_pairs", minimum=1)
        self._cache: tuple[Any, Any, Any] | None = None

    def __repr__(self) -> str:
        return f"HaplotypeModel(method={self.method!r}, block_size={self.block_size}, prune={self.prune:g})"

    # -- the EM model protocol -------------------------------------------------
    def prepare(self, data: Any) -> HaplotypeData:
        """Validate genotypes and build the table of consistent haplotype pairs."""
        if isinstance(data, HaplotypeData):
            return data
        g = as_genotypes(data)
        n = g.n_individuals
        allele_freqs, _ = equilibrium_fit(g)
        method = self.method
        predicted = _predicted_pairs(g)
        if method == "auto":
            method = "full" if predicted <= self.max_pairs else "ligation"
        if method == "full" or g.n_loci <= self.block_size:
            if predicted > self.max_pairs:
                raise ValueError(
                    f"full enumeration needs about {predicted:.3g} haplotype pairs, more than "
                    f"max_pairs={self.max_pairs}; use method='ligation' (partition-ligation)"
                )
            table, work = _full_table(g, list(range(g.n_loci)), ordered=False)
            centre = _equilibrium_centre(g, table.haps, range(g.n_loci), allele_freqs)
            return HaplotypeData(g, table.haps, table.ind, table.h1, table.h2, table.c, centre, "full", work)
        return self._ligation(g, allele_freqs)

    def _ligation(self, g: GenotypeData, allele_freqs) -> HaplotypeData:
        n = g.n_individuals
        keep = self.keep if self.keep is not None else 1.0 / (4.0 * n)
        bounds = list(range(0, g.n_loci, self.block_size)) + [g.n_loci]
        blocks, work = [], 0
        for a, b in zip(bounds[:-1], bounds[1:]):
            loci = list(range(a, b))
            table, w = _full_table(g, loci, ordered=False)
            work += w
            start = _equilibrium_centre(g, table.haps, loci, allele_freqs)
            freq = T.em_frequencies(table, n, start, prune=self.prune)
            blocks.append(_retain(table, freq, n, keep))
        while len(blocks) > 1:
            joined = []
            last = len(blocks) == 2
            for j in range(0, len(blocks) - 1, 2):
                (ta, fa), (tb, fb) = blocks[j], blocks[j + 1]
                table = T.ligate(T.to_ordered(ta), T.to_ordered(tb), n, ordered=False)
                work += table.n_rows
                # start: product of the two halves' frequencies
                left, right = table.parts
                start = fa[left] * fb[right]
                start = start / start.sum()
                if last:
                    return HaplotypeData(g, table.haps, table.ind, table.h1, table.h2, table.c, start,
                                         "ligation", work)
                freq = T.em_frequencies(table, n, start, prune=self.prune)
                joined.append(_retain(table, freq, n, keep))
            if len(blocks) % 2:
                joined.append(blocks[-1])
            blocks = joined
        raise AssertionError("unreachable")  # pragma: no cover

    def initial_params(self, data: HaplotypeData, rng: np.random.Generator) -> HaplotypeParams:
        """The centre (see :class:`HaplotypeData`) times independent Exp(1) factors."""
        f = data.centre * rng.exponential(1.0, size=data.n_haplotypes)
        return HaplotypeParams(f / f.sum())

    def default_params(self, data: HaplotypeData) -> HaplotypeParams:
        """The deterministic start: the centre of :class:`HaplotypeData` (linkage
        equilibrium for full enumeration, the product of the two halves' frequencies
        for partition-ligation). :func:`emcore.fit_em` starts its first run here."""
        data = self.prepare(data)
        return HaplotypeParams(readonly(data.centre))

    def coerce_params(self, init: Any, data: HaplotypeData) -> HaplotypeParams:
        """Accept params, ``"centre"``, ``"uniform"``, ``{"frequencies": [...]}`` or
        ``{"haplotypes": {labels: frequency}}`` (unlisted haplotypes get 0).

        Frequencies must be non-negative, sum to 1 and give every individual a pair of
        haplotypes with positive frequency; ``{"frequencies": ...}`` needs one entry per
        candidate haplotype (``data.haplotypes``), and every haplotype named in
        ``{"haplotypes": ...}`` must be a candidate (allele labels, one per locus).
        """
        n_hap = data.n_haplotypes
        if isinstance(init, HaplotypeParams):
            f = np.asarray(init.frequencies, dtype=float)
            name = "init"
            if f.shape != (n_hap,):
                raise ValueError(
                    f"init has {f.size} frequencies; these data have {n_hap} candidate haplotypes "
                    "(params of another data set?)"
                )
        elif isinstance(init, str):
            if init == "centre":
                f, name = data.centre, "init"
            elif init == "uniform":
                f, name = np.full(n_hap, 1.0 / n_hap), "init"
            else:
                raise ValueError(f"init must be 'centre', 'uniform', params or a mapping; got {init!r}")
        elif isinstance(init, Mapping):
            unknown = set(init) - {"frequencies", "haplotypes"}
            if unknown or len(init) != 1:
                raise ValueError(
                    "haplotype parameters are given as {'frequencies': [...]} (one per candidate "
                    f"haplotype) or {{'haplotypes': {{labels: frequency}}}}; got keys {sorted(map(str, init))}"
                )
            if "frequencies" in init:
                name = "init frequencies"
                values = init["frequencies"]
                if isinstance(values, Mapping):
                    raise TypeError(
                        f"{name} must be a sequence of {n_hap} frequencies (one per candidate haplotype); "
                        "use init={'haplotypes': {labels: frequency}} to name haplotypes"
                    )
                f = as_float_array(values, name, min_size=0)
                if f.ndim != 1 or f.size != n_hap:
                    raise ValueError(
                        f"frequencies must have one entry per candidate haplotype ({n_hap}); got shape {f.shape}"
                    )
            else:
                name = "init haplotype frequencies"
                f = self._named_frequencies(init["haplotypes"], data, name)
        else:
            raise TypeError(f"init must be a HaplotypeParams, a string or a mapping; got {type(init).__name__}")
        f = check_probability_vector(f, name, allow_zero=True, atol=1e-9)
        params = HaplotypeParams(f)
        if not np.all(np.isfinite(self._per_individual(data, params)[1])):
            raise ValueError(
                f"{name}: these frequencies give some individual probability 0: every genotype needs a "
                "pair of haplotypes with positive frequency"
            )
        return params

    @staticmethod
    def _named_frequencies(table: Any, data: HaplotypeData, name: str) -> np.ndarray:
        if not isinstance(table, Mapping):
            raise TypeError(f"{name} must map haplotypes (tuples of allele labels) to frequencies; got {describe(table)}")
        n_loci = data.genotypes.n_loci
        lookup = {data.haplotype_labels(k): k for k in range(data.n_haplotypes)}
        f = np.zeros(data.n_haplotypes)
        for hap, value in table.items():
            if isinstance(hap, (str, bytes)) and n_loci > 1 or not isinstance(hap, (tuple, list, str)):
                raise TypeError(
                    f"{name}: a haplotype is a tuple of {n_loci} allele labels, one per locus; got {describe(hap)}"
                )
            key = (hap,) if isinstance(hap, str) else tuple(x.item() if isinstance(x, np.generic) else x for x in hap)
            if len(key) != n_loci:
                raise ValueError(
                    f"{name}: haplotype {key!r} has {len(key)} allele(s); these data have {n_loci} loci "
                    f"({', '.join(data.genotypes.loci)})"
                )
            if key not in lookup:
                raise ValueError(f"haplotype {key!r} is not consistent with any genotype ({name})")
            f[lookup[key]] = check_real(value, f"{name}[{key!r}]", minimum=0.0)
        return f

    def _support(self, data: HaplotypeData, params: HaplotypeParams) -> _Support:
        if params._support is not None:
            return params._support
        f = params.frequencies
        if np.all(f > 0):
            return _Support(None, data.ind, data.h1, data.h2, data.c)
        rows = np.flatnonzero((f[data.h1] > 0) & (f[data.h2] > 0))
        return _Support(rows, data.ind[rows], data.h1[rows], data.h2[rows], data.c[rows])

    def _per_individual(self, data: HaplotypeData, params: HaplotypeParams):
        """Row weights ``c p[h1] p[h2]`` (support rows) and the log-likelihood per individual."""
        s = self._support(data, params)
        f = params.frequencies
        n = data.n_individuals
        w = s.c * f[s.h1] * f[s.h2]
        like = np.bincount(s.ind, weights=w, minlength=n)
        if np.all(like > 0) and np.all(np.isfinite(like)):
            return s, np.log(like), w, like
        lw = T.log_weights(s.c, f[s.h1], f[s.h2])
        starts = T.segment_starts(s.ind)
        if starts.size != n:
            return s, np.full(n, -np.inf), w, like
        top = np.maximum.reduceat(lw, starts)
        top = np.where(np.isfinite(top), top, 0.0)
        scaled = np.exp(lw - top[s.ind])
        like = np.bincount(s.ind, weights=scaled, minlength=n)
        with np.errstate(divide="ignore"):
            return s, top + np.log(like), scaled, like

    def _evaluate(self, data: HaplotypeData, params: HaplotypeParams) -> tuple[HaplotypePosterior, float]:
        if self._cache is not None and self._cache[0] is params and self._cache[1] is data:
            return self._cache[2]
        s, ll, w, like = self._per_individual(data, params)
        q = w / like[s.ind]
        rows = np.arange(data.n_pairs) if s.rows is None else s.rows
        out = (HaplotypePosterior(rows, q), float(np.sum(ll)))
        self._cache = (params, data, out)
        return out

    def e_step(self, data: HaplotypeData, params: HaplotypeParams) -> tuple[HaplotypePosterior, float]:
        """Posterior of every consistent pair, and the total log-likelihood."""
        return self._evaluate(data, params)

    def hard_e_step(self, data: HaplotypeData, params: HaplotypeParams):
        """Each individual's single most likely pair (ties go to the first row)."""
        s, ll, w, like = self._per_individual(data, params)
        f = params.frequencies
        lw = T.log_weights(s.c, f[s.h1], f[s.h2])
        best = T.segment_argmax(s.ind, lw, data.n_individuals)
        rows = np.arange(data.n_pairs) if s.rows is None else s.rows
        post = HaplotypePosterior(rows[best], np.ones(best.size), hard=True)
        return post, float(np.sum(ll)), float(np.sum(lw[best]))

    def _counts(self, data: HaplotypeData, posterior: HaplotypePosterior) -> np.ndarray:
        H = data.n_haplotypes
        r, q = posterior.rows, posterior.prob
        return np.bincount(data.h1[r], weights=q, minlength=H) + np.bincount(data.h2[r], weights=q, minlength=H)

    def _with_support(self, data: HaplotypeData, freq: np.ndarray, old: _Support) -> HaplotypeParams:
        """Params whose support is ``old`` less the rows that ``freq`` gives weight 0."""
        live = (freq[old.h1] > 0) & (freq[old.h2] > 0)
        if live.all():
            return HaplotypeParams(freq, old)
        rows = np.flatnonzero(live) if old.rows is None else old.rows[live]
        return HaplotypeParams(freq, _Support(rows, old.ind[live], old.h1[live], old.h2[live], old.c[live]))

    def m_step(self, data: HaplotypeData, posterior: HaplotypePosterior, params: HaplotypeParams) -> HaplotypeParams:
        """Expected haplotype counts over ``2n``; then prune (see the class docstring)."""
        new = self._counts(data, posterior) / (2.0 * data.n_individuals)
        new.setflags(write=False)
        if posterior.hard:
            return HaplotypeParams(new)
        support = self._support(data, params)
        candidate = self._with_support(data, new, support)
        if self.prune > 0:
            small = (new > 0) & (new < self.prune) & (new < params.frequencies)
            if small.any():
                trial = np.where(small, 0.0, new)
                trial /= trial.sum()
                trial.setflags(write=False)
                trial = self._with_support(data, trial, support)
                ll_trial = self._evaluate(data, trial)[1]
                ll_new = self._evaluate(data, candidate)[1]
                if ll_trial >= ll_new:
                    self._evaluate(data, trial)
                    return trial
        return candidate

    # -- the evidence lower bound ---------------------------------------------------
    def complete_loglik(self, data: HaplotypeData, params: HaplotypeParams, posterior: HaplotypePosterior) -> float:
        """``E_q[log P(G, phase; p)] = sum q * log(c p[h1] p[h2])`` over the posterior's rows."""
        if not isinstance(params, HaplotypeParams):
            params = self.coerce_params(params, data)
        r, q = posterior.rows, np.asarray(posterior.prob, dtype=float)
        f = params.frequencies
        lw = T.log_weights(data.c[r], f[data.h1[r]], f[data.h2[r]])
        support = q > 0  # 0 * log 0 = 0: a pair with no mass contributes nothing
        return float(np.sum(q[support] * lw[support]))

    def entropy(self, posterior: HaplotypePosterior) -> float:
        """``H(q) = -sum q log q`` (natural log), summed over individuals."""
        q = np.asarray(posterior.prob, dtype=float)
        return float(-np.sum(xlogy(q, q)))

    # -- an unconstrained parametrisation (for SQUAREM acceleration) ---------------------
    def to_unconstrained(self, params: HaplotypeParams) -> np.ndarray:
        """The positive frequencies as centred log-frequencies (see :mod:`emcore.accelerate`).

        Frequencies that are exactly 0 (pruned haplotypes, or haplotypes a start
        leaves out) are fixed points of EM: they are left out of the vector and stay
        0 in :meth:`from_unconstrained`.
        """
        if not isinstance(params, HaplotypeParams):
            raise TypeError(f"params must be HaplotypeParams; got {type(params).__name__}")
        return _tr.simplex_to_unconstrained(params.frequencies)

    def from_unconstrained(self, vector: Any, like: HaplotypeParams) -> HaplotypeParams:
        """Frequencies from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the number of candidate haplotypes and which of them have
        frequency 0 (they stay 0). Raises ValueError for a vector of the wrong
        length or outside the parameter space (a frequency that underflows to 0).
        """
        if not isinstance(like, HaplotypeParams):
            raise TypeError(f"like must be HaplotypeParams; got {type(like).__name__}")
        v = as_float_array(vector, "vector", min_size=0).ravel()
        f, used = _tr.simplex_from_unconstrained(v, like.frequencies)
        if used != v.size:
            raise ValueError(f"vector must have {used} entries for these frequencies; got {v.size}")
        f.setflags(write=False)
        # the same positive entries as ``like``: its table of live pairs still holds
        return HaplotypeParams(f, like._support)

    # -- conveniences ---------------------------------------------------------------
    def loglik(self, data: Any, params: Any) -> float:
        """Total log-likelihood ``sum_i log P(G_i; p)`` (natural log)."""
        data = self.prepare(data)
        if not isinstance(params, HaplotypeParams):
            params = self.coerce_params(params, data)
        return float(np.sum(self._per_individual(data, params)[1]))

    def best_pairs(self, data: HaplotypeData, params: HaplotypeParams) -> tuple[np.ndarray, np.ndarray]:
        """Each individual's most likely pair (row of the pair table) and its posterior."""
        post, _ = self.e_step(data, params)
        ind = data.ind[post.rows]
        best = T.segment_argmax(ind, post.prob, data.n_individuals)
        return post.rows[best], post.prob[best]


def format_haplotype(labels: Sequence[Any], sep: str | None = None) -> str:
    """Join allele labels: without a separator when all are single characters, else ``-``."""
    if isinstance(labels, (str, bytes)) or isinstance(labels, Mapping):
        labels = [labels] if isinstance(labels, str) else labels
    try:
        text = [str(x) for x in labels]
    except TypeError:
        raise TypeError(f"labels must be a sequence of allele labels; got {describe(labels)}") from None
    if sep is not None and not isinstance(sep, str):
        raise TypeError(f"sep must be a string or None; got {describe(sep)}")
    if sep is None:
        sep = "" if all(len(t) == 1 for t in text) else "-"
    return sep.join(text)


# -- results -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HaplotypeResult:
    """Haplotype frequencies, phases and the test of linkage equilibrium.

    Attributes
    ----------
    data : HaplotypeData
    fit : EMResult
        The run of :func:`emcore.fit_em` (with all restarts).
    haplotypes : tuple of tuple
        Haplotypes (allele labels) with positive estimated frequency, most frequent first.
    frequencies : ndarray, shape (n_listed,)
        Their frequencies.
    loglik : float
        Maximised total log-likelihood (natural log).
    loglik_equilibrium : float
        Maximised log-likelihood under linkage equilibrium, of the same individuals
        and the same genotypes: each locus's allele frequencies are fitted by maximum
        likelihood (gene counting where alleles are missing, a missing allele summed
        over its completions exactly as in ``loglik``), and a haplotype's frequency
        is the product of its allele frequencies over all ``prod(K_l)`` possible
        haplotypes. The two log-likelihoods are maxima of the same likelihood over
        nested parameter sets, so ``lr_statistic`` is a likelihood ratio.
    lr_statistic : float
        ``2 (loglik - loglik_equilibrium)``, the likelihood-ratio statistic against
        linkage equilibrium.
    df : int
        ``prod(K_l) - 1 - sum(K_l - 1)`` over the loci's numbers of observed alleles
        ``K_l``: the free haplotype frequencies of the alternative (every possible
        haplotype) minus the free allele frequencies of linkage equilibrium, the
        degrees of freedom of the test's chi-square limit. A locus with one allele
        adds nothing; one locus, or fewer than two loci with two or more alleles,
        gives 0 (there is no disequilibrium to test).
    test_note : str or None
        Why :attr:`p_value` is None, in words: no degrees of freedom, or too few
        chromosomes for the chi-square approximation (see :attr:`p_value`); None when
        the p-value is given.
    best_pairs : ndarray of int, shape (n_individuals, 2)
        Each individual's most likely pair, as indices into ``data.haplotypes``.
    best_pair_prob : ndarray, shape (n_individuals,)
        Its posterior probability.
    posterior : HaplotypePosterior
        The posterior over every individual's consistent pairs at the estimate
        (see :meth:`pairs`).

    Notes
    -----
    R's ``haplo.em`` reports the same test differently, and its numbers are not
    comparable with these. Its ``lnlike.noLD`` takes allele frequencies from the
    observed alleles only, forms their products over just the haplotypes its own
    fit retained, rescales those products to sum to 1 and sums them over the pairs
    left after trimming: that is not the likelihood maximised under linkage
    equilibrium (it is higher, since the rescaling moves onto a few haplotypes the
    probability that equilibrium spreads over all ``prod(K_l)``), and its source
    calls it a rough approximation. Its ``df.lr`` is the number of haplotypes with
    estimated frequency above 1e-7, less 1, less ``sum(K_l - 1)``: a count that
    depends on the data, is the degrees of freedom of no nested test, and can be
    zero or negative. Here both log-likelihoods are maxima of one likelihood over
    nested models, and ``df`` is the dimension of the alternative less that of the
    null.
    """

    data: HaplotypeData
    fit: EMResult
    haplotypes: tuple[tuple[Any, ...], ...]
    frequencies: np.ndarray
    loglik: float
    loglik_equilibrium: float
    lr_statistic: float
    df: int
    best_pairs: np.ndarray
    best_pair_prob: np.ndarray
    posterior: HaplotypePosterior | None = None
    test_note: str | None = None

    def _individual(self, i: Any) -> int:
        last = self.data.n_individuals - 1
        if not isinstance(i, numbers.Integral) or isinstance(i, (bool, np.bool_)):
            raise TypeError(f"individual must be an integer in 0..{last}; got {describe(i)}")
        if not 0 <= i <= last:
            raise ValueError(f"individual must be in 0..{last}; got {int(i)}")
        return int(i)

    @property
    def n_estimated(self) -> int:
        """Number of haplotypes with positive estimated frequency."""
        return len(self.haplotypes)

    def pairs(self, i: int, min_prob: float = 0.0) -> list[tuple[tuple[Any, ...], tuple[Any, ...], float]]:
        """Individual ``i``'s consistent pairs with their posterior probabilities, most probable first."""
        i = self._individual(i)
        min_prob = check_real(min_prob, "min_prob", minimum=0.0, maximum=1.0)
        post = self.posterior
        mine = self.data.ind[post.rows] == i
        rows, prob = post.rows[mine], post.prob[mine]
        order = np.argsort(-prob, kind="stable")
        return [(self.data.haplotype_labels(int(self.data.h1[r])), self.data.haplotype_labels(int(self.data.h2[r])),
                 float(q)) for r, q in zip(rows[order], prob[order]) if q >= min_prob]

    @property
    def p_value(self) -> float | None:
        """Chi-square p-value of ``lr_statistic`` on ``df`` degrees of freedom, or None.

        None when the test has no degrees of freedom, or when the sample is too small
        for the chi-square approximation: it is given only when, under the fitted
        linkage equilibrium, every one of the ``prod(K_l)`` possible haplotypes has an
        expected count of at least 1 among the ``2n`` chromosomes and four in five of
        them at least 5 (Cochran's rule). :attr:`test_note` says which. With many
        rare haplotypes use a permutation test instead (Excoffier & Slatkin 1995).
        """
        if self.df <= 0 or self.test_note is not None:
            return None
        return float(chi2.sf(max(self.lr_statistic, 0.0), float(self.df)))

    def phase(self, i: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """Individual ``i``'s most likely pair of haplotypes (allele labels)."""
        a, b = self.best_pairs[self._individual(i)]
        return self.data.haplotype_labels(int(a)), self.data.haplotype_labels(int(b))

    def phased_alleles(self) -> np.ndarray:
        """Allele codes of each individual's most likely pair, shape (n_individuals, 2, n_loci)."""
        return self.data.haplotypes[self.best_pairs]

    def table(self, min_frequency: float = 0.0) -> list[tuple[str, float]]:
        """``(haplotype, frequency)`` rows, most frequent first."""
        min_frequency = check_real(min_frequency, "min_frequency", minimum=0.0, maximum=1.0)
        return [(format_haplotype(h), float(f)) for h, f in zip(self.haplotypes, self.frequencies)
                if f >= min_frequency]


def estimate_haplotypes(genotypes: Any, *, method: str = "auto", mode: str = "soft", init: Any = None,
                        n_init: int = 1, seed: Any = None, tol: float = 1e-10, max_iter: int = 5000,
                        block_size: int = 8, keep: float | None = None, prune: float = 1e-6,
                        max_pairs: int = 5_000_000, missing: Any = None) -> HaplotypeResult:
    """Estimate haplotype frequencies and phases by EM.

    Parameters
    ----------
    genotypes : array-like, DataFrame, GenotypeData or HaplotypeData
        Two allele columns per locus (see :func:`as_genotypes`; to read a file, see
        :func:`read_genotypes`).
    method, block_size, keep, prune, max_pairs
        See :class:`HaplotypeModel`.
    mode : {"soft", "hard"}
        EM, or classification EM (each individual's single most likely pair).
    init : optional
        Starting point (see :meth:`HaplotypeModel.coerce_params`). By default the
        first run starts from :meth:`HaplotypeModel.default_params` (linkage
        equilibrium for full enumeration), so more restarts never end lower.
    n_init, seed
        Restarts through :func:`emcore.fit_em`: the default start, then seeded random
        starts.
    tol, max_iter
        Passed to :func:`emcore.fit_em`.
    missing : optional
        More codes read as a missing allele, e.g. ``missing=0`` for a table coded as
        in R's haplo.stats or PLINK (see :func:`as_genotypes`).

    Returns
    -------
    HaplotypeResult
    """
    model = HaplotypeModel(method, block_size=block_size, keep=keep, prune=prune, max_pairs=max_pairs)
    check_seed(seed)
    if missing is not None and not isinstance(genotypes, (GenotypeData, HaplotypeData)):
        genotypes = as_genotypes(genotypes, missing=missing)
    elif missing is not None:
        raise ValueError("missing applies to a table of alleles; genotypes is already coded")
    data = model.prepare(genotypes)
    if init is None and n_init == 1:
        init = model.default_params(data)  # the start fit_em gives its first run
    fit = fit_em(model, data, init=init, mode=mode, tol=tol, max_iter=max_iter, n_init=n_init, seed=seed)
    return summarise(model, data, fit)


#: Cochran's rule for the chi-square approximation: every expected count at least
#: ``_MIN_EXPECTED`` and a share ``_SHARE_FIVE`` of them at least 5.
_MIN_EXPECTED, _SHARE_FIVE = 1.0, 0.8


def _equilibrium_test_note(g: GenotypeData, allele_freqs: Sequence[np.ndarray], df: int) -> str | None:
    """Why the test of linkage equilibrium gives no p-value (None when it does)."""
    k = g.n_alleles
    if g.n_loci == 1:
        return ("no test of linkage equilibrium: there is one locus only, so there is no linkage "
                "disequilibrium to test (0 degrees of freedom)")
    if df <= 0:
        mono = [f"{locus} ({g.alleles[l][0]!r})" for l, locus in enumerate(g.loci) if k[l] == 1]
        return ("no test of linkage equilibrium: fewer than two loci have two or more alleles "
                f"(one allele only at {', '.join(mono)}), so disequilibrium has no free parameter "
                "(0 degrees of freedom)")
    chromosomes = 2 * g.n_individuals
    cells = math.prod(k)
    if 4 * cells > chromosomes:  # mean expected count below 4: four in five cannot reach 5
        return (f"no p-value: {chromosomes} chromosomes are too few for a chi-square approximation over "
                f"{_count(cells)} possible haplotypes (Cochran's rule: expected counts under linkage "
                "equilibrium of at least 5 for four in five of them); use a permutation test")
    expected = np.full(1, float(chromosomes))
    for p in allele_freqs:
        expected = np.multiply.outer(expected, p).ravel()
    low = float(expected.min())
    share = float(np.mean(expected >= 5.0))
    if low < _MIN_EXPECTED or share < _SHARE_FIVE:
        return (f"no p-value: too few chromosomes for a chi-square approximation (Cochran's rule: expected "
                f"counts under linkage equilibrium of at least 1 for every possible haplotype and at least 5 "
                f"for four in five of them; here the smallest is {low:.2g} and {share:.0%} reach 5, with "
                f"{chromosomes} chromosomes over {_count(cells)} possible haplotypes); use a permutation test")
    return None


def _count(n: int) -> str:
    return f"{n:,}" if n < 10**9 else f"{float(n):.3g}"


def summarise(model: HaplotypeModel, data: HaplotypeData, fit: EMResult) -> HaplotypeResult:
    """Build a :class:`HaplotypeResult` from a :func:`fit_em` run of ``model``."""
    f = fit.params.frequencies
    order = np.lexsort((np.arange(f.size), -f))
    order = order[f[order] > 0]
    haps = tuple(data.haplotype_labels(int(k)) for k in order)
    rows, prob = model.best_pairs(data, fit.params)
    posterior, _ = model.e_step(data, fit.params)
    pairs = np.stack([data.h1[rows], data.h2[rows]], axis=1)
    allele_freqs, ll_eq = equilibrium_fit(data.genotypes)
    k = data.genotypes.n_alleles
    df = math.prod(k) - 1 - sum(x - 1 for x in k)
    lr = 2.0 * (float(fit.loglik) - ll_eq)
    if not math.isfinite(lr):  # pragma: no cover - both log-likelihoods are finite by construction
        raise ValueError("the likelihood-ratio statistic is not finite")
    return HaplotypeResult(
        data=data, fit=fit, haplotypes=haps, frequencies=f[order].copy(), loglik=float(fit.loglik),
        loglik_equilibrium=ll_eq, lr_statistic=max(lr, 0.0) if lr > -1e-8 * max(1.0, abs(ll_eq)) else lr,
        df=int(df), best_pairs=pairs, best_pair_prob=prob.copy(), posterior=posterior,
        test_note=_equilibrium_test_note(data.genotypes, allele_freqs, int(df)),
    )


def _allele_code_array(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)) or values is None or isinstance(values, Mapping):
        raise TypeError(f"{name} must be an integer array of shape (n, 2, n_loci); got {describe(values)}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of shape (n, 2, n_loci); could not form an array") from None
    if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer allele codes; got values of dtype {array.dtype}")
    if array.ndim != 3 or array.shape[1] != 2 or array.size == 0:
        raise ValueError(f"{name} must have shape (n, 2, n_loci) with n, n_loci >= 1; got {array.shape}")
    return array


def phase_accuracy(truth: np.ndarray, estimate: np.ndarray) -> tuple[float, float]:
    """Share of individuals phased correctly and the switch error rate.

    Parameters
    ----------
    truth, estimate : array of int, shape (n_individuals, 2, n_loci)
        The two haplotypes of each individual (allele codes), true and estimated;
        both must have the same genotypes.

    Returns
    -------
    share_correct : float
        Fraction of individuals whose estimated unordered pair is the true one
        (individuals with at most one heterozygous locus count as correct).
    switch_error_rate : float
        Over all individuals, the number of switches (neighbouring heterozygous
        loci whose relative phase is wrong) divided by the number of neighbouring
        heterozygous pairs (``h - 1`` for ``h`` heterozygous loci).
    """
    truth = _allele_code_array(truth, "truth")
    estimate = _allele_code_array(estimate, "estimate")
    if truth.shape != estimate.shape or truth.ndim != 3 or truth.shape[1] != 2:
        raise ValueError(f"truth and estimate must both have shape (n, 2, n_loci); got {truth.shape} and {estimate.shape}")
    if not np.array_equal(np.sort(truth, axis=1), np.sort(estimate, axis=1)):
        raise ValueError("truth and estimate must have the same genotypes")
    het = truth[:, 0, :] != truth[:, 1, :]
    same = estimate[:, 0, :] == truth[:, 0, :]  # orientation at each locus
    # relative phase between consecutive heterozygous loci
    switches, pairs, correct = 0, 0, 0
    flat_same = np.where(het, same, False)
    n_het = het.sum(axis=1)
    # order heterozygous loci per individual; compare consecutive orientations
    idx = np.argsort(~het, axis=1, kind="stable")
    orient = np.take_along_axis(flat_same, idx, axis=1)
    valid = np.arange(het.shape[1])[None, :] < n_het[:, None]
    change = (orient[:, 1:] != orient[:, :-1]) & valid[:, 1:]
    per_ind = change.sum(axis=1)
    switches = int(per_ind.sum())
    pairs = int(np.sum(np.maximum(n_het - 1, 0)))
    correct = int(np.sum(per_ind == 0))
    return correct / truth.shape[0], (switches / pairs if pairs else 0.0)


# -- gene counting: allele frequencies from phenotypes ------------------------------------
#: The ABO blood groups: each phenotype and the genotypes that show it (O is recessive).
ABO_PHENOTYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "A": (("A", "A"), ("A", "O")),
    "B": (("B", "B"), ("B", "O")),
    "AB": (("A", "B"),),
    "O": (("O", "O"),),
}


@dataclass(frozen=True, eq=False)
class PhenotypeCounts:
    """Phenotype counts at one locus and the genotypes behind each phenotype.

    Attributes
    ----------
    phenotypes : tuple of str
    counts : ndarray of float, shape (n_phenotypes,)
    alleles : tuple of str
    genotype_phenotype : ndarray of int, shape (n_genotypes,)
        The phenotype of each genotype row.
    genotype_alleles : ndarray of int, shape (n_genotypes, 2)
        The two alleles (indices into ``alleles``) of each genotype row.
    """

    phenotypes: tuple[str, ...]
    counts: np.ndarray
    alleles: tuple[str, ...]
    genotype_phenotype: np.ndarray
    genotype_alleles: np.ndarray


@dataclass(frozen=True)
class AlleleParams:
    """Allele frequencies (in the order of ``PhenotypeCounts.alleles``)."""

    frequencies: tuple[float, ...]

    def __post_init__(self) -> None:
        f = as_float_array(self.frequencies, "frequencies", nonnegative=True).ravel()
        object.__setattr__(self, "frequencies", tuple(float(x) for x in f))


class GeneCounting:
    """Allele frequencies from phenotype counts under Hardy-Weinberg, for :func:`emcore.fit_em`.

    The gene-counting method of Ceppellini, Siniscalco & Smith (1955): the E-step
    splits each phenotype's count among the genotypes that show it, in proportion to
    their Hardy-Weinberg probabilities (``p_a**2`` or ``2 p_a p_b``); the M-step counts
    alleles in the split counts and divides by ``2n``.

    Parameters
    ----------
    phenotypes : mapping of str to sequence of (allele, allele)
        The genotypes that show each phenotype; default the ABO system
        (:data:`ABO_PHENOTYPES`). Every genotype must belong to exactly one phenotype.

    Notes
    -----
    The posterior is an array over the genotype rows of the data: the share of its
    phenotype's count that each genotype receives.
    """

    def __init__(self, phenotypes: Mapping[str, Sequence[tuple[str, str]]] | None = None):
        phenotypes = ABO_PHENOTYPES if phenotypes is None else phenotypes
        if not isinstance(phenotypes, Mapping):
            raise TypeError(
                "phenotypes must map each phenotype to the genotypes that show it, e.g. "
                f"{{'A': [('A', 'A'), ('A', 'O')], ...}}; got {describe(phenotypes)}"
            )
        if not phenotypes:
            raise ValueError("phenotypes is empty: it must map each phenotype to the genotypes that show it")
        labels: set[str] = set()
        listed: dict[str, list[tuple[str, str]]] = {}
        for ph, genotypes in phenotypes.items():
            if not isinstance(ph, str) or not ph:
                raise TypeError(f"phenotypes: each phenotype is named by a non-empty string; got {describe(ph)}")
            if isinstance(genotypes, (str, bytes)) or isinstance(genotypes, Mapping):
                raise TypeError(
                    f"phenotype {ph!r}: expected a list of genotypes (pairs of allele names); got {describe(genotypes)}"
                )
            try:
                genotypes = list(genotypes)
            except TypeError:
                raise TypeError(
                    f"phenotype {ph!r}: expected a list of genotypes (pairs of allele names); got {describe(genotypes)}"
                ) from None
            if not genotypes:
                raise ValueError(f"phenotype {ph!r} lists no genotype; every phenotype needs at least one")
            pairs = []
            for g in genotypes:
                try:
                    pair = tuple(g)
                except TypeError:
                    raise TypeError(f"phenotype {ph!r}: a genotype is two alleles; got {describe(g)}") from None
                if len(pair) != 2:
                    raise ValueError(f"phenotype {ph!r}: a genotype is two alleles; got {g!r}")
                for a in pair:
                    if not isinstance(a, str) or not a.strip():
                        raise TypeError(f"phenotype {ph!r}: alleles are named by non-empty strings; got {describe(a)} in {g!r}")
                pairs.append(pair)
                labels.update(pair)
            listed[ph] = pairs
        alleles = sorted(labels)
        if len(alleles) < 2:
            raise ValueError(f"phenotypes name one allele only ({alleles[0]!r}); gene counting needs at least two")
        index = {a: k for k, a in enumerate(alleles)}
        seen: dict[tuple[str, str], str] = {}
        rows, owner = [], []
        for j, (ph, pairs) in enumerate(listed.items()):
            for g in pairs:
                key = tuple(sorted(g))
                if key in seen:
                    raise ValueError(f"genotype {key} belongs to two phenotypes: {seen[key]!r} and {ph!r}")
                seen[key] = ph
                rows.append([index[g[0]], index[g[1]]])
                owner.append(j)
        missing = [(a, b) for i, a in enumerate(alleles) for b in alleles[i:] if (a, b) not in seen]
        if missing:
            raise ValueError(f"genotypes {missing} belong to no phenotype; every genotype needs one")
        self.phenotypes = tuple(listed)
        self.alleles = tuple(alleles)
        self._rows = readonly(np.array(rows, dtype=np.int64), copy=False)
        self._owner = readonly(np.array(owner, dtype=np.int64), copy=False)

    def __repr__(self) -> str:
        return f"GeneCounting(phenotypes={list(self.phenotypes)}, alleles={list(self.alleles)})"

    def prepare(self, data: Any) -> PhenotypeCounts:
        """Validate a mapping ``{phenotype: count}`` (or counts in phenotype order).

        Counts are non-negative whole numbers, not all zero; a phenotype left out of
        a mapping counts 0.
        """
        if isinstance(data, PhenotypeCounts):
            if data.phenotypes != self.phenotypes or data.alleles != self.alleles:
                raise ValueError(
                    f"these phenotype counts were prepared for phenotypes {list(data.phenotypes)}; this model "
                    f"has {list(self.phenotypes)}"
                )
            return data
        if isinstance(data, Mapping):
            unknown = [k for k in data if k not in self.phenotypes]
            if unknown:
                raise ValueError(
                    f"unknown phenotypes {[str(k) for k in unknown]}; expected {list(self.phenotypes)}"
                )
            values = [data.get(ph, 0) for ph in self.phenotypes]
            for ph, v in zip(self.phenotypes, values):
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.generic)):
                    raise TypeError(f"phenotype counts: the count of {ph!r} must be a whole number; got {describe(v)}")
        else:
            values = data
        counts = as_count_array(values, "phenotype counts").astype(float)
        if counts.size != len(self.phenotypes):
            raise ValueError(f"phenotype counts must have one entry per phenotype {list(self.phenotypes)}; got {counts.size}")
        if counts.sum() == 0:
            raise ValueError("phenotype counts are all zero")
        counts.setflags(write=False)
        return PhenotypeCounts(self.phenotypes, counts, self.alleles, self._owner, self._rows)

    def initial_params(self, data: PhenotypeCounts, rng: np.random.Generator) -> AlleleParams:
        """Frequencies drawn from a flat Dirichlet."""
        return AlleleParams(rng.dirichlet(np.ones(len(self.alleles))))

    def default_params(self, data: Any) -> AlleleParams:
        """The deterministic start: equal allele frequencies. :func:`emcore.fit_em`
        starts its first run here."""
        return AlleleParams(np.full(len(self.alleles), 1.0 / len(self.alleles)))

    def coerce_params(self, init: Any, data: PhenotypeCounts) -> AlleleParams:
        """Accept AlleleParams, a mapping ``{allele: frequency}`` or frequencies in allele order.

        The frequencies must be positive and sum to 1 (an allele at frequency 0 would
        stay there, and a phenotype that needs it would get probability 0).
        """
        k = len(self.alleles)
        if isinstance(init, AlleleParams):
            f = np.array(init.frequencies)
        elif isinstance(init, Mapping):
            unknown = [a for a in init if a not in self.alleles]
            if unknown:
                raise ValueError(f"unknown alleles {[str(a) for a in unknown]}; expected {list(self.alleles)}")
            for a, v in init.items():
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.generic)):
                    raise TypeError(f"init: the frequency of allele {a!r} must be a number; got {describe(v)}")
            f = np.array([float(init.get(a, 0.0)) for a in self.alleles])
        elif isinstance(init, (str, bytes)) or init is None:
            raise TypeError(f"init must be AlleleParams, a mapping or a sequence of frequencies; got {describe(init)}")
        else:
            f = as_float_vector(init, "init")
        if f.size != k or not np.all(np.isfinite(f)) or np.any(f <= 0) or abs(f.sum() - 1) > 1e-9:
            raise ValueError(
                f"init: starting allele frequencies must be {k} positive numbers summing to 1 "
                f"(alleles {', '.join(self.alleles)}); got {f.tolist()}"
            )
        return AlleleParams(f)

    def _joint(self, data: PhenotypeCounts, params: AlleleParams) -> np.ndarray:
        p = np.asarray(params.frequencies)
        a, b = data.genotype_alleles[:, 0], data.genotype_alleles[:, 1]
        return np.where(a == b, 1.0, 2.0) * p[a] * p[b]

    def e_step(self, data: PhenotypeCounts, params: AlleleParams) -> tuple[np.ndarray, float]:
        """Share of each phenotype's count given to each of its genotypes; total log-likelihood."""
        g = self._joint(data, params)
        ph = np.bincount(data.genotype_phenotype, weights=g, minlength=len(data.phenotypes))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(ph[data.genotype_phenotype] > 0, g / ph[data.genotype_phenotype], 0.0)
            ll = float(np.sum(np.where(data.counts > 0, data.counts * np.log(ph), 0.0)))
        return share, ll

    def hard_e_step(self, data: PhenotypeCounts, params: AlleleParams):
        """Every individual of a phenotype gets that phenotype's most likely genotype."""
        share, ll = self.e_step(data, params)
        g = self._joint(data, params)
        hard = np.zeros_like(share)
        for j in range(len(data.phenotypes)):
            rows = np.flatnonzero(data.genotype_phenotype == j)
            hard[rows[np.argmax(g[rows])]] = 1.0
        with np.errstate(divide="ignore"):
            closs = float(np.sum(data.counts[data.genotype_phenotype] * hard * np.where(hard > 0, np.log(g), 0.0)))
        return hard, ll, closs

    def m_step(self, data: PhenotypeCounts, posterior: np.ndarray, params: AlleleParams) -> AlleleParams:
        """Allele counts in the split genotype counts, over ``2n``."""
        n_g = data.counts[data.genotype_phenotype] * posterior
        k = len(data.alleles)
        counts = np.bincount(data.genotype_alleles[:, 0], weights=n_g, minlength=k) + np.bincount(
            data.genotype_alleles[:, 1], weights=n_g, minlength=k)
        return AlleleParams(counts / (2.0 * data.counts.sum()))

    def expected_genotype_counts(self, data: Any, params: Any) -> dict[str, float]:
        """The E-step's split of the phenotype counts, keyed ``"AO"`` etc."""
        data = self.prepare(data)
        if not isinstance(params, AlleleParams):
            params = self.coerce_params(params, data)
        share, _ = self.e_step(data, params)
        n_g = data.counts[data.genotype_phenotype] * share
        return {data.alleles[a] + data.alleles[b]: float(x) for (a, b), x in zip(data.genotype_alleles, n_g)}

    def loglik(self, data: Any, params: Any) -> float:
        """Total multinomial log-likelihood of the phenotype counts (without the coefficient)."""
        data = self.prepare(data)
        if not isinstance(params, AlleleParams):
            params = self.coerce_params(params, data)
        return self.e_step(data, params)[1]
