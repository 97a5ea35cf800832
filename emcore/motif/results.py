"""What a motif search returns: the sites (Site), one motif's result (MotifResult), sites_of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._sequences import reverse_complement
from .._validation import check_real, describe
from .data import MotifData, _check_data
from .model import MotifModel, _check_posterior
from .params import MotifParams, consensus, information_content


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Site:
    """One motif site.

    ``position`` is the 0-based start of the site on the plus strand of the input
    sequence; ``strand`` is ``"+"`` or ``"-"``; ``text`` is the site read on its own
    strand (so it lines up with the motif).
    """

    sequence: int
    name: str
    position: int
    strand: str
    posterior: float
    text: str


@dataclass(frozen=True, eq=False)
class MotifResult:
    """One motif found by :func:`find_motifs`.

    Attributes
    ----------
    params : MotifParams
        The fitted matrix and gamma.
    sites : tuple of Site
        For OOPS the best start of every sequence; for ZOOPS the best start of every
        sequence whose probability of holding a site exceeds ``threshold``; for TCM
        every window with posterior above ``threshold``.
    loglik : float
        Plain observed-data log-likelihood ``log P(x; params)`` (natural log,
        total), without the Dirichlet term; equals ``fit.loglik``.
    loglik_background : float
        Log-likelihood of the background-only model on the same data.
    fit : EMResult
        The converged EM run. ``fit.objective`` is what that run climbed: in soft
        mode :attr:`objective`, in hard mode the classification log-likelihood
        plus ``log_prior``.
    candidates : tuple of (str, float)
        The starting W-mers tried and their objective (``fit_em``'s
        ``EMResult.objective``, prior included) after the short runs.
    posterior : ndarray, shape (n, S, J)
        Posterior over site starts at the fitted parameters.
    background : ndarray, shape (4,)
        The background probabilities of A, C, G, T used.
    log_prior : float
        The Dirichlet term :meth:`MotifModel.log_prior` at the fitted matrix (0
        with ``pseudocount=0``).
    """

    params: MotifParams
    sites: tuple[Site, ...]
    loglik: float
    loglik_background: float
    fit: Any = field(repr=False)
    candidates: tuple = field(repr=False, default=())
    posterior: np.ndarray | None = field(repr=False, default=None)
    background: np.ndarray | None = field(repr=False, default=None)
    log_prior: float = field(repr=False, default=0.0)

    @property
    def ppm(self) -> np.ndarray:
        return self.params.ppm

    @property
    def consensus(self) -> str:
        return consensus(self.params.ppm)

    @property
    def information(self) -> np.ndarray:
        """Information content per column (bits), shape (W,)."""
        return information_content(self.params.ppm)

    @property
    def llr(self) -> float:
        """Log-likelihood ratio against the background-only model (natural log, plain)."""
        return self.loglik - self.loglik_background

    @property
    def objective(self) -> float:
        """The penalised log-likelihood ``loglik + log_prior`` that soft EM climbs."""
        return self.loglik + self.log_prior

    def __repr__(self) -> str:
        return (
            f"MotifResult(consensus={self.consensus!r}, sites={len(self.sites)}, "
            f"llr={self.llr:.2f}, gamma={self.params.gamma:.3f})"
        )


def sites_of(model: MotifModel, data: MotifData, posterior: np.ndarray, threshold: float = 0.5) -> tuple[Site, ...]:
    """Sites read off a posterior (see :class:`MotifResult` for which are reported).

    ``posterior`` is ``model``'s E-step posterior for ``data``, shape ``(n, S, J)``;
    ``threshold`` lies in [0, 1].
    """
    if not isinstance(model, MotifModel):
        raise TypeError(f"model must be a MotifModel; got {describe(model)}")
    data = model.prepare(_check_data(data))
    q = _check_posterior(posterior, data, model.n_strands)
    threshold = check_real(threshold, "threshold", minimum=0.0, maximum=1.0)
    n, S, J = q.shape
    W = data.width
    if model.model == "tcm":
        ii, ss, jj = np.nonzero(q > threshold)
    else:
        flat = q.reshape(n, -1)
        present = flat.sum(axis=1)
        if np.any(present > 1 + 1e-6):
            i = int(np.flatnonzero(present > 1 + 1e-6)[0])
            raise ValueError(
                f"posterior of sequence {i} sums to {float(present[i]):.6g}; with {model.model.upper()} it is at most 1"
            )
        k = np.argmax(flat, axis=1)
        keep = np.ones(n, bool) if model.model == "oops" else present > threshold
        ii = np.flatnonzero(keep)
        ss, jj = np.unravel_index(k[ii], (S, J))
    out = []
    for i, s, j in zip(ii.tolist(), ss.tolist(), jj.tolist()):
        seq = data.sequences[i][j : j + W]
        text = seq if s == 0 else reverse_complement(seq)
        out.append(Site(int(data.index[i]), data.names[i], j, "+-"[s], float(q[i, s, j]), text.upper()))
    return tuple(out)
