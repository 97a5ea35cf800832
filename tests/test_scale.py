"""EM from expected sufficient statistics: in chunks, on Dask (threads and a real
LocalCluster of worker processes), from zarr arrays on disk.

The statistics path must be the posterior path by another route: per model, the
M-step from summed statistics equals the M-step from the posterior, statistics add up
over pieces, and a fit in chunks, on Dask or from disk equals the in-memory fit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emcore import fit_em, fit_online
from emcore.coins import CoinData, CoinMixture
from emcore.datasets import mutate_sites, plant_sites
from emcore.gmm import COVARIANCE_TYPES, GaussianMixture
from emcore.haplotype import GeneCounting, HaplotypeModel
from emcore.hmm import DiscreteHMM
from emcore.motif import MotifModel
from emcore.scale import DaskSource, Pieces, add_stats

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
db = pytest.importorskip("dask.bag")


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if a.size else 0.0


def same_params(p, q, rtol):
    for name in p.__dataclass_fields__:
        a, b = getattr(p, name), getattr(q, name)
        if isinstance(a, str):
            assert a == b
        else:
            scale = max(1.0, float(np.max(np.abs(np.asarray(b, dtype=float)))))
            assert np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))) <= rtol * scale, name


def blobs(rng, n=3000, d=3, k=3):
    centres = rng.normal(scale=4.0, size=(k, d))
    mix = rng.normal(size=(k, d, d)) * 0.3 + np.eye(d)  # elongated, not degenerate
    z = rng.integers(k, size=n)
    return centres[z] + np.einsum("nd,nde->ne", rng.normal(size=(n, d)), mix[z])


def coin_data(rng, n=60):
    tosses = rng.integers(5, 15, size=n)
    theta = np.where(rng.random(n) < 0.5, 0.8, 0.35)
    return CoinData(rng.binomial(tosses, theta), tosses)


CASINO = DiscreteHMM(2, n_symbols=6)
CASINO_TRUE = {
    "start": [0.5, 0.5],
    "transitions": [[0.95, 0.05], [0.1, 0.9]],
    "emissions": [[1 / 6] * 6, [0.1] * 5 + [0.5]],
}


def hmm_sequences(rng, n=40):
    _, symbols = CASINO.sample(CASINO_TRUE, list(rng.integers(20, 80, size=n)), rng)
    return symbols


def motif_sequences(rng, n=40):
    seqs, _, _ = plant_sites(mutate_sites("TTGACGCATGCA", n, 0.1, rng), 60, rng)
    return seqs


def genotypes(rng, n=80, n_loci=6):
    founders = rng.integers(0, 2, size=(5, n_loci))
    pairs = founders[rng.choice(5, size=(n, 2), p=rng.dirichlet(np.ones(5)))]
    pairs = np.where(rng.random(pairs.shape) < 0.02, 1 - pairs, pairs)  # a few rare haplotypes
    table = np.empty((n, 2 * n_loci), dtype=int)
    table[:, 0::2], table[:, 1::2] = pairs[:, 0], pairs[:, 1]
    return table


#: (model, data maker): one problem per model with statistics.
CASES = {
    "coins": (CoinMixture(2, fixed=()), coin_data),
    "gmm-full": (GaussianMixture(3), blobs),
    "gmm-diag": (GaussianMixture(3, covariance_type="diag"), blobs),
    "hmm": (CASINO, hmm_sequences),
    "motif-zoops": (MotifModel(12), motif_sequences),
    "motif-tcm-revcomp": (MotifModel(12, "tcm", revcomp=True), motif_sequences),
    # pruning compares log-likelihoods of the whole sample: not part of the statistics path
    "haplotype": (HaplotypeModel(prune=0), genotypes),
}


# -- the statistics path is the posterior path -------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_m_step_from_statistics_equals_m_step_from_the_posterior(case, seed):
    model, make = CASES[case]
    rng = np.random.default_rng(seed)
    data = model.prepare(make(rng))
    params = model.initial_params(data, rng)
    posterior, loglik = model.e_step(data, params)
    stats, loglik2 = model.expected_stats(data, params)
    assert loglik2 == pytest.approx(loglik, rel=1e-12)
    same_params(model.m_step_stats(data, stats, params), model.m_step(data, posterior, params), 1e-11)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("learn_weights", [True, False])
def test_every_covariance_type_from_statistics(kind, learn_weights):
    rng = np.random.default_rng(3)
    model = GaussianMixture(3, covariance_type=kind, fixed=() if learn_weights else ("weights",))
    data = model.prepare(blobs(rng, n=2000, d=4))
    params = model.initial_params(data, rng)
    for _ in range(3):  # a few steps in, so that components differ in shape
        params = model.m_step(data, model.e_step(data, params)[0], params)
    stats, loglik = model.expected_stats(data, params)
    assert loglik == pytest.approx(model.e_step(data, params)[1], rel=1e-12)
    same_params(
        model.m_step_stats(data, stats, params), model.m_step(data, model.e_step(data, params)[0], params), 1e-11
    )


@pytest.mark.parametrize("case", list(CASES))
def test_statistics_add_up_over_pieces(case):
    model, make = CASES[case]
    rng = np.random.default_rng(11)
    data = model.prepare(make(rng))
    params = model.initial_params(data, rng)
    whole, loglik = model.expected_stats(data, params)
    pieces = model.split(data, 7)
    assert len(pieces) > 2
    total, total_ll = None, 0.0
    for piece in pieces:
        stats, ll = model.expected_stats(piece, params)
        total = stats if total is None else add_stats(total, stats)
        total_ll += ll
    assert total_ll == pytest.approx(loglik, rel=1e-12)
    for key in whole:
        assert rel(total[key], whole[key]) < 1e-11 or np.max(np.abs(total[key] - whole[key])) < 1e-9, key


# -- chunked in memory -------------------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_a_chunked_fit_equals_the_unchunked_fit(case):
    model, make = CASES[case]
    X = make(np.random.default_rng(5))
    plain = fit_em(model, X, seed=2, max_iter=12, tol=0)
    chunked = fit_em(model, X, seed=2, max_iter=12, tol=0, chunk_size=9)
    # tol=0 stops where two log-likelihoods are equal to the last bit, which rounding
    # decides: the runs agree record by record for as long as both last.
    for a, b in zip(chunked.history, plain.history):
        assert a.loglik == pytest.approx(b.loglik, rel=1e-12)
    same_params(chunked.params, plain.params, 1e-8)  # rounding, carried through 12 iterations
    # In a fixed order of pieces, the statistics path is reproducible to rounding.
    whole = fit_em(model, X, seed=2, max_iter=12, tol=0, chunk_size=10**9)
    for a, b in zip(chunked.history, whole.history):
        assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_chunk_size_larger_than_the_data_is_one_piece_and_the_same_fit():
    model = GaussianMixture(3)
    X = blobs(np.random.default_rng(0))
    one = fit_em(model, X, seed=0, max_iter=10, tol=0, chunk_size=10**6)
    many = fit_em(model, X, seed=0, max_iter=10, tol=0, chunk_size=500)
    assert len(Pieces(model, model.prepare(X), 10**6).pieces) == 1
    assert one.loglik == pytest.approx(many.loglik, rel=1e-12)


def test_restarts_and_squarem_run_on_statistics():
    model = GaussianMixture(3)
    X = blobs(np.random.default_rng(1))
    plain = fit_em(model, X, seed=4, n_init=3, max_iter=30, tol=0)
    chunked = fit_em(model, X, seed=4, n_init=3, max_iter=30, tol=0, chunk_size=700)
    assert chunked.best_run == plain.best_run
    for a, b in zip(chunked.runs, plain.runs):
        assert a.loglik == pytest.approx(b.loglik, rel=1e-12)
    fast = fit_em(model, X, seed=4, accelerate="squarem", chunk_size=700)
    slow = fit_em(model, X, seed=4, accelerate="squarem")
    assert fast.status == slow.status == "converged"
    assert fast.loglik == pytest.approx(slow.loglik, rel=1e-10)


def test_the_objective_never_decreases_on_statistics():
    model = MotifModel(12, pseudocount=1.0)  # MAP-EM: the driver climbs loglik + log_prior
    result = fit_em(model, motif_sequences(np.random.default_rng(2)), seed=1, max_iter=40, chunk_size=6)
    objectives = [r.loglik + r.log_prior for r in result.history]
    assert all(b >= a - 1e-9 * abs(a) for a, b in zip(objectives, objectives[1:]))
    assert result.status in ("converged", "max_iter")


# -- on Dask -------------------------------------------------------------------------------
def dask_data(case, X):
    if case.startswith(("gmm", "coins")):
        if case == "coins":
            pytest.skip("coin data are a pair of arrays, not one array of rows")
        return da.from_array(X, chunks=(700, -1))
    return db.from_sequence(list(X), npartitions=4)


DASK_CASES = ["gmm-full", "hmm", "motif-zoops"]


@pytest.mark.parametrize("case", DASK_CASES)
def test_dask_threaded_equals_the_in_memory_fit(case):
    model, make = CASES[case]
    X = make(np.random.default_rng(8))
    plain = fit_em(model, X, seed=3, max_iter=15, tol=0)
    with dask.config.set(scheduler="threads"):
        on_dask = fit_em(model, dask_data(case, X), seed=3, max_iter=15, tol=0)
    assert on_dask.loglik == pytest.approx(plain.loglik, rel=1e-10)
    same_params(on_dask.params, plain.params, 1e-9)


@pytest.fixture(scope="module")
def cluster():
    """A real dask.distributed cluster: two worker processes, started and stopped here."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


