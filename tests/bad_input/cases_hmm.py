"""Bad input for the discrete hidden Markov model: ``HMMData`` built by hand, sequences
as a user passes them, the model's settings, starting and scoring parameters, starts
under which the data are impossible, decoding, path counts and sampling."""

from __future__ import annotations

import numpy as np

from bad_input import Case
from emcore import fit_em
from emcore.hmm import DiscreteHMM, HMMData, HMMParams

NEUTRAL = {
    "start": [0.5, 0.5],
    "transitions": [[0.8, 0.2], [0.2, 0.8]],
    "emissions": [[1 / 6] * 6, [0.15] * 5 + [0.25]],
}
#: No state emits a six: every roll of 6 is impossible.
NO_SIX = dict(NEUTRAL, emissions=[[0.2] * 5 + [0.0], [0.2] * 5 + [0.0]])
#: State 1 is the only one that emits 2, and the chain can never leave state 0.
STUCK = {"start": [1.0, 0.0], "transitions": [[1.0, 0.0], [0.0, 1.0]], "emissions": [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]}


def casino() -> DiscreteHMM:
    return DiscreteHMM(2, alphabet="123456")


def _fit(data, **kw):
    kw.setdefault("init", NEUTRAL)
    return lambda: fit_em(casino(), data, **kw)


def _data(symbols, offsets):
    return lambda: HMMData(symbols, offsets)


def _on_data(method, data, *args):
    return lambda: getattr(casino(), method)(data, *args)


def _sample(lengths, rng=None):
    return lambda: casino().sample(NEUTRAL, lengths, np.random.default_rng(0) if rng is None else rng)


