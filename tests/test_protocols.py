"""The model contract: the protocols in emcore.protocols are what the driver checks.

Each optional capability is its own protocol; every model in the library declares the
ones it has, and the driver refuses a run that needs a capability the model lacks,
naming exactly the protocol's missing methods.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import emcore
from emcore import em, protocols
from emcore.coins import CoinMixture
from emcore.gmm import GaussianMixture
from emcore.haplotype import GeneCounting, HaplotypeModel
from emcore.hmm import DiscreteHMM
from emcore.motif import MotifModel
from emcore.protocols import Bound, DefaultStart, EMModel, HardEM, Prior, Statistics, Unconstrained

#: model -> the optional protocols it implements (the book relies on each of these).
EXPECTED = {
    CoinMixture(): {HardEM, Bound, Unconstrained, Statistics},
    GaussianMixture(2): {HardEM, Bound, Unconstrained, Statistics},
    DiscreteHMM(2, n_symbols=3): {HardEM, Bound, Prior, Unconstrained, Statistics},
    MotifModel(8): {HardEM, Bound, Prior, Unconstrained, Statistics},
    HaplotypeModel(): {HardEM, Bound, DefaultStart, Unconstrained, Statistics},
    GeneCounting(): {DefaultStart},
}


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: type(m).__name__)
def test_every_model_has_the_core_and_its_capabilities(model):
    assert isinstance(model, EMModel) and protocols.has(model, EMModel)
    assert set(protocols.capabilities(model)) >= EXPECTED[model]
    for protocol in protocols.capabilities(model):
        assert isinstance(model, protocol)


def test_the_method_lists_are_read_from_the_protocols():
    assert protocols.methods(EMModel) == ("prepare", "initial_params", "coerce_params", "e_step", "m_step")
    assert protocols.methods(HardEM) == ("hard_e_step",)
    assert protocols.methods(Bound) == ("complete_loglik", "entropy")
    assert protocols.methods(Prior) == ("log_prior",)
    assert protocols.methods(DefaultStart) == ("default_params",)
    assert protocols.methods(Unconstrained) == ("to_unconstrained", "from_unconstrained")
    assert protocols.methods(Statistics) == ("split", "expected_stats", "m_step_stats")
    assert set(protocols.CAPABILITIES) == {HardEM, Bound, Prior, DefaultStart, Unconstrained, Statistics}


def test_every_protocol_method_is_documented_in_the_driver():
    doc = em.__doc__
    for protocol in (EMModel, *protocols.CAPABILITIES):
        for name in protocols.methods(protocol):
            assert re.search(rf"``{name}\(", doc), f"{name} is not described in emcore.em's docstring"


class _Core:
    """The core protocol and nothing else."""

    def prepare(self, data):
        return np.asarray(data, dtype=float)

    def initial_params(self, data, rng):
        return 0.0

    def coerce_params(self, init, data):
        return float(init)

    def e_step(self, data, params):
        return None, -float(((data - params) ** 2).sum())

    def m_step(self, data, posterior, params):
        return float(data.mean())


@pytest.mark.parametrize(
    "call, missing",
    [
        (lambda m: emcore.fit_em(m, [1.0, 2.0], mode="hard"), "hard_e_step"),
        (lambda m: emcore.fit_em(m, [1.0, 2.0], record_bound=True), "complete_loglik, entropy"),
        (lambda m: emcore.elbo(m, np.ones(2), 0.0, None), "complete_loglik, entropy"),
        (lambda m: emcore.fit_em(m, [1.0, 2.0], accelerate="squarem"), "to_unconstrained, from_unconstrained"),
    ],
)
def test_a_missing_capability_is_named_by_the_driver(call, missing):
    with pytest.raises(TypeError, match=rf"_Core lacks: {missing}$"):
        call(_Core())


def test_the_core_alone_runs_and_optional_methods_change_nothing_when_absent():
    model = _Core()
    assert protocols.capabilities(model) == ()
    fit = emcore.fit_em(model, [1.0, 2.0, 6.0], init=0.0)
    assert fit.converged and fit.params == pytest.approx(3.0)


def test_a_class_is_not_a_model():
    assert not protocols.has(CoinMixture, EMModel)
    with pytest.raises(TypeError, match=r"got the class CoinMixture itself"):
        protocols.require(CoinMixture, EMModel, "fit_em")


def test_a_default_start_is_used_for_run_zero():
    class _WithDefault(_Core):
        def default_params(self, data):
            return 3.0

    fit = emcore.fit_em(_WithDefault(), [1.0, 2.0, 6.0], max_iter=0)
    assert fit.params == 3.0


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: type(m).__name__)
def test_every_model_names_its_fixed_parameters_the_same_way(model):
    if isinstance(model, (HaplotypeModel, GeneCounting)):
        return  # nothing to hold fixed: every frequency is estimated
    assert isinstance(model.fixed, frozenset)
    assert all(isinstance(name, str) for name in model.fixed)


@pytest.mark.parametrize(
    "old, new",
    [
        (lambda: CoinMixture(learn_weights=True), lambda: CoinMixture(fixed=())),
        (lambda: GaussianMixture(2, learn_weights=False), lambda: GaussianMixture(2, fixed={"weights"})),
        (lambda: MotifModel(8, learn_gamma=False), lambda: MotifModel(8, fixed={"gamma"})),
    ],
    ids=["coins", "gmm", "motif"],
)
def test_the_old_learn_flags_are_fixed_in_disguise(old, new):
    with pytest.warns(DeprecationWarning, match=r"is replaced by fixed="):
        model = old()
    assert model.fixed == new().fixed
