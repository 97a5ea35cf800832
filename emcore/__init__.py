"""emcore: the expectation-maximization library of The EM Book.

One generic driver, :func:`fit_em`, and one module or package per model, in layers (each module
imports only from the layers below it; ``tests/test_layers.py`` checks it):

- :mod:`emcore.results` - :class:`EMRecord`, :class:`EMResult` (``status`` and ``message``);
- :mod:`emcore.transforms` - log-odds and centred log-ratios, the pieces of every
  model's unconstrained parametrisation;
- :mod:`emcore.protocols` - the model contract: the core protocol and one protocol per
  optional capability (hard EM, bound, prior, default start, acceleration, sufficient
  statistics);
- :mod:`emcore.scale` - EM from expected sufficient statistics: chunks in memory, dask
  collections on any scheduler, zarr arrays on disk (``fit_em(..., chunk_size=)``);
- :mod:`emcore.em` - the driver and the model protocol;
- :mod:`emcore.accelerate` - SQUAREM extrapolation, registered with the driver
  (``fit_em(..., accelerate="squarem")``);
- :mod:`emcore.online` - stepwise (online) EM over mini-batches (:func:`~emcore.online.fit_online`);
- :mod:`emcore.coins` - mixtures of coins (Do & Batzoglou 2008, Figure 1);
- :mod:`emcore.gmm` - Gaussian mixtures (soft clustering, k-means as a limit);
- :mod:`emcore.haplotype` - haplotype frequencies from unphased genotypes
  (gene counting, full enumeration, partition-ligation);
- :mod:`emcore.motif` - DNA motif discovery (OOPS/ZOOPS/TCM, MEME-style);
- :mod:`emcore.hmm` - discrete hidden Markov models (Baum-Welch, Viterbi training);
- :mod:`emcore.datasets` - data sets and simulations (the coin experiment, CRP sites,
  ChIP-seq peaks, planted sites, the dishonest casino), read from installed packages.

All log-likelihoods are natural logs summed over the observations.
"""

from . import accelerate, coins, datasets, gmm, haplotype, hmm, motif, online, protocols, results, scale, transforms
from ._optional import MissingDependency
from .coins import CoinData, CoinMixture, CoinParams, complete_data_mle
from .em import EMModel, EMRecord, EMResult, EMWarning, elbo, fit_em
from .gmm import GaussianMixture, GMMParams
from .haplotype import GeneCounting, HaplotypeModel, HaplotypeParams, estimate_haplotypes
from .hmm import DiscreteHMM, HMMData, HMMParams, HMMPosterior
from .motif import MotifData, MotifModel, MotifParams, find_motifs
from .online import fit_online

__version__ = "0.1.0"

__all__ = [
    "fit_online",
    "online",
    "scale",
    "find_motifs",
    "MotifParams",
    "MotifModel",
    "MotifData",
    "estimate_haplotypes",
    "HaplotypeParams",
    "HaplotypeModel",
    "GeneCounting",
    "accelerate",
    "CoinData",
    "CoinMixture",
    "CoinParams",
    "DiscreteHMM",
    "EMModel",
    "EMRecord",
    "EMResult",
    "EMWarning",
    "GMMParams",
    "GaussianMixture",
    "HMMData",
    "HMMParams",
    "HMMPosterior",
    "MissingDependency",
    "coins",
    "complete_data_mle",
    "datasets",
    "elbo",
    "fit_em",
    "gmm",
    "haplotype",
    "hmm",
    "motif",
    "protocols",
    "results",
    "transforms",
]
