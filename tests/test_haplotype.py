"""Haplotype frequencies by EM: brute force, missing alleles, ligation, bad input, CLI."""

from __future__ import annotations

import io
import itertools
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import logsumexp
from scipy.stats import chi2

from emcore import fit_em
from emcore.cli import main
from emcore.em import DECREASE_RTOL
from emcore.haplotype import (
    HaplotypeData,
    HaplotypeModel,
    HaplotypeParams,
    as_genotypes,
    equilibrium_fit,
    estimate_haplotypes,
    phase_accuracy,
    read_genotypes,
)


def _genotype_table(pairs: np.ndarray) -> np.ndarray:
    """(n, 2, L) haplotype pairs -> (n, 2L) genotype table, two columns per locus."""
    n, _, n_loci = pairs.shape
    table = np.empty((n, 2 * n_loci), dtype=pairs.dtype)
    table[:, 0::2] = pairs[:, 0]
    table[:, 1::2] = pairs[:, 1]
    return table


def _simulated_pairs(rng, n=60, n_loci=6, n_founders=5, alleles=2):
    founders = rng.integers(0, alleles, size=(n_founders, n_loci))
    weights = rng.dirichlet(np.ones(n_founders))
    pick = rng.choice(n_founders, size=(n, 2), p=weights)
    pairs = founders[pick]
    flip = rng.random(pairs.shape) < 0.02  # a little noise: rare extra haplotypes
    return np.where(flip, rng.integers(0, alleles, size=pairs.shape), pairs)


def _consistent(observed, u, v) -> bool:
    a, b = observed
    if a is None and b is None:
        return True
    if a is None or b is None:
        known = a if b is None else b
        return known in (u, v)
    return sorted((u, v)) == sorted((a, b))


def _brute_matrices(rows, alleles) -> np.ndarray:
    """M[i, a, b] = 1 when the ordered haplotype pair (a, b) is consistent with row i."""
    haps = list(itertools.product(*alleles))
    out = np.zeros((len(rows), len(haps), len(haps)))
    for i, row in enumerate(rows):
        for a, h1 in enumerate(haps):
            for b, h2 in enumerate(haps):
                out[i, a, b] = all(_consistent((row[2 * l], row[2 * l + 1]), h1[l], h2[l]) for l in range(len(alleles)))
    return out


def _brute_loglik(rows, alleles, freq: dict) -> float:
    """Sum over *ordered* haplotype pairs of p(h1) p(h2), individual by individual."""
    p = np.array([freq.get(h, 0.0) for h in itertools.product(*alleles)])
    return float(np.sum(np.log(np.einsum("a,iab,b->i", p, _brute_matrices(rows, alleles), p))))


def _brute_max(rows, alleles, n_starts=6, seed=0):
    haps = list(itertools.product(*alleles))
    rng = np.random.default_rng(seed)
    m = _brute_matrices(rows, alleles)

    def negll(z):
        p = np.exp(z - logsumexp(z))
        return -float(np.sum(np.log(np.einsum("a,iab,b->i", p, m, p))))

    best = None
    for _ in range(n_starts):
        res = minimize(
            negll,
            rng.normal(size=len(haps)),
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 40_000, "maxfev": 40_000},
        )
        if best is None or res.fun < best.fun:
            best = res
    return -best.fun, dict(zip(haps, np.exp(best.x - logsumexp(best.x))))


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


def test_two_loci_agree_with_brute_force_maximisation():
    result = estimate_haplotypes(SMALL, tol=1e-14, prune=0)
    alleles = result.data.genotypes.alleles
    best_ll, best_p = _brute_max(SMALL, alleles)
    assert result.loglik >= best_ll - 1e-7
    assert result.loglik == pytest.approx(best_ll, abs=1e-5)
    est = dict(zip(result.haplotypes, result.frequencies))
    for hap, p in best_p.items():
        assert est.get(hap, 0.0) == pytest.approx(p, abs=2e-3)
    # the model's likelihood is the brute-force sum over ordered pairs
    assert _brute_loglik(SMALL, alleles, est) == pytest.approx(result.loglik, rel=1e-12)