@pytest.mark.parametrize("case", DASK_CASES)
def test_a_local_cluster_of_processes_equals_the_in_memory_fit(cluster, case):
    model, make = CASES[case]
    X = make(np.random.default_rng(9))
    plain = fit_em(model, X, seed=6, max_iter=15, tol=0)
    on_cluster = fit_em(model, dask_data(case, X), seed=6, max_iter=15, tol=0)
    assert len(cluster.scheduler_info()["workers"]) == 2
    assert on_cluster.loglik == pytest.approx(plain.loglik, rel=1e-10)
    same_params(on_cluster.params, plain.params, 1e-9)


def test_squarem_on_a_local_cluster(cluster):
    model = GaussianMixture(3)
    X = blobs(np.random.default_rng(4))
    plain = fit_em(model, X, seed=1, accelerate="squarem")
    on_cluster = fit_em(model, da.from_array(X, chunks=(1000, 3)), seed=1, accelerate="squarem")
    assert on_cluster.loglik == pytest.approx(plain.loglik, rel=1e-10)


def test_the_graph_has_the_same_size_at_every_iteration():
    model = GaussianMixture(3)
    X = da.from_array(blobs(np.random.default_rng(0), n=5000), chunks=(500, -1))
    with dask.config.set(scheduler="threads"):
        source = DaskSource(model, X)
        params = model.initial_params(source.start, np.random.default_rng(0))
        sizes = []
        for _ in range(4):
            stats, _ = source.stats(model, params)
            sizes.append(source.last_graph_size)
            params = model.m_step_stats(source.template, stats, params)
    # the n persisted pieces, one task per piece, a binary tree of n - 1 additions, and
    # the model and the parameters once each
    assert sizes == [3 * source.n_pieces + 1] * 4


