"""The discrete HMM: brute-force answers, kernel agreement, hmmlearn equivalence, bad input."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from emcore import fit_em
from emcore.datasets import casino_model, casino_params
from emcore.em import DECREASE_RTOL
from emcore.hmm import PARAM_NAMES, DiscreteHMM, HMMData, HMMParams, HMMPosterior

CASINO = {name: getattr(casino_params(), name) for name in PARAM_NAMES}  # a mapping, to vary one field
NEUTRAL = {
    "start": [0.5, 0.5],
    "transitions": [[0.8, 0.2], [0.2, 0.8]],
    "emissions": [[1 / 6] * 6, [0.15] * 5 + [0.25]],
}


def random_params(rng, K, M):
    return HMMParams(
        start=rng.dirichlet(np.ones(K)),
        transitions=rng.dirichlet(np.ones(K), size=K),
        emissions=rng.dirichlet(np.ones(M), size=K),
    )


def all_paths(x, p):
    """Every state path of ``x`` with its joint log-probability ``log P(x, z)``."""
    K = p.n_states
    out = []
    for z in itertools.product(range(K), repeat=len(x)):
        lp = np.log(p.start[z[0]]) + np.log(p.emissions[z[0], x[0]])
        for t in range(1, len(x)):
            lp += np.log(p.transitions[z[t - 1], z[t]]) + np.log(p.emissions[z[t], x[t]])
        out.append((z, lp))
    return out


@pytest.fixture
def casino():
    return casino_model()


@pytest.fixture
def casino_rolls(casino):
    rng = np.random.default_rng(1998)
    states, rolls = casino.sample(CASINO, [2000, 700, 1, 2], rng)
    return states, rolls


# -- brute force on tiny models --------------------------------------------------
@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("T", [1, 2, 3, 6])
def test_e_step_matches_enumeration_of_all_paths(backend, T):
    rng = np.random.default_rng(T)
    K, M = 3, 4
    model = DiscreteHMM(K, M, backend=backend)
    p = random_params(rng, K, M)
    x = rng.integers(0, M, T)
    paths = all_paths(x, p)
    logp = np.array([lp for _, lp in paths])
    loglik = np.log(np.exp(logp).sum())
    q = np.exp(logp - loglik)
    post, ll = model.e_step(model.prepare(x), p)
    assert ll == pytest.approx(loglik, rel=1e-12)
    # expected counts by enumeration
    start, trans, emit = np.zeros(K), np.zeros((K, K)), np.zeros((K, M))
    for (z, _), w in zip(paths, q):
        start[z[0]] += w
        for t in range(T):
            emit[z[t], x[t]] += w
            if t:
                trans[z[t - 1], z[t]] += w
    np.testing.assert_allclose(post.start_counts, start, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(post.transition_counts, trans, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(post.emission_counts, emit, rtol=1e-10, atol=1e-14)
    # the entropy of the chain posterior, and the evidence lower bound is tight
    entropy = -np.sum(q * np.log(q))
    assert model.entropy(post) == pytest.approx(entropy, rel=1e-10)
    expected = float(np.sum(q * logp))
    assert model.complete_loglik(x, p, post) == pytest.approx(expected, rel=1e-10)
    assert model.complete_loglik(x, p, post) + model.entropy(post) == pytest.approx(ll, rel=1e-10)
    # posterior marginals and Viterbi
    gamma = model.posterior_marginals(x, p)[0]
    direct = np.zeros((T, K))
    for (z, _), w in zip(paths, q):
        direct[np.arange(T), z] += w
    np.testing.assert_allclose(gamma, direct, rtol=1e-10, atol=1e-14)
    best_path, best_lp = max(paths, key=lambda item: item[1])
    vpaths, vbest = model.viterbi(x, p)
    assert tuple(vpaths[0]) == best_path
    assert vbest == pytest.approx(best_lp, rel=1e-12)


def test_elbo_is_below_loglik_for_other_parameters():
    rng = np.random.default_rng(5)
    model = DiscreteHMM(2, 3)
    x = [rng.integers(0, 3, 50), rng.integers(0, 3, 7)]
    p, other = random_params(rng, 2, 3), random_params(rng, 2, 3)
    post, ll = model.e_step(model.prepare(x), p)
    elbo = model.complete_loglik(x, other, post) + model.entropy(post)
    assert elbo <= model.loglik(x, other) + 1e-9


# -- compiled and numpy paths agree ------------------------------------------------
def test_numba_and_numpy_paths_agree():
    rng = np.random.default_rng(7)
    K, M = 4, 5
    p = random_params(rng, K, M)
    fast, slow = DiscreteHMM(K, M, backend="numba"), DiscreteHMM(K, M, backend="numpy")
    x = [rng.integers(0, M, n) for n in (1, 2, 3, 500, 4000)]
    a, lla = fast.e_step(fast.prepare(x), p)
    b, llb = slow.e_step(slow.prepare(x), p)
    assert lla == pytest.approx(llb, rel=1e-12)
    for name in ("start_counts", "transition_counts", "emission_counts"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, atol=1e-12)
    assert a.entropy == pytest.approx(b.entropy, rel=1e-12)
    for ga, gb in zip(fast.posterior_marginals(x, p), slow.posterior_marginals(x, p)):
        np.testing.assert_allclose(ga, gb, rtol=1e-11, atol=1e-13)
    pa, va = fast.viterbi(x, p)
    pb, vb = slow.viterbi(x, p)
    assert va == pytest.approx(vb, rel=1e-13)
    assert all(np.array_equal(u, v) for u, v in zip(pa, pb))
    sa = fast.sample(p, [10, 300], np.random.default_rng(3))
    sb = slow.sample(p, [10, 300], np.random.default_rng(3))
    for u, v in zip(sa[0] + sa[1], sb[0] + sb[1]):
        np.testing.assert_array_equal(u, v)
    ra = fit_em(fast, x, init=p, tol=0, max_iter=5)
    rb = fit_em(slow, x, init=p, tol=0, max_iter=5)
    np.testing.assert_allclose(ra.loglik_trace, rb.loglik_trace, rtol=1e-12)
    np.testing.assert_allclose(ra.params.transitions, rb.params.transitions, rtol=1e-11, atol=1e-13)


def test_a_million_symbols_neither_underflow_nor_overflow(casino):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, 1_000_000)
    uniform = dict(CASINO, emissions=[[1 / 6] * 6, [1 / 6] * 6])
    # every path emits with probability 6^-T: log P(x) = -T log 6 exactly
    assert casino.loglik(x, uniform) == pytest.approx(-1e6 * np.log(6), rel=1e-10)
    post, ll = casino.e_step(casino.prepare(x), CASINO)
    assert np.isfinite(ll) and ll < 0
    assert post.emission_counts.sum() == pytest.approx(1e6, rel=1e-12)
    assert post.transition_counts.sum() == pytest.approx(1e6 - 1, rel=1e-12)
    assert np.isfinite(post.entropy) and post.entropy > 0
    paths, best = casino.viterbi(x, CASINO)
    assert np.isfinite(best) and best <= ll


# -- EM behaviour ------------------------------------------------------------------
def test_baum_welch_never_decreases_and_recovers_the_casino(casino):
    rng = np.random.default_rng(11)
    states, rolls = casino.sample(CASINO, 20_000, rng)
    result = fit_em(casino, rolls, init=NEUTRAL, tol=1e-10, max_iter=2000)
    trace = result.loglik_trace
    assert np.all(np.diff(trace) >= -DECREASE_RTOL * np.abs(trace[:-1]))
    assert result.converged
    p = result.params
    assert p.transitions[0, 1] == pytest.approx(0.05, abs=0.02)
    assert p.transitions[1, 0] == pytest.approx(0.10, abs=0.03)
    assert p.emissions[1, 5] == pytest.approx(0.5, abs=0.05)
    np.testing.assert_allclose(p.emissions[0], 1 / 6, atol=0.02)
    # decoding with the learned parameters finds most of the loaded stretches
    for method in ("viterbi", "posterior"):
        decoded = casino.decode(rolls, p, method=method)[0]
        assert np.mean(decoded == states[0]) > 0.75


def test_viterbi_training_climbs_its_own_objective(casino, casino_rolls):
    _, rolls = casino_rolls
    result = fit_em(casino, rolls, init=NEUTRAL, mode="hard", max_iter=200)
    closs = result.objective_trace
    assert np.all(np.diff(closs) >= -DECREASE_RTOL * np.abs(closs[:-1]))
    assert result.status == "converged"
    # the classification log-likelihood is log P(x, z) of the Viterbi path
    post, ll, cl = casino.hard_e_step(casino.prepare(rolls), result.params)
    assert cl == pytest.approx(casino.complete_loglik(rolls, result.params, post), rel=1e-12)
    assert cl <= ll and post.entropy == 0.0
    assert sum(len(p) for p in post.paths) == sum(len(r) for r in rolls)


def test_fixed_parameters_by_name(casino_rolls):
    _, rolls = casino_rolls
    model = DiscreteHMM(2, alphabet="123456", fixed={"emissions"}, emissions=CASINO["emissions"])
    result = fit_em(model, rolls, init={"start": [0.5, 0.5], "transitions": [[0.7, 0.3], [0.3, 0.7]]}, max_iter=50)
    for record in result.history:
        np.testing.assert_array_equal(record.params.emissions, np.array(CASINO["emissions"]))
    assert not np.allclose(result.params.transitions, [[0.7, 0.3], [0.3, 0.7]])
    both = DiscreteHMM(2, alphabet="123456", fixed=["start", "transitions"])
    r2 = fit_em(both, rolls, init=NEUTRAL, max_iter=5)
    np.testing.assert_array_equal(r2.params.transitions, np.array(NEUTRAL["transitions"]))
    np.testing.assert_array_equal(r2.params.start, np.array(NEUTRAL["start"]))
    # a fixed parameter needs a value for a random start
    with pytest.raises(ValueError, match="emissions is fixed but has no value"):
        fit_em(DiscreteHMM(2, 6, fixed={"emissions"}), rolls, seed=1)
    rnd = fit_em(model, rolls, seed=3, max_iter=3)
    np.testing.assert_array_equal(rnd.params.emissions, np.array(CASINO["emissions"]))


def test_pseudocounts_are_added_to_the_counts(casino, casino_rolls):
    _, rolls = casino_rolls
    data = casino.prepare(rolls)
    params = casino.coerce_params(NEUTRAL)
    post, _ = casino.e_step(data, params)
    smooth = DiscreteHMM(2, alphabet="123456", pseudocount=2.0)
    new = smooth.m_step(data, post, params)
    counts = post.emission_counts + 2.0
    np.testing.assert_allclose(new.emissions, counts / counts.sum(axis=1, keepdims=True), rtol=1e-14)


def test_a_state_without_counts_keeps_its_row():
    model = DiscreteHMM(3, 2)
    params = HMMParams(
        [0.5, 0.5, 0.0], [[0.5, 0.5, 0], [0.5, 0.5, 0], [0.2, 0.2, 0.6]], [[0.9, 0.1], [0.1, 0.9], [0.3, 0.7]]
    )
    post = model.path_counts([0, 1, 1, 0], [np.array([0, 1, 1, 0])])
    new = model.m_step(model.prepare([0, 1, 1, 0]), post, params)
    np.testing.assert_array_equal(new.transitions[2], params.transitions[2])
    np.testing.assert_array_equal(new.emissions[2], params.emissions[2])
    np.testing.assert_allclose(new.transitions[:2], [[0, 1, 0], [0.5, 0.5, 0]])


def test_impossible_data_are_refused_naming_the_sequence_and_position():
    model = DiscreteHMM(1, 2, fixed={"emissions"}, emissions=[[1.0, 0.0]])
    init = {"start": [1.0], "transitions": [[1.0]]}
    with pytest.raises(ValueError, match="sequence 0 has probability zero.*code 1 at position 2"):
        model.loglik([0, 0, 1], init)
    with pytest.raises(ValueError, match=r"sequence 0 has probability zero under the starting parameters \(init\)"):
        fit_em(model, [0, 0, 1], init=init)
    with pytest.raises(ValueError, match="probability zero"):
        model.posterior_marginals([0, 1], init)


# -- sampling ------------------------------------------------------------------------
def test_sampling_is_reproducible_and_follows_the_model(casino):
    a = casino.sample(CASINO, [5, 100_000], np.random.default_rng(42))
    b = casino.sample(CASINO, [5, 100_000], np.random.default_rng(42))
    for u, v in zip(a[0] + a[1], b[0] + b[1]):
        np.testing.assert_array_equal(u, v)
    states, rolls = a[0][1], a[1][1]
    stay = np.mean(states[1:][states[:-1] == 0] == 0)
    assert stay == pytest.approx(0.95, abs=0.005)
    assert np.mean(rolls[states == 1] == 5) == pytest.approx(0.5, abs=0.01)
    assert np.mean(states == 1) == pytest.approx(1 / 3, abs=0.03)  # stationary share
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        casino.sample(CASINO, 10, 42)


def test_strings_and_codes_are_the_same_data(casino):
    a = casino.prepare(["1626", "66"])
    b = casino.prepare([np.array([0, 5, 1, 5]), [5, 5]])
    np.testing.assert_array_equal(a.symbols, b.symbols)
    np.testing.assert_array_equal(a.lengths, [4, 2])
    assert casino.decode_symbols(a.sequences[0]) == "1626"
    single = casino.prepare([0, 5, 1])
    assert single.n_sequences == 1


# -- hmmlearn ------------------------------------------------------------------------
def hmmlearn_fit(init, rolls, k, n_features, priors=None):
    hmm = pytest.importorskip("hmmlearn.hmm")
    kwargs = {} if priors is None else priors
    ref = hmm.CategoricalHMM(
        n_components=len(init["start"]),
        n_features=n_features,
        n_iter=k,
        tol=-np.inf,
        init_params="",
        params="ste",
        implementation="log",
        **kwargs,
    )
    ref.startprob_ = np.array(init["start"], dtype=float)
    ref.transmat_ = np.array(init["transitions"], dtype=float)
    ref.emissionprob_ = np.array(init["emissions"], dtype=float)
    X = np.concatenate(rolls)[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X, lengths=[len(r) for r in rolls])
    return ref


@pytest.mark.parametrize("case", ["casino", "three_states"])
def test_baum_welch_matches_hmmlearn(case):
    rng = np.random.default_rng(2008)
    if case == "casino":
        model = DiscreteHMM(2, 6)
        rolls = model.sample(CASINO, [3000, 1200, 17, 1], rng)[1]
        init = NEUTRAL
    else:
        model = DiscreteHMM(3, 4)
        truth = random_params(rng, 3, 4)
        rolls = model.sample(truth, [800, 400, 2], rng)[1]
        init = random_params(rng, 3, 4).as_dict()
    k = 25
    ref = hmmlearn_fit(init, rolls, k, model.n_symbols)
    ours = fit_em(model, rolls, init=init, tol=0, max_iter=k)
    history = np.asarray(ref.monitor_.history)
    assert history.size == k and ours.n_iter == k
    np.testing.assert_allclose(ours.loglik_trace[:k], history, rtol=1e-8)
    np.testing.assert_allclose(ours.params.start, ref.startprob_, atol=1e-6)
    np.testing.assert_allclose(ours.params.transitions, ref.transmat_, atol=1e-6)
    np.testing.assert_allclose(ours.params.emissions, ref.emissionprob_, atol=1e-6)


def test_pseudocounts_match_hmmlearn_dirichlet_priors():
    rng = np.random.default_rng(3)
    model = DiscreteHMM(2, 6, pseudocount=0.5)
    rolls = model.sample(CASINO, [500, 300], rng)[1]
    priors = {"startprob_prior": 1.5, "transmat_prior": 1.5, "emissionprob_prior": 1.5}
    ref = hmmlearn_fit(NEUTRAL, rolls, 10, 6, priors)
    ours = fit_em(model, rolls, init=NEUTRAL, tol=0, max_iter=10)
    np.testing.assert_allclose(ours.params.transitions, ref.transmat_, atol=1e-6)
    np.testing.assert_allclose(ours.params.emissions, ref.emissionprob_, atol=1e-6)


# -- bad input -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, exc, match",
    [
        (["1627"], ValueError, r"sequence 0 has symbol '7' at position 3, outside the alphabet '123456'"),
        ([[0, 6]], ValueError, r"sequence 0 has symbol code 6 at position 1, outside the alphabet 0..5"),
        ([[0, -1]], ValueError, "symbol code -1"),
        (["16", ""], ValueError, "sequence 1 is empty"),
        ([np.array([], dtype=int)], ValueError, "sequence 0 is empty"),
        ([], ValueError, "no sequences"),
        (np.zeros((3, 2), dtype=int), ValueError, "must be 1-D"),
        ([[0.5, 1.0]], ValueError, "integer codes; position 0 is 0.5"),
        ([[True, False]], TypeError, "integer symbol codes"),
        (42, TypeError, "data must be a sequence of symbols"),
    ],
)
def test_bad_sequences_get_clear_errors(casino, data, exc, match):
    with pytest.raises(exc, match=match):
        fit_em(casino, data, init=NEUTRAL)


@pytest.mark.parametrize(
    "init, match",
    [
        (dict(NEUTRAL, transitions=[[0.8, 0.3], [0.2, 0.8]]), r"row 0 of transitions must sum to 1"),
        (dict(NEUTRAL, transitions=[[1.2, -0.2], [0.2, 0.8]]), r"transitions must be non-negative"),
        (dict(NEUTRAL, emissions=[[0.2] * 6, [1 / 6] * 6]), r"row 0 of emissions must sum to 1"),
        (dict(NEUTRAL, start=[0.6, 0.6]), r"start must sum to 1"),
        (dict(NEUTRAL, start=[1 / 3] * 3), r"start must have shape \(2,\)"),
        (dict(NEUTRAL, transitions=np.full((3, 3), 1 / 3)), r"transitions must have shape \(2, 2\)"),
        (dict(NEUTRAL, emissions=np.full((2, 4), 0.25)), r"emissions must have shape \(2, 6\)"),
        (dict(NEUTRAL, emissions=[[np.nan] * 6, [1 / 6] * 6]), "emissions must be finite"),
        ({"start": [0.5, 0.5], "transitions": [[0.5, 0.5], [0.5, 0.5]]}, "need 'emissions'"),
        (dict(NEUTRAL, transmat=[[1, 0], [0, 1]]), "unknown keys"),
    ],
)
def test_bad_parameters_get_clear_errors(casino, init, match):
    with pytest.raises(ValueError, match=match):
        fit_em(casino, ["16"], init=init)


def test_bad_model_settings():
    with pytest.raises(ValueError, match="not letter codes"):
        DiscreteHMM(2, 6, fixed="ste")
    with pytest.raises(ValueError, match="unknown"):
        DiscreteHMM(2, 6, fixed={"e"})
    with pytest.raises(ValueError, match="n_states must be an integer >= 1; got 0"):
        DiscreteHMM(0, 6)
    with pytest.raises(ValueError, match="give the size of the alphabet"):
        DiscreteHMM(2)
    with pytest.raises(ValueError, match="repeated"):
        DiscreteHMM(2, alphabet="ACGA")
    with pytest.raises(ValueError, match="pseudocount"):
        DiscreteHMM(2, 6, pseudocount=-1)
    with pytest.raises(ValueError, match="backend"):
        DiscreteHMM(2, 6, backend="cuda")
    with pytest.raises(ValueError, match="state_names must have 2 entries"):
        DiscreteHMM(2, 6, state_names=["a"])
    with pytest.raises(TypeError, match="init must be an HMMParams"):
        fit_em(DiscreteHMM(2, 6), [0, 1], init=[0.5, 0.5])
    with pytest.raises(TypeError, match="has no alphabet"):
        fit_em(DiscreteHMM(2, 6), ["16"], init=NEUTRAL)
    model = DiscreteHMM(2, 6, fixed={"emissions"}, emissions=CASINO["emissions"])
    with pytest.raises(ValueError, match="keeps emissions fixed"):
        fit_em(model, [0, 1], init=NEUTRAL)
    with pytest.raises(ValueError, match="method must be"):
        DiscreteHMM(2, 6).decode([0, 1], NEUTRAL, method="max")
    assert isinstance(DiscreteHMM(2, 6).e_step(DiscreteHMM(2, 6).prepare([0]), NEUTRAL)[0], HMMPosterior)


def test_pseudocounts_make_a_map_objective_that_never_decreases():
    """With pseudocounts EM climbs loglik + log_prior; loglik itself stays plain."""
    rng = np.random.default_rng(11)
    model = DiscreteHMM(n_states=2, n_symbols=3, pseudocount=2.0)
    truth = model.coerce_params(
        {"start": [0.5, 0.5], "transitions": [[0.9, 0.1], [0.2, 0.8]], "emissions": [[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]]}
    )
    _, symbols = model.sample(truth, [60, 40], rng)
    result = fit_em(model, symbols, seed=3, max_iter=60)
    assert result.status in ("converged", "max_iter")
    objective = result.objective_trace
    assert np.all(np.diff(objective) >= -1e-10 * np.abs(objective[:-1]))
    last = result.history[-1]
    assert last.log_prior == pytest.approx(model.log_prior(None, result.params))
    assert result.loglik == pytest.approx(model.loglik(symbols, result.params), rel=1e-12)
    assert result.objective == pytest.approx(result.loglik + last.log_prior)
    assert DiscreteHMM(n_states=2, n_symbols=3).log_prior(None, truth) == 0.0


# -- HMMData checks itself ---------------------------------------------------------------
def test_offsets_past_the_end_raise_instead_of_crashing():
    """Offsets past the end once sent the compiled kernel out of bounds (a crash of the
    interpreter); run in a fresh interpreter so a regression cannot take pytest down."""
    import subprocess
    import sys

    script = (
        "import numpy as np\n"
        "from emcore.hmm import DiscreteHMM, HMMData\n"
        "model = DiscreteHMM(2, 3, backend='numba')\n"
        "p = {'start': [0.5, 0.5], 'transitions': [[0.9, 0.1], [0.1, 0.9]], 'emissions': [[0.5, 0.3, 0.2]] * 2}\n"
        "for offsets in ([0, 10**6], [0, 2, 10**6], [0, 5]):\n"
        "    try:\n"
        "        model.e_step(HMMData(np.array([0, 1, 2]), np.array(offsets)), p)\n"
        "    except ValueError as exc:\n"
        "        assert 'past the end' in str(exc) or 'increase strictly' in str(exc), exc\n"
        "    else:\n"
        "        raise SystemExit('no error for offsets %s' % offsets)\n"
        "print('refused')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "refused"


@pytest.mark.parametrize(
    "offsets, match",
    [
        ([0, 2], r"short of the end"),
        ([0, -1, 4], r"sequence 0 is of negative length"),
        ([0, 2, 2, 4], r"sequence 1 is empty"),
        ([1, 4], r"must start at 0"),
    ],
)
def test_offsets_that_skip_or_invent_symbols_are_refused(offsets, match):
    with pytest.raises(ValueError, match=match):
        HMMData(np.array([0, 1, 2, 1]), np.array(offsets))


def test_float_symbols_are_a_type_error_not_a_numba_error():
    with pytest.raises(TypeError, match="HMMData symbols must be a 1-D array of integer symbol codes"):
        HMMData(np.array([0.0, 1.0, 2.0]), np.array([0, 3]))


def test_log_likelihood_is_identical_run_to_run():
    """Valid data give the same bits every time (no uninitialised memory is read)."""
    import subprocess
    import sys

    script = (
        "import numpy as np\n"
        "from emcore.hmm import DiscreteHMM, HMMData\n"
        "model = DiscreteHMM(2, 3)\n"
        "x = np.random.default_rng(4).integers(0, 3, 400)\n"
        "p = {'start': [0.5, 0.5], 'transitions': [[0.9, 0.1], [0.1, 0.9]], 'emissions': [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]]}\n"
        "d = HMMData(x, np.array([0, 1, 150, 400]))\n"
        "print(model.loglik(d, p).hex(), model.e_step(d, p)[0].transition_counts.tobytes().hex()[:64])\n"
    )
    runs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300).stdout
        for _ in range(3)
    }
    assert len(runs) == 1 and next(iter(runs)).strip()


def test_hmm_data_is_a_private_read_only_copy(casino):
    symbols, offsets = np.array([0, 5, 1, 5, 5]), np.array([0, 3, 5])
    data = HMMData(symbols, offsets)
    symbols[:] = 99
    offsets[-1] = 10**6
    np.testing.assert_array_equal(data.symbols, [0, 5, 1, 5, 5])
    assert data.offsets[-1] == 5 and not data.symbols.flags.writeable and not data.offsets.flags.writeable
    assert data.locate(3) == (1, 0)
    same = casino.prepare(["162", "66"])
    assert casino.loglik(data, CASINO) == casino.loglik(same, CASINO)
    with pytest.raises(ValueError, match=r"HMMData sequence 0 has symbol code 7 at position 1.*alphabet 0\.\.5"):
        casino.loglik(HMMData([0, 7], [0, 2]), CASINO)


def test_structural_zeros_that_allow_the_data_are_accepted():
    model = DiscreteHMM(2, 3, fixed={"emissions"}, emissions=[[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    init = {"start": [1.0, 0.0], "transitions": [[0.9, 0.1], [0.2, 0.8]]}
    result = fit_em(model, [[0, 1, 2, 2, 0], [0, 2]], init=init, max_iter=20)
    assert result.status in ("converged", "max_iter") and np.isfinite(result.loglik)
    with pytest.raises(ValueError, match=r"sequence 1 has probability zero.*code 2 at position 0.*positive start"):
        fit_em(model, [[0, 1], [2, 0]], init=init)
    with pytest.raises(ValueError, match=r"sequence 0 has probability zero under these parameters.*position 1"):
        model.viterbi([0, 2], dict(init, transitions=[[1.0, 0.0], [0.0, 1.0]]))


def test_backend_numba_without_numba_is_a_missing_dependency(monkeypatch):
    """Asking for numba where it is absent is an ImportError naming the extra; "auto" falls back."""
    from emcore import _hmm_kernels
    from emcore._optional import MissingDependency

    monkeypatch.setattr(_hmm_kernels, "HAVE_NUMBA", False)
    monkeypatch.setattr(
        _hmm_kernels,
        "NUMBA_MISSING",
        "the compiled HMM recursions (backend='numba') needs numba: pip install 'emcore[hmm]'",
    )
    with pytest.raises(MissingDependency, match=r"needs numba: pip install 'emcore\[hmm\]'; or use backend='numpy'"):
        DiscreteHMM(2, 6, backend="numba")
    assert DiscreteHMM(2, 6, backend="auto").backend == "numpy"