def test_multiallelic_string_labels_against_brute_force():
    rows = [
        ["a", "b", "x", "y"],
        ["a", "c", "x", "x"],
        ["b", "c", "y", "z"],
        ["a", "a", "x", "z"],
        ["c", "c", "z", "z"],
        ["a", "b", "y", "y"],
        ["b", "c", "x", "z"],
        ["a", "c", "y", "z"],
    ]
    model = HaplotypeModel(prune=0)
    data = model.prepare(rows)
    alleles = data.genotypes.alleles
    assert alleles == (("a", "b", "c"), ("x", "y", "z"))
    # the likelihood at arbitrary frequencies
    rng = np.random.default_rng(5)
    f = rng.dirichlet(np.ones(data.n_haplotypes))
    freq = {data.haplotype_labels(k): f[k] for k in range(data.n_haplotypes)}
    assert model.loglik(data, {"frequencies": f}) == pytest.approx(_brute_loglik(rows, alleles, freq), rel=1e-12)
    # restarts through the driver: the best run reaches the brute-force maximum
    result = estimate_haplotypes(rows, n_init=8, seed=3, tol=1e-13, prune=0)
    assert len(result.fit.runs) == 8
    best_ll, _ = _brute_max(rows, alleles, n_starts=4, seed=1)
    assert result.loglik >= best_ll - 1e-6


def test_integer_and_string_labels_give_the_same_fit():
    ints = np.array([[0, 1, 0, 1], [0, 0, 1, 1], [1, 1, 0, 0], [0, 1, 0, 0], [0, 1, 1, 1]])
    strs = np.where(ints == 0, "G", "T").astype(object)
    a = estimate_haplotypes(ints)
    b = estimate_haplotypes(strs)
    assert a.loglik == b.loglik
    np.testing.assert_array_equal(a.frequencies, b.frequencies)
    assert [tuple("GT"[x] for x in h) for h in a.haplotypes] == list(b.haplotypes)


def test_loglik_never_decreases_in_soft_and_hard_mode():
    rng = np.random.default_rng(11)
    table = _genotype_table(_simulated_pairs(rng, n=80, n_loci=7))
    model = HaplotypeModel(prune=1e-4)
    for seed in range(4):
        for mode in ("soft", "hard"):
            run = fit_em(model, table, mode=mode, seed=seed, tol=0, max_iter=150)
            trace = run.objective_trace
            assert run.status in ("converged", "max_iter")
            assert np.all(np.diff(trace) >= -DECREASE_RTOL * np.maximum(1, np.abs(trace[:-1])))


def test_elbo_touches_the_loglik_at_the_posterior():
    model = HaplotypeModel(prune=0)
    data = model.prepare(SMALL)
    params = model.coerce_params("uniform", data)
    post, ll = model.e_step(data, params)
    elbo = model.complete_loglik(data, params, post) + model.entropy(post)
    assert elbo == pytest.approx(ll, rel=1e-12)
    hard, ll_hard, closs = model.hard_e_step(data, params)
    assert ll_hard == pytest.approx(ll, rel=1e-14)
    assert model.complete_loglik(data, params, hard) == pytest.approx(closs, rel=1e-12)
    assert model.entropy(hard) == 0.0


def test_a_masked_allele_sums_over_its_completions():
    # Individual 0 is {1, ?} at locus 2: its likelihood is the sum over the
    # completions {1, A} (double heterozygote) and {1, 1}... written out by hand.
    rows = [[1, 2, "A", None], [1, 1, "A", "A"], [2, 2, "B", "B"], [1, 2, "A", "B"], [1, 2, "B", "B"], [1, 1, "A", "B"]]
    model = HaplotypeModel(prune=0)
    data = model.prepare(rows)

    def by_hand(p):  # p over haplotypes 1A, 1B, 2A, 2B
        p1a, p1b, p2a, p2b = p
        masked = 2 * p1a * p2a + (2 * p1a * p2b + 2 * p1b * p2a)  # completions {A,A} and {A,B}
        others = [p1a**2, p2b**2, 2 * p1a * p2b + 2 * p1b * p2a, 2 * p1b * p2b, 2 * p1a * p1b]
        return math.log(masked) + sum(math.log(x) for x in others)

    labels = [(1, "A"), (1, "B"), (2, "A"), (2, "B")]
    rng = np.random.default_rng(2)
    for _ in range(3):
        p = rng.dirichlet(np.ones(4))
        init = {"haplotypes": dict(zip(labels, p))}
        assert model.loglik(data, init) == pytest.approx(by_hand(p), rel=1e-13)
    fit = estimate_haplotypes(rows, tol=1e-14, prune=0)
    opt = minimize(
        lambda z: -by_hand(np.exp(z - logsumexp(z))),
        np.zeros(4),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000},
    )
    p_hand = np.exp(opt.x - logsumexp(opt.x))
    est = dict(zip(fit.haplotypes, fit.frequencies))
    np.testing.assert_allclose([est.get(h, 0.0) for h in labels], p_hand, atol=1e-4)
    assert fit.loglik == pytest.approx(-opt.fun, abs=1e-8)