def test_a_sample_starts_data_larger_than_it():
    model = GaussianMixture(2)
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(12_000, 2)), rng.normal(size=(12_000, 2)) + 6])
    with dask.config.set(scheduler="threads"):
        result = fit_em(model, da.from_array(X, chunks=(5000, -1)), seed=0)
    assert result.status == "converged"
    assert sorted(np.round(result.params.means[:, 0])) == [0.0, 6.0]
    assert result.loglik == pytest.approx(model.loglik(X, result.params), rel=1e-12)


# -- arrays on disk ------------------------------------------------------------------------
def test_a_zarr_array_on_disk_equals_the_in_memory_fit(tmp_path):
    zarr = pytest.importorskip("zarr")
    X = blobs(np.random.default_rng(2), n=4000)
    store = zarr.open_array(str(tmp_path / "x.zarr"), mode="w", shape=X.shape, chunks=(1000, 3), dtype="f8")
    store[:] = X
    plain = fit_em(GaussianMixture(3), X, seed=5, max_iter=15, tol=0)
    on_disk = fit_em(
        GaussianMixture(3), zarr.open_array(str(tmp_path / "x.zarr"), mode="r"), seed=5, max_iter=15, tol=0
    )
    assert on_disk.loglik == pytest.approx(plain.loglik, rel=1e-12)
    same_params(on_disk.params, plain.params, 1e-10)
    small = fit_em(GaussianMixture(3), store, seed=5, max_iter=15, tol=0, chunk_size=300)
    assert small.loglik == pytest.approx(plain.loglik, rel=1e-12)


# -- bad input -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def X():
    return blobs(np.random.default_rng(0), n=600)


def test_a_dask_array_chunked_along_columns_is_refused(X):
    with pytest.raises(ValueError, match=r"chunked along rows only.*X\.rechunk"):
        fit_em(GaussianMixture(2), da.from_array(X, chunks=(200, 2)))


