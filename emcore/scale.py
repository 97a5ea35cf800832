"""EM from expected sufficient statistics: in chunks, on Dask, and from arrays on disk.

The E-step of every model in emcore reduces to *expected sufficient statistics*:
sums over the observations of quantities weighted by their posterior (for a
Gaussian mixture, per component, ``sum_i r_ik``, ``sum_i r_ik x_i`` and
``sum_i r_ik x_i x_i^T``). Sums over disjoint pieces of the data add up, and the
M-step needs only the totals. So an E-step over data of any size is a map over pieces
followed by a reduction, and the memory it needs is one piece plus the statistics,
never the whole posterior. Models that support this implement the optional
:class:`emcore.protocols.Statistics` protocol.

This module holds the pieces of that path, below the driver:

* :func:`add_stats`, the reduction: key-by-key sums of two statistics dicts;
* the **sources**, which hold the data and compute the summed statistics at given
  parameters, in a fixed order so that results are reproducible:

  - :class:`Pieces`: prepared data in memory, cut by ``model.split`` into chunks
    (``fit_em(..., chunk_size=n)``);
  - :class:`Streamed`: an array on disk (a zarr array, an HDF5 dataset), read
    ``chunk_size`` rows at a time on every E-step, so the process never holds more
    than one chunk;
  - :class:`DaskSource`: a ``dask.array.Array`` (rows are observations) or a
    ``dask.bag.Bag`` (one sequence per element), prepared and persisted once on
    whatever scheduler is active (a ``dask.distributed.Client`` when there is one,
    the threaded scheduler otherwise); every E-step is one map over the persisted
    partitions and a tree reduction, a graph of the same size at every iteration,
    with the parameters sent once;

* :class:`StatsModel`, which presents a model and a source as an ordinary EM model
  whose "posterior" is the summed statistics, so that the one driver
  (:func:`emcore.fit_em`), its restarts and SQUAREM run unchanged.

The statistics path and the posterior path agree to rounding (tested per model);
the in-memory path stays the default because the chapters show posteriors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

import numpy as np

from ._optional import require
from ._validation import check_int, describe
from .protocols import Prior, Statistics, Unconstrained, has

__all__ = [
    "SAMPLE_SIZE",
    "DaskSource",
    "Pieces",
    "Source",
    "StatsModel",
    "Streamed",
    "add_stats",
    "is_dask_collection",
    "is_streamed_array",
    "make_source",
]

#: The starting point of a fit to data that are not in memory (a dask collection, an
#: array on disk) is drawn from at most this many units, evenly spaced; smaller data
#: are used whole, so the fit starts where the in-memory fit with the same seed does.
SAMPLE_SIZE = 10_000

#: Rows per chunk of an array on disk when ``chunk_size`` is not given.
STREAM_ROWS = 65_536


def add_stats(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The key-by-key sum of two statistics dicts (the reduction of the E-step)."""
    if a.keys() != b.keys():
        raise ValueError(f"statistics with different keys cannot be added: {sorted(a)} and {sorted(b)}")
    return {key: a[key] + b[key] for key in a}


def _piece_stats(model: Any, piece: Any, params: Any) -> tuple[dict[str, Any], float]:
    stats, loglik = model.expected_stats(piece, params)
    return dict(stats), float(loglik)


def _add_pair(a: tuple[dict[str, Any], float], b: tuple[dict[str, Any], float]) -> tuple[dict[str, Any], float]:
    return add_stats(a[0], b[0]), a[1] + b[1]