def test_both_alleles_missing_at_a_locus_and_nan_labels():
    rows = np.array([[1, 2, np.nan, np.nan], [1, 1, 1, 1], [2, 2, 2, 2], [1, 2, 1, 2]], dtype=float)
    model = HaplotypeModel(prune=0)
    data = model.prepare(rows)
    assert data.genotypes.codes[0, 1].tolist() == [-1, -1]
    p = np.random.default_rng(0).dirichlet(np.ones(data.n_haplotypes))
    freq = {data.haplotype_labels(k): p[k] for k in range(data.n_haplotypes)}
    brute = _brute_loglik([[1, 2, None, None], [1, 1, 1, 1], [2, 2, 2, 2], [1, 2, 1, 2]], data.genotypes.alleles, freq)
    assert model.loglik(data, {"frequencies": p}) == pytest.approx(brute, rel=1e-13)


def test_equilibrium_loglik_is_the_product_of_loci():
    rows = np.array([[0, 1, 0, 0], [1, 1, 0, 1], [0, 0, 1, 1], [0, 1, 0, 1]])
    (p1, p2), ll = equilibrium_fit(rows)
    np.testing.assert_allclose(p1, [4 / 8, 4 / 8])
    np.testing.assert_allclose(p2, [4 / 8, 4 / 8])
    assert ll == pytest.approx(8 * math.log(0.25) + 2 * math.log(2) + 2 * math.log(2))
    result = estimate_haplotypes(rows)
    assert result.df == 1 and result.lr_statistic == pytest.approx(2 * (result.loglik - ll))
    assert result.lr_statistic >= -1e-9


def test_partition_ligation_equals_full_enumeration_where_both_run():
    rng = np.random.default_rng(7)
    pairs = _simulated_pairs(rng, n=120, n_loci=12, n_founders=6)
    table = _genotype_table(pairs)
    full = estimate_haplotypes(table, method="full", prune=0, tol=1e-13)
    # keeping every block haplotype, ligation builds the very same pair table
    lig = estimate_haplotypes(table, method="ligation", block_size=4, keep=0.0, prune=0, tol=1e-13)
    assert lig.data.method == "ligation" and full.data.method == "full"
    assert lig.data.n_pairs == full.data.n_pairs
    assert lig.loglik == pytest.approx(full.loglik, rel=1e-10)
    a = dict(zip(full.haplotypes, full.frequencies))
    b = dict(zip(lig.haplotypes, lig.frequencies))
    for hap in set(a) | set(b):
        assert a.get(hap, 0.0) == pytest.approx(b.get(hap, 0.0), abs=1e-6)
    # with the default threshold, a much smaller table and the same answer
    pl = estimate_haplotypes(table, method="ligation", block_size=4)
    assert pl.data.n_pairs < full.data.n_pairs
    assert pl.loglik == pytest.approx(full.loglik, abs=1e-3)
    np.testing.assert_array_equal(pl.phased_alleles().shape, (120, 2, 12))


def test_phases_and_accuracy_on_a_known_truth():
    rng = np.random.default_rng(3)
    pairs = _simulated_pairs(rng, n=150, n_loci=8, n_founders=4)
    result = estimate_haplotypes(_genotype_table(pairs))
    share, switch = phase_accuracy(pairs, result.phased_alleles())
    assert share > 0.9 and switch < 0.05
    assert phase_accuracy(pairs, pairs) == (1.0, 0.0)
    swapped = pairs.copy()
    swapped[:, :, 3:] = pairs[:, ::-1, 3:]  # one switch after locus 3 in every individual
    het = pairs[:, 0] != pairs[:, 1]
    share2, switch2 = phase_accuracy(pairs, swapped)
    crosses = het[:, :3].any(axis=1) & het[:, 3:].any(axis=1)
    assert share2 == pytest.approx(1 - crosses.mean())
    assert switch2 == pytest.approx(crosses.sum() / np.maximum(het.sum(axis=1) - 1, 0).sum())
    assert 0.0 <= result.best_pair_prob.min() and result.best_pair_prob.max() <= 1.0


def test_pruning_keeps_the_answer():
    rng = np.random.default_rng(1)
    table = _genotype_table(_simulated_pairs(rng, n=200, n_loci=10, n_founders=6))
    exact = estimate_haplotypes(table, prune=0, tol=1e-12)
    pruned = estimate_haplotypes(table, prune=1e-4, tol=1e-12)
    assert pruned.fit.status == "converged"
    assert pruned.loglik == pytest.approx(exact.loglik, abs=0.05)
    assert pruned.haplotypes[:3] == exact.haplotypes[:3]