def test_a_dask_array_that_is_not_numbers_is_refused():
    mixed = da.from_array(np.array([[1.0, "a"], [2.0, "b"]], dtype=object), chunks=(1, -1))
    with pytest.raises(TypeError, match="must hold numbers; got dtype object"):
        fit_em(GaussianMixture(2), mixed)


def test_a_bag_of_mixed_items_gets_the_models_own_error():
    bag = db.from_sequence([[0, 1, 2], "not codes", [1, 1]], npartitions=1)
    with pytest.raises((TypeError, ValueError), match="sequence 1"):
        fit_em(DiscreteHMM(2, n_symbols=3), bag)


def test_the_wrong_kind_of_collection_for_the_model_is_refused(X):
    rows = db.from_sequence([X[:300], X[300:]], npartitions=2)
    with pytest.raises(TypeError, match=r"GaussianMixture fits rows of numbers: pass a dask\.array\.Array"):
        fit_em(GaussianMixture(2), rows)
    codes = da.from_array(np.zeros((40, 5), dtype=int), chunks=(20, -1))
    for model in (DiscreteHMM(2, n_symbols=3), MotifModel(4)):
        with pytest.raises(TypeError, match=r"fits sequences: pass a dask\.bag\.Bag with one sequence per element"):
            fit_em(model, codes)


def test_an_empty_partition_is_refused(X):
    Y = da.from_array(X, chunks=((300, 0, 300), (3,)))
    with pytest.raises(ValueError, match="empty row chunks"):
        fit_em(GaussianMixture(2), Y)
    bag = db.from_sequence(["ACGTACGTACGTAC"] * 4, npartitions=2).filter(lambda s: False).repartition(2)
    empty = db.concat([db.from_sequence(["ACGTACGTACGTACGT"] * 3, npartitions=1), bag])
    with pytest.raises(ValueError, match="partition 1 of the dask collection is empty"):
        fit_em(MotifModel(8), empty)


