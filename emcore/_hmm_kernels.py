"""Compiled recursions of :mod:`emcore.hmm` (numba), and their pure-numpy references.

Every function here works on the concatenation of all sequences: ``X`` holds the
symbol codes of every sequence one after another (int64) and ``offsets`` the
``n_sequences + 1`` boundaries, so sequence ``s`` is ``X[offsets[s]:offsets[s + 1]]``.

Two implementations of each recursion exist and the tests check that they agree to
about 1e-12:

* ``*_numba``: explicit loops compiled by numba (the fast path);
* ``*_numpy``: a per-time-step numpy implementation, written independently, used as
  the reference and as the fallback when numba is not installed.

The forward-backward pass uses Rabiner's scaling: ``alpha_hat[t]`` is the filtering
distribution ``P(z_t | x_1..x_t)``, ``c[t] = P(x_t | x_1..x_{t-1})``, so
``log P(x) = sum_t log c[t]``, and the scaled backward variables satisfy
``gamma[t] = alpha_hat[t] * beta_hat[t]``. Nothing underflows or overflows however
long the sequence is.
"""

from __future__ import annotations

import math

import numpy as np

# numba is optional (the ``hmm`` extra of pyproject.toml). Without it, or when it is
# installed but does not import, HAVE_NUMBA is False, backend="auto" runs the numpy
# recursions (same results, slower on long sequences) and NUMBA_MISSING is the
# sentence to show a user who asks for backend="numba".
from ._optional import MissingDependency, require

try:
    numba = require("numba", "hmm", "the compiled HMM recursions (backend='numba')")
    HAVE_NUMBA = True
    NUMBA_MISSING = None
except MissingDependency as _exc:  # pragma: no cover - exercised only where numba is absent
    numba = None  # type: ignore[assignment]  # the module is absent
    HAVE_NUMBA = False
    NUMBA_MISSING = str(_exc)


# ---------------------------------------------------------------------------------
# forward-backward: log-likelihood, expected counts and the posterior entropy
# ---------------------------------------------------------------------------------
def _forward_backward_loops(X, offsets, pi, A, B, want_counts, want_entropy, want_gamma, gamma):
    """Scaled forward-backward with explicit loops (compiled by numba).

    Returns ``(loglik, start, trans, emit, entropy, bad)``; ``bad`` is the index of
    the first sequence of probability zero (``-1`` if none), in which case
    ``loglik`` is ``-inf`` and the counts are meaningless.
    """
    K = A.shape[0]
    M = B.shape[1]
    n_seq = offsets.shape[0] - 1
    start = np.zeros(K)
    trans = np.zeros((K, K))
    emit = np.zeros((K, M))
    loglik = 0.0
    entropy = 0.0
    max_len = 0
    for s in range(n_seq):
        max_len = max(max_len, offsets[s + 1] - offsets[s])
    alpha = np.empty((max_len, K))
    scale = np.empty(max_len)
    beta = np.empty(K)
    new_beta = np.empty(K)
    tmp = np.empty(K)
    xis = np.empty((K, K))
    for s in range(n_seq):
        a0 = offsets[s]
        T = offsets[s + 1] - a0
        # forward
        x = X[a0]
        c = 0.0
        for j in range(K):
            v = pi[j] * B[j, x]
            alpha[0, j] = v
            c += v
        if not c > 0.0:
            return -math.inf, start, trans, emit, entropy, s
        for j in range(K):
            alpha[0, j] /= c
        scale[0] = c
        loglik += math.log(c)
        for t in range(1, T):
            x = X[a0 + t]
            c = 0.0
            for j in range(K):
                acc = 0.0
                for i in range(K):
                    acc += alpha[t - 1, i] * A[i, j]
                v = acc * B[j, x]
                alpha[t, j] = v
                c += v
            if not c > 0.0:
                return -math.inf, start, trans, emit, entropy, s
            for j in range(K):
                alpha[t, j] /= c
            scale[t] = c
            loglik += math.log(c)
        if not want_counts:
            continue
        # backward, accumulating the expected counts on the way
        for i in range(K):
            beta[i] = 1.0
        x = X[a0 + T - 1]
        for i in range(K):
            g = alpha[T - 1, i]
            emit[i, x] += g
            if want_gamma:
                gamma[a0 + T - 1, i] = g
            if T == 1:
                start[i] += g
                if want_entropy and g > 0.0:
                    entropy -= g * math.log(g)
        for t in range(T - 1, 0, -1):
            x = X[a0 + t]
            c = scale[t]
            for j in range(K):
                tmp[j] = B[j, x] * beta[j] / c
            total = 0.0
            for i in range(K):
                acc = 0.0
                ai = alpha[t - 1, i]
                for j in range(K):
                    w = A[i, j] * tmp[j]
                    acc += w
                    xi = ai * w
                    xis[i, j] = xi
                    total += xi
                new_beta[i] = acc
            # xi_t sums to 1 up to rounding; renormalising keeps long sequences exact
            for i in range(K):
                for j in range(K):
                    xi = xis[i, j] / total
                    trans[i, j] += xi
                    if want_entropy and xi > 0.0:
                        entropy -= xi * math.log(xi)
            xp = X[a0 + t - 1]
            gsum = 0.0
            for i in range(K):
                beta[i] = new_beta[i]
                gsum += alpha[t - 1, i] * beta[i]
            for i in range(K):
                g = alpha[t - 1, i] * beta[i] / gsum
                emit[i, xp] += g
                if want_gamma:
                    gamma[a0 + t - 1, i] = g
                if t - 1 == 0:
                    start[i] += g
                elif want_entropy and g > 0.0:
                    entropy += g * math.log(g)
    return loglik, start, trans, emit, entropy, -1