CASES = [
    # -- HMMData built directly: offsets ---------------------------------------------
    Case(
        "hmm-data-offsets-past-end",
        _data([0, 1, 2], [0, 5]),
        ValueError,
        r"HMMData offsets must end at len\(symbols\) = 3; the last offset, 5, is past the end",
    ),
    Case(
        "hmm-data-offsets-past-end-middle",
        _data([0, 1, 2], [0, 7, 3]),
        ValueError,
        r"HMMData offsets .*sequence 1 is of negative length: offsets\[1\] = 7",
    ),
    Case(
        "hmm-data-offsets-short",
        _data([0, 1, 2, 3], [0, 2]),
        ValueError,
        r"HMMData offsets must end at len\(symbols\) = 4; the last offset, 2, is short of the end",
    ),
    Case(
        "hmm-data-offsets-negative",
        _data([0, 1, 2], [0, -1, 3]),
        ValueError,
        r"HMMData offsets must increase strictly.*sequence 0 is of negative length",
    ),
    Case(
        "hmm-data-offsets-zero-length",
        _data([0, 1, 2], [0, 2, 2, 3]),
        ValueError,
        r"HMMData offsets must increase strictly.*sequence 1 is empty: offsets\[1\] = 2, offsets\[2\] = 2",
    ),
    Case(
        "hmm-data-offsets-not-from-zero",
        _data([0, 1, 2], [1, 3]),
        ValueError,
        r"HMMData offsets must start at 0; offsets\[0\] is 1",
    ),
    Case(
        "hmm-data-offsets-float",
        _data([0, 1, 2], [0.0, 3.0]),
        TypeError,
        r"HMMData offsets must be a 1-D array of integer .*dtype float64",
    ),
    Case("hmm-data-offsets-2d", _data([0, 1, 2], [[0, 3]]), ValueError, r"HMMData offsets .*shape \(1, 2\)"),
    Case(
        "hmm-data-offsets-single",
        _data([0, 1, 2], [3]),
        ValueError,
        r"HMMData offsets must hold n_sequences \+ 1 boundaries.*got \[3\]",
    ),
    Case("hmm-data-offsets-scalar", _data([0, 1, 2], 3), TypeError, r"HMMData offsets must be .*got 3"),
    # -- HMMData built directly: symbols ---------------------------------------------
    Case(
        "hmm-data-symbols-float",
        _data(np.array([0.0, 1.0]), [0, 2]),
        TypeError,
        r"HMMData symbols must be a 1-D array of integer symbol codes; got values of dtype float64",
    ),
    Case("hmm-data-symbols-bool", _data(np.array([True, False]), [0, 2]), TypeError, r"HMMData symbols .*got booleans"),
    Case(
        "hmm-data-symbols-negative",
        _data([0, -1, 2], [0, 3]),
        ValueError,
        r"HMMData symbols must be codes >= 0; entry 1 is -1",
    ),
    Case("hmm-data-symbols-empty", _data([], [0]), ValueError, r"HMMData symbols is empty"),
    Case("hmm-data-symbols-string", _data("0101", [0, 4]), TypeError, r"HMMData symbols must be .*'0101'"),
    Case("hmm-data-symbols-2d", _data([[0, 1]], [0, 2]), ValueError, r"HMMData symbols .*shape \(1, 2\)"),
    Case(
        "hmm-data-code-outside-model",
        _on_data("e_step", HMMData([0, 9, 1], [0, 1, 3]), NEUTRAL),
        ValueError,
        r"HMMData sequence 1 has symbol code 9 at position 0, outside this model's alphabet 0\.\.5",
    ),
    Case(
        "hmm-data-code-outside-model-fit",
        lambda: fit_em(casino(), HMMData([0, 1, 6], [0, 3]), init=NEUTRAL),
        ValueError,
        r"HMMData sequence 0 has symbol code 6 at position 2",
    ),
    # -- sequences as a user passes them ---------------------------------------------
    Case(
        "hmm-seq-unknown-letter",
        _fit(["1234", "1297"]),
        ValueError,
        r"sequence 1 has symbol '9' at position 2, outside the alphabet '123456'",
    ),
    Case(
        "hmm-seq-string-without-alphabet",
        lambda: fit_em(DiscreteHMM(2, 6), ["16"], init=NEUTRAL),
        TypeError,
        r"sequence 0 is a string, but this model has no alphabet",
    ),
    Case(
        "hmm-seq-string-with-long-symbols",
        lambda: DiscreteHMM(2, alphabet=["sun", "rain"]).prepare(["sunrain"]),
        TypeError,
        r"sequence 0 is a string, but this model's alphabet has symbols longer than one letter",
    ),
    Case("hmm-seq-empty-string", _fit(["16", ""]), ValueError, r"sequence 1 is empty"),
    Case("hmm-seq-empty-list", _fit([]), ValueError, r"no sequences: data is an empty list"),
    Case("hmm-seq-empty-inner", _fit([[0, 1], []]), ValueError, r"sequence 1 is empty"),
    Case(
        "hmm-seq-ragged",
        _fit([[0, 1], [2, [3, 4]]]),
        ValueError,
        r"sequence 1 must be a flat \(1-D\) sequence of integer codes",
    ),
    Case("hmm-seq-ragged-nested", _fit([[0, 1], [[2, 3], [4]]]), ValueError, r"sequence 1 must be a flat \(1-D\)"),
    Case(
        "hmm-seq-int-among-lists",
        _fit([0, [1, 2]]),
        TypeError,
        r"sequence 0 must be a string over the alphabet or a 1-D sequence.*single value 0",
    ),
    Case(
        "hmm-seq-fractional-floats",
        _fit([0.5, 1.0]),
        ValueError,
        r"sequence 0 must hold integer codes; position 0 is 0\.5",
    ),
    Case(
        "hmm-seq-nan",
        _fit([np.array([0.0, np.nan])]),
        ValueError,
        r"sequence 0 must hold integer codes; position 1 is nan",
    ),
    Case("hmm-seq-bools", _fit([True, False]), TypeError, r"sequence 0 must hold integer symbol codes; got booleans"),
    Case(
        "hmm-seq-negative-code",
        _fit([[0, 1], [2, -1]]),
        ValueError,
        r"sequence 1 has symbol code -1 at position 1, outside the alphabet 0\.\.5",
    ),
    Case("hmm-seq-code-too-large", _fit([[0, 6]]), ValueError, r"sequence 0 has symbol code 6 at position 1"),
    Case(
        "hmm-seq-huge-unsigned",
        _fit(np.array([1, 2**63 + 5], dtype=np.uint64)),
        ValueError,
        r"sequence 0 has symbol code 9223372036854775813 at position 1",
    ),
    Case(
        "hmm-seq-2d-array",
        _fit(np.zeros((3, 2), dtype=int)),
        ValueError,
        r"an array of symbols must be 1-D \(one sequence\); got shape \(3, 2\)",
    ),
    Case(
        "hmm-seq-2d-inner",
        _fit([np.zeros((3, 2), dtype=int)]),
        ValueError,
        r"sequence 0 must be 1-D; got an array of shape \(3, 2\)",
    ),
    Case("hmm-seq-single-int", _fit(42), TypeError, r"data must be a sequence of symbols.*got 42"),
    Case("hmm-seq-numpy-int", _fit(np.int64(3)), TypeError, r"data must be a sequence of symbols"),
    Case("hmm-seq-none", _fit(None), TypeError, r"data must be a sequence of symbols.*got None"),
    Case(
        "hmm-seq-letters-without-alphabet",
        lambda: fit_em(DiscreteHMM(2, 6), [[0, 1], ["1", "2"]], init=NEUTRAL),
        TypeError,
        r"sequence 1 must hold integer symbol codes.*strings of one-letter symbols are passed whole",
    ),
    Case(
        "hmm-seq-unknown-symbol-name",
        lambda: fit_em(
            DiscreteHMM(2, alphabet=["sun", "rain", "fog"]),
            [["sun", "rain"], ["fog", "snow"]],
            init={"start": [0.5, 0.5], "transitions": [[0.5, 0.5]] * 2, "emissions": [[0.2, 0.3, 0.5]] * 2},
        ),
        ValueError,
        r"sequence 1 has symbol 'snow' at position 1, outside the alphabet \['sun', 'rain', 'fog'\]",
    ),
    Case("hmm-seq-bytes", _fit([b"12"]), TypeError, r"sequence 0 is a bytes object"),
    # -- the model's settings ----------------------------------------------------------
    Case("hmm-n-states-zero", lambda: DiscreteHMM(0, 6), ValueError, r"n_states must be an integer >= 1; got 0"),
    Case("hmm-n-states-float", lambda: DiscreteHMM(2.0, 6), TypeError, r"n_states must be an integer >= 1; got 2\.0"),
    Case("hmm-n-states-bool", lambda: DiscreteHMM(True, 6), TypeError, r"n_states must be an integer.*bool"),
    Case("hmm-n-symbols-zero", lambda: DiscreteHMM(2, 0), ValueError, r"n_symbols must be an integer >= 1; got 0"),
    Case("hmm-n-symbols-string", lambda: DiscreteHMM(2, "6"), TypeError, r"n_symbols must be an integer >= 1; got '6'"),
    Case("hmm-no-alphabet-size", lambda: DiscreteHMM(2), ValueError, r"give the size of the alphabet: n_symbols"),
    Case("hmm-alphabet-empty", lambda: DiscreteHMM(2, alphabet=""), ValueError, r"alphabet is empty"),
    Case(
        "hmm-alphabet-repeated",
        lambda: DiscreteHMM(2, alphabet="ACGA"),
        ValueError,
        r"alphabet has repeated symbols \('A' twice\)",
    ),
    Case(
        "hmm-alphabet-int",
        lambda: DiscreteHMM(2, alphabet=4),
        TypeError,
        r"alphabet must be a string or a sequence of strings; got 4",
    ),
    Case("hmm-alphabet-mixed", lambda: DiscreteHMM(2, alphabet=["A", 1]), TypeError, r"alphabet .*entry 1 is 1"),
    Case(
        "hmm-alphabet-empty-symbol",
        lambda: DiscreteHMM(2, alphabet=["A", ""]),
        ValueError,
        r"alphabet entry 1 is the empty string",
    ),
    Case(
        "hmm-alphabet-size-mismatch",
        lambda: DiscreteHMM(2, 3, alphabet="ACGT"),
        ValueError,
        r"n_symbols is 3 but the alphabet has 4 symbols",
    ),
    Case(
        "hmm-state-names-count",
        lambda: DiscreteHMM(2, 6, state_names=["a"]),
        ValueError,
        r"state_names must have 2 entries",
    ),
    Case(
        "hmm-state-names-string",
        lambda: DiscreteHMM(2, 6, state_names="ab"),
        TypeError,
        r"state_names must be a sequence of 2 names.*'ab'",
    ),
    Case(
        "hmm-state-names-repeated",
        lambda: DiscreteHMM(2, 6, state_names=["a", "a"]),
        ValueError,
        r"state_names must be distinct",
    ),
    Case(
        "hmm-fixed-letters",
        lambda: DiscreteHMM(2, 6, fixed="ste"),
        ValueError,
        r"fixed takes parameter names, not letter codes.*got 'ste'",
    ),
    Case(
        "hmm-fixed-unknown",
        lambda: DiscreteHMM(2, 6, fixed=["emission"]),
        ValueError,
        r"fixed: unknown name 'emission'",
    ),
    Case("hmm-fixed-int", lambda: DiscreteHMM(2, 6, fixed=3), TypeError, r"fixed must be a collection of names.*got 3"),
    Case(
        "hmm-fixed-dict",
        lambda: DiscreteHMM(2, 6, fixed={"emissions": [[1.0]]}),
        TypeError,
        r"fixed must be a collection of parameter names.*emissions=",
    ),
    Case(
        "hmm-fixed-without-value",
        lambda: fit_em(DiscreteHMM(2, 6, fixed={"emissions"}), [0, 1], seed=1),
        ValueError,
        r"emissions is fixed but has no value",
    ),
    Case(
        "hmm-pseudocount-negative",
        lambda: DiscreteHMM(2, 6, pseudocount=-1),
        ValueError,
        r"pseudocount must be a finite number >= 0",
    ),
    Case(
        "hmm-pseudocount-nan",
        lambda: DiscreteHMM(2, 6, pseudocount=float("nan")),
        ValueError,
        r"pseudocount must be a finite number >= 0.*nan",
    ),
    Case(
        "hmm-pseudocount-string",
        lambda: DiscreteHMM(2, 6, pseudocount="1"),
        TypeError,
        r"pseudocount must be a finite number.*'1'",
    ),
    Case(
        "hmm-backend-unknown",
        lambda: DiscreteHMM(2, 6, backend="cuda"),
        ValueError,
        r"backend must be one of 'auto', 'numba', 'numpy'; got 'cuda'",
    ),
    Case("hmm-backend-none", lambda: DiscreteHMM(2, 6, backend=None), TypeError, r"backend must be one of .*got None"),
    Case(
        "hmm-default-start-sum",
        lambda: DiscreteHMM(2, 6, start=[0.5, 0.6]),
        ValueError,
        r"start must sum to 1; got \[0\.5, 0\.6\]",
    ),
    Case(
        "hmm-default-transitions-nan",
        lambda: DiscreteHMM(2, 6, transitions=[[np.nan, 1], [0, 1]]),
        ValueError,
        r"transitions must be finite; entry \[0, 0\] is nan",
    ),
    Case(
        "hmm-default-emissions-string",
        lambda: DiscreteHMM(2, 6, emissions="uniform"),
        TypeError,
        r"emissions must be an array of real numbers; got a string 'uniform'",
    ),
    Case(
        "hmm-default-emissions-bool",
        lambda: DiscreteHMM(2, 2, emissions=[[True, False], [False, True]]),
        TypeError,
        r"emissions must hold numbers.*booleans",
    ),
    Case(
        "hmm-default-emissions-ragged",
        lambda: DiscreteHMM(2, 2, emissions=[[1.0], [0.5, 0.5]]),
        ValueError,
        r"emissions must be a rectangular array of probabilities",
    ),
    # -- starting and scoring parameters -------------------------------------------------
    Case(
        "hmm-init-transitions-row-sum",
        _fit("16", init=dict(NEUTRAL, transitions=[[0.8, 0.3], [0.2, 0.8]])),
        ValueError,
        r"row 0 of transitions must sum to 1",
    ),
    Case(
        "hmm-init-transitions-negative",
        _fit("16", init=dict(NEUTRAL, transitions=[[1.2, -0.2], [0.2, 0.8]])),
        ValueError,
        r"transitions must be non-negative",
    ),
    Case(
        "hmm-init-start-shape",
        _fit("16", init=dict(NEUTRAL, start=[1 / 3] * 3)),
        ValueError,
        r"start must have shape \(2,\)",
    ),
    Case(
        "hmm-init-emissions-shape",
        _fit("16", init=dict(NEUTRAL, emissions=np.full((2, 4), 0.25))),
        ValueError,
        r"emissions must have shape \(2, 6\)",
    ),
    Case(
        "hmm-init-missing-emissions",
        _fit("16", init={"start": [0.5, 0.5], "transitions": [[0.5, 0.5]] * 2}),
        ValueError,
        r"starting parameters need 'emissions'",
    ),
    Case(
        "hmm-init-unknown-key",
        _fit("16", init=dict(NEUTRAL, transmat=[[1, 0], [0, 1]])),
        ValueError,
        r"init: HMM parameters are .*unknown keys \['transmat'\]",
    ),
    Case(
        "hmm-init-non-string-key", _fit("16", init={0: [1.0]}), TypeError, r"init: parameter names are strings.*key 0"
    ),
    Case("hmm-init-list", _fit("16", init=[0.5, 0.5]), TypeError, r"init must be an HMMParams or a mapping"),
    Case(
        "hmm-init-contradicts-fixed",
        lambda: fit_em(
            DiscreteHMM(2, 6, fixed={"emissions"}, emissions=NEUTRAL["emissions"]),
            [0, 1],
            init=dict(NEUTRAL, emissions=[[1 / 6] * 6] * 2),
        ),
        ValueError,
        r"this model keeps emissions fixed at the value given to DiscreteHMM; init holds a different",
    ),
    Case(
        "hmm-params-built-bad",
        lambda: HMMParams([0.5, 0.5], [[1, 0], [0, 1]], [[0.5, 0.6], [0.5, 0.5]]),
        ValueError,
        r"row 0 of emissions must sum to 1",
    ),
    Case(
        "hmm-params-built-inconsistent",
        lambda: HMMParams([0.5, 0.5], [[1.0]], [[0.5, 0.5], [0.5, 0.5]]),
        ValueError,
        r"transitions must have shape \(2, 2\)",
    ),
    Case(
        "hmm-params-other-model",
        _on_data("loglik", "16", HMMParams([1.0], [[1.0]], [[0.5, 0.5]])),
        ValueError,
        r"start must have shape \(2,\)",
    ),
    Case(
        "hmm-loglik-params-list",
        _on_data("loglik", "16", [0.5, 0.5]),
        TypeError,
        r"params must be an HMMParams or a mapping",
    ),
    # -- starts and parameters under which the data are impossible -----------------------
    Case(
        "hmm-init-impossible-symbol",
        _fit(["1234", "1656"], init=NO_SIX),
        ValueError,
        r"sequence 1 has probability zero under the starting parameters \(init\): symbol '6' \(code 5\) at "
        r"position 1 .*Give positive emission probabilities",
    ),
    Case(
        "hmm-init-impossible-path",
        lambda: fit_em(DiscreteHMM(2, 3), [[0, 1], [0, 1, 2]], init=STUCK),
        ValueError,
        r"sequence 1 has probability zero under the starting parameters.*code 2 at position 2.*no state the chain can be in",
    ),
    Case(
        "hmm-init-impossible-first",
        lambda: fit_em(DiscreteHMM(2, 3), [2, 0], init=STUCK),
        ValueError,
        r"sequence 0 has probability zero.*code 2 at position 0.*positive start probability",
    ),
    Case(
        "hmm-random-start-impossible",
        lambda: fit_em(DiscreteHMM(2, 3, fixed={"emissions"}, emissions=[[0.5, 0.5, 0.0]] * 2), [0, 1, 2], seed=1),
        ValueError,
        r"sequence 0 has probability zero under the start.*code 2 at position 2.*emissions are fixed",
    ),
    Case(
        "hmm-e-step-impossible",
        lambda: casino().e_step(casino().prepare("16"), NO_SIX),
        ValueError,
        r"sequence 0 has probability zero under these parameters: symbol '6'",
    ),
    Case(
        "hmm-loglik-impossible",
        _on_data("loglik", ["12", "66"], NO_SIX),
        ValueError,
        r"sequence 1 has probability zero.*symbol '6' \(code 5\) at position 0",
    ),
    Case(
        "hmm-viterbi-impossible",
        _on_data("viterbi", ["12", "16"], NO_SIX),
        ValueError,
        r"sequence 1 has probability zero.*position 1",
    ),
    Case(
        "hmm-posterior-impossible",
        _on_data("posterior_marginals", "16", NO_SIX),
        ValueError,
        r"sequence 0 has probability zero.*position 1",
    ),
    Case(
        "hmm-decode-posterior-impossible",
        _on_data("decode", "16", NO_SIX, "posterior"),
        ValueError,
        r"sequence 0 has probability zero.*position 1",
    ),
    # -- decoding, path counts, the M-step and the parametrisation ----------------------
    Case(
        "hmm-decode-method-unknown",
        _on_data("decode", "16", NEUTRAL, "max"),
        ValueError,
        r"method must be one of 'viterbi', 'posterior'; got 'max'",
    ),
    Case("hmm-decode-method-int", _on_data("decode", "16", NEUTRAL, 1), TypeError, r"method must be one of .*got 1"),
    Case(
        "hmm-path-counts-state-range",
        _on_data("path_counts", "16", [[0, 2]]),
        ValueError,
        r"path 0 must hold 2 state indices in 0\.\.1",
    ),
    Case(
        "hmm-path-counts-float",
        _on_data("path_counts", "16", [[0.0, 1.0]]),
        TypeError,
        r"path 0 must hold 2 state indices.*float64",
    ),
    Case(
        "hmm-path-counts-count",
        _on_data("path_counts", "16", [[0, 1], [0]]),
        ValueError,
        r"paths: need one path per sequence \(1\); got 2",
    ),
    Case(
        "hmm-path-counts-none", _on_data("path_counts", "16", None), TypeError, r"paths must be a list of state paths"
    ),
    Case(
        "hmm-m-step-posterior",
        lambda: casino().m_step(casino().prepare("16"), None, NEUTRAL),
        TypeError,
        r"posterior must be an HMMPosterior; got None",
    ),
    Case(
        "hmm-from-unconstrained-string",
        lambda: casino().from_unconstrained("abc", casino().coerce_params(NEUTRAL)),
        TypeError,
        r"vector must be an array of real numbers",
    ),
    Case(
        "hmm-decode-symbols-float",
        lambda: casino().decode_symbols([0.0, 1.0]),
        TypeError,
        r"codes must be a 1-D sequence of integer symbol codes",
    ),
    Case(
        "hmm-decode-symbols-range",
        lambda: casino().decode_symbols([0, 7]),
        ValueError,
        r"codes entry 1 is 7, outside the alphabet 0\.\.5",
    ),
    Case(
        "hmm-encode-unknown-letter",
        lambda: casino().encode("1x"),
        ValueError,
        r"sequence 0 has symbol 'x' at position 1",
    ),
    Case(
        "hmm-initial-params-rng",
        lambda: casino().initial_params(casino().prepare("16"), 3),
        TypeError,
        r"rng must be a numpy\.random\.Generator; got 3",
    ),
    # -- sampling --------------------------------------------------------------------------
    Case("hmm-sample-length-zero", _sample(0), ValueError, r"lengths must be an integer >= 1; got 0"),
    Case("hmm-sample-length-negative", _sample([3, -1]), ValueError, r"lengths\[1\] must be an integer >= 1; got -1"),
    Case("hmm-sample-length-float", _sample(3.0), TypeError, r"lengths must be an integer or a sequence of integers"),
    Case("hmm-sample-length-in-list-float", _sample([3, 2.5]), TypeError, r"lengths\[1\] must be an integer"),
    Case("hmm-sample-length-string", _sample("10"), TypeError, r"lengths must be an integer or a sequence.*'10'"),
    Case("hmm-sample-lengths-empty", _sample([]), ValueError, r"lengths is empty"),
    Case("hmm-sample-too-long", _sample(10**13), ValueError, r"lengths ask for 10000000000000 symbols"),
    Case(
        "hmm-sample-seed-not-generator",
        _sample(10, rng=42),
        TypeError,
        r"rng must be a numpy\.random\.Generator .*got 42",
    ),
]