@pytest.mark.parametrize(
    "genotypes, exc, match",
    [
        ([[1, 2, 1]], ValueError, r"two allele columns per locus, an even number; got 3"),
        ([[1, 2, 1, 1], [1, 2]], ValueError, r"ragged rows: individual 0 has 4 allele columns but individual 1"),
        ([["A/B", "C"]], ValueError, r"has 3 alleles at locus L1"),
        ([[1, 2], [None, np.nan]], ValueError, r"individual 1 \(data row 2\) has every allele missing"),
        ([[None, None], [None, None]], ValueError, r"locus L1 has no observed allele"),
        ([[1, "A"]], TypeError, r"mixes numbers and strings"),
        ([[1.5, 2]], ValueError, r"allele labels must be integers or strings; got 1.5"),
        ([[True, False]], TypeError, r"got the boolean"),
        ([], ValueError, r"genotypes is empty"),
        ("AB", TypeError, r"genotypes must be a table"),
        ([1, 2], ValueError, r"each individual must be a row of alleles"),
    ],
)
def test_bad_genotypes_get_clear_errors(genotypes, exc, match):
    with pytest.raises(exc, match=match):
        estimate_haplotypes(genotypes)


def test_bad_settings_and_starts():
    with pytest.raises(ValueError, match="method must be one of"):
        HaplotypeModel("exact")
    with pytest.raises(ValueError, match="block_size must be an integer >= 2"):
        HaplotypeModel(block_size=1)
    with pytest.raises(ValueError, match="prune must be a frequency"):
        HaplotypeModel(prune=-1)
    with pytest.raises(ValueError, match="more than max_pairs=10; use method='ligation'"):
        estimate_haplotypes(SMALL * 3, method="full", max_pairs=10)
    with pytest.raises(ValueError, match="frequencies must sum to 1"):
        estimate_haplotypes(SMALL, init={"frequencies": [0.5, 0.5, 0.5, 0.5]})
    with pytest.raises(ValueError, match="one entry per candidate haplotype"):
        estimate_haplotypes(SMALL, init={"frequencies": [1.0]})
    with pytest.raises(ValueError, match="not consistent with any genotype"):
        estimate_haplotypes(SMALL, init={"haplotypes": {(3, "A"): 1.0}})
    with pytest.raises(ValueError, match="probability 0"):
        estimate_haplotypes(SMALL, init={"haplotypes": {(1, "A"): 1.0}})


def test_dataframe_columns_name_the_loci():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(SMALL, columns=["snp1.a1", "snp1.a2", "abo_1", "abo_2"])
    frame.iloc[0, 1] = pd.NA
    g = as_genotypes(frame)
    assert g.loci == ("snp1", "abo") and g.codes[0, 0].tolist() == [0, -1]


# -- the command line -----------------------------------------------------------------
CSV = (
    "mn.a1,mn.a2,ss.a1,ss.a2\n"
    + "\n".join(
        ",".join(str(x) for x in row)
        for row in [
            ("M", "N", "S", "s"),
            ("M", "M", "S", "S"),
            ("N", "N", "s", "s"),
            ("M", "N", "S", "S"),
            ("M", "N", "s", "s"),
            ("M", "N", "S", "NA"),
            ("M", "M", "S", "s"),
            ("N", "N", "S", "s"),
        ]
    )
    + "\n"
)


def test_cli_report(tmp_path, capsys):
    path = tmp_path / "genotypes.csv"
    path.write_text(CSV)
    assert main(["haplo", str(path), "--phases"]) == 0
    out = capsys.readouterr().out
    rows = [[None if c == "NA" else c for c in r.split(",")] for r in CSV.strip().splitlines()[1:]]
    expected = estimate_haplotypes(rows)
    assert "8 individuals, 2 loci (mn, ss), 1 missing alleles" in out
    assert f"log-likelihood (natural log, total): {expected.loglik:.4f}" in out
    assert f"linkage equilibrium: {expected.loglik_equilibrium:.4f}" in out
    assert "on 1 degrees of freedom" in out
    first = f"{''.join(expected.haplotypes[0])}         {expected.frequencies[0]:.4f}"
    assert first in out
    assert "individual  most likely pair  posterior" in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("a,a,b\n1,2,1\n", "3 allele column(s) in its header; expected two columns per locus"),
        ("a,a,b,b\n1,2,1,1\n1,2,1\n", "line 3: ragged row with 3 fields; the header has 4"),
        ("a,a,b,b\n1/3,2,1,1\n", "has 3 alleles at locus a"),
        ("a,a,b,b\n1,2,1,1\nNA,,.,?\n", "has every allele missing"),
        ("a,a,b,b\n", "has no data rows"),
    ],
)
def test_cli_malformed_input_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "emcore", "haplo", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_cli_missing_file(capsys):
    assert main(["haplo", "/no/such/genotypes.csv"]) == 2
    assert "cannot read /no/such/genotypes.csv" in capsys.readouterr().err