def forward_backward_numpy(X, offsets, pi, A, B, want_counts, want_entropy, want_gamma, gamma):
    """The same quantities as the compiled kernel, one numpy step per time point."""
    K = A.shape[0]
    M = B.shape[1]
    start = np.zeros(K)
    trans = np.zeros((K, K))
    emit = np.zeros((K, M))
    loglik = 0.0
    entropy = 0.0
    BT = np.ascontiguousarray(B.T)  # BT[x] = emission probabilities of symbol x
    for s in range(offsets.size - 1):
        x = X[offsets[s] : offsets[s + 1]]
        T = x.size
        alpha = np.empty((T, K))
        scale = np.empty(T)
        a = pi * BT[x[0]]
        for t in range(T):
            if t > 0:
                a = (alpha[t - 1] @ A) * BT[x[t]]
            c = a.sum()
            if not c > 0.0:
                return -math.inf, start, trans, emit, entropy, s
            alpha[t] = a / c
            scale[t] = c
        loglik += float(np.log(scale).sum())
        if not want_counts:
            continue
        post = np.empty((T, K))
        beta = np.ones(K)
        post[T - 1] = alpha[T - 1]
        for t in range(T - 1, 0, -1):
            w = A * (BT[x[t]] * beta / scale[t])  # A_ij B_j(x_t) beta_t(j) / c_t
            xi = alpha[t - 1][:, None] * w
            xi /= xi.sum()
            trans += xi
            if want_entropy:
                pos = xi[xi > 0]
                entropy -= float(np.sum(pos * np.log(pos)))
            beta = w.sum(axis=1)
            g = alpha[t - 1] * beta
            post[t - 1] = g / g.sum()
        start += post[0]
        np.add.at(emit.T, x, post)
        if want_entropy:
            inner = post[1 : T - 1] if T > 2 else post[:0]
            if T == 1:
                pos = post[0][post[0] > 0]
                entropy -= float(np.sum(pos * np.log(pos)))
            pos = inner[inner > 0]
            entropy += float(np.sum(pos * np.log(pos)))
        if want_gamma:
            gamma[offsets[s] : offsets[s + 1]] = post
    return loglik, start, trans, emit, entropy, -1


