"""Bad input for haplotype estimation and gene counting: genotype tables, genotype
files, the model's settings and starts, results, GeneCounting, and ``emcore haplo``."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np

from bad_input import Case, CLICase
from emcore import fit_em
from emcore.haplotype import (
    AlleleParams,
    GeneCounting,
    GenotypeData,
    HaplotypeModel,
    HaplotypeParams,
    as_genotypes,
    estimate_haplotypes,
    format_haplotype,
    phase_accuracy,
    read_genotypes,
)

SMALL = [
    [1, 2, "A", "B"],
    [1, 2, "A", "B"],
    [1, 1, "A", "A"],
    [2, 2, "B", "B"],
    [1, 2, "A", "A"],
    [1, 2, "B", "B"],
    [1, 1, "A", "B"],
    [2, 2, "A", "B"],
    [1, 2, "A", "B"],
    [1, 1, "A", "A"],
]
ABO = {"A": 186, "B": 38, "AB": 13, "O": 284}


@lru_cache(maxsize=1)
def _result():
    return estimate_haplotypes(SMALL, prune=0)


def _model_and_params():
    model = HaplotypeModel(prune=0)
    data = model.prepare(SMALL)
    return model, model.coerce_params("uniform", data)


def _from_unconstrained(vector):
    model, params = _model_and_params()
    return model.from_unconstrained(vector, params)


def _init(init, **kw):
    return lambda: estimate_haplotypes(SMALL, init=init, **kw)


PAIRS = np.array([[[0, 1], [1, 0]], [[0, 0], [1, 1]]])  # 2 individuals, 2 haplotypes, 2 loci

CASES = [
    # -- genotype tables ------------------------------------------------------------
    Case("haplo-genotypes-string", lambda: as_genotypes("AB"), TypeError, r"genotypes must be a table.*got str"),
    Case("haplo-genotypes-none", lambda: as_genotypes(None), TypeError, r"genotypes must be a table.*NoneType"),
    Case("haplo-genotypes-dict", lambda: as_genotypes({"a": [1, 2]}), TypeError, r"genotypes must be a table.*dict"),
    Case("haplo-genotypes-empty-list", lambda: as_genotypes([]), ValueError, r"genotypes is empty"),
    Case("haplo-genotypes-empty-array", lambda: as_genotypes(np.zeros((0, 4))), ValueError, r"genotypes is empty"),
    Case(
        "haplo-odd-columns",
        lambda: as_genotypes([[1, 2, 1]]),
        ValueError,
        r"two allele columns per locus, an even number; got 3",
    ),
    Case("haplo-zero-columns", lambda: as_genotypes(np.zeros((3, 0))), ValueError, r"an even number; got 0 column"),
    Case(
        "haplo-ragged-rows",
        lambda: as_genotypes([[1, 2, 1, 1], [1, 2]]),
        ValueError,
        r"ragged rows: individual 0 has 4 allele columns but individual 1 \(data row 2\) has 2",
    ),
    Case(
        "haplo-row-is-a-number",
        lambda: as_genotypes([1, 2]),
        ValueError,
        r"individual 0 is 1; each individual must be a row",
    ),
    Case(
        "haplo-3d-array",
        lambda: as_genotypes(np.ones((2, 2, 2), dtype=object)),
        ValueError,
        r"genotypes must be 2-D.*shape \(2, 2, 2\)",
    ),
    Case(
        "haplo-pairs-in-cells",
        lambda: as_genotypes([[(1, 2), (1, 1)], [(1, 1), (2, 2)]]),
        TypeError,
        r"individual 0 \(data row 1\), locus L1: a cell holds a sequence \(\(1, 2\)",
    ),
    Case(
        "haplo-three-alleles-in-a-cell",
        lambda: as_genotypes([["A/B", "C"], ["A", "C"]]),
        ValueError,
        r"individual 0 \(data row 1\) has 3 alleles at locus L1",
    ),
    Case(
        "haplo-individual-all-missing",
        lambda: as_genotypes([[1, 2], [None, np.nan]]),
        ValueError,
        r"individual 1 \(data row 2\) has every allele missing",
    ),
    Case(
        "haplo-locus-never-observed",
        lambda: as_genotypes([[1, 2, None, None], [1, 1, None, None]]),
        ValueError,
        r"locus L2 has no observed allele",
    ),
    Case(
        "haplo-mixed-label-kinds",
        lambda: as_genotypes([[1, "A"], [1, 1]]),
        TypeError,
        r"locus L1 mixes numbers and strings",
    ),
    Case(
        "haplo-fractional-label",
        lambda: as_genotypes([[1.5, 2]]),
        ValueError,
        r"individual 0 \(data row 1\), locus L1: allele labels must be integers or strings; got 1.5",
    ),
    Case(
        "haplo-fractional-label-array",
        lambda: as_genotypes(np.array([[1.0, 2.0], [2.5, 1.0]])),
        ValueError,
        r"individual 1 \(data row 2\), locus L1: .*got 2.5",
    ),
    Case(
        "haplo-infinite-label",
        lambda: as_genotypes(np.array([[np.inf, 1.0], [1.0, 1.0]])),
        ValueError,
        r"individual 0 \(data row 1\), locus L1: .*got inf",
    ),
    Case(
        "haplo-boolean-labels",
        lambda: as_genotypes([[True, False]]),
        TypeError,
        r"locus L1: allele labels must be integers or strings; got the boolean True",
    ),
    Case(
        "haplo-complex-labels",
        lambda: as_genotypes(np.array([[1 + 2j, 1]])),
        TypeError,
        r"locus L1: allele labels must be integers or strings; got complex",
    ),
    Case(
        "haplo-loci-a-string",
        lambda: as_genotypes([[1, 2, 1, 2]], loci="AB"),
        TypeError,
        r"loci must be a sequence of 2 locus names; got 'AB'",
    ),
    Case(
        "haplo-loci-wrong-count",
        lambda: as_genotypes([[1, 2, 1, 2]], loci=["a"]),
        ValueError,
        r"loci must name the 2 loci; got 1 names",
    ),
    Case(
        "haplo-loci-wrong-count-array",
        lambda: as_genotypes(np.array([[1, 2, 1, 2]]), loci=["a", "b", "c"]),
        ValueError,
        r"loci must name the 2 loci; got 3 names",
    ),
    Case(
        "haplo-loci-duplicate",
        lambda: as_genotypes([[1, 2, 1, 2]], loci=["a", "a"]),
        ValueError,
        r"loci: loci 1 and 2 are both named 'a'",
    ),
    Case(
        "haplo-loci-none-entry",
        lambda: as_genotypes([[1, 2, 1, 2]], loci=["a", None]),
        TypeError,
        r"loci must hold locus names \(strings\); got None",
    ),
    Case(
        "haplo-missing-boolean",
        lambda: as_genotypes([[1, 2]], missing=True),
        TypeError,
        r"missing must be a missing-allele code .*got the boolean True",
    ),
    Case(
        "haplo-missing-mapping",
        lambda: as_genotypes([[1, 2]], missing={0: 1}),
        TypeError,
        r"missing must be a missing-allele code",
    ),
    Case(
        "haplo-missing-zero-empties-an-individual",
        lambda: as_genotypes(np.array([[0, 0, 0, 0], [1, 2, 1, 2]]), missing=0),
        ValueError,
        r"individual 0 \(data row 1\) has every allele missing",
    ),
    Case(
        "haplo-missing-on-coded-data",
        lambda: as_genotypes(as_genotypes([[1, 2]]), missing=0),
        ValueError,
        r"missing applies to a table of alleles",
    ),
    Case(
        "haplo-genotypedata-float-codes",
        lambda: GenotypeData(codes=np.zeros((2, 1, 2)), alleles=((1, 2),), loci=("a",)),
        TypeError,
        r"GenotypeData.codes must be an integer array",
    ),
    Case(
        "haplo-genotypedata-code-out-of-range",
        lambda: GenotypeData(codes=np.array([[[0, 5]]]), alleles=((1, 2),), loci=("a",)),
        ValueError,
        r"allele codes of locus a must lie in -1..1",
    ),
    Case(
        "haplo-genotypedata-loci-count",
        lambda: GenotypeData(codes=np.array([[[0, 1]]]), alleles=((1, 2),), loci=("a", "b")),
        ValueError,
        r"codes have 1 loci but alleles has 1 and loci 2",
    ),
    # -- genotype files ---------------------------------------------------------------
    Case("haplo-read-source-type", lambda: read_genotypes(3), TypeError, r"source must be a file name.*got 3"),
    Case(
        "haplo-read-ids-flag",
        lambda: read_genotypes(io.StringIO("a,a\n1,2\n"), ids="yes"),
        TypeError,
        r"ids must be True or False; got 'yes'",
    ),
    Case(
        "haplo-read-zero-missing-flag",
        lambda: read_genotypes(io.StringIO("a,a\n1,2\n"), zero_missing=1),
        TypeError,
        r"zero_missing must be True or False; got 1",
    ),
    Case(
        "haplo-read-no-header",
        lambda: read_genotypes(io.StringIO("1,2,1,1\n1,1,2,2\n")),
        ValueError,
        r"line 1: the first row \(1,2,1,1\) looks like genotype data, not a header; add a header row",
    ),
    Case(
        "haplo-read-ragged-line",
        lambda: read_genotypes(io.StringIO("a,a,b,b\n1,2,1,1\n\n1,2\n")),
        ValueError,
        r"line 4: ragged row with 2 fields; the header has 4",
    ),
    Case("haplo-read-empty", lambda: read_genotypes(io.StringIO("")), ValueError, r"is empty \(expected a header row"),
    Case(
        "haplo-read-all-zero-individual",
        lambda: read_genotypes(io.StringIO("a,a,b,b\n1,2,1,2\n0,0,0,0\n")),
        ValueError,
        r"line 3: this individual has every allele missing.*0 is read as a missing allele",
    ),
    # -- the model's settings -------------------------------------------------------------
    Case(
        "haplo-method-unknown",
        lambda: HaplotypeModel("exact"),
        ValueError,
        r"method must be one of 'auto', 'full', 'ligation'; got 'exact'",
    ),
    Case("haplo-method-type", lambda: HaplotypeModel(3), TypeError, r"method must be one of .*got 3"),
    Case(
        "haplo-block-size-1",
        lambda: HaplotypeModel(block_size=1),
        ValueError,
        r"block_size must be an integer >= 2; got 1",
    ),
    Case(
        "haplo-block-size-float",
        lambda: HaplotypeModel(block_size=4.0),
        TypeError,
        r"block_size must be an integer >= 2; got 4.0",
    ),
    Case(
        "haplo-keep-1", lambda: HaplotypeModel(keep=1.0), ValueError, r"keep must be a frequency in \[0, 1\); got 1.0"
    ),
    Case(
        "haplo-keep-nan", lambda: HaplotypeModel(keep=float("nan")), ValueError, r"keep must be a frequency .*got nan"
    ),
    Case(
        "haplo-prune-negative",
        lambda: HaplotypeModel(prune=-1),
        ValueError,
        r"prune must be a frequency in \[0, 1\); got -1.0",
    ),
    Case("haplo-prune-string", lambda: HaplotypeModel(prune="1e-6"), TypeError, r"prune must be a frequency .*'1e-6'"),
    Case(
        "haplo-max-pairs-0",
        lambda: HaplotypeModel(max_pairs=0),
        ValueError,
        r"max_pairs must be an integer >= 1; got 0",
    ),
    Case("haplo-max-pairs-bool", lambda: HaplotypeModel(max_pairs=True), TypeError, r"max_pairs must be an integer"),
    Case(
        "haplo-full-too-large",
        lambda: estimate_haplotypes(SMALL * 3, method="full", max_pairs=10),
        ValueError,
        r"more than max_pairs=10; use method='ligation'",
    ),
    Case("haplo-mode-unknown", lambda: estimate_haplotypes(SMALL, mode="fuzzy"), ValueError, r"mode must be"),
    Case("haplo-n-init-0", lambda: estimate_haplotypes(SMALL, n_init=0), ValueError, r"n_init"),
    # -- starting frequencies --------------------------------------------------------------
    Case(
        "haplo-init-not-summing-to-1",
        _init({"frequencies": [0.5, 0.5, 0.5, 0.5]}),
        ValueError,
        r"init frequencies must sum to 1",
    ),
    Case(
        "haplo-init-negative",
        _init({"frequencies": [-0.5, 0.5, 0.5, 0.5]}),
        ValueError,
        r"init frequencies must be non-negative",
    ),
    Case(
        "haplo-init-wrong-length",
        _init({"frequencies": [1.0]}),
        ValueError,
        r"one entry per candidate haplotype \(4\); got shape \(1,\)",
    ),
    Case(
        "haplo-init-nan",
        _init({"frequencies": [np.nan, 0.5, 0.25, 0.25]}),
        ValueError,
        r"init frequencies must be finite; entry 0 is nan",
    ),
    Case(
        "haplo-init-strings",
        _init({"frequencies": ["a", "b", "c", "d"]}),
        TypeError,
        r"init frequencies must hold numbers",
    ),
    Case(
        "haplo-init-unknown-haplotype",
        _init({"haplotypes": {(3, "A"): 1.0}}),
        ValueError,
        r"haplotype \(3, 'A'\) is not consistent with any genotype",
    ),
    Case(
        "haplo-init-haplotype-too-short",
        _init({"haplotypes": {(1,): 1.0}}),
        ValueError,
        r"haplotype \(1,\) has 1 allele\(s\); these data have 2 loci",
    ),
    Case(
        "haplo-init-haplotype-as-string",
        _init({"haplotypes": {"1A": 1.0}}),
        TypeError,
        r"a haplotype is a tuple of 2 allele labels.*'1A'",
    ),
    Case(
        "haplo-init-haplotype-negative",
        _init({"haplotypes": {(1, "A"): -1.0, (2, "B"): 2.0}}),
        ValueError,
        r"init haplotype frequencies\[\(1, 'A'\)\] must be a finite number >= 0",
    ),
    Case(
        "haplo-init-haplotype-not-summing",
        _init({"haplotypes": {(1, "A"): 0.3, (2, "B"): 0.3}}),
        ValueError,
        r"init haplotype frequencies must sum to 1",
    ),
    Case(
        "haplo-init-zero-probability",
        _init({"haplotypes": {(1, "A"): 1.0}}),
        ValueError,
        r"init haplotype frequencies: these frequencies give some individual probability 0",
    ),
    Case("haplo-init-unknown-key", _init({"freqs": [0.25] * 4}), ValueError, r"got keys \['freqs'\]"),
    Case("haplo-init-unknown-name", _init("random"), ValueError, r"init must be 'centre', 'uniform'.*'random'"),
    Case("haplo-init-type", _init(3), TypeError, r"init must be a HaplotypeParams, a string or a mapping; got int"),
    Case(
        "haplo-unconstrained-nan",
        lambda: _from_unconstrained([np.nan, 0.0, 0.0, 0.0]),
        ValueError,
        r"vector must be finite",
    ),
    Case(
        "haplo-unconstrained-strings",
        lambda: _from_unconstrained(["a", "b", "c", "d"]),
        TypeError,
        r"vector must hold numbers",
    ),
    # -- results and helpers ---------------------------------------------------------------
    Case(
        "haplo-result-pairs-out-of-range",
        lambda: _result().pairs(10),
        ValueError,
        r"individual must be in 0..9; got 10",
    ),
    Case("haplo-result-phase-negative", lambda: _result().phase(-1), ValueError, r"individual must be in 0..9; got -1"),
    Case(
        "haplo-result-phase-float",
        lambda: _result().phase(1.0),
        TypeError,
        r"individual must be an integer in 0..9; got 1.0",
    ),
    Case("haplo-result-pairs-min-prob", lambda: _result().pairs(0, min_prob=2), ValueError, r"min_prob must be"),
    Case(
        "haplo-result-table-min-frequency",
        lambda: _result().table(min_frequency=float("nan")),
        ValueError,
        r"min_frequency must be a finite number",
    ),
    Case(
        "haplo-phase-accuracy-shape",
        lambda: phase_accuracy(PAIRS, PAIRS[:1]),
        ValueError,
        r"truth and estimate must both have shape",
    ),
    Case(
        "haplo-phase-accuracy-strings",
        lambda: phase_accuracy(PAIRS.astype(str), PAIRS),
        TypeError,
        r"truth must hold integer allele codes",
    ),
    Case(
        "haplo-phase-accuracy-2d",
        lambda: phase_accuracy(PAIRS[0], PAIRS[0]),
        ValueError,
        r"truth must have shape \(n, 2, n_loci\)",
    ),
    Case(
        "haplo-phase-accuracy-genotypes",
        lambda: phase_accuracy(PAIRS, np.where(PAIRS == PAIRS[0, 0, 0], 2, PAIRS)),
        ValueError,
        r"truth and estimate must have the same genotypes",
    ),
    Case(
        "haplo-format-sep", lambda: format_haplotype([1, 2], sep=1), TypeError, r"sep must be a string or None; got 1"
    ),
    # -- gene counting -----------------------------------------------------------------
    Case(
        "haplo-gc-phenotypes-list", lambda: GeneCounting([("A", "A")]), TypeError, r"phenotypes must map each phenotype"
    ),
    Case("haplo-gc-phenotypes-empty", lambda: GeneCounting({}), ValueError, r"phenotypes is empty"),
    Case(
        "haplo-gc-phenotype-without-genotype",
        lambda: GeneCounting({"x": [], "y": [("A", "A"), ("A", "B"), ("B", "B")]}),
        ValueError,
        r"phenotype 'x' lists no genotype",
    ),
    Case(
        "haplo-gc-three-allele-genotype",
        lambda: GeneCounting({"x": [("A", "A", "A")], "y": [("B", "B")]}),
        ValueError,
        r"phenotype 'x': a genotype is two alleles",
    ),
    Case(
        "haplo-gc-integer-alleles",
        lambda: GeneCounting({"x": [(1, 1)], "y": [(1, 2), (2, 2)]}),
        TypeError,
        r"phenotype 'x': alleles are named by non-empty strings; got 1",
    ),
    Case(
        "haplo-gc-genotype-in-two-phenotypes",
        lambda: GeneCounting({"x": [("A", "A")], "y": [("A", "A"), ("A", "B"), ("B", "B")]}),
        ValueError,
        r"genotype \('A', 'A'\) belongs to two phenotypes: 'x' and 'y'",
    ),
    Case(
        "haplo-gc-genotype-in-no-phenotype",
        lambda: GeneCounting({"x": [("A", "A")], "y": [("B", "B")]}),
        ValueError,
        r"genotypes \[\('A', 'B'\)\] belong to no phenotype",
    ),
    Case("haplo-gc-one-allele", lambda: GeneCounting({"x": [("A", "A")]}), ValueError, r"one allele only \('A'\)"),
    Case(
        "haplo-gc-unknown-phenotype",
        lambda: fit_em(GeneCounting(), {"A": 1, "Z": 2}),
        ValueError,
        r"unknown phenotypes \['Z'\]",
    ),
    Case(
        "haplo-gc-negative-count",
        lambda: fit_em(GeneCounting(), [1, -1, 0, 3]),
        ValueError,
        r"phenotype counts must be non-negative; entry 1 is -1",
    ),
    Case(
        "haplo-gc-fractional-count",
        lambda: fit_em(GeneCounting(), [1.5, 1, 0, 3]),
        ValueError,
        r"phenotype counts must be whole numbers; entry 0 is 1.5",
    ),
    Case(
        "haplo-gc-count-as-text",
        lambda: fit_em(GeneCounting(), {"A": "3", "O": 2}),
        TypeError,
        r"the count of 'A' must be a whole number; got '3'",
    ),
    Case(
        "haplo-gc-all-zero", lambda: fit_em(GeneCounting(), [0, 0, 0, 0]), ValueError, r"phenotype counts are all zero"
    ),
    Case(
        "haplo-gc-wrong-length",
        lambda: fit_em(GeneCounting(), [1, 2]),
        ValueError,
        r"one entry per phenotype \['A', 'B', 'AB', 'O'\]; got 2",
    ),
    Case(
        "haplo-gc-init-not-summing",
        lambda: fit_em(GeneCounting(), ABO, init={"A": 0.5, "B": 0.5}),
        ValueError,
        r"init: starting allele frequencies must be 3 positive numbers summing to 1",
    ),
    Case(
        "haplo-gc-init-unknown-allele",
        lambda: fit_em(GeneCounting(), ABO, init={"Q": 1.0}),
        ValueError,
        r"unknown alleles \['Q'\]",
    ),
    Case(
        "haplo-gc-init-string",
        lambda: fit_em(GeneCounting(), ABO, init="uniform"),
        TypeError,
        r"init must be AlleleParams, a mapping or a sequence of frequencies; got 'uniform'",
    ),
    Case(
        "haplo-gc-init-value-string",
        lambda: fit_em(GeneCounting(), ABO, init={"A": "x", "B": 0.5, "O": 0.5}),
        TypeError,
        r"init: the frequency of allele 'A' must be a number; got 'x'",
    ),
]

# -- the command line -------------------------------------------------------------------
GOOD = "a.a1,a.a2,b.a1,b.a2\n1,2,1,2\n1,1,2,2\n2,2,1,2\n1,2,2,2\n"


def _cli(case_id: str, text: str | bytes | None, match: str, *options: str) -> CLICase:
    if text is None:
        return CLICase(case_id, ("haplo", "{dir}/does-not-exist.csv", *options), match)
    return CLICase(case_id, ("haplo", "{dir}/g.csv", *options), match, files={"g.csv": text})


CASES += [
    _cli(
        "haplo-cli-no-header",
        "1,2,1,1\n1,1,2,2\n2,2,1,2\n",
        r"g\.csv, line 1: the first row \(1,2,1,1\) looks like genotype data, not a header; add a header row",
    ),
    _cli(
        "haplo-cli-no-header-string-alleles",
        "A,B,C,D\nA,A,C,C\nB,B,D,D\n",
        r"line 1: the first row \(A,B,C,D\) looks like genotype data.*two allele columns of each locus",
    ),
    _cli("haplo-cli-no-header-bom", "\ufeff1,2,1,2\n2,2,1,1\n", r"line 1: the first row .*looks like genotype data"),
    _cli(
        "haplo-cli-no-header-with-ids",
        "7,1,2,1,1\n8,1,1,2,2\n",
        r"line 1: .*looks like genotype data.*an identifier column, then a header row",
        "--ids",
    ),
    _cli("haplo-cli-empty-file", "", r"g\.csv is empty \(expected a header row"),
    _cli("haplo-cli-blank-lines-only", "\n \n,,\n", r"g\.csv is empty"),
    _cli("haplo-cli-header-only", "a.a1,a.a2\n", r"g\.csv has no data rows"),
    _cli(
        "haplo-cli-odd-columns", "a,a,b\n1,2,1\n2,2,1\n", r"g\.csv has 3 allele column\(s\) in its header; expected two"
    ),
    _cli("haplo-cli-ids-without-alleles", "id\nx\n", r"has 0 allele column\(s\) in its header", "--ids"),
    _cli(
        "haplo-cli-ragged-row",
        "a,a,b,b\n1,2,1,1\n\n1,2,1\n",
        r"g\.csv, line 4: ragged row with 3 fields; the header has 4",
    ),
    _cli(
        "haplo-cli-ragged-row-ids",
        "id,a,a\nx,1,2\ny,1\n",
        r"line 3: ragged row with 2 fields; the header has 3",
        "--ids",
    ),
    _cli("haplo-cli-three-alleles", "a,a,b,b\n1/3,2,1,2\n2,2,1,2\n", r"g\.csv, line 2 has 3 alleles at locus a"),
    _cli(
        "haplo-cli-individual-all-missing",
        "a,a,b,b\n1,2,1,2\n0,0,NA,\n2,2,1,1\n",
        r"line 3: this individual has every allele missing.*--no-missing-zero",
    ),
    _cli(
        "haplo-cli-locus-never-observed",
        "a,a,b,b\n1,2,0,0\n1,1,NA,NA\n",
        r"locus b \(columns 3-4\) has no observed allele.*0 is read as a missing allele",
    ),
    _cli(
        "haplo-cli-one-allele-locus",
        "a,a,b,b\n1,1,1,2\n1,1,2,2\n",
        r"locus a \(columns 1-2\) has one allele only \(1\)",
    ),
    _cli(
        "haplo-cli-zero-coded-snps",
        "a,a,b,b\n0,1,0,1\n0,1,1,1\n1,1,0,1\n",
        r"locus a \(columns 1-2\) has one allele only \(1\).*its other allele, 0, is read as missing.*--no-missing-zero",
    ),
    _cli(
        "haplo-cli-extra-missing-code",
        "a,a,b,b\n1,1,2,3\n1,1,2,2\n",
        r"locus a \(columns 1-2\) has no observed allele",
        "--missing",
        "1",
    ),
    _cli(
        "haplo-cli-tab-separated",
        "a.a1\ta.a2\tb.a1\tb.a2\n1\t2\t1\t2\n",
        r"line 1: one field only, but the line holds tabs",
    ),
    _cli(
        "haplo-cli-semicolons",
        "a.a1;a.a2;b.a1;b.a2\n1;2;1;2\n",
        r"line 1: one field only, but the line holds semicolons",
    ),
    _cli(
        "haplo-cli-duplicate-locus",
        "a.a1,a.a2,a.a1,a.a2\n1,2,1,2\n2,2,1,1\n",
        r"line 1: columns 3-4 \(a.a1, a.a2\) name locus 'a' again",
    ),
    _cli("haplo-cli-missing-file", None, r"cannot read .*does-not-exist\.csv"),
    _cli("haplo-cli-binary-file", b"\xff\xfe\x00\x81\x00", r"g\.csv is not a readable CSV file"),
    _cli("haplo-cli-n-init-0", GOOD, r"--n-init must be an integer >= 1; got 0", "--n-init", "0"),
    _cli("haplo-cli-n-init-text", GOOD, r"argument --n-init: invalid int value: 'two'", "--n-init", "two"),
    _cli("haplo-cli-max-iter-negative", GOOD, r"--max-iter must be an integer >= 0; got -1", "--max-iter=-1"),
    _cli("haplo-cli-tol-nan", GOOD, r"--tol must be a finite number >= 0.0; got nan", "--tol", "nan"),
    _cli("haplo-cli-tol-negative", GOOD, r"--tol must be a finite number >= 0.0; got -1.0", "--tol=-1"),
    _cli("haplo-cli-prune-1", GOOD, r"--prune must be a frequency in \[0, 1\); got 1.0", "--prune", "1"),
    _cli("haplo-cli-prune-negative", GOOD, r"--prune must be a finite number >= 0.0; got -0.1", "--prune=-0.1"),
    _cli("haplo-cli-prune-inf", GOOD, r"--prune must be a finite number >= 0.0; got inf", "--prune", "inf"),
    _cli("haplo-cli-block-size-1", GOOD, r"--block-size must be an integer >= 2; got 1", "--block-size", "1"),
    _cli(
        "haplo-cli-min-frequency-2",
        GOOD,
        r"--min-frequency must be a finite number >= 0.0 and <= 1.0; got 2.0",
        "--min-frequency",
        "2",
    ),
    _cli("haplo-cli-min-frequency-nan", GOOD, r"--min-frequency must be a finite number", "--min-frequency", "nan"),
    _cli("haplo-cli-seed-negative", GOOD, r"--seed must be a non-negative integer; got -1", "--seed=-1"),
    _cli("haplo-cli-method-unknown", GOOD, r"argument --method: invalid choice: 'exact'", "--method", "exact"),
    _cli("haplo-cli-mode-unknown", GOOD, r"argument --mode: invalid choice: 'fuzzy'", "--mode", "fuzzy"),
]

CASES += [
    Case(
        "haplo-seed-text",
        lambda: estimate_haplotypes(SMALL, seed="abc"),
        TypeError,
        r"seed must be None, a non-negative",
    ),
    Case("haplo-params-text", lambda: HaplotypeParams(["a", "b"]), TypeError, r"frequencies must hold numbers"),
    Case(
        "haplo-params-negative",
        lambda: HaplotypeParams([-0.5, 1.5]),
        ValueError,
        r"frequencies must be non-negative; entry 0 is -0.5",
    ),
    Case("haplo-allele-params-text", lambda: AlleleParams(["x"]), TypeError, r"frequencies must hold numbers"),
    Case(
        "haplo-init-params-of-other-data",
        _init(HaplotypeParams(np.full(3, 1 / 3))),
        ValueError,
        r"init has 3 frequencies; these data have 4 candidate",
    ),
    _cli(
        "haplo-cli-two-alleles-in-a-cell",
        "a,a,b,b\n1 2,1,1,2\n2,2,1,1\n",
        r"line 2: the cell '1 2' \(column 1\) holds more than one allele",
    ),
    _cli(
        "haplo-cli-full-too-large",
        "".join(
            [",".join(f"s{l}.a{j}" for l in range(24) for j in (1, 2)) + "\n"]
            + [",".join(["1", "2"] * 24) + "\n"] * 700
        ),
        r"more than max_pairs=5000000; use --method ligation",
        "--method",
        "full",
    ),
]

CASES += [
    _cli(
        "haplo-cli-control-character", "a,a,b,b\n\x00,1,1,2\n2,2,1,1\n", r"line 2: column 1 holds a control character"
    ),
    _cli(
        "haplo-cli-trailing-comma",
        "a,a,b,b\n1,2,1,2,\n2,2,1,1\n",
        r"line 2: ragged row with 5 fields; the header has 4",
    ),
]