def _sum_in_order(parts: list[tuple[dict[str, Any], float]]) -> tuple[dict[str, Any], float]:
    """Pairwise (tree) sum of per-piece results, in a fixed order: reproducible to the bit."""
    while len(parts) > 1:
        parts = [_add_pair(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
    return parts[0]


def _has_summary(model: Any) -> bool:
    """Whether the model derives something from the whole data that its pieces must share."""
    return callable(getattr(model, "data_summary", None)) and callable(getattr(model, "with_summary", None))


def _sum_summaries(parts: list[dict[str, Any]]) -> dict[str, Any]:
    while len(parts) > 1:
        parts = [add_stats(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
    return parts[0]


class Source:
    """Data that compute their summed expected statistics at given parameters.

    ``template`` is one prepared piece (or a prepared sample) that stands in for the
    data where a model needs only their shape (``m_step_stats``, ``log_prior``);
    ``start`` is prepared data to draw starting parameters from; ``n_pieces`` and
    ``n_units`` describe the data.
    """

    template: Any
    start: Any
    n_pieces: int
    n_units: int

    #: Units (samples, sequences, individuals) of each piece, in order.
    sizes: list[int]

    def stats(self, model: Any, params: Any) -> tuple[dict[str, Any], float]:  # pragma: no cover - abstract
        """The statistics and log-likelihood of the whole data, summed over the pieces in order."""
        raise NotImplementedError

    def piece_stats(self, model: Any, index: int, params: Any) -> tuple[dict[str, Any], float]:  # pragma: no cover
        """The statistics and log-likelihood of piece ``index`` alone (online EM's mini-batch)."""
        raise NotImplementedError


class Pieces(Source):
    """Prepared data in memory, as ``model.split(prepared, chunk_size)``."""

    def __init__(self, model: Any, prepared: Any, chunk_size: int) -> None:
        self.pieces = list(model.split(prepared, chunk_size))
        if not self.pieces:
            raise ValueError("data: there is nothing to fit (no samples)")
        self.template = self.pieces[0]
        self.start = prepared
        self.n_pieces = len(self.pieces)
        self.sizes = [_n_units(piece) for piece in self.pieces]
        self.n_units = sum(self.sizes)

    def stats(self, model: Any, params: Any) -> tuple[dict[str, Any], float]:
        return _sum_in_order([_piece_stats(model, piece, params) for piece in self.pieces])

    def piece_stats(self, model: Any, index: int, params: Any) -> tuple[dict[str, Any], float]:
        return _piece_stats(model, self.pieces[index], params)


def is_streamed_array(data: Any) -> bool:
    """An array-like that is read by slices (zarr, HDF5), not a numpy array or a dask collection."""
    if isinstance(data, np.ndarray) or is_dask_collection(data):
        return False
    shape = getattr(data, "shape", None)
    return (
        isinstance(shape, tuple)
        and len(shape) >= 1
        and hasattr(data, "dtype")
        and hasattr(data, "__getitem__")
        and type(data).__module__.partition(".")[0] in ("zarr", "h5py")
    )


class Streamed(Source):
    """An array on disk, read ``chunk_size`` rows at a time at every E-step.

    Each chunk is read, prepared (checked) and reduced to its statistics before the
    next is read, so the process holds one chunk and the statistics; the chunks are
    visited in order, so the result does not depend on timing.
    """

    def __init__(self, model: Any, array: Any, chunk_size: int | None) -> None:
        if len(array.shape) != 2:
            raise ValueError(f"data: an array on disk must be 2-D (rows are samples); got shape {array.shape}")
        n = int(array.shape[0])
        if n == 0:
            raise ValueError("data: the array on disk has no rows")
        if chunk_size is None:
            chunks = getattr(array, "chunks", None)
            rows = int(chunks[0]) if isinstance(chunks, tuple) and chunks and chunks[0] else STREAM_ROWS
            chunk_size = max(rows, (STREAM_ROWS // rows) * rows)
        self.array, self.size = array, chunk_size
        self.bounds = [(a, min(a + chunk_size, n)) for a in range(0, n, chunk_size)]
        self.n_pieces, self.n_units = len(self.bounds), n
        self.sizes = [b - a for a, b in self.bounds]
        step = max(1, n // SAMPLE_SIZE)
        sample = np.asarray(array[0 : step * SAMPLE_SIZE : step]) if step > 1 else np.asarray(array[:])
        self.start = model.prepare(sample)
        self.summary: dict[str, Any] | None = None
        if _has_summary(model):  # one pass over the chunks for what each needs from the whole
            self.summary = _sum_summaries([model.data_summary(self._chunk(model, a, b)) for a, b in self.bounds])
            self.start = model.with_summary(self.start, self.summary)
        self.template = self.start

    def _chunk(self, model: Any, a: int, b: int) -> Any:
        piece = model.prepare(np.asarray(self.array[a:b]))
        return piece if self.summary is None else model.with_summary(piece, self.summary)

    def stats(self, model: Any, params: Any) -> tuple[dict[str, Any], float]:
        return _sum_in_order([_piece_stats(model, self._chunk(model, a, b), params) for a, b in self.bounds])

    def piece_stats(self, model: Any, index: int, params: Any) -> tuple[dict[str, Any], float]:
        return _piece_stats(model, self._chunk(model, *self.bounds[index]), params)


def is_dask_collection(data: Any) -> bool:
    """A dask collection, recognised without importing dask."""
    return type(data).__module__.partition(".")[0] == "dask" and hasattr(data, "__dask_graph__")


def _dask() -> Any:
    return require("dask", "scale", "fitting a dask collection")


def _prepare_block(model: Any, block: Any) -> Any:
    """A partition, prepared by the model; None for an empty one (refused by the caller)."""
    block = block if isinstance(block, np.ndarray) else list(block)
    return None if len(block) == 0 else model.prepare(block)


def _n_units(piece: Any) -> int:
    if piece is None:
        return 0
    for name in ("n_samples", "n_sequences", "n_individuals", "n_sets"):
        value = getattr(piece, name, None)
        if isinstance(value, (int, np.integer)):
            return int(value)
    return -1


def _check_client(collection: Any) -> None:
    """A collection persisted on a client that has since closed cannot be computed."""
    try:
        from distributed import Future
    except ImportError:
        return
    graph = collection.__dask_graph__()
    for value in graph.values():
        future = value if isinstance(value, Future) else getattr(value, "value", None)
        if isinstance(future, Future):
            status = getattr(future.client, "status", "running")
            if status in ("closing", "closed"):
                raise ValueError(
                    "data: the dask collection was persisted on a dask.distributed Client that is now "
                    f"{status}; its partitions are gone. Persist it again on a running client (or pass the "
                    "collection before calling persist)"
                )
            return


def _check_collection_kind(model: Any, kind: str) -> None:
    """A model that says which dask collection it fits (``DASK_COLLECTION``) refuses the other."""
    wants = getattr(model, "DASK_COLLECTION", None)
    name = type(model).__name__
    if wants == "array" and kind.startswith("dask.bag"):
        raise TypeError(
            f"data: {name} fits rows of numbers: pass a dask.array.Array (rows are samples, chunked "
            "along rows only), not a dask.bag.Bag"
        )
    if wants == "bag" and kind.startswith("dask.array"):
        raise TypeError(
            f"data: {name} fits sequences: pass a dask.bag.Bag with one sequence per element (e.g. "
            "dask.bag.from_sequence(sequences, npartitions=4)), not a dask array"
        )


class DaskSource(Source):
    """A dask array (rows are observations) or bag (one sequence per element).

    The partitions are prepared (checked by ``model.prepare``) and persisted once, on
    the active scheduler. Every E-step then builds one small graph: the parameters
    (and the model) as one literal each, one task per partition, and a binary tree of
    additions; its size depends on the number of partitions only, never on the
    iteration (``last_graph_size``).
    """

    def __init__(self, model: Any, collection: Any) -> None:
        if not getattr(model, "PARTITIONS", True):
            raise TypeError(
                f"{type(model).__name__} derives its tables from the whole data, so the partitions of a dask "
                "collection cannot be prepared one at a time: fit the data in memory, with chunk_size= to "
                "bound the memory of the E-step"
            )
        dask = _dask()
        _check_client(collection)
        kind = type(collection).__module__
        _check_collection_kind(model, kind)
        if kind.startswith("dask.array"):
            self._init_array(collection)
        elif kind.startswith("dask.bag"):
            self._init_bag(collection)
        else:
            raise TypeError(
                "data: a dask collection must be a dask.array.Array (rows are samples) or a dask.bag.Bag "
                f"(one sequence per element); got {describe(collection)}"
            )
        prepare = dask.delayed(_prepare_block, pure=True)
        model_key = dask.delayed(model, traverse=False)
        pieces = [prepare(model_key, block) for block in self._blocks]
        self.pieces = dask.persist(*pieces)
        sizes = dask.compute(*[dask.delayed(_n_units)(piece) for piece in self.pieces])
        empty = [i for i, size in enumerate(sizes) if size == 0]
        if empty:
            raise ValueError(
                f"data: partition {empty[0]} of the dask collection is empty ({len(empty)} of "
                f"{len(sizes)} are); drop empty partitions first (e.g. rechunk the array, or "
                "bag.repartition)"
            )
        self.n_pieces = len(self.pieces)
        self.sizes = [int(size) for size in sizes]
        self.n_units = sum(self.sizes) if all(size >= 0 for size in self.sizes) else -1
        self.start = model.prepare(self._sample)
        if _has_summary(model):  # what every piece needs from the whole data (the motif background)
            summaries = [dask.delayed(model.data_summary)(piece) for piece in self.pieces]
            while len(summaries) > 1:
                summaries = [
                    dask.delayed(add_stats)(summaries[i], summaries[i + 1]) if i + 1 < len(summaries) else summaries[i]
                    for i in range(0, len(summaries), 2)
                ]
            (summary,) = dask.compute(summaries[0])
            share = dask.delayed(model.with_summary, pure=True)
            self.pieces = dask.persist(*[share(piece, summary) for piece in self.pieces])
            self.start = model.with_summary(self.start, summary)
        self.template = self.start
        self.last_graph_size = 0

    _sample: Any  # what the start is drawn from (rows, or sequences)

    def _init_array(self, X: Any) -> None:
        if X.ndim != 2:
            raise ValueError(f"data: a dask array must be 2-D (rows are samples); got {X.ndim} dimensions")
        if any(math.isnan(c) for c in X.chunks[0]):
            raise ValueError(
                "data: the dask array has unknown chunk sizes (after boolean indexing?); call "
                "X.compute_chunk_sizes() first"
            )
        if len(X.chunks[1]) != 1:
            raise ValueError(
                "data: a dask array must be chunked along rows only, each chunk holding all "
                f"{X.shape[1]} columns; got {len(X.chunks[1])} column chunks {X.chunks[1]}. Use "
                "X.rechunk({1: -1})"
            )
        empty = [i for i, c in enumerate(X.chunks[0]) if c == 0]
        if empty or X.shape[0] == 0:
            raise ValueError(
                f"data: the dask array has empty row chunks (chunk {empty[0] if empty else 0}); "
                "rechunk it, e.g. X.rechunk({0: 'auto'})"
            )
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
            raise TypeError(f"data: a dask array must hold numbers; got dtype {X.dtype}")
        self._blocks = list(X.to_delayed().ravel())
        n = int(X.shape[0])
        step = max(1, n // SAMPLE_SIZE)
        self._sample = np.asarray(X[0 : step * SAMPLE_SIZE : step].compute() if step > 1 else X.compute())

    def _init_bag(self, bag: Any) -> None:
        # The first SAMPLE_SIZE sequences (a bag has no cheap evenly spaced sample).
        self._blocks = list(bag.to_delayed())
        self._sample = list(bag.take(SAMPLE_SIZE, npartitions=-1, warn=False))

    def stats(self, model: Any, params: Any) -> tuple[dict[str, Any], float]:
        dask = _dask()
        model_key = dask.delayed(model, traverse=False)
        params_key = dask.delayed(params, traverse=False)
        piece_stats = dask.delayed(_piece_stats, pure=True)
        add = dask.delayed(_add_pair, pure=True)
        parts = [piece_stats(model_key, piece, params_key) for piece in self.pieces]
        while len(parts) > 1:
            parts = [add(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
        total = parts[0]
        self.last_graph_size = len(total.__dask_graph__())
        (result,) = dask.compute(total)
        return cast(tuple[dict[str, Any], float], result)

    def piece_stats(self, model: Any, index: int, params: Any) -> tuple[dict[str, Any], float]:
        dask = _dask()
        task = dask.delayed(_piece_stats, pure=True)(model, self.pieces[index], dask.delayed(params, traverse=False))
        (result,) = dask.compute(task)
        return cast(tuple[dict[str, Any], float], result)


def make_source(model: Any, data: Any, chunk_size: int | None) -> Source | None:
    """The source for ``data``, or None for the in-memory path without statistics.

    A dask collection or an array on disk always takes the statistics path; data in
    memory take it when ``chunk_size`` is given.
    """
    dask_data, streamed = is_dask_collection(data), is_streamed_array(data)
    if chunk_size is None and not (dask_data or streamed):
        return None
    if not has(model, Statistics):
        what = "a dask collection" if dask_data else "an array on disk" if streamed else "chunk_size"
        raise TypeError(
            f"{what} needs a model with expected sufficient statistics (split, expected_stats, "
            f"m_step_stats); {type(model).__name__} has none"
        )
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
    if dask_data:
        if chunk_size is not None:
            raise ValueError(
                "chunk_size cannot be combined with a dask collection: its partitions are the chunks "
                "(rechunk or repartition it instead)"
            )
        return DaskSource(model, data)
    if streamed:
        return Streamed(model, data, chunk_size)
    assert chunk_size is not None
    return Pieces(model, model.prepare(data), chunk_size)


class StatsModel:
    """A model with statistics and a source, presented as an ordinary EM model.

    ``e_step(source, params)`` returns the summed statistics (in place of a
    posterior) and the log-likelihood; ``m_step(source, stats, params)`` is the
    model's ``m_step_stats``. Priors and the unconstrained parametrisation are the
    model's own, so MAP-EM and SQUAREM work unchanged.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        if has(model, Prior):
            self.log_prior = self._log_prior
        if has(model, Unconstrained):
            self.to_unconstrained = model.to_unconstrained
            self.from_unconstrained = model.from_unconstrained

    def __repr__(self) -> str:
        return f"StatsModel({self.model!r})"

    def e_step(self, source: Source, params: Any) -> tuple[dict[str, Any], float]:
        return source.stats(self.model, params)

    def m_step(self, source: Source, stats: dict[str, Any], params: Any) -> Any:
        return self.model.m_step_stats(source.template, stats, params)

    def _log_prior(self, source: Source, params: Any) -> float:
        return float(self.model.log_prior(source.template, params))

    # The driver's protocol check: the rest of EMModel, for the data as a whole.
    def prepare(self, data: Any) -> Any:
        return data

    def initial_params(self, source: Source, rng: np.random.Generator) -> Any:
        return self.model.initial_params(source.start, rng)

    def coerce_params(self, init: Any, source: Source) -> Any:
        return self.model.coerce_params(init, source.start)