# ---------------------------------------------------------------------------------
# Viterbi: the most probable state path, in log space
# ---------------------------------------------------------------------------------
def _viterbi_loops(X, offsets, log_pi, log_A, log_B, path):
    """Fill ``path`` with the Viterbi path of every sequence; return the summed max.

    Ties go to the lowest state index (as :func:`numpy.argmax`).
    """
    K = log_A.shape[0]
    n_seq = offsets.shape[0] - 1
    total = 0.0
    max_len = 0
    for s in range(n_seq):
        max_len = max(max_len, offsets[s + 1] - offsets[s])
    psi = np.empty((max_len, K), dtype=np.int64)
    delta = np.empty(K)
    new_delta = np.empty(K)
    for s in range(n_seq):
        a0 = offsets[s]
        T = offsets[s + 1] - a0
        x = X[a0]
        for j in range(K):
            delta[j] = log_pi[j] + log_B[j, x]
        for t in range(1, T):
            x = X[a0 + t]
            for j in range(K):
                best = delta[0] + log_A[0, j]
                arg = 0
                for i in range(1, K):
                    v = delta[i] + log_A[i, j]
                    if v > best:
                        best = v
                        arg = i
                psi[t, j] = arg
                new_delta[j] = best + log_B[j, x]
            for j in range(K):
                delta[j] = new_delta[j]
        best = delta[0]
        arg = 0
        for i in range(1, K):
            if delta[i] > best:
                best = delta[i]
                arg = i
        total += best
        path[a0 + T - 1] = arg
        for t in range(T - 1, 0, -1):
            arg = psi[t, arg]
            path[a0 + t - 1] = arg
    return total


def viterbi_numpy(X, offsets, log_pi, log_A, log_B, path):
    """The Viterbi recursion with one numpy step per time point."""
    K = log_A.shape[0]
    total = 0.0
    cols = np.arange(K)
    log_BT = np.ascontiguousarray(log_B.T)
    for s in range(offsets.size - 1):
        x = X[offsets[s] : offsets[s + 1]]
        T = x.size
        psi = np.empty((T, K), dtype=np.int64)
        delta = log_pi + log_BT[x[0]]
        for t in range(1, T):
            cand = delta[:, None] + log_A
            psi[t] = np.argmax(cand, axis=0)
            delta = cand[psi[t], cols] + log_BT[x[t]]
        arg = int(np.argmax(delta))
        total += float(delta[arg])
        p = np.empty(T, dtype=np.int64)
        p[T - 1] = arg
        for t in range(T - 1, 0, -1):
            arg = psi[t, arg]
            p[t - 1] = arg
        path[offsets[s] : offsets[s + 1]] = p
    return total


# ---------------------------------------------------------------------------------
# sampling a Markov chain of states from uniform draws
# ---------------------------------------------------------------------------------
def _sample_states_loops(u, offsets, cum_pi, cum_A, states):
    """Inverse-CDF sampling of the state chain of every sequence from uniforms ``u``."""
    K = cum_A.shape[0]
    for s in range(offsets.shape[0] - 1):
        prev = -1
        for t in range(offsets[s], offsets[s + 1]):
            v = u[t]
            k = 0
            if prev < 0:
                while k < K - 1 and v >= cum_pi[k]:
                    k += 1
            else:
                while k < K - 1 and v >= cum_A[prev, k]:
                    k += 1
            states[t] = k
            prev = k


def sample_states_numpy(u, offsets, cum_pi, cum_A, states):
    """The same draws as the compiled loop, with :func:`numpy.searchsorted`."""
    K = cum_A.shape[0]
    for s in range(offsets.size - 1):
        prev = -1
        for t in range(offsets[s], offsets[s + 1]):
            cdf = cum_pi if prev < 0 else cum_A[prev]
            k = min(int(np.searchsorted(cdf[: K - 1], u[t], side="right")), K - 1)
            states[t] = k
            prev = k


if HAVE_NUMBA:
    _jit = numba.njit(cache=True, nogil=True)
    forward_backward_numba = _jit(_forward_backward_loops)
    viterbi_numba = _jit(_viterbi_loops)
    sample_states_numba = _jit(_sample_states_loops)
else:  # pragma: no cover
    forward_backward_numba = viterbi_numba = sample_states_numba = None
