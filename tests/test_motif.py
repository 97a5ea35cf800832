"""Motif discovery (OOPS/ZOOPS/TCM): known answers, EM algebra, bad input, the CLI."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from em_properties import check_bound_chain
from scipy.special import logsumexp

from emcore import fit_em
from emcore.cli import main
from emcore.datasets import crp_sites, mutate_sites, plant_sites
from emcore.em import DECREASE_RTOL, elbo
from emcore.motif import (
    MotifData,
    MotifModel,
    MotifParams,
    MotifWarning,
    consensus,
    erase,
    find_motifs,
    information_content,
    kmer_params,
    ppm_similarity,
    read_fasta,
    to_meme,
)
from emcore.motif.search import _mask_sites

MOTIF = "TTGACGCATGCA"  # not a palindrome, so the strand matters


def _revcomp(s):
    return s.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def _direct_loglik(seqs, ppm, gamma, b, revcomp=False):
    """ZOOPS log-likelihood by brute force, one window at a time."""
    idx = {c: k for k, c in enumerate("ACGT")}
    W = len(ppm)
    total = 0.0
    for s in seqs:
        bg = sum(np.log(b[idx[c]]) for c in s)
        terms = []
        strands = [s] if not revcomp else [s, None]
        m = len(s) - W + 1
        for j in range(m):
            w = s[j : j + W]
            for text in [w, _revcomp(w)][: len(strands)]:
                lo = sum(np.log(ppm[k][idx[c]] / b[idx[c]]) for k, c in enumerate(text))
                terms.append(np.log(gamma / (m * len(strands))) + lo)
        if gamma < 1:
            terms.append(np.log1p(-gamma))
        total += bg + logsumexp(terms)
    return total


@pytest.fixture
def planted():
    rng = np.random.default_rng(7)
    sites = mutate_sites(MOTIF, 40, 0.1, rng)
    seqs, starts, strands = plant_sites(sites, 80, rng)
    return seqs, starts


def test_e_step_matches_brute_force():
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), size=n)) for n in (9, 14, 11)]
    ppm = rng.dirichlet(np.ones(4), size=4)
    for revcomp in (False, True):
        model = MotifModel(4, "zoops", revcomp=revcomp, pseudocount=0)
        data = model.prepare(seqs)
        b = model.background(data)
        params = MotifParams(ppm=ppm, gamma=0.3)
        _, ll = model.e_step(data, params)
        assert ll == pytest.approx(_direct_loglik(seqs, ppm, 0.3, b, revcomp), rel=1e-12)
        assert model.loglik(data, params) == pytest.approx(ll, rel=1e-14)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_motif_is_recovered_across_seeds(seed):
    rng = np.random.default_rng(seed)
    sites = mutate_sites(MOTIF, 30, 0.1, rng)
    seqs, starts, _ = plant_sites(sites, 100, rng, n_empty=10)
    (res,) = find_motifs(seqs, len(MOTIF), model="zoops", seed=seed)
    assert res.consensus == MOTIF
    found = {s.sequence: s.position for s in res.sites}
    hits = sum(found.get(i) == starts[i] for i in range(30))
    assert hits >= 27
    present = res.posterior.sum(axis=(1, 2))  # P(sequence holds a site)
    assert present[:30].mean() > 0.9 and present[30:].mean() < 0.6
    assert 0.6 < res.params.gamma < 0.9
    assert res.llr > 0


def test_minus_strand_motif_is_found_with_revcomp():
    rng = np.random.default_rng(11)
    sites = mutate_sites(MOTIF, 30, 0.05, rng)
    seqs, starts, strands = plant_sites(sites, 80, rng, flip=True)
    assert strands.count("-") > 8
    (res,) = find_motifs(seqs, len(MOTIF), model="oops", revcomp=True, seed=0)
    assert res.consensus in (MOTIF, _revcomp(MOTIF))
    same = res.consensus == MOTIF
    good = 0
    for site in res.sites:
        i = site.sequence
        want = strands[i] if same else {"+": "-", "-": "+"}[strands[i]]
        good += site.position == starts[i] and site.strand == want
    assert good >= 28
    # The symmetry: reverse-complementing every sequence gives the reverse-complement matrix.
    flipped = [_revcomp(s) for s in seqs]
    model = MotifModel(len(MOTIF), "oops", revcomp=True)
    a = fit_em(model, seqs, init=res.params, max_iter=3, tol=0)
    b = fit_em(model, flipped, init=res.params, max_iter=3, tol=0)
    np.testing.assert_allclose(a.loglik_trace, b.loglik_trace, rtol=1e-10)
    np.testing.assert_allclose(a.params.ppm, b.params.ppm, atol=1e-10)


def test_zoops_with_gamma_fixed_at_one_is_oops(planted):
    seqs, _ = planted
    start = kmer_params(MOTIF[:6] + "AAAAAA", gamma=1.0)
    oops = fit_em(MotifModel(12, "oops", revcomp=True), seqs, init=start, max_iter=15, tol=0)
    zoops = fit_em(MotifModel(12, "zoops", revcomp=True, fixed={"gamma"}), seqs, init=start, max_iter=15, tol=0)
    np.testing.assert_allclose(oops.loglik_trace, zoops.loglik_trace, rtol=1e-13)
    np.testing.assert_allclose(oops.params.ppm, zoops.params.ppm, rtol=1e-12)
    assert zoops.params.gamma == 1.0


@pytest.mark.parametrize("kind", ["oops", "zoops", "tcm"])
@pytest.mark.parametrize("revcomp", [False, True])
def test_soft_em_never_decreases_the_objective_and_bounds_are_tight(planted, kind, revcomp):
    seqs, _ = planted
    model = MotifModel(12, kind, revcomp=revcomp)
    rng = np.random.default_rng(5)
    for _ in range(3):
        result = fit_em(model, seqs, max_iter=40, tol=0, seed=rng, record_bound=True)
        assert result.status in ("max_iter", "converged")
        # MAP-EM climbs loglik + log_prior (the plain loglik alone may dip).
        objective = result.objective_trace
        prior = np.array([r.log_prior for r in result.history])
        np.testing.assert_allclose(objective, result.loglik_trace + prior, rtol=1e-15)
        assert np.all(np.diff(objective) >= -DECREASE_RTOL * np.maximum(1, np.abs(objective[:-1])))
        check_bound_chain(result)  # objective_{t+1} >= bound_{t+1} >= objective_t, prior included
    data = model.prepare(seqs)
    params = result.params
    q, loglik = model.e_step(data, params)
    assert loglik == pytest.approx(model.loglik(data, params), rel=1e-15)
    # The plain elbo touches the plain log-likelihood at the posterior ...
    assert elbo(model, data, params, q) == pytest.approx(loglik, rel=1e-12)
    # ... and, plus the prior, the objective: the driver's recorded bound.
    prior = model.log_prior(data, params)
    assert prior < 0
    assert elbo(model, data, params, q) + prior == pytest.approx(result.objective, rel=1e-12)
    # The bound of q at other parameters lies below both.
    other = model.coerce_params({"ppm": np.full((12, 4), 0.25), "gamma": params.gamma if kind != "oops" else 1})
    other_loglik = model.e_step(data, other)[1]
    assert elbo(model, data, other, q) <= other_loglik + 1e-8
    assert (
        elbo(model, data, other, q) + model.log_prior(data, other) <= other_loglik + model.log_prior(data, other) + 1e-8
    )
    # The recorded bound of the last step is the previous posterior's elbo plus the prior.
    q_prev, _ = model.e_step(data, result.history[-2].params)
    expected = elbo(model, data, params, q_prev) + prior
    assert result.history[-1].bound == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("kind", ["oops", "zoops", "tcm"])
def test_fit_reports_the_plain_loglik_and_objective_adds_the_prior(planted, kind):
    seqs, _ = planted
    model = MotifModel(12, kind, revcomp=True, pseudocount=4.0)
    data = model.prepare(seqs)
    result = fit_em(model, data, init=kmer_params(MOTIF, gamma=1.0 if kind == "oops" else 0.5), max_iter=30)
    # EMResult.loglik is the plain log P(x) at the returned parameters.
    assert result.loglik == model.loglik(data, result.params)
    prior = model.log_prior(data, result.params)
    assert result.history[-1].log_prior == prior
    assert result.objective == pytest.approx(result.loglik + prior, rel=1e-15)
    # The Dirichlet term by hand: sum_k sum_a pseudocount * b_a * log ppm[k, a].
    b = model.background(data)
    assert prior == pytest.approx(np.sum(4.0 * b * np.log(result.params.ppm)), rel=1e-13)
    assert model.log_prior(seqs, {"ppm": result.params.ppm, "gamma": result.params.gamma}) == pytest.approx(prior)
    # Without pseudocounts the prior is 0 and objective == loglik.
    plain = MotifModel(12, kind, revcomp=True, pseudocount=0)
    ml = fit_em(plain, seqs, init=kmer_params(MOTIF, gamma=1.0 if kind == "oops" else 0.5), max_iter=30)
    assert all(r.log_prior == 0.0 for r in ml.history)
    assert ml.objective == ml.loglik
    np.testing.assert_array_equal(ml.objective_trace, ml.loglik_trace)
    assert np.all(np.diff(ml.loglik_trace) >= -DECREASE_RTOL * np.abs(ml.loglik_trace[:-1]))


def test_hard_e_step_values_are_plain(planted):
    seqs, _ = planted
    for kind in ("oops", "zoops", "tcm"):
        model = MotifModel(12, kind, revcomp=True, pseudocount=2.0)
        data = model.prepare(seqs)
        params = kmer_params(MOTIF, gamma=1.0 if kind == "oops" else 0.3)
        hard, ll, closs = model.hard_e_step(data, params)
        assert ll == pytest.approx(model.loglik(data, params), rel=1e-14)
        # The classification log-likelihood is the plain complete-data log-likelihood
        # of the chosen completion (entropy 0).
        assert model.entropy(hard) == 0.0
        assert closs == pytest.approx(model.complete_loglik(data, params, hard), rel=1e-12)
        assert closs <= ll
        result = fit_em(model, data, init=params, mode="hard", max_iter=20, record_bound=True)
        assert result.objective == pytest.approx(
            result.history[-1].classification_loglik + model.log_prior(data, result.params), rel=1e-15
        )
        check_bound_chain(result)


def test_find_motifs_reports_plain_loglik_and_ranks_by_objective(planted):
    seqs, _ = planted
    (res,) = find_motifs(seqs, 12, model="zoops", seed=0, n_candidates=8)
    model = MotifModel(12, "zoops")
    data = model.prepare(seqs)
    assert res.loglik == res.fit.loglik == model.loglik(data, res.params)
    assert res.log_prior == model.log_prior(data, res.params) < 0
    assert res.objective == pytest.approx(res.fit.objective, rel=1e-15)
    assert res.llr == pytest.approx(res.loglik - model.background_loglik(data))
    # candidates are scored by the objective of their short runs (prior included)
    kmer, score = res.candidates[0]
    short = fit_em(model, data, init=kmer_params(kmer, gamma=0.5), max_iter=3, tol=1e-8)
    assert score == short.objective == pytest.approx(short.loglik + short.history[-1].log_prior)


def test_hard_em_picks_one_site_and_never_decreases(planted):
    seqs, starts = planted
    model = MotifModel(12, "oops")
    result = fit_em(model, seqs, init=kmer_params(MOTIF), mode="hard", max_iter=30)
    assert np.all(np.diff(result.objective_trace) >= -1e-9)
    data = model.prepare(seqs)
    hard, ll, closs = model.hard_e_step(data, result.params)
    assert np.all(hard.sum(axis=(1, 2)) == 1)
    assert closs <= ll
    assert consensus(result.params.ppm) == MOTIF


def test_m_step_counts_match_a_direct_count(planted):
    seqs, _ = planted
    model = MotifModel(5, "oops", revcomp=True, pseudocount=0)
    data = model.prepare(seqs[:4])
    rng = np.random.default_rng(1)
    q = rng.random((4, 2, data.valid.shape[1])) * data.valid[:, None, :]
    q /= q.sum(axis=(1, 2), keepdims=True)
    direct = np.zeros((5, 4))
    for i, s in enumerate(seqs[:4]):
        for j in range(len(s) - 4):
            for strand, text in enumerate([s[j : j + 5], _revcomp(s[j : j + 5])]):
                for k, c in enumerate(text):
                    direct[k, "ACGT".index(c)] += q[i, strand, j]
    np.testing.assert_allclose(model.expected_counts(data, q), direct, rtol=1e-12)
    new = model.m_step(data, q, model.coerce_params("ACGTA"))
    np.testing.assert_allclose(new.ppm, direct / direct.sum(axis=1, keepdims=True), rtol=1e-12)


def test_masked_letters_and_unequal_lengths():
    model = MotifModel(4, "oops", pseudocount=0.5)
    with pytest.warns(MotifWarning, match="skipped 2 sequence"):
        data = model.prepare(["ACGTACGTTT", "acgnnacgtn", "ACG", "NNNNNNNN", "TTTTRYACGTAC"])
    assert data.names == ("seq1", "seq2", "seq5")
    assert data.index.tolist() == [0, 1, 4]
    # "acgnnacgtn": only the window "acgt" (start 5) avoids N
    assert np.flatnonzero(data.valid[1]).tolist() == [5]
    params = model.coerce_params("ACGT")
    post, ll = model.e_step(data, params)
    assert np.isfinite(ll)
    np.testing.assert_allclose(post.sum(axis=(1, 2)), 1.0)
    assert post[1, 0, 5] == pytest.approx(1.0)
    masked = MotifModel(4, "oops", mask_lowercase=True)
    with pytest.warns(MotifWarning):
        d2 = masked.prepare(["ACGTACGTTT", "acgtacgt"])
    assert d2.n_sequences == 1


def test_erasing_finds_a_second_motif():
    rng = np.random.default_rng(4)
    a = mutate_sites("TTGACGCATGCA", 30, 0.05, rng)
    b = mutate_sites("GGGATTCCAAAT", 30, 0.05, rng)
    seqs = []
    for x, y in zip(a, b):
        s = "".join(rng.choice(list("ACGT"), size=120))
        seqs.append(s[:10] + x + s[22:70] + y + s[82:])
    res = find_motifs(seqs, 12, model="zoops", n_motifs=2, seed=0)
    assert {r.consensus for r in res} == {"TTGACGCATGCA", "GGGATTCCAAAT"}
    model = MotifModel(12, "zoops")
    data = model.prepare(seqs)
    erased = erase(data, res[0].posterior)
    assert erased.log_window_weight.shape == data.valid.shape
    assert erased.log_window_weight.min() < -10


def test_results_and_meme_format(planted):
    seqs, _ = planted
    (res,) = find_motifs(seqs, 12, model="zoops", seed=0)
    assert res.ppm.shape == (12, 4)
    np.testing.assert_allclose(res.ppm.sum(axis=1), 1.0)
    ic = res.information
    assert ic.shape == (12,) and np.all((ic >= 0) & (ic <= 2))
    assert information_content(np.full((2, 4), 0.25)) == pytest.approx([0, 0])
    assert information_content(np.eye(4)[:2]) == pytest.approx([2, 2])
    text = to_meme([res])
    assert text.startswith("MEME version 4")
    assert "letter-probability matrix: alength= 4 w= 12" in text
    rows = [line for line in text.splitlines() if line.startswith("  0.") or line.startswith("  1.")]
    assert len(rows) == 12
    score, offset, strand = ppm_similarity(res.ppm, kmer_params(_revcomp(MOTIF), 0.9).ppm)
    assert score > 0.9 and strand == "-" and offset == 0
    site = res.sites[0]
    assert site.text == seqs[site.sequence][site.position : site.position + 12]


def test_crp_sites_ship_with_logomaker():
    sites = crp_sites()
    assert len(sites) == 358 and {len(s) for s in sites} == {26}


@pytest.mark.parametrize(
    "data, width, exc, match",
    [
        ([], 5, ValueError, "no sequences: the input is empty"),
        (["ACGTACGT"], 1, ValueError, "width must be an integer >= 2"),
        (["ACGTACGT"], 2.5, TypeError, "width must be an integer"),
        (["ACGT", "ACG"], 8, ValueError, "every sequence is shorter than the motif width 8"),
        (["ACGTPEPTIDE"], 3, ValueError, "is not DNA: it holds the characters 'EIP'"),
        (["NNNNNNNN"], 3, ValueError, "no sequence has a window of 3"),
        ("ACGTACGT", 3, TypeError, "got a single string"),
        ([1, 2], 3, TypeError, "sequence 0 must be a string"),
        (42, 3, TypeError, "list of DNA strings"),
    ],
)
def test_bad_inputs_get_clear_errors(data, width, exc, match):
    with pytest.raises(exc, match=match):
        find_motifs(data, width)


def test_bad_settings_and_params():
    with pytest.raises(ValueError, match="model must be one of"):
        MotifModel(5, "twice")
    with pytest.raises(ValueError, match="background must be 4 positive"):
        MotifModel(5, background=[0.5, 0.5, 0, 0])
    with pytest.raises(ValueError, match="pseudocount must be"):
        MotifModel(5, pseudocount=-1)
    model = MotifModel(3, "oops")
    with pytest.raises(ValueError, match=r"ppm must have shape \(3, 4\)"):
        model.coerce_params({"ppm": np.full((2, 4), 0.25)})
    with pytest.raises(ValueError, match="each row of ppm must sum to 1"):
        model.coerce_params({"ppm": np.full((3, 4), 0.3)})
    with pytest.raises(ValueError, match="gamma must be 1"):
        model.coerce_params({"ppm": np.full((3, 4), 0.25), "gamma": 0.5})
    with pytest.raises(ValueError, match="A, C, G, T"):
        kmer_params("ACN")
    with pytest.raises(ValueError, match="n_motifs"):
        find_motifs(["ACGTACGT"], 3, n_motifs=0)


# -- the command line ---------------------------------------------------------------
@pytest.fixture
def fasta(tmp_path):
    rng = np.random.default_rng(3)
    sites = mutate_sites(MOTIF, 15, 0.05, rng)
    seqs, _, _ = plant_sites(sites, 60, rng, flip=True)
    path = tmp_path / "seqs.fa"
    path.write_text("".join(f">peak{i}\n{s}\n" for i, s in enumerate(seqs)))
    return path


def test_cli_report_and_meme_file(fasta, tmp_path, capsys):
    out_file = tmp_path / "motifs.meme"
    argv = ["motif", str(fasta), "--width", "12", "--revcomp", "--nmotifs", "2", "--meme-out", str(out_file)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "MOTIF 1: " + MOTIF in out or "MOTIF 1: " + _revcomp(MOTIF) in out
    assert "MOTIF 2: " in out and "peak0" in out
    assert "log-likelihood ratio vs background" in out
    assert "objective (log-likelihood + log prior)" in out
    text = out_file.read_text()
    assert text.count("MOTIF MOTIF") == 2 and "strands: + -" in text


def test_cli_models_and_hard_mode(fasta, capsys):
    assert main(["motif", str(fasta), "-w", "12", "--model", "oops", "--revcomp", "--mode", "hard"]) == 0
    assert "OOPS, both strands, hard EM" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, args, message",
    [
        (">a\nMKLVEPEPTIDE\n", [], "is not DNA"),
        ("", [], "holds no FASTA records"),
        ("hello\n", [], "is not a FASTA file"),
        (">a\nACGTACGTAC\n", ["--width", "1"], "width must be an integer >= 2"),
        (">a\nACG\n", [], "shorter than the motif width"),
    ],
)
def test_cli_malformed_input_is_one_line_and_exit_2(tmp_path, content, args, message):
    path = tmp_path / "bad.fa"
    path.write_text(content)
    argv = [sys.executable, "-m", "emcore", "motif", str(path)] + (args or ["--width", "6"])
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_cli_missing_file(capsys):
    assert main(["motif", "/no/such/file.fa", "--width", "6"]) == 2
    assert "cannot read /no/such/file.fa" in capsys.readouterr().err


def test_mutate_sites_copies_and_checks_its_input():
    rng = np.random.default_rng(0)
    assert mutate_sites(MOTIF, 3, 0.0, rng) == [MOTIF] * 3
    noisy = mutate_sites(MOTIF, 50, 1.0, rng)
    assert all(len(s) == len(MOTIF) and set(s) <= set("ACGT") for s in noisy)
    assert sum(a != b for s in noisy for a, b in zip(s, MOTIF)) > 0.6 * 50 * len(MOTIF)
    for bad, exc in (
        (dict(site="ACGU"), ValueError),
        (dict(site=""), ValueError),
        (dict(n=-1), ValueError),
        (dict(n=2.5), TypeError),
        (dict(rate=1.5), ValueError),
        (dict(rate="0.1"), TypeError),
    ):
        args = dict(site=MOTIF, n=2, rate=0.1) | bad
        with pytest.raises(exc):
            mutate_sites(args["site"], args["n"], args["rate"], rng)


# -- TCM erasing ----------------------------------------------------------------------
@pytest.mark.parametrize("seqs, width", [(["TTGACA"] * 5, 6), (["ACGTACGTAC"] * 3, 4), (["AAAAAAAAAA"] * 4, 3)])
def test_tcm_on_dense_input_erases_only_between_motifs(seqs, width):
    # Every window is a site: masking them leaves nothing. This used to fail with
    # "no sequence has a window ..." even for a single motif (erasing ran after the last).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (res,) = find_motifs(seqs, width, model="tcm", n_candidates=3)
    assert len(res.sites) >= len(seqs)
    # Asked for more, the search stops when no window is left and returns what it found.
    with pytest.warns(MotifWarning, match=r"stopped after 1 of 3 motifs: the sites found so far cover every window"):
        found = find_motifs(seqs, width, model="tcm", n_motifs=3, n_candidates=3)
    assert [r.consensus for r in found] == [res.consensus]


def test_tcm_masking_keeps_input_positions_and_lowercase_masking():
    model = MotifModel(6, "tcm", mask_lowercase=True)
    seqs = ["ACG", "ACGTTTTTTT", "TTGACA", "GGGGCCccaaAA"]
    with pytest.warns(MotifWarning, match="skipped 1 sequence"):
        data = model.prepare(seqs)
    assert data.index.tolist() == [1, 2, 3]
    q = np.zeros((3, 1, data.valid.shape[1]))
    q[1, 0, 0] = 1.0  # the only window of "TTGACA" is a site
    masked = _mask_sites(data, q)
    # "TTGACA" is gone; the others keep their positions in the input, and lower case stays masked.
    assert masked.index.tolist() == [1, 3] and masked.names == ("seq2", "seq4")
    assert masked.valid[1].tolist() == data.valid[2].tolist() and masked.valid[1].sum() == 1
    assert _mask_sites(data, np.where(data.valid, 1.0, 0.0)[:, None, :]) is None
    # Masking nothing changes nothing: lower case masked when the data were prepared stays
    # masked (in "GGGGCCccaaAA" only window 0 is free of masked letters), whatever the flag.
    same = _mask_sites(data, np.zeros_like(q))
    np.testing.assert_array_equal(same.valid, data.valid)
    np.testing.assert_array_equal(same.codes, data.codes)
    assert same.index.tolist() == [1, 2, 3]


def test_tcm_second_motif_reports_sites_of_the_input():
    rng = np.random.default_rng(1)
    seqs = ["TTGACATTGACA"] + ["".join(rng.choice(list("ACGT"), 30)) for _ in range(4)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MotifWarning)
        results = find_motifs(seqs, 6, model="tcm", n_motifs=2, n_candidates=5, seed=0)
    for res in results:
        for site in res.sites:  # the text lines up with the sequence it names
            window = seqs[site.sequence][site.position : site.position + 6]
            assert site.text == (window if site.strand == "+" else _revcomp(window))
            assert site.name == f"seq{site.sequence + 1}"


def test_find_motifs_checks_before_searching_and_keeps_seed_streams():
    seqs = ["ACGTACGTAC", "TTGACGTACG", "GGACGTACCA"]
    with pytest.raises(ValueError, match=r"short_iter must be an integer >= 1; got -1"):
        find_motifs(seqs, 4, short_iter=-1)
    with pytest.raises(TypeError, match=r"seed must be None, a non-negative integer"):
        find_motifs(seqs, 4, seed="abc")
    # An int seed and a Generator made from it draw the same candidates.
    a = find_motifs(seqs, 4, n_candidates=3, seed=5)[0]
    b = find_motifs(seqs, 4, n_candidates=3, seed=np.random.default_rng(5))[0]
    assert a.candidates == b.candidates and a.loglik == b.loglik


def test_many_erasures_stay_finite():
    model = MotifModel(4, "zoops")
    data = model.prepare(["ACGTACGTAC", "TTGACGTACG"])
    q = np.zeros((2, 1, data.valid.shape[1]))
    q[:, 0, 0] = 1.0  # the first four letters are covered every time
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log(0) warned, then -inf weights: 1e-8 ** 60 underflows
        for _ in range(60):
            data = erase(data, q)
        assert np.all(np.isfinite(data.log_window_weight[data.valid]))
        _, loglik = model.e_step(data, model.coerce_params("ACGT", data))
    assert np.isfinite(loglik)


def test_motif_data_built_by_hand_checks_itself():
    prepared = MotifModel(4).prepare(["ACGTNACGTA", "TTGACGTACG", "ACGTAC"])
    fields = {
        name: getattr(prepared, name) for name in ("names", "sequences", "index", "codes", "lengths", "width", "valid")
    }
    by_hand = MotifData(**fields)  # chunks and letter counts are derived
    for (o1, s1, c1), (o2, s2, c2) in zip(by_hand.chunks, prepared.chunks):
        assert (o1, s1) == (o2, s2) and np.array_equal(c1, c2)
    np.testing.assert_array_equal(by_hand.letter_counts, prepared.letter_counts)
    assert not by_hand.codes.flags.writeable
    model = MotifModel(4)
    params = model.coerce_params("ACGT", prepared)
    assert model.loglik(by_hand, params) == model.loglik(prepared, params)
    valid = prepared.valid.copy()
    valid[0, 2] = True  # window 2 covers the N
    with pytest.raises(ValueError, match=r"MotifData valid allows window 2 of sequence 0"):
        MotifData(**{**fields, "valid": valid})
    with pytest.raises(TypeError, match=r"MotifData codes must be an integer array"):
        MotifData(**{**fields, "codes": prepared.codes.astype(float)})


def test_params_check_themselves():
    with pytest.raises(ValueError, match=r"each row of ppm must sum to 1"):
        MotifParams(np.full((4, 4), 0.3))
    with pytest.raises(ValueError, match=r"gamma must be a finite number > 0\.0 and <= 1\.0; got 2\.0"):
        MotifParams(np.full((4, 4), 0.25), 2.0)
    params = MotifParams(np.full((4, 4), 0.25), 0.5)
    assert not params.ppm.flags.writeable and params.gamma == 0.5
    with pytest.raises(ValueError, match=r"min_overlap must be at most the width of the narrower matrix \(4\); got 5"):
        ppm_similarity(params.ppm, params.ppm)
    counts = np.array([[10, 0, 0, 0], [0, 5, 5, 0], [0, 0, 0, 3], [1, 2, 3, 4]], float)
    assert ppm_similarity(counts, counts / counts.sum(axis=1, keepdims=True), 4)[0] == pytest.approx(1.0)
    assert consensus(counts) == "ACTT"


def test_cli_tcm_stops_with_a_note(tmp_path, capsys):
    path = tmp_path / "dense.fa"
    path.write_text("".join(f">s{i}\nTTGACA\n" for i in range(5)))
    assert main(["motif", str(path), "-w", "6", "--model", "tcm", "--nmotifs", "2", "--candidates", "2"]) == 0
    out = capsys.readouterr().out
    assert "note: stopped after 1 of 2 motifs" in out and "MOTIF 1: TTGACA" in out and "MOTIF 2" not in out


def test_blank_lines_before_the_first_header_are_skipped(tmp_path):
    """Files written by hand often start with an empty line; Biopython alone refuses them."""
    path = tmp_path / "peaks.fa"
    path.write_text("\n\n# exported peaks\n>a\nACGTACGTAC\n>b\nTTGACGTACG\n")
    names, seqs = read_fasta(path)
    assert names == ["a", "b"] and seqs == ["ACGTACGTAC", "TTGACGTACG"]


def test_moved_data_sets_keep_their_old_address():
    import emcore.datasets
    from emcore import motif
    from emcore.motif import plant_sites as old_plant_sites

    assert old_plant_sites is emcore.datasets.plant_sites
    assert motif.crp_sites is emcore.datasets.crp_sites
    assert {"crp_sites", "chipseq_peaks", "mutate_sites", "plant_sites"} <= set(dir(motif))
    with pytest.raises(AttributeError, match="has no attribute 'not_a_name'"):
        getattr(motif, "not_a_name")  # noqa: B009  (the attribute access is the test)