# -- gene counting (ABO) ------------------------------------------------------------------
ABO = {"A": 186, "B": 38, "AB": 13, "O": 284}


def _abo_loglik(p, counts=ABO):
    pa, pb, po = p
    return (
        counts["A"] * math.log(pa**2 + 2 * pa * po)
        + counts["B"] * math.log(pb**2 + 2 * pb * po)
        + counts["AB"] * math.log(2 * pa * pb)
        + counts["O"] * math.log(po**2)
    )


def test_gene_counting_matches_brute_force_and_the_split():
    from emcore.haplotype import GeneCounting

    model = GeneCounting()
    start = {"A": 0.3, "B": 0.3, "O": 0.4}
    fit = fit_em(model, ABO, init=start, tol=1e-14)
    assert fit.converged and np.all(np.diff(fit.loglik_trace) > -1e-9)
    opt = minimize(
        lambda z: -_abo_loglik(np.exp(z - logsumexp(z))),
        np.zeros(3),
        method="Nelder-Mead",
        options={"xatol": 1e-11, "fatol": 1e-12, "maxiter": 20_000},
    )
    np.testing.assert_allclose(fit.params.frequencies, np.exp(opt.x - logsumexp(opt.x)), atol=1e-6)
    assert fit.loglik == pytest.approx(_abo_loglik(fit.params.frequencies), rel=1e-13)
    pa, pb, po = 0.3, 0.3, 0.4
    split = model.expected_genotype_counts(ABO, start)
    assert split["AA"] == pytest.approx(186 * pa**2 / (pa**2 + 2 * pa * po), rel=1e-14)
    assert split["BO"] == pytest.approx(38 * 2 * pb * po / (pb**2 + 2 * pb * po), rel=1e-14)
    one = fit_em(model, ABO, init=start, max_iter=1, tol=0).params.frequencies
    n2 = 2 * sum(ABO.values())
    assert one[0] == pytest.approx((2 * split["AA"] + split["AO"] + 13) / n2, rel=1e-14)
    hard = fit_em(model, ABO, init=start, mode="hard")
    assert hard.status == "converged" and np.all(np.diff(hard.objective_trace) > -1e-9)
    restarts = fit_em(model, ABO, n_init=3, seed=0, tol=1e-14)
    assert restarts.loglik == pytest.approx(fit.loglik, rel=1e-10)


def test_gene_counting_bad_input():
    from emcore.haplotype import GeneCounting

    with pytest.raises(ValueError, match="unknown phenotypes"):
        fit_em(GeneCounting(), {"A": 1, "Z": 2})
    with pytest.raises(ValueError, match="must be non-negative"):
        fit_em(GeneCounting(), [1, -1, 0, 3])
    with pytest.raises(ValueError, match="one entry per phenotype"):
        fit_em(GeneCounting(), [1, 2])
    with pytest.raises(ValueError, match="belongs to two phenotypes"):
        GeneCounting({"x": [("A", "A")], "y": [("A", "A"), ("A", "B"), ("B", "B")]})
    with pytest.raises(ValueError, match="belong to no phenotype"):
        GeneCounting({"x": [("A", "A")], "y": [("B", "B")]})
    with pytest.raises(ValueError, match="positive numbers summing to 1"):
        fit_em(GeneCounting(), ABO, init={"A": 0.5, "B": 0.5})


def test_numeric_arrays_take_the_fast_path_to_the_same_codes():
    rng = np.random.default_rng(4)
    table = rng.integers(1, 4, size=(30, 8)).astype(float)
    table[3, 2] = np.nan
    fast = as_genotypes(table)
    slow = as_genotypes([[None if np.isnan(x) else int(x) for x in row] for row in table])
    np.testing.assert_array_equal(fast.codes, slow.codes)
    assert fast.alleles == slow.alleles and fast.loci == slow.loci
    with pytest.raises(ValueError, match="allele labels must be integers or strings; got 1.5"):
        as_genotypes(np.array([[1.5, 2.0]]))


def test_posterior_over_phase_pairs_of_a_double_heterozygote():
    result = estimate_haplotypes(SMALL, prune=0)
    pairs = result.pairs(0)  # (1, 2, A, B): coupling 1A/2B or repulsion 1B/2A
    assert [set(p[:2]) for p in pairs] == [{(1, "A"), (2, "B")}, {(1, "B"), (2, "A")}]
    f = dict(zip(result.haplotypes, result.frequencies))
    coupling = f[(1, "A")] * f[(2, "B")]
    assert pairs[0][2] == pytest.approx(coupling / (coupling + f[(1, "B")] * f[(2, "A")]), rel=1e-12)
    assert pairs[0][2] == pytest.approx(result.best_pair_prob[0], rel=1e-14)
    assert result.pairs(2) == [((1, "A"), (1, "A"), 1.0)]  # SMALL[2] is 1 1 A A
    with pytest.raises(ValueError, match="individual must be in 0..9"):
        result.pairs(10)