def test_a_collection_persisted_on_a_closed_client_is_refused(X):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(processes=False, n_workers=1, dashboard_address=":0") as local,
        distributed.Client(local) as client,
    ):
        Y = client.persist(da.from_array(X, chunks=(200, -1)))
    with pytest.raises(ValueError, match="Client that is now closed"):
        fit_em(GaussianMixture(2), Y)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"chunk_size": 0}, ValueError, "chunk_size must be"),
        ({"chunk_size": 2.5}, TypeError, "chunk_size must be"),
        ({"chunk_size": 100, "mode": "hard"}, ValueError, "no posterior to harden: use mode='soft'"),
        ({"chunk_size": 100, "record_bound": True}, ValueError, "no posterior to bound"),
    ],
)
def test_bad_settings_for_the_statistics_path(X, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fit_em(GaussianMixture(2), X, **kwargs)


def test_haplotypes_are_fitted_in_chunks_but_not_from_partitions():
    table = genotypes(np.random.default_rng(0))
    with pytest.raises(TypeError, match="HaplotypeModel derives its tables from the whole data.*chunk_size="):
        fit_em(HaplotypeModel(), da.from_array(table, chunks=(20, -1)))


def test_a_model_without_statistics_is_refused():
    with pytest.raises(TypeError, match="chunk_size needs a model with expected sufficient statistics"):
        fit_em(GeneCounting(), {"A": 10, "B": 5, "AB": 3, "O": 20}, chunk_size=2)


def test_chunk_size_and_a_dask_collection_are_not_combined(X):
    with pytest.raises(ValueError, match="its partitions are the chunks"):
        fit_em(GaussianMixture(2), da.from_array(X, chunks=(200, -1)), chunk_size=100)


def test_a_dask_collection_other_than_an_array_or_a_bag_is_refused(X):
    delayed = dask.delayed(X)
    with pytest.raises(TypeError, match="must be a dask.array.Array .* or a dask.bag.Bag"):
        fit_em(GaussianMixture(2), delayed)


@pytest.mark.parametrize(
    "stats, exc, match",
    [
        ([1, 2], TypeError, "stats must be a mapping"),
        ({"heads": [1, 2]}, ValueError, "stats must have the keys"),
        ({"heads": [1, 2], "tosses": [3, np.nan], "sets": [1, 1]}, ValueError, r"stats\['tosses'\] must be finite"),
        ({"heads": [1, 2], "tosses": [3, 4], "sets": [1, -1]}, ValueError, r"stats\['sets'\] must be non-negative"),
        ({"heads": [1, 2, 3], "tosses": [3, 4], "sets": [1, 1]}, ValueError, r"stats\['heads'\] must have shape"),
    ],
)
def test_bad_statistics_get_clear_errors(stats, exc, match):
    model = CoinMixture(2)
    with pytest.raises(exc, match=match):
        model.m_step_stats(None, stats, {"theta": [0.6, 0.5]})


# -- online (stepwise) EM ----------------------------------------------------------------------
def test_step_sizes_follow_the_documented_schedule():
    from emcore.online import step_sizes

    assert step_sizes(3, 0.6) == pytest.approx([2**-0.6, 3**-0.6, 4**-0.6])
    for alpha in (0.5, 1.2, "0.6"):
        with pytest.raises((TypeError, ValueError), match="alpha"):
            step_sizes(3, alpha)


def test_the_stepwise_recursion_by_hand():
    """s_0 = S(x; theta_0), theta_1 = M(s_0), then s_t = (1 - g_t) s_{t-1} + g_t (n/|B|) S(B_t; theta_t)."""
    model = CoinMixture(2, fixed=())
    data = model.prepare(coin_data(np.random.default_rng(1), n=30))
    alpha = 0.7
    result = fit_online(model, data, batch_size=10, n_epochs=1, alpha=alpha, seed=4)
    params = result.history[0].params
    s, _ = model.expected_stats(data, params)
    params = model.m_step_stats(data, s, params)
    pieces = model.split(data, 10)
    order = np.random.default_rng(np.random.SeedSequence(4).spawn(2)[1]).permutation(3)
    for t, index in enumerate(order, start=1):
        g = (t + 1) ** -alpha
        batch, _ = model.expected_stats(pieces[index], params)
        s = {key: (1 - g) * s[key] + g * 3.0 * batch[key] for key in s}
        params = model.m_step_stats(data, s, params)
    same_params(result.params, params, 1e-14)
    assert result.history[-1].n_evals == 4 and result.history[-1].n_e_steps == 1 + 3 + 1


def online_data(case, rng):
    model, make = CASES[case]
    X = make(rng, n=3000 if case.startswith("gmm") else 300)
    if isinstance(X, np.ndarray):
        X = X[rng.permutation(len(X))]  # batches should look like the data
    return model, X


@pytest.mark.parametrize("case", list(CASES))
def test_online_em_reaches_the_batch_fit(case):
    model, X = online_data(case, np.random.default_rng(12))
    batch = fit_em(model, X, seed=1)
    size = 300 if case.startswith("gmm") else 30
    online = fit_online(model, X, batch_size=size, n_epochs=4, seed=1)
    assert online.history[0].loglik == pytest.approx(batch.history[0].loglik, rel=1e-12)  # the same start
    assert online.n_iter == 4 and online.history[-1].n_evals == 1 + 4 * 10
    start, end = online.history[0].loglik, online.loglik
    # within a small fraction of batch EM's climb from the same start (or of its log-likelihood)
    assert batch.loglik - end <= max(0.05 * (batch.loglik - start), 2e-4 * abs(batch.loglik))


def test_online_em_on_dask_partitions_equals_online_em_in_memory():
    model = GaussianMixture(3)
    X = blobs(np.random.default_rng(6))
    in_memory = fit_online(model, X, batch_size=500, n_epochs=2, seed=3)
    with dask.config.set(scheduler="threads"):
        on_dask = fit_online(model, da.from_array(X, chunks=(500, -1)), batch_size=None, n_epochs=2, seed=3)
    assert on_dask.loglik == pytest.approx(in_memory.loglik, rel=1e-12)
    same_params(on_dask.params, in_memory.params, 1e-10)


def test_online_em_bad_settings(X):
    with pytest.raises(TypeError, match="batch_size must be an int"):
        fit_online(GaussianMixture(2), X, batch_size=None)
    with pytest.raises(ValueError, match="batch_size must be"):
        fit_online(GaussianMixture(2), X, batch_size=0)
    with pytest.raises(ValueError, match="alpha"):
        fit_online(GaussianMixture(2), X, batch_size=50, alpha=0.4)
    with pytest.raises(TypeError, match="online EM needs"):
        fit_online(GeneCounting(), {"A": 10, "B": 5, "AB": 3, "O": 20}, batch_size=2)
