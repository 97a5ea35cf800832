"""Why EM works, checked on random problems: the evidence lower bound and monotonicity.

Every model of the book enters the registry ``CASES`` with one line (see
``tests/em_properties.py``); each generic test then runs on 200 random problems of
that model. The hypothesis runs are derandomized, so CI sees the same problems every
time. ``python tests/test_em_properties.py`` runs the generic tests and prints the
worst cases measured (the largest KL gap left at the posterior, the smallest
monotonicity slack, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from em_properties import (
    RTOL,
    EMCase,
    Problem,
    check_bound_chain,
    check_elbo,
    check_hard_em,
    check_soft_em,
    mixture_kl,
    problems_from_rng,
    random_responsibilities,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emcore import CoinMixture, fit_em
from emcore.em import elbo
from emcore.gmm import COVARIANCE_TYPES, GaussianMixture
from emcore.haplotype import HaplotypeModel
from emcore.hmm import DiscreteHMM
from emcore.motif import MotifModel, erase

N_PROBLEMS = 200
PROPERTY = settings(
    max_examples=N_PROBLEMS,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def coin_problems(draw, interior: bool = True) -> Problem:
    """Random binomial mixtures: 1-4 coins, 1-10 sets of 1-25 tosses, random starts.

    With ``interior`` every set has at least one head and one tail, so every M-step
    keeps each bias strictly between 0 and 1; without it, biases can reach exactly
    0 or 1 (sets of all tails or all heads).
    """
    n_coins = draw(st.integers(1, 4))
    n_sets = draw(st.integers(1, 10))
    low = 2 if interior else 1
    tosses = draw(st.lists(st.integers(low, 25), min_size=n_sets, max_size=n_sets))
    heads = [draw(st.integers(1, n - 1) if interior else st.integers(0, n)) for n in tosses]
    learn = draw(st.booleans())
    raw = draw(st.lists(st.floats(0.05, 1.0), min_size=n_coins, max_size=n_coins))
    weights = np.asarray(raw) / np.sum(raw)
    theta = draw(st.lists(st.floats(0.02, 0.98), min_size=n_coins, max_size=n_coins))
    model = CoinMixture(n_coins, fixed=() if learn else {"weights"}, weights=weights)
    seed = draw(st.integers(0, 2**32 - 1))
    return Problem(model, (heads, tosses), {"theta": theta, "weights": weights}, seed)


# The registry: one line per model, EMCase(name, problems, q_sampler, kl, ...), where
# problems_from_rng(f) turns f(rng) -> Problem(model, data, init) into a strategy.
def hmm_problem(rng: np.random.Generator) -> Problem:
    """A random discrete HMM (1-3 states, 2-4 symbols), 1-3 sequences drawn from it."""
    n_states, n_symbols = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    model = DiscreteHMM(n_states=n_states, n_symbols=n_symbols, pseudocount=float(rng.choice([0.0, 0.5])))
    truth = model.initial_params(None, rng)
    _, sequences = model.sample(truth, [int(n) for n in rng.integers(1, 30, size=rng.integers(1, 4))], rng)
    return Problem(model, sequences, model.initial_params(None, rng))


def posterior_elsewhere(model, data, params, posterior, rng: np.random.Generator):
    """A random ``q`` in any model's layout: the posterior under other, random parameters.

    For models whose posterior is not a plain array (state paths of an HMM, phase pairs
    of haplotypes) this is the simplest valid distribution over completions.
    """
    return model.e_step(data, model.initial_params(data, rng))[0]


def haplotype_problem(rng: np.random.Generator) -> Problem:
    """3-15 individuals at 1-4 loci with 2-3 alleles each, some alleles missing; plain EM."""
    n, n_loci = int(rng.integers(3, 16)), int(rng.integers(1, 5))
    alleles = rng.integers(0, 3, size=(n, 2 * n_loci)).astype(float)
    missing = rng.random(alleles.shape) < 0.08
    missing[:, 0] = False  # every individual keeps an allele somewhere
    alleles[missing] = np.nan
    model = HaplotypeModel(prune=0.0)  # pruning is not an M-step: its bound can be -inf
    data = model.prepare(alleles)
    return Problem(model, alleles, model.initial_params(data, rng))


def motif_problem(rng: np.random.Generator) -> Problem:
    """A small random motif search: 2-6 DNA sequences of 2-24 letters (a few N), W 2-5.

    Random site model (OOPS, ZOOPS, TCM), strands, pseudocount (0, the plain
    likelihood, or MAP-EM with a Dirichlet prior), background, learned or fixed
    gamma, and sometimes a prior over starts from erasing a random earlier motif.
    The start is a random matrix (Dirichlet rows) and gamma.
    """
    kind = str(rng.choice(["oops", "zoops", "tcm"]))
    width = int(rng.integers(2, 6))
    letters = np.array(list("ACGTN"))
    seqs = []
    for _ in range(int(rng.integers(2, 7))):
        codes = rng.choice(5, size=int(rng.integers(width, 25)), p=[0.24, 0.24, 0.24, 0.24, 0.04])
        j = int(rng.integers(0, len(codes) - width + 1))
        codes[j : j + width] %= 4  # at least one window free of N
        seqs.append("".join(letters[codes]))
    background = None if rng.random() < 0.5 else rng.dirichlet(np.full(4, 5.0))
    pseudocount = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.1, 3.0))
    model = MotifModel(
        width,
        kind,
        revcomp=bool(rng.random() < 0.5),
        background=background,
        pseudocount=pseudocount,
        fixed=() if rng.random() < 0.8 else {"gamma"},
    )
    data = model.prepare(seqs)
    if kind != "tcm" and rng.random() < 0.3:  # a prior over starts, as after a first motif
        earlier = model.coerce_params({"ppm": rng.dirichlet(np.ones(4), size=width), "gamma": 1.0})
        data = erase(data, model.e_step(data, earlier)[0] * rng.uniform(0.2, 1.0))
    ppm = np.maximum(rng.dirichlet(np.full(4, float(rng.uniform(0.3, 3.0))), size=width), 1e-6)
    gamma = 1.0 if kind == "oops" else float(rng.uniform(0.05, 0.95))
    return Problem(model, data, {"ppm": ppm / ppm.sum(axis=1, keepdims=True), "gamma": gamma})


def motif_site_distribution(model, data, params, posterior, rng: np.random.Generator) -> np.ndarray:
    """A random ``q`` in the motif layout ``(n, S, J)``, on allowed windows only.

    OOPS: a Dirichlet over each sequence's allowed (window, strand) pairs. ZOOPS: the
    same plus one more outcome, 'no site' (its mass is ``1 - q[i].sum()``). TCM:
    for every allowed window a Dirichlet over (site on each strand, background).
    Concentrations from nearly one-hot (0.05) to nearly uniform (20).
    """
    n, S, J = np.shape(posterior)
    alpha = float(np.exp(rng.uniform(np.log(0.05), np.log(20.0))))
    allowed = np.broadcast_to(data.valid[:, None, :], (n, S, J))
    if model.model == "tcm":
        draw = rng.gamma(alpha, size=(n, S + 1, J)) + 1e-300  # the strands, then background
        return np.where(allowed, draw[:, :S] / draw.sum(axis=1, keepdims=True), 0.0)
    draw = np.where(allowed, rng.gamma(alpha, size=(n, S, J)) + 1e-300, 0.0)
    total = draw.sum(axis=(1, 2), keepdims=True)
    if model.model == "zoops":
        total = total + rng.gamma(alpha, size=(n, 1, 1)) + 1e-300
    return draw / total


def gmm_problem(rng: np.random.Generator) -> Problem:
    """A random Gaussian mixture fit: 1-3 components, 1-3 features, 12-60 samples.

    Every covariance type, learned or fixed weights, and either of the model's own
    starts (k-means++ or random responsibilities). The data are a random mixture
    with overlapping clusters, so the posterior is far from one-hot.
    """
    K, d = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    n = int(rng.integers(12, 61))
    centres = rng.normal(scale=2.0, size=(K, d))
    X = centres[rng.integers(K, size=n)] + rng.normal(size=(n, d)) * rng.uniform(0.3, 1.5, size=d)
    model = GaussianMixture(
        K,
        covariance_type=str(rng.choice(COVARIANCE_TYPES)),
        init=str(rng.choice(["kmeans++", "random"])),
        fixed=() if rng.random() < 0.8 else {"weights"},
    )
    return Problem(model, X, model.initial_params(model.prepare(X), rng))


CASES = [
    EMCase("coins", coin_problems(), random_responsibilities, mixture_kl),
    EMCase("gmm", problems_from_rng(gmm_problem), random_responsibilities, mixture_kl, max_iter=25),
    EMCase("hmm", problems_from_rng(hmm_problem), posterior_elsewhere, max_iter=25),
    EMCase("haplotypes", problems_from_rng(haplotype_problem), posterior_elsewhere, max_iter=25),
    EMCase("motif", problems_from_rng(motif_problem), motif_site_distribution, max_iter=25),
]

#: Worst cases seen by the generic tests, per case (printed by ``python tests/test_em_properties.py``).
MEASURED: dict[str, dict[str, float]] = {}


def _record(case: EMCase, numbers: dict[str, float]) -> None:
    worst = MEASURED.setdefault(case.name, {"problems": 0})
    worst["problems"] += 1
    for key, value in numbers.items():
        if key.endswith(("posterior_gap", "max_kl_gap")):  # report the largest
            worst[key] = max(worst.get(key, -math.inf), value)
        else:  # slacks and steps: report the smallest
            worst[key] = min(worst.get(key, math.inf), value)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@PROPERTY
@given(data=st.data())
def test_elbo_is_a_lower_bound_that_touches_at_the_posterior(case, data):
    problem = data.draw(case.problems, label="problem")
    rng = np.random.default_rng(problem.seed)
    numbers = check_elbo(problem.model, problem.data, problem.init, case.sample_q, rng, kl=case.kl)
    _record(case, {"elbo " + k: v for k, v in numbers.items()})


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@PROPERTY
@given(data=st.data())
def test_soft_em_never_decreases_and_climbs_its_bounds(case, data):
    problem = data.draw(case.problems, label="problem")
    numbers = check_soft_em(problem.model, problem.data, problem.init, max_iter=case.max_iter)
    _record(case, {"soft " + k: v for k, v in numbers.items()})


@pytest.mark.parametrize("case", [c for c in CASES if c.hard], ids=lambda c: c.name)
@PROPERTY
@given(data=st.data())
def test_hard_em_never_decreases(case, data):
    problem = data.draw(case.problems, label="problem")
    numbers = check_hard_em(
        problem.model, problem.data, problem.init, max_iter=case.max_iter, record_bound=case.hard_bound
    )
    _record(case, {"hard " + k: v for k, v in numbers.items()})


# -- coin-specific: counts at the edges (no heads, all heads) ----------------------


@settings(max_examples=100, derandomize=True, deadline=None, database=None)
@given(problem=coin_problems(interior=False))
def test_soft_em_never_decreases_with_empty_and_full_sets(problem):
    # No bound here: with sets of all heads or all tails a bias can round to exactly
    # 0 or 1 while a responsibility of ~1e-300 remains on it, and the recorded bound
    # is then -inf (an underflow artefact; log P itself stays finite and monotone).
    check_soft_em(problem.model, problem.data, problem.init, max_iter=40, record_bound=False)
    check_hard_em(problem.model, problem.data, problem.init, max_iter=40, record_bound=False)


# -- the driver's bound recording and elbo: settings and errors ---------------------


def test_bound_chain_on_the_paper_example(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, max_iter=10, record_bound=True)
    assert result.history[0].bound is None and math.isnan(result.bound_trace[0])
    # history[1].bound is g_0(theta_1): the bound built at (0.6, 0.5), evaluated at theta_1.
    q0, loglik0 = coin_model.e_step(coin_data, result.history[0].params)
    expected = coin_model.complete_loglik(coin_data, result.history[1].params, q0) + coin_model.entropy(q0)
    assert result.history[1].bound == pytest.approx(expected, rel=1e-14)
    assert f"{result.history[1].bound:.4f}" == "-31.9972"  # the soft EM chapter's figure
    numbers = check_bound_chain(result)
    assert numbers["upper_slack"] > 0 and numbers["lower_slack"] > 0
    # The KL gap closed by each E-step shrinks as EM converges.
    gaps = result.loglik_trace[1:] - result.bound_trace[1:]
    assert np.all(np.diff(gaps) < 0)


def test_recording_the_bound_changes_nothing_else(coin_model, coin_data):
    plain = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]})
    recorded = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, record_bound=True)
    assert [r.params for r in plain.history] == [r.params for r in recorded.history]
    assert np.array_equal(plain.loglik_trace, recorded.loglik_trace)
    assert all(r.bound is None for r in plain.history)
    assert np.all(np.isnan(plain.bound_trace))
    multi = fit_em(CoinMixture(3, fixed=()), coin_data, n_init=3, seed=2, record_bound=True, max_iter=30)
    for run in multi.runs:
        check_bound_chain(run)


def test_hard_mode_bound_is_the_old_assignment_at_the_new_parameters(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, mode="hard", record_bound=True)
    onehot, _, closs0 = coin_model.hard_e_step(coin_data, result.history[0].params)
    assert coin_model.entropy(onehot) == 0.0
    expected = coin_model.complete_loglik(coin_data, result.history[1].params, onehot)
    assert result.history[1].bound == pytest.approx(expected, rel=1e-14)
    check_bound_chain(result)


def test_elbo_known_values(coin_model, coin_data):
    params = {"theta": [0.6, 0.5]}
    posterior, loglik = coin_model.e_step(coin_data, coin_model.coerce_params(params))
    assert elbo(coin_model, coin_data, params, posterior) == pytest.approx(loglik, rel=1e-14)
    # A uniform q: the bound is the average of the two completions plus log 2 per set.
    uniform = np.full((5, 2), 0.5)
    lj = coin_model.log_joint(coin_data, params)
    assert elbo(coin_model, coin_data, params, uniform) == pytest.approx(
        lj.mean(axis=1).sum() + 5 * np.log(2), rel=1e-14
    )
    # Known coins: the complete-data log-likelihood, entropy 0, and the gap is -log P(z | x).
    onehot = np.eye(2)[[1, 0, 0, 1, 0]]
    gap = loglik - elbo(coin_model, coin_data, params, onehot)
    assert gap == pytest.approx(-np.sum(np.log(posterior[onehot == 1])), rel=1e-12)


@dataclass(frozen=True)
class _NoBound:
    """A model without the optional bound methods."""

    def prepare(self, data):
        return data

    def initial_params(self, data, rng):
        return 0

    def coerce_params(self, init, data):
        return init

    def e_step(self, data, params):
        return None, 0.0

    def m_step(self, data, posterior, params):
        return params


def test_bound_needs_the_optional_methods():
    with pytest.raises(TypeError, match="lacks: complete_loglik, entropy"):
        elbo(_NoBound(), None, 0, None)
    with pytest.raises(TypeError, match="lacks: complete_loglik, entropy"):
        fit_em(_NoBound(), None, init=0, record_bound=True)
    assert fit_em(_NoBound(), None, init=0).status == "converged"  # fine without the bound


def test_bad_record_bound_and_bad_q(coin_model, coin_data):
    with pytest.raises(TypeError, match="record_bound must be True or False"):
        fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, record_bound=1)
    with pytest.raises(ValueError, match="posterior must have shape"):
        elbo(coin_model, coin_data, {"theta": [0.6, 0.5]}, np.full((4, 2), 0.5))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        elbo(coin_model, coin_data, {"theta": [1.5, 0.5]}, np.full((5, 2), 0.5))


if __name__ == "__main__":  # run the generic tests and print the worst cases
    for case in CASES:
        test_elbo_is_a_lower_bound_that_touches_at_the_posterior(case)
        test_soft_em_never_decreases_and_climbs_its_bounds(case)
        if case.hard:
            test_hard_em_never_decreases(case)
    for name, numbers in MEASURED.items():
        print(name)
        for key, value in numbers.items():
            print(f"  {key:24} {value:.3g}")
    print(f"(tolerance: relative {RTOL:g})")