# -- conventions: 0 as missing, a header row, the default start, the test of linkage equilibrium --
def _fit_em_starts_at_the_default() -> bool:
    """Does fit_em's first run start at the model's ``default_params`` (emcore.em)?"""
    model = HaplotypeModel(prune=0)
    data = model.prepare(SMALL)
    start = fit_em(model, data, max_iter=0, seed=0).history[0].params.frequencies
    return bool(np.array_equal(start, data.centre))


needs_default_start = pytest.mark.xfail(
    not _fit_em_starts_at_the_default(),
    strict=True,
    reason="fit_em does not yet start its first run at the model's default_params",
)


def _hla_like(seed=12, n=220, n_loci=3, n_alleles=6, n_founders=14, n_zero=6):
    """Multi-allelic genotypes in the haplo.stats layout, alleles 1..6, a few coded 0 (missing)."""
    rng = np.random.default_rng(seed)
    founders = rng.integers(1, n_alleles + 1, size=(n_founders, n_loci))
    weights = rng.dirichlet(np.full(n_founders, 0.7))
    pairs = founders[rng.choice(n_founders, size=(n, 2), p=weights)]
    noise = rng.random(pairs.shape) < 0.03
    pairs = np.where(noise, rng.integers(1, n_alleles + 1, size=pairs.shape), pairs)
    table = _genotype_table(pairs)
    cells = rng.choice(table.size, size=n_zero, replace=False)
    table.flat[cells] = 0
    return table


def _csv(table, loci=("DQB", "DRB", "B")) -> str:
    header = ",".join(f"{name}.a{j}" for name in loci for j in (1, 2))
    return header + "\n" + "\n".join(",".join(str(x) for x in row) for row in table) + "\n"


def test_zero_is_a_missing_allele_in_files_and_on_request():
    table = _hla_like()
    text = _csv(table)
    g = read_genotypes(io.StringIO(text))
    assert int(np.sum(g.codes < 0)) == 6 and all(0 not in a for a in g.alleles)
    assert g.loci == ("DQB", "DRB", "B")
    same = as_genotypes(table, loci=g.loci, missing=0)
    np.testing.assert_array_equal(same.codes, g.codes)
    assert same.alleles == g.alleles
    # the same through the general path (a list of rows, strings "0") and a DataFrame
    rows = [[str(x) for x in row] for row in table]
    np.testing.assert_array_equal(as_genotypes(rows, missing="0").codes, g.codes)
    # turned off: 0 is an allele
    raw = read_genotypes(io.StringIO(text), zero_missing=False)
    assert int(np.sum(raw.codes < 0)) == 0 and any(0 in a for a in raw.alleles)
    np.testing.assert_array_equal(as_genotypes(table).codes, raw.codes)  # arrays: 0 is an allele by default
    # the fit with 0 as missing differs from the fit with 0 as an allele
    a = estimate_haplotypes(table, missing=0)
    b = estimate_haplotypes(table)
    assert a.loglik != pytest.approx(b.loglik)
    # other codes
    extra = read_genotypes(io.StringIO("a.a1,a.a2,b.a1,b.a2\n1,-9,1,2\n1,2,.,2\n2,2,1,1\n"), missing=-9)
    assert extra.codes[0, 0].tolist() == [0, -1] and extra.codes[1, 1].tolist() == [-1, 1]


@needs_default_start
def test_cli_reads_zero_as_missing_and_says_so(tmp_path, capsys):
    path = tmp_path / "hla.csv"
    table = _hla_like()
    path.write_text(_csv(table))
    assert main(["haplo", str(path)]) == 0
    out = capsys.readouterr().out
    assert "220 individuals, 3 loci (DQB, DRB, B), 6 missing alleles (0 read as missing)" in out
    expected = estimate_haplotypes(table, missing=0)
    assert f"log-likelihood (natural log, total): {expected.loglik:.4f}" in out
    assert f"linkage equilibrium: {expected.loglik_equilibrium:.4f}" in out
    assert main(["haplo", str(path), "--no-missing-zero"]) == 0
    out = capsys.readouterr().out
    assert "0 missing alleles (0 read as an allele)" in out
    help_text = subprocess.run(
        [sys.executable, "-m", "emcore", "haplo", "--help"], capture_output=True, text=True
    ).stdout
    assert "--no-missing-zero" in help_text and "0 is a missing allele" in " ".join(help_text.split())


