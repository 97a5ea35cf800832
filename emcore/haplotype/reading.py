"""Genotype tables read from delimited text: a header naming the two allele columns of each
locus, an optional column of identifiers, missing codes."""

from __future__ import annotations

import csv
import os
from typing import Any

import numpy as np

from .._validation import check_flag, describe, parse_number
from .genotypes import _INTEGER, ALWAYS_MISSING, GenotypeData, _code_rows, _locus_name, _missing_codes


def read_genotypes(
    source: Any, *, ids: bool = False, zero_missing: bool = True, missing: Any = None, delimiter: str = ","
) -> GenotypeData:
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
    strs = frozenset(strs | set(ALWAYS_MISSING) | ({"0"} if zero_missing else set()))
    nums = frozenset(nums | ({0} if zero_missing else set()))
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


_LAYOUT = (
    "a header row naming the two allele columns of each locus (e.g. L1.a1,L1.a2,L2.a1,L2.a2), "
    "then one row per individual"
)


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
    hint0 = (
        (
            "; 0 is read as a missing allele (if 0 is an allele in this file, read it with "
            "zero_missing=False, on the command line --no-missing-zero)"
        )
        if zero_missing
        else ""
    )

    def is_missing(text: str) -> bool:
        return text in strs or text.upper() in ("NA", "NAN")

    first_is_data = any((parse_number(c) is not None) and not is_missing(c) for c in cells) and all(
        (parse_number(c) is not None) or is_missing(c) for c in cells
    )
    if not first_is_data and body and len(cells) % 2 == 0 and cells:
        # string alleles: every header cell is an allele seen at its locus below
        width = len(header)
        seen: list[set[str]] = [set() for _ in cells]
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
            f"{name} has {len(cells)} allele column(s) in its header; expected two columns per locus (an even number)"
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
        block = array[:, j : j + 2]
        observed = [c for c in block.ravel() if c is not None]
        # ... and no two labels name the same number ("01" and "1" stay two string labels)
        if (
            observed
            and all(_INTEGER.fullmatch(c) for c in observed)
            and len({int(c) for c in observed}) == len(set(observed))
        ):
            array[:, j : j + 2] = [[None if c is None else int(c) for c in r] for r in block]
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
        if all(c is None for c in array[:, 2 * l : 2 * l + 2].ravel()):
            raise ValueError(
                f"{name}: locus {locus} (columns {2 * l + 1}-{2 * l + 2}) has no observed allele: every "
                f"individual is missing it{hint0}"
            )
    try:
        return _code_rows(
            array, tuple(loci), frozenset(), frozenset(), lambda i: f"line {lines[i]}", tuple(names) if ids else None
        )
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{name}, {exc}") from None
