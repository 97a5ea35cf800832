"""Bad input for the coin mixtures of Do & Batzoglou: ``CoinData`` built by hand or
from toss strings, ``CoinParams``, the model's settings, starting and scoring
parameters, posteriors handed to the bound's pieces, the complete-data estimate, and
the ``coins`` subcommand."""

from __future__ import annotations

import numpy as np

from bad_input import Case, CLICase
from emcore import fit_em
from emcore.coins import CoinData, CoinMixture, CoinParams, complete_data_mle

HEADS = [5, 9, 8, 4, 7]
TOSSES = [10] * 5
DATA = (HEADS, TOSSES)
START = {"theta": [0.6, 0.5]}
LABELS = ["B", "A", "A", "B", "A"]
CSV = "heads,tosses\n5,10\n9,10\n8,10\n4,10\n7,10\n"


def _fit(data=DATA, model=None, **kw):
    return lambda: fit_em(CoinMixture() if model is None else model, data, **kw)


def _cli(case_id, text: str | bytes | None, match, *options, name="sets.csv"):
    files = {} if text is None else {name: text}
    return CLICase(case_id, ("coins", "{dir}/" + name, *options), match, files)


Q = np.full((5, 2), 0.5)

CASES = [
    # -- CoinData: counts ------------------------------------------------------------
    Case(
        "coins-data-heads-negative",
        lambda: CoinData([-1, 2], [10, 10]),
        ValueError,
        r"heads must be non-negative; entry 0 is -1",
    ),
    Case(
        "coins-data-heads-fraction",
        lambda: CoinData([1.5, 2], [10, 10]),
        ValueError,
        r"heads must be whole numbers; entry 0 is 1.5",
    ),
    Case(
        "coins-data-heads-nan",
        lambda: CoinData([np.nan, 2], [10, 10]),
        ValueError,
        r"heads must be finite integer counts; entry 0 is nan",
    ),
    Case(
        "coins-data-tosses-inf",
        lambda: CoinData([1, 2], [np.inf, 10]),
        ValueError,
        r"tosses must be finite integer counts; entry 0 is inf",
    ),
    Case(
        "coins-data-heads-bool",
        lambda: CoinData([True, False], [1, 1]),
        TypeError,
        r"heads must hold numbers.*booleans",
    ),
    Case(
        "coins-data-heads-strings",
        lambda: CoinData(["1", "2"], [10, 10]),
        TypeError,
        r"heads must hold numbers.*dtype <U1",
    ),
    Case("coins-data-heads-complex", lambda: CoinData([1j, 2], [10, 10]), TypeError, r"heads must hold real numbers"),
    Case("coins-data-heads-none", lambda: CoinData(None, [10]), TypeError, r"heads must be .*got None"),
    Case("coins-data-heads-string", lambda: CoinData("5", [10]), TypeError, r"heads must be .*got a string"),
    Case(
        "coins-data-heads-huge",
        lambda: CoinData([10**20], [10**20]),
        ValueError,
        r"heads must be counts below 2\*\*62; entry 0 is 100000000000000000000",
    ),
    Case(
        "coins-data-tosses-huge-float",
        lambda: CoinData([1], [1e30]),
        ValueError,
        r"tosses must be counts below 2\*\*62",
    ),
    Case(
        "coins-data-heads-over-tosses",
        lambda: CoinData([11, 2], [10, 10]),
        ValueError,
        r"set 0 has more heads \(11\) than tosses \(10\)",
    ),
    Case(
        "coins-data-length-mismatch",
        lambda: CoinData([1, 2, 3], [10, 10]),
        ValueError,
        r"heads and tosses must have one entry per set; got 3 heads and 2 tosses",
    ),
    Case("coins-data-empty", lambda: CoinData([], []), ValueError, r"heads is empty"),
    Case(
        "coins-data-2d",
        lambda: CoinData([[1, 2]], [[10, 10]]),
        ValueError,
        r"heads must be 1-D; got an array of shape \(1, 2\)",
    ),
    Case(
        "coins-data-ragged",
        lambda: CoinData([[1], [1, 2]], [10, 10]),
        ValueError,
        r"heads must be .*could not form an array",
    ),
    # -- CoinData: labels and sequences ----------------------------------------------
    Case(
        "coins-data-labels-short",
        lambda: CoinData([1, 2], [2, 2], labels=["A"]),
        ValueError,
        r"labels must have one entry per set \(2\); got 1",
    ),
    Case(
        "coins-data-labels-string",
        lambda: CoinData([1], [2], labels="A"),
        TypeError,
        r"labels must be a list with one entry per set; got a single string 'A'",
    ),
    Case(
        "coins-data-labels-number",
        lambda: CoinData([1], [2], labels=3),
        TypeError,
        r"labels must be a list with one entry per set; got 3",
    ),
    Case(
        "coins-data-sequences-short",
        lambda: CoinData([1, 2], [2, 2], sequences=["HT"]),
        ValueError,
        r"sequences must have one entry per set \(2\); got 1",
    ),
    Case(
        "coins-data-sequences-disagree",
        lambda: CoinData([1], [2], sequences=["HH"]),
        ValueError,
        r"sequence 0 \('HH'\) has 2 heads in 2 tosses, but heads\[0\] = 1",
    ),
    Case(
        "coins-data-sequences-wrong-length",
        lambda: CoinData([1], [3], sequences=["HT"]),
        ValueError,
        r"sequence 0 \('HT'\) has 1 heads in 2 tosses, but .*tosses\[0\] = 3",
    ),
    Case(
        "coins-data-sequences-letters",
        lambda: CoinData([1], [2], sequences=["HX"]),
        ValueError,
        r"sequence 0 \('HX'\) holds letters other than H and T: \['X'\]",
    ),
    # -- CoinData.from_sequences -----------------------------------------------------
    Case(
        "coins-seq-single-string",
        lambda: CoinData.from_sequences("HTH"),
        TypeError,
        r"sequences must be a list with one entry per set; got a single string 'HTH'",
    ),
    Case(
        "coins-seq-none",
        lambda: CoinData.from_sequences(None),
        TypeError,
        r"sequences must be a list with one entry per set; got None",
    ),
    Case("coins-seq-number", lambda: CoinData.from_sequences(5), TypeError, r"sequences must be a list .*got 5"),
    Case(
        "coins-seq-bad-letter",
        lambda: CoinData.from_sequences(["HTH", "HTX"]),
        ValueError,
        r"sequence 1 \('HTX'\) holds letters other than H and T: \['X'\]",
    ),
    Case(
        "coins-seq-digits",
        lambda: CoinData.from_sequences(["1010"]),
        ValueError,
        r"sequence 0 \('1010'\) holds letters other",
    ),
    Case(
        "coins-seq-item-int",
        lambda: CoinData.from_sequences(["HT", 1]),
        TypeError,
        r"sequence 1 must be a string of H and T; got 1",
    ),
    Case(
        "coins-seq-item-bytes",
        lambda: CoinData.from_sequences([b"HT"]),
        TypeError,
        r"sequence 0 must be a string of H and T",
    ),
    Case("coins-seq-empty-list", lambda: CoinData.from_sequences([]), ValueError, r"heads is empty"),
    Case(
        "coins-seq-labels-long",
        lambda: CoinData.from_sequences(["HT"], labels=["A", "B"]),
        ValueError,
        r"labels must have one entry per set \(1\); got 2",
    ),
    # -- CoinParams ------------------------------------------------------------------
    Case(
        "coins-params-theta-string",
        lambda: CoinParams("ab", [1.0]),
        TypeError,
        r"theta must be a 1-D array .*got a string",
    ),
    Case(
        "coins-params-theta-above-1",
        lambda: CoinParams([2.0], [1.0]),
        ValueError,
        r"theta must hold probabilities in \[0, 1\]; entry 0 is 2.0",
    ),
    Case(
        "coins-params-theta-negative",
        lambda: CoinParams([0.5, -0.1], [0.5, 0.5]),
        ValueError,
        r"theta must hold probabilities in \[0, 1\]; entry 1 is -0.1",
    ),
    Case(
        "coins-params-theta-nan",
        lambda: CoinParams([np.nan], [1.0]),
        ValueError,
        r"theta must be finite; entry 0 is nan",
    ),
    Case("coins-params-theta-empty", lambda: CoinParams([], []), ValueError, r"theta is empty"),
    Case(
        "coins-params-weights-length",
        lambda: CoinParams([0.5, 0.5], [1.0]),
        ValueError,
        r"weights must have 2 entries .*got 1",
    ),
    Case(
        "coins-params-weights-sum",
        lambda: CoinParams([0.5, 0.5], [0.6, 0.6]),
        ValueError,
        r"weights must sum to 1; got \[0.6, 0.6\] \(sum 1.2\)",
    ),
    Case(
        "coins-params-weights-negative",
        lambda: CoinParams([0.5, 0.5], [1.5, -0.5]),
        ValueError,
        r"weights must be non-negative",
    ),
    # -- CoinMixture settings --------------------------------------------------------
    Case("coins-model-n-coins-zero", lambda: CoinMixture(0), ValueError, r"n_coins must be an integer >= 1; got 0"),
    Case("coins-model-n-coins-float", lambda: CoinMixture(2.0), TypeError, r"n_coins must be an integer >= 1; got 2.0"),
    Case(
        "coins-model-n-coins-string", lambda: CoinMixture("2"), TypeError, r"n_coins must be an integer >= 1; got '2'"
    ),
    Case(
        "coins-model-n-coins-bool",
        lambda: CoinMixture(True),
        TypeError,
        r"n_coins must be an integer >= 1; got True \(a bool\)",
    ),
    Case(
        "coins-model-learn-weights-int",
        lambda: CoinMixture(learn_weights=1),
        TypeError,
        r"learn_weights must be True or False; got 1",
    ),
    Case(
        "coins-model-learn-weights-string",
        lambda: CoinMixture(learn_weights="yes"),
        TypeError,
        r"learn_weights must be True or False; got 'yes'",
    ),
    Case(
        "coins-model-fixed-unknown",
        lambda: CoinMixture(fixed="bias"),
        ValueError,
        r"fixed takes parameter names, not letter codes: e.g. fixed=\{'weights'\}; the names are \['weights'\]; got 'bias'",
    ),
    Case(
        "coins-model-fixed-unknown-in-list",
        lambda: CoinMixture(fixed=["weights", "theta"]),
        ValueError,
        r"fixed: unknown name 'theta'; expected names from \('weights',\)",
    ),
    Case(
        "coins-model-fixed-mapping",
        lambda: CoinMixture(fixed={"weights": [0.3, 0.7]}),
        TypeError,
        r"fixed must be a collection of parameter names from \['weights'\]; got \{'weights': \[0.3, 0.7\]\} \(type dict\) "
        r"\(their values come from CoinMixture\(weights=\.\.\.\)\)",
    ),
    Case(
        "coins-model-fixed-number",
        lambda: CoinMixture(fixed=3),
        TypeError,
        r"fixed must be a collection of names from \('weights',\); got 3",
    ),
    Case(
        "coins-model-fixed-and-learn-weights",
        lambda: CoinMixture(fixed=(), learn_weights=True),
        ValueError,
        r"pass fixed= or learn_weights=, not both",
    ),
    Case("coins-model-weights-sum", lambda: CoinMixture(weights=[0.3, 0.3]), ValueError, r"weights must sum to 1"),
    Case("coins-model-weights-length", lambda: CoinMixture(weights=[1.0]), ValueError, r"weights must have 2 entries"),
    Case(
        "coins-model-weights-negative",
        lambda: CoinMixture(weights=[1.5, -0.5]),
        ValueError,
        r"weights must be positive",
    ),
    Case("coins-model-weights-zero", lambda: CoinMixture(weights=[1.0, 0.0]), ValueError, r"weights must be positive"),
    Case(
        "coins-model-weights-string",
        lambda: CoinMixture(weights="ab"),
        TypeError,
        r"weights must be a 1-D array .*string",
    ),
    # -- data as fit_em receives it --------------------------------------------------
    Case(
        "coins-fit-data-none",
        _fit(None),
        TypeError,
        r"coin data must be a CoinData, a \(heads, tosses\) tuple .*got NoneType",
    ),
    Case("coins-fit-data-list-of-pairs", _fit([[5, 10], [9, 10]]), TypeError, r"coin data must be .*got list"),
    Case("coins-fit-data-string", _fit("HTHT"), TypeError, r"coin data must be .*got str"),
    Case("coins-fit-data-triple", _fit(([1], [2], [3])), TypeError, r"coin data must be .*got tuple"),
    Case(
        "coins-fit-data-mapping-missing",
        _fit({"heads": [1]}),
        ValueError,
        r"needs keys 'heads' and 'tosses'; missing \['tosses'\]",
    ),
    Case(
        "coins-fit-data-mapping-unknown",
        _fit({"heads": [1], "tosses": [2], "n": 3}),
        ValueError,
        r"coin data mapping takes the keys .*unknown keys \['n'\]",
    ),
    Case(
        "coins-fit-data-no-tosses",
        _fit(([0, 0], [0, 0])),
        ValueError,
        r"the data hold no tosses at all \(2 sets of 0 tosses\)",
    ),
    Case("coins-fit-data-over", _fit(([11, 2], [10, 10])), ValueError, r"set 0 has more heads"),
    # -- starting parameters ---------------------------------------------------------
    Case("coins-init-list", _fit(init=[0.6, 0.5]), TypeError, r"init must be a CoinParams or a mapping like"),
    Case(
        "coins-init-theta-one",
        _fit(init={"theta": [1.0, 0.5]}),
        ValueError,
        r"each theta in init must lie strictly between 0 and 1; got \[1.0, 0.5\]",
    ),
    Case(
        "coins-init-theta-zero",
        _fit(init={"theta": [0.0, 0.5]}),
        ValueError,
        r"each theta in init must lie strictly between 0 and 1",
    ),
    Case("coins-init-theta-string", _fit(init={"theta": "0.6,0.5"}), TypeError, r"theta must be a 1-D array .*string"),
    Case("coins-init-theta-short", _fit(init={"theta": [0.6]}), ValueError, r"theta must have 2 entries .*got 1"),
    Case(
        "coins-init-theta-nan", _fit(init={"theta": [np.nan, 0.5]}), ValueError, r"theta must be finite; entry 0 is nan"
    ),
    Case("coins-init-theta-2d", _fit(init={"theta": [[0.6, 0.5]]}), ValueError, r"theta must be 1-D"),
    Case(
        "coins-init-unknown-key",
        _fit(init={"thetas": [0.6, 0.5]}),
        ValueError,
        r"coin parameters are 'theta' and 'weights'; got unknown keys \['thetas'\]",
    ),
    Case("coins-init-no-theta", _fit(init={"weights": [0.5, 0.5]}), ValueError, r"coin parameters need 'theta'"),
    Case(
        "coins-init-fixed-weights-differ",
        _fit(init={"theta": [0.6, 0.5], "weights": [0.3, 0.7]}),
        ValueError,
        r"this model keeps the weights fixed at \[0.5, 0.5\]; got \[0.3, 0.7\]",
    ),
    Case(
        "coins-init-weights-sum",
        _fit(model=CoinMixture(fixed=()), init={"theta": [0.6, 0.5], "weights": [0.3, 0.3]}),
        ValueError,
        r"weights must sum to 1",
    ),
    Case(
        "coins-init-params-wrong-size",
        _fit(init=CoinParams([0.6, 0.5, 0.4], [0.2, 0.3, 0.5])),
        ValueError,
        r"theta must have 2 entries .*got 3",
    ),
    # -- scoring and the bound's pieces ----------------------------------------------
    Case(
        "coins-loglik-params-list",
        lambda: CoinMixture().loglik(DATA, [0.5, 0.5]),
        TypeError,
        r"params must be a CoinParams or a mapping like",
    ),
    Case(
        "coins-loglik-params-three-coins",
        lambda: CoinMixture().loglik(DATA, CoinParams([0.5] * 3, [1 / 3] * 3)),
        ValueError,
        r"params must be for 2 coins; got 3",
    ),
    Case("coins-loglik-data-bad", lambda: CoinMixture().loglik(([3], [2]), START), ValueError, r"set 0 has more heads"),
    Case(
        "coins-log-joint-theta-long",
        lambda: CoinMixture().log_joint(DATA, {"theta": [0.6, 0.5, 0.4]}),
        ValueError,
        r"theta must have 2 entries .*got 3",
    ),
    Case(
        "coins-complete-loglik-q-shape",
        lambda: CoinMixture().complete_loglik(DATA, START, np.ones((2, 2))),
        ValueError,
        r"posterior must have shape \(5, 2\); got \(2, 2\)",
    ),
    Case(
        "coins-complete-loglik-q-rows",
        lambda: CoinMixture().complete_loglik(DATA, START, np.full((5, 2), 2.0)),
        ValueError,
        r"posterior \(sets x coins\) must be a distribution over completions: each row sums to 1; row 0 sums to 4.0",
    ),
    Case(
        "coins-complete-loglik-q-nan",
        lambda: CoinMixture().complete_loglik(DATA, START, np.full((5, 2), np.nan)),
        ValueError,
        r"posterior must be finite; entry \[0, 0\] is nan",
    ),
    Case(
        "coins-complete-loglik-q-string",
        lambda: CoinMixture().complete_loglik(DATA, START, "q"),
        TypeError,
        r"posterior must be an array of real numbers; got a string",
    ),
    Case(
        "coins-entropy-negative",
        lambda: CoinMixture().entropy(np.array([[1.5, -0.5]] * 5)),
        ValueError,
        r"posterior must be non-negative; entry \[0, 1\] is -0.5",
    ),
    Case(
        "coins-entropy-wrong-coins",
        lambda: CoinMixture().entropy(np.full((5, 3), 1 / 3)),
        ValueError,
        r"posterior must have shape \(any, 2\); got \(5, 3\)",
    ),
    Case(
        "coins-expected-counts-shape",
        lambda: CoinMixture().expected_counts(DATA, np.ones((2, 2))),
        ValueError,
        r"posterior must have shape \(5, 2\); got \(2, 2\)",
    ),
    Case(
        "coins-to-unconstrained-mapping",
        lambda: CoinMixture().to_unconstrained(START),
        TypeError,
        r"params must be CoinParams with 2 coins",
    ),
    Case(
        "coins-from-unconstrained-length",
        lambda: CoinMixture().from_unconstrained([1, 2, 3], CoinParams([0.5, 0.5], [0.5, 0.5])),
        ValueError,
        r"vector must have 2 entries for these parameters; got 3",
    ),
    Case(
        "coins-from-unconstrained-string",
        lambda: CoinMixture().from_unconstrained("ab", CoinParams([0.5, 0.5], [0.5, 0.5])),
        TypeError,
        r"vector must be a 1-D array of real numbers; got a string",
    ),
    Case(
        "coins-from-unconstrained-nan",
        lambda: CoinMixture().from_unconstrained([np.nan, 0], CoinParams([0.5, 0.5], [0.5, 0.5])),
        ValueError,
        r"vector must be finite; entry 0 is nan",
    ),
    Case(
        "coins-from-unconstrained-like",
        lambda: CoinMixture().from_unconstrained([0, 0], {"theta": [0.5, 0.5]}),
        TypeError,
        r"like must be CoinParams with 2 coins",
    ),
    # -- complete-data maximum likelihood --------------------------------------------
    Case(
        "coins-mle-no-labels",
        lambda: complete_data_mle(DATA),
        ValueError,
        r"labels are needed: the coin that made each set",
    ),
    Case(
        "coins-mle-unknown-letter",
        lambda: complete_data_mle(DATA, ["A", "B", "C", "A", "B"]),
        ValueError,
        r"label 2 is 'C'; expected one of \['A', 'B'\]",
    ),
    Case(
        "coins-mle-lowercase", lambda: complete_data_mle(DATA, ["a", "b", "a", "b", "a"]), ValueError, r"label 0 is 'a'"
    ),
    Case(
        "coins-mle-labels-short",
        lambda: complete_data_mle(DATA, ["A", "B"]),
        ValueError,
        r"labels must have one entry per set \(5\); got 2",
    ),
    Case(
        "coins-mle-label-float",
        lambda: complete_data_mle(DATA, [0.0, 1, 0, 1, 0]),
        ValueError,
        r"label 0 is 0.0; expected a coin letter",
    ),
    Case("coins-mle-label-bool", lambda: complete_data_mle(DATA, [True, 0, 0, 1, 0]), ValueError, r"label 0 is True"),
    Case(
        "coins-mle-label-out-of-range",
        lambda: complete_data_mle(DATA, [0, 1, 2, 1, 0]),
        ValueError,
        r"label 2 is 2; expected a coin letter \['A', 'B'\] or an index 0..1",
    ),
    Case(
        "coins-mle-labels-number",
        lambda: complete_data_mle(DATA, 3),
        TypeError,
        r"labels must be a list with one entry per set; got 3",
    ),
    Case(
        "coins-mle-n-coins-zero",
        lambda: complete_data_mle(DATA, [0, 1, 0, 1, 0], n_coins=0),
        ValueError,
        r"n_coins must be an integer >= 1; got 0",
    ),
    Case(
        "coins-mle-n-coins-string",
        lambda: complete_data_mle(DATA, [0, 1, 0, 1, 0], n_coins="2"),
        TypeError,
        r"n_coins must be an integer >= 1; got '2'",
    ),
    Case(
        "coins-mle-coin-without-tosses",
        lambda: complete_data_mle(DATA, [0, 0, 0, 0, 0]),
        ValueError,
        r"coin B has no labelled tosses: its bias cannot be estimated",
    ),
    # -- the coins subcommand --------------------------------------------------------
    _cli("coins-cli-missing-file", None, r"cannot read .*sets.csv: No such file or directory"),
    _cli("coins-cli-empty-file", "", r"sets.csv has no data rows"),
    _cli("coins-cli-header-only", "heads,tosses\n", r"sets.csv has no data rows"),
    _cli(
        "coins-cli-wrong-columns",
        "a,b\n1,2\n",
        r"needs columns 'heads' and 'tosses', or 'sequence'; found \['a', 'b'\]",
    ),
    _cli("coins-cli-binary", b"\xff\xfe\x00\x81heads", r"sets.csv is not a readable CSV file"),
    _cli(
        "coins-cli-heads-text",
        "heads,tosses\n5,10\nfive,10\n",
        r"line 3: heads and tosses must be whole numbers >= 0; got 'five' and '10'",
    ),
    _cli(
        "coins-cli-heads-negative",
        "heads,tosses\n-1,10\n",
        r"line 2: heads and tosses must be whole numbers >= 0; got '-1'",
    ),
    _cli("coins-cli-heads-fraction", "heads,tosses\n2.5,10\n", r"line 2: heads and tosses must be whole numbers"),
    _cli("coins-cli-heads-blank", "heads,tosses\n,10\n", r"line 2: heads and tosses must be whole numbers"),
    _cli(
        "coins-cli-heads-huge",
        "heads,tosses\n1,99999999999999999999999\n",
        r"line 2: heads and tosses must be whole numbers",
    ),
    _cli(
        "coins-cli-heads-over",
        "heads,tosses\n5,10\n12,10\n",
        r"line 3: 12 heads in 10 tosses \(heads cannot exceed tosses\)",
    ),
    _cli("coins-cli-no-tosses", "heads,tosses\n0,0\n0,0\n", r"holds no tosses at all"),
    _cli(
        "coins-cli-sequence-letter",
        "sequence\nHTHT\nHTXT\n",
        r"line 3: a sequence must be a string of H and T; got 'HTXT'",
    ),
    _cli("coins-cli-sequence-blank", 'sequence\nHTHT\n""\n', r"line 3: a sequence must be a string of H and T; got ''"),
    _cli("coins-cli-coins-zero", CSV, r"--coins must be an integer >= 1; got 0", "--coins", "0"),
    _cli("coins-cli-coins-text", CSV, r"argument --coins: invalid int value: 'two'", "--coins", "two"),
    _cli("coins-cli-init-count", CSV, r"--init must give one bias per coin \(2\); got 1", "--init", "0.5"),
    _cli(
        "coins-cli-init-one", CSV, r"each --init bias must be a finite number > 0 and < 1; got 1.0", "--init", "0.5,1"
    ),
    _cli(
        "coins-cli-init-nan", CSV, r"each --init bias must be a finite number > 0 and < 1; got nan", "--init", "0.5,nan"
    ),
    _cli(
        "coins-cli-init-text",
        CSV,
        r"argument --init: expected comma-separated numbers like 0.6,0.5; got 'a,b'",
        "--init",
        "a,b",
    ),
    _cli(
        "coins-cli-init-with-restarts",
        CSV,
        r"--init and --n-init > 1 cannot be combined",
        "--init",
        "0.6,0.5",
        "--n-init",
        "3",
    ),
    _cli("coins-cli-n-init-zero", CSV, r"--n-init must be an integer >= 1; got 0", "--n-init", "0"),
    _cli("coins-cli-seed-negative", CSV, r"--seed must be an integer >= 0; got -1", "--seed=-1"),
    _cli("coins-cli-max-iter-negative", CSV, r"--max-iter must be an integer >= 0; got -1", "--max-iter=-1"),
    _cli("coins-cli-tol-negative", CSV, r"--tol must be a finite number >= 0; got -1.0", "--tol=-1"),
    _cli("coins-cli-tol-nan", CSV, r"--tol must be a finite number >= 0; got nan", "--tol", "nan"),
    _cli("coins-cli-mode", CSV, r"argument --mode: invalid choice: 'medium'", "--mode", "medium"),
    _cli("coins-cli-unknown-option", CSV, r"unrecognized arguments: --weights", "--weights", "0.5,0.5"),
]