def test_a_header_row_is_required(tmp_path):
    with pytest.raises(ValueError, match=r"line 1: the first row \(1,2,1,1\) looks like genotype data"):
        read_genotypes(io.StringIO("1,2,1,1\n1,1,2,2\n2,2,1,2\n"))
    with pytest.raises(ValueError, match=r"looks like genotype data"):
        read_genotypes(io.StringIO("M,N,S,s\nM,M,S,S\nN,N,s,s\n"))
    # a header whose names are not alleles is read as a header
    g = read_genotypes(io.StringIO("id,mn.a1,mn.a2\nx7,M,N\nx8,N,N\n"), ids=True)
    assert g.loci == ("mn",) and g.ids == ("x7", "x8") and g.n_individuals == 2
    path = tmp_path / "g.csv"
    path.write_text("\ufeffa.a1,a.a2,b.a1,b.a2\n1,2,1,2\n\n2,2,1,1\n")  # a byte-order mark, a blank line
    g = read_genotypes(path)
    assert g.loci == ("a", "b") and g.n_individuals == 2


def test_default_starts():
    model = HaplotypeModel(prune=0)
    data = model.prepare(SMALL)
    np.testing.assert_array_equal(model.default_params(data).frequencies, data.centre)
    centre = fit_em(model, data, init="centre", tol=1e-12)
    default = estimate_haplotypes(SMALL, prune=0, tol=1e-12)
    assert default.loglik == centre.loglik
    from emcore.haplotype import GeneCounting

    counting = GeneCounting()
    np.testing.assert_allclose(counting.default_params(ABO).frequencies, [1 / 3] * 3)


@needs_default_start
def test_more_starts_never_end_lower():
    # Restart 0 of fit_em is the model's default start; needs the driver's
    # ``default_params`` support (emcore.em.fit_em).
    table = _hla_like(seed=4)
    one = estimate_haplotypes(table, missing=0)
    model = HaplotypeModel()
    data = model.prepare(as_genotypes(table, missing=0))
    ten = fit_em(model, data, n_init=10, seed=0, max_iter=5000)
    assert ten.loglik >= one.loglik - 1e-9
    assert ten.runs[0].history[0].params.frequencies.tolist() == data.centre.tolist()
    assert estimate_haplotypes(table, missing=0, n_init=10, seed=0).loglik >= one.loglik - 1e-9


def test_equilibrium_likelihood_is_the_nested_maximum():
    table = _hla_like(seed=7, n=120)
    result = estimate_haplotypes(table, missing=0, method="full", prune=0)
    d, g = result.data, result.data.genotypes
    freqs, ll_eq = equilibrium_fit(g)
    assert ll_eq == result.loglik_equilibrium
    # the full model's likelihood at the product frequencies (over all possible haplotypes,
    # so they need not sum to 1 over the candidates) is the equilibrium likelihood
    le = np.ones(d.n_haplotypes)
    for l in range(g.n_loci):
        le = le * freqs[l][d.haplotypes[:, l]]
    like = np.bincount(d.ind, weights=d.c * le[d.h1] * le[d.h2], minlength=g.n_individuals)
    assert float(np.sum(np.log(like))) == pytest.approx(ll_eq, rel=1e-10)
    # each locus's allele frequencies maximise that locus's likelihood (perturbations lower it)
    from emcore.haplotype.equilibrium import _locus_loglik

    for l, p in enumerate(freqs):
        best = _locus_loglik(g.codes[:, l, :], p)
        for shift in np.eye(p.size)[:3]:
            q = (p + 1e-3 * shift) / (1 + 1e-3)
            assert _locus_loglik(g.codes[:, l, :], q) < best
    k = g.n_alleles
    assert result.df == math.prod(k) - 1 - sum(x - 1 for x in k)
    assert result.lr_statistic == pytest.approx(2 * (result.loglik - ll_eq)) and result.lr_statistic > 0
    assert result.n_estimated == len(result.haplotypes)
    # haplo.em's "lnlike.noLD" rescales the products onto the haplotypes the fit kept: larger
    kept = result.fit.params.frequencies > 0
    rescaled = np.where(kept, le, 0) / np.sum(le[kept])
    like = np.bincount(d.ind, weights=d.c * rescaled[d.h1] * rescaled[d.h2], minlength=g.n_individuals)
    assert float(np.sum(np.log(like))) > ll_eq


def test_no_p_value_without_degrees_of_freedom_or_enough_chromosomes():
    one_locus = estimate_haplotypes([[1, 2], [1, 1], [2, 2]])
    assert one_locus.df == 0 and one_locus.p_value is None and "one locus only" in one_locus.test_note
    assert one_locus.lr_statistic == 0.0
    mono = estimate_haplotypes([[1, 1, 1, 2], [1, 1, 2, 2], [1, 1, 1, 1]])
    assert mono.df == 0 and mono.p_value is None and "one allele only at L1 (1)" in mono.test_note
    sparse = estimate_haplotypes(_hla_like(), missing=0)
    assert sparse.df == 6**3 - 1 - 15 and sparse.p_value is None and "Cochran" in sparse.test_note
    values = [sparse.loglik, sparse.loglik_equilibrium, sparse.lr_statistic]
    assert all(math.isfinite(x) for x in values)
    # many chromosomes over few haplotypes: the chi-square p-value is given
    rng = np.random.default_rng(0)
    haps = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    big = _genotype_table(haps[rng.choice(4, size=(400, 2), p=[0.4, 0.1, 0.1, 0.4])])
    dense = estimate_haplotypes(big)
    assert dense.df == 1 and dense.test_note is None
    assert dense.p_value == pytest.approx(chi2.sf(dense.lr_statistic, 1), rel=1e-12)


def test_cli_reports_degenerate_tests_in_words(tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("abo.a1,abo.a2\nA,O\nA,A\nO,O\nB,O\n")
    assert main(["haplo", str(path)]) == 0
    out = capsys.readouterr().out
    assert "p =" not in out and "nan" not in out
    assert "on 0 degrees of freedom; no test of linkage equilibrium: there is one locus only" in out
    rng = np.random.default_rng(0)
    pairs = _simulated_pairs(rng, n=100, n_loci=60, n_founders=6, alleles=2) + 1
    path = tmp_path / "sixty.csv"
    path.write_text(_csv(_genotype_table(pairs), loci=[f"s{l}" for l in range(60)]))
    assert main(["haplo", str(path)]) == 0
    out = capsys.readouterr().out
    assert "on 1.15e+18 degrees of freedom; no p-value: 200 chromosomes are too few for a chi-square" in out
    assert "1152921504606846915" not in out and "p =" not in out


def test_cli_restarts_start_from_linkage_equilibrium(tmp_path, capsys):
    # needs fit_em's restart 0 at the model's default start (emcore.em)
    path = tmp_path / "hla.csv"
    table = _hla_like(seed=4)
    path.write_text(_csv(table))
    single = estimate_haplotypes(table, missing=0)
    assert main(["haplo", str(path)]) == 0
    assert f"log-likelihood (natural log, total): {single.loglik:.4f}" in capsys.readouterr().out
    assert main(["haplo", str(path), "--n-init", "10"]) == 0
    out = capsys.readouterr().out
    ll = float(out.split("log-likelihood (natural log, total): ")[1].split()[0])
    assert ll >= round(single.loglik, 4) and "10 start(s) (the first from linkage equilibrium)" in out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_ligation_fast_path_is_em_by_the_driver(seed):
    """tables.em_frequencies with prune=0: fit_em's run on the same table, plus one EM map."""
    from emcore.haplotype import tables as T
    from emcore.haplotype.model import _equilibrium_centre, _full_table

    rng = np.random.default_rng(seed)
    g = as_genotypes(_genotype_table(_simulated_pairs(rng, n=50, n_loci=4)))
    loci = list(range(g.n_loci))
    table, _ = _full_table(g, loci, ordered=False)
    start = _equilibrium_centre(g, table.haps, loci, equilibrium_fit(g)[0])
    fast = T.em_frequencies(table, g.n_individuals, start, tol=1e-8, prune=0.0)
    data = HaplotypeData(g, table.haps, table.ind, table.h1, table.h2, table.c, start, "full", table.n_rows)
    model = HaplotypeModel(method="full", prune=0.0)
    fit = fit_em(model, data, init=HaplotypeParams(start), tol=1e-8, max_iter=2000)
    one_more = model.m_step(data, model.e_step(data, fit.params)[0], fit.params)
    np.testing.assert_allclose(fast, one_more.frequencies, rtol=1e-10, atol=1e-13)


def test_locus_frequencies_with_missing_alleles_come_from_the_driver():
    """Gene counting at one locus runs through fit_em and reaches the maximum."""
    from emcore.haplotype.equilibrium import _locus_allele_frequencies, _locus_loglik

    codes = np.array([[0, 1], [1, 1], [0, -1], [2, -1], [-1, 1], [0, 0], [2, 1], [-1, -1]])
    p = _locus_allele_frequencies(codes, 3)
    assert p.sum() == pytest.approx(1.0) and np.all(p > 0)
    best = _locus_loglik(codes, p)
    for d in ([1e-4, -1e-4, 0], [0, 1e-4, -1e-4], [-1e-4, 0, 1e-4]):
        assert _locus_loglik(codes, p + np.array(d)) < best
