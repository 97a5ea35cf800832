"""Bad input for motif finding: the search settings of ``find_motifs``, the model's
settings and background, sequences as a user passes them (lists, mappings, FASTA
files), starting and scoring parameters, ``MotifParams`` and ``MotifData`` built by
hand, the matrix helpers (consensus, information content, similarity), erasing,
reading sites off a posterior, the MEME output, the simulation helpers, and
``python -m emcore motif`` (options and files). Inputs are tiny: every search that
would run is stopped by the check before it starts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from bad_input import Case, CLICase
from emcore import fit_em
from emcore.datasets import chipseq_peaks, mutate_sites, plant_sites
from emcore.motif import (
    MotifData,
    MotifModel,
    MotifParams,
    MotifResult,
    candidate_kmers,
    consensus,
    erase,
    find_motifs,
    information_content,
    kmer_params,
    ppm_similarity,
    sites_of,
    to_meme,
)

SEQS = ["ACGTACGTAC", "TTGACGTACG", "GGACGTACCA"]
FLAT = np.full((4, 4), 0.25)
#: Width 4 on sequences with an N (sequence 0, position 4) and a shorter sequence 2:
#: windows 1-4 of sequence 0 and 3-6 of sequence 2 are not allowed.
BASE = MotifModel(4).prepare(["ACGTNACGTA", "TTGACGTACG", "ACGTAC"])
FIELDS = {
    name: getattr(BASE, name)
    for name in ("names", "sequences", "index", "codes", "lengths", "width", "valid", "chunks", "letter_counts")
}
ZERO_POSTERIOR = np.zeros((3, 1, 7))
RESULT = MotifResult(
    params=kmer_params("ACGT"), sites=(), loglik=0.0, loglik_background=0.0, fit=None, background=np.full(4, 0.25)
)
FASTA = ">a\nACGTACGTAC\n>b\nTTGACGTACG\n>c\nGGACGTACCA\n"


def _find(seqs=SEQS, width=4, **kw):
    kw.setdefault("n_candidates", 2)
    kw.setdefault("max_iter", 5)
    return lambda: find_motifs(seqs, width, **kw)


def _hand(**changes):
    """MotifData built directly from BASE's fields, some of them changed."""
    return lambda: MotifData(**{**FIELDS, **changes})


def _changed(name, edit):
    array = np.array(FIELDS[name], copy=True)
    edit(array)
    return array


def _set(index, value):
    def edit(array):
        array[index] = value

    return edit


def _posterior(*where):
    """A posterior for BASE (one strand) with probability 1 at the given (sequence, strand, window)."""
    q = np.zeros((3, 1, 7))
    for index in where:
        q[index] = 1.0
    return q


def _find_in_file(text: str, name: str, width: int = 4):
    """find_motifs on a FASTA file holding ``text``, written to a folder removed afterwards."""

    def call():
        with tempfile.TemporaryDirectory(prefix="emcore-motif-cases-") as folder:
            path = Path(folder) / name
            path.write_text(text)
            return find_motifs(path, width)

    return call


def _rng():
    return np.random.default_rng(0)


CASES = [
    # -- find_motifs: every search setting, under its own name ---------------------------
    Case(
        "motif-seed-string",
        _find(seed="abc"),
        TypeError,
        r"seed must be None, a non-negative integer, a numpy SeedSequence or a numpy Generator; got 'abc'",
    ),
    Case("motif-seed-negative", _find(seed=-1), ValueError, r"seed must be a non-negative integer; got -1"),
    Case("motif-seed-float", _find(seed=1.5), TypeError, r"seed must be None, a non-negative integer.*got 1\.5"),
    Case("motif-short-iter-negative", _find(short_iter=-1), ValueError, r"short_iter must be an integer >= 1; got -1"),
    Case("motif-short-iter-zero", _find(short_iter=0), ValueError, r"short_iter must be an integer >= 1; got 0"),
    Case("motif-short-iter-float", _find(short_iter=2.0), TypeError, r"short_iter must be an integer >= 1; got 2\.0"),
    Case("motif-max-iter-negative", _find(max_iter=-1), ValueError, r"max_iter must be an integer >= 0; got -1"),
    Case("motif-max-iter-string", _find(max_iter="10"), TypeError, r"max_iter must be an integer >= 0; got '10'"),
    Case("motif-tol-negative", _find(tol=-1e-8), ValueError, r"tol must be a finite number >= 0\.0; got -1e-08"),
    Case("motif-tol-nan", _find(tol=float("nan")), ValueError, r"tol must be a finite number >= 0\.0; got nan"),
    Case(
        "motif-threshold-above-one",
        _find(threshold=2),
        ValueError,
        r"threshold must be a finite number >= 0\.0 and <= 1\.0; got 2\.0",
    ),
    Case("motif-threshold-nan", _find(threshold=float("nan")), ValueError, r"threshold must be .*; got nan"),
    Case("motif-threshold-string", _find(threshold="0.5"), TypeError, r"threshold must be a finite number.*'0\.5'"),
    Case("motif-shifts-negative", _find(shifts=-1), ValueError, r"shifts must be an integer >= 0; got -1"),
    Case(
        "motif-shifts-too-large",
        _find(shifts=4),
        ValueError,
        r"shifts must be an integer >= 0 and <= 3 \(width - 1\); got 4",
    ),
    Case("motif-shifts-float", _find(shifts=1.5), TypeError, r"shifts must be an integer >= 0; got 1\.5"),
    Case("motif-n-motifs-zero", _find(n_motifs=0), ValueError, r"n_motifs must be an integer >= 1; got 0"),
    Case("motif-n-motifs-string", _find(n_motifs="2"), TypeError, r"n_motifs must be an integer >= 1; got '2'"),
    Case("motif-n-motifs-float", _find(n_motifs=2.0), TypeError, r"n_motifs must be an integer >= 1; got 2\.0"),
    Case("motif-n-candidates-zero", _find(n_candidates=0), ValueError, r"n_candidates must be an integer >= 1; got 0"),
    Case("motif-n-candidates-float", _find(n_candidates=2.5), TypeError, r"n_candidates must be an integer.*2\.5"),
    Case("motif-mode-unknown", _find(mode="medium"), ValueError, r"mode must be one of 'soft', 'hard'; got 'medium'"),
    Case("motif-mode-int", _find(mode=1), TypeError, r"mode must be one of 'soft', 'hard'; got 1"),
    Case(
        "motif-model-unknown",
        _find(model="twice"),
        ValueError,
        r"model must be one of 'oops', 'zoops', 'tcm'; got 'twice'",
    ),
    Case("motif-model-upper-case", _find(model="ZOOPS"), ValueError, r"model must be one of .*got 'ZOOPS'"),
    Case("motif-model-none", _find(model=None), TypeError, r"model must be one of 'oops', 'zoops', 'tcm'; got None"),
    Case("motif-revcomp-int", _find(revcomp=1), TypeError, r"revcomp must be True or False; got 1"),
    Case(
        "motif-mask-lowercase-string",
        _find(mask_lowercase="yes"),
        TypeError,
        r"mask_lowercase must be True or False; got 'yes'",
    ),
    Case(
        "motif-pseudocount-negative",
        _find(pseudocount=-1),
        ValueError,
        r"pseudocount must be a finite number >= 0\.0; got -1\.0",
    ),
    Case("motif-pseudocount-string", _find(pseudocount="1"), TypeError, r"pseudocount must be a finite number.*'1'"),
    Case("motif-pseudocount-inf", _find(pseudocount=float("inf")), ValueError, r"pseudocount .*; got inf"),
    Case("motif-width-zero", _find(width=0), ValueError, r"width must be an integer >= 2; got 0"),
    # -- the model's settings and background ----------------------------------------------
    Case("motif-model-width-one", lambda: MotifModel(1), ValueError, r"width must be an integer >= 2; got 1"),
    Case("motif-model-width-float", lambda: MotifModel(4.0), TypeError, r"width must be an integer >= 2; got 4\.0"),
    Case("motif-model-width-bool", lambda: MotifModel(True), TypeError, r"width must be an integer.*\(a bool\)"),
    Case("motif-model-width-string", lambda: MotifModel("4"), TypeError, r"width must be an integer >= 2; got '4'"),
    Case(
        "motif-model-fixed-unknown",
        lambda: MotifModel(4, fixed={"ppm"}),
        ValueError,
        r"fixed: unknown name 'ppm'; expected names from \('gamma',\)",
    ),
    Case(
        "motif-model-fixed-and-learn-gamma",
        lambda: MotifModel(4, fixed=(), learn_gamma=False),
        ValueError,
        r"pass fixed= or learn_gamma=, not both",
    ),
    Case(
        "motif-model-learn-gamma-int",
        lambda: MotifModel(4, learn_gamma=1),
        TypeError,
        r"learn_gamma must be True or False; got 1",
    ),
    Case(
        "motif-background-three",
        lambda: MotifModel(4, background=[0.3, 0.3, 0.4]),
        ValueError,
        r"background must be 4 positive probabilities \(A, C, G, T\) summing to 1; got \[0\.3, 0\.3, 0\.4\]",
    ),
    Case(
        "motif-background-zero",
        lambda: MotifModel(4, background=[0.5, 0.5, 0, 0]),
        ValueError,
        r"background must be 4 positive probabilities.*\[0\.5, 0\.5, 0\.0, 0\.0\]",
    ),
    Case(
        "motif-background-sum",
        lambda: MotifModel(4, background=[0.3] * 4),
        ValueError,
        r"background must be 4 positive probabilities .*summing to 1",
    ),
    Case(
        "motif-background-string",
        lambda: MotifModel(4, background="ACGT"),
        TypeError,
        r"background must be an array of real numbers; got a string 'ACGT'",
    ),
    Case(
        "motif-background-none-entry",
        lambda: MotifModel(4, background=[0.25, None, 0.25, 0.25]),
        TypeError,
        r"background must hold numbers",
    ),
    Case(
        "motif-background-nan",
        lambda: MotifModel(4, background=[np.nan, 0.25, 0.25, 0.5]),
        ValueError,
        r"background must be 4 positive probabilities.*nan",
    ),
    Case(
        "motif-background-bool",
        lambda: MotifModel(4, background=[True, False, False, False]),
        TypeError,
        r"background must hold numbers.*booleans",
    ),
    Case(
        "motif-background-mapping-missing",
        lambda: MotifModel(4, background={"A": 0.5, "C": 0.5}),
        ValueError,
        r"background mapping needs the letters A, C, G, T; missing \['G', 'T'\]",
    ),
    Case(
        "motif-background-mapping-unknown-letter",
        lambda: MotifModel(4, background={"A": 0.25, "C": 0.25, "G": 0.25, "U": 0.25}),
        ValueError,
        r"background mapping keys must be the letters A, C, G, T; got key 'U'",
    ),
    # -- sequences as a user passes them ------------------------------------------------------
    Case("motif-seq-empty-list", _find([]), ValueError, r"no sequences: the input is empty"),
    Case("motif-seq-empty-mapping", _find({}), ValueError, r"no sequences: the input is empty"),
    Case("motif-seq-none", _find(None), TypeError, r"sequences must be a list of DNA strings.*; got None"),
    Case(
        "motif-seq-single-string",
        _find("ACGTACGTAC"),
        TypeError,
        r"got a single string 'ACGTACGTAC' \(for a FASTA file, pass pathlib\.Path",
    ),
    Case("motif-seq-file-name-string", _find("peaks.fa"), TypeError, r"single string 'peaks\.fa'.*pathlib\.Path"),
    Case("motif-seq-all-empty", _find(["", ""]), ValueError, r"every sequence is empty \(all 2 of them\)"),
    Case("motif-seq-int-items", _find([1, 2]), TypeError, r"sequence 0 must be a string of DNA letters.*got 1"),
    Case("motif-seq-bytes-item", _find([b"ACGTACGT"]), TypeError, r"sequence 0 must be a string.*type bytes"),
    Case(
        "motif-seq-list-of-letters",
        _find([["A", "C", "G", "T"]]),
        TypeError,
        r"sequence 0 must be a string of DNA letters.*type list",
    ),
    Case(
        "motif-seq-mapping-int-value",
        _find({"a": "ACGTACGT", "b": 5}),
        TypeError,
        r"sequence 'b' must be a string of DNA letters; got 5",
    ),
    Case(
        "motif-seq-bad-pair", _find([("a", 5)]), TypeError, r"sequence 0 must be .*\(name, sequence\) pair.*\('a', 5\)"
    ),
    Case(
        "motif-seq-protein",
        _find(["ACGTPEPTIDE"], width=3),
        ValueError,
        r"sequence 'seq1' is not DNA: it holds the characters 'EIP'",
    ),
    Case("motif-seq-rna", _find(["ACGUACGU"]), ValueError, r"sequence 'seq1' is not DNA: it holds the characters 'U'"),
    Case("motif-seq-space", _find(["ACGT ACGT"]), ValueError, r"sequence 'seq1' is not DNA.*' '"),
    Case("motif-seq-digit-in-named", _find({"peak7": "ACG1TACG"}), ValueError, r"sequence 'peak7' is not DNA.*'1'"),
    Case(
        "motif-seq-shorter-than-width",
        _find(["ACGT", "ACG"], width=8),
        ValueError,
        r"every sequence is shorter than the motif width 8 \(the longest has 4 letters\)",
    ),
    Case(
        "motif-seq-all-N",
        _find(["NNNNNNNN"], width=3),
        ValueError,
        r"no sequence has a window of 3 letters free of N/ambiguous letters",
    ),
    Case(
        "motif-seq-all-masked-lowercase",
        _find(["acgtacgt"], mask_lowercase=True),
        ValueError,
        r"no sequence has a window of 4 letters free of N/ambiguous letters and masked lower case",
    ),
    Case(
        "motif-seq-missing-path",
        _find(Path("/no/such/dir/peaks.fa")),
        ValueError,
        r"cannot read /no/such/dir/peaks\.fa: No such file",
    ),
    Case(
        "motif-seq-path-blank-then-text",
        _find_in_file("\n\nACGTACGT\n", "blank.fa"),
        ValueError,
        r"blank\.fa is not a FASTA file: its first line 'ACGTACGT' is not a '>' header",
    ),
    Case(
        "motif-seq-path-not-fasta",
        _find_in_file("ACGTACGT\n", "raw.fa"),
        ValueError,
        r"raw\.fa is not a FASTA file: its first line 'ACGTACGT' is not a '>' header",
    ),
    Case(
        "motif-seq-data-other-width",
        lambda: MotifModel(5).prepare(BASE),
        ValueError,
        r"data were prepared for width 4; this model has width 5",
    ),
    # -- kmer_params ------------------------------------------------------------------------------
    Case("motif-kmer-int", lambda: kmer_params(5), TypeError, r"kmer must be a string of A, C, G, T; got 5"),
    Case("motif-kmer-empty", lambda: kmer_params(""), ValueError, r"kmer is empty"),
    Case(
        "motif-kmer-ambiguous",
        lambda: kmer_params("ACN"),
        ValueError,
        r"a starting W-mer must consist of A, C, G, T; got 'ACN'",
    ),
    Case(
        "motif-kmer-weight-one",
        lambda: kmer_params("ACGT", weight=1),
        ValueError,
        r"weight must be a finite number >= 0\.25 and < 1\.0; got 1\.0",
    ),
    Case("motif-kmer-weight-string", lambda: kmer_params("ACGT", weight="0.5"), TypeError, r"weight must be .*'0\.5'"),
    Case("motif-kmer-weight-low", lambda: kmer_params("ACGT", weight=0.1), ValueError, r"weight must be .*; got 0\.1"),
    Case(
        "motif-kmer-gamma-zero",
        lambda: kmer_params("ACGT", gamma=0),
        ValueError,
        r"gamma must be a finite number > 0\.0 and <= 1\.0; got 0\.0",
    ),
    Case(
        "motif-kmer-gamma-two", lambda: kmer_params("ACGT", gamma=2), ValueError, r"gamma must be .*<= 1\.0; got 2\.0"
    ),
    # -- MotifParams built by hand -------------------------------------------------------------------
    Case(
        "motif-params-shape",
        lambda: MotifParams(np.full((4, 3), 1 / 3)),
        ValueError,
        r"ppm must have shape \(W, 4\) \(W rows, columns A C G T\); got \(4, 3\)",
    ),
    Case("motif-params-1d", lambda: MotifParams([0.25] * 4), ValueError, r"ppm must have shape \(W, 4\).*got \(4,\)"),
    Case(
        "motif-params-row-sum",
        lambda: MotifParams(np.full((4, 4), 0.3)),
        ValueError,
        r"each row of ppm must sum to 1; row 0 sums to 1\.2",
    ),
    Case(
        "motif-params-nan",
        lambda: MotifParams(np.full((4, 4), np.nan)),
        ValueError,
        r"ppm must be finite; entry \[0, 0\] is nan",
    ),
    Case(
        "motif-params-negative",
        lambda: MotifParams([[1.5, -0.5, 0, 0]] * 4),
        ValueError,
        r"ppm must be non-negative; entry \[0, 1\] is -0\.5",
    ),
    Case("motif-params-gamma-two", lambda: MotifParams(FLAT, 2.0), ValueError, r"gamma must be .*<= 1\.0; got 2\.0"),
    Case("motif-params-gamma-nan", lambda: MotifParams(FLAT, float("nan")), ValueError, r"gamma must be .*; got nan"),
    Case("motif-params-gamma-string", lambda: MotifParams(FLAT, "high"), TypeError, r"gamma must be .*'high'"),
    Case(
        "motif-params-ragged",
        lambda: MotifParams([[0.25] * 4, [0.5, 0.5]]),
        ValueError,
        r"ppm must be a \(W, 4\) array with rows of equal length",
    ),
    Case(
        "motif-params-string",
        lambda: MotifParams("ACGT"),
        TypeError,
        r"ppm must be an array of real numbers; got a string 'ACGT'",
    ),
    Case(
        "motif-params-bool", lambda: MotifParams(np.eye(4, dtype=bool)), TypeError, r"ppm must hold numbers.*booleans"
    ),
    Case(
        "motif-params-empty",
        lambda: MotifParams(np.zeros((0, 4))),
        ValueError,
        r"ppm is empty: a motif needs at least one column",
    ),
    # -- starting and scoring parameters (fit_em and the model's methods) -----------------------------
    Case(
        "motif-fit-init-kmer-width",
        lambda: fit_em(MotifModel(4), SEQS, init="ACGTA"),
        ValueError,
        r"init: the W-mer 'ACGTA' has 5 letters; this model has width 4",
    ),
    Case(
        "motif-fit-init-params-width",
        lambda: fit_em(MotifModel(4), SEQS, init=MotifParams(np.full((3, 4), 0.25))),
        ValueError,
        r"ppm must have shape \(4, 4\) \(W rows, columns A C G T\); got \(3, 4\)",
    ),
    Case(
        "motif-fit-init-kmer-ambiguous",
        lambda: fit_em(MotifModel(4), SEQS, init="ACGN"),
        ValueError,
        r"a starting W-mer must consist of A, C, G, T; got 'ACGN'",
    ),
    Case(
        "motif-fit-init-gamma-oops",
        lambda: fit_em(MotifModel(4, "oops"), SEQS, init={"ppm": FLAT, "gamma": 0.5}),
        ValueError,
        r"OOPS has one site per sequence: gamma must be 1; got 0\.5",
    ),
    Case(
        "motif-fit-init-gamma-above-one",
        lambda: fit_em(MotifModel(4), SEQS, init={"ppm": FLAT, "gamma": 1.5}),
        ValueError,
        r"gamma must be a finite number > 0\.0 and <= 1\.0; got 1\.5",
    ),
    Case(
        "motif-fit-init-unknown-key",
        lambda: fit_em(MotifModel(4), SEQS, init={"ppm": FLAT, "pwm": FLAT}),
        ValueError,
        r"init: motif parameters are 'ppm' and 'gamma'; got unknown keys \['pwm'\]",
    ),
    Case(
        "motif-fit-init-int-key",
        lambda: fit_em(MotifModel(4), SEQS, init={"ppm": FLAT, 0: 1, "x": 2}),
        TypeError,
        r"init: motif parameters are named 'ppm' and 'gamma'; got key 0",
    ),
    Case(
        "motif-fit-init-missing-ppm",
        lambda: fit_em(MotifModel(4), SEQS, init={"gamma": 0.5}),
        ValueError,
        r"init: motif parameters need 'ppm'",
    ),
    Case(
        "motif-fit-init-list",
        lambda: fit_em(MotifModel(4), SEQS, init=[0.25] * 4),
        TypeError,
        r"init must be MotifParams, a mapping .* or a W-mer; got \[0\.25",
    ),
    Case(
        "motif-fit-init-ppm-none",
        lambda: fit_em(MotifModel(4), SEQS, init={"ppm": None}),
        TypeError,
        r"ppm must be an array of real numbers; got None",
    ),
    Case(
        "motif-fit-seed-string",
        lambda: fit_em(MotifModel(4), SEQS, seed="abc"),
        TypeError,
        r"seed must be None, a non-negative integer.*'abc'",
    ),
    Case(
        "motif-loglik-params-rows",
        lambda: MotifModel(4).loglik(SEQS, {"ppm": np.full((4, 4), 0.3)}),
        ValueError,
        r"each row of ppm must sum to 1; row 0 sums to 1\.2",
    ),
    Case(
        "motif-e-step-params-other-width",
        lambda: MotifModel(4).e_step(BASE, kmer_params("ACG")),
        ValueError,
        r"ppm must have shape \(4, 4\).*got \(3, 4\)",
    ),
    Case(
        "motif-e-step-params-list",
        lambda: MotifModel(4).e_step(BASE, [0.25] * 4),
        TypeError,
        r"params must be MotifParams, a mapping",
    ),
    Case(
        "motif-initial-params-rng-int",
        lambda: MotifModel(4).initial_params(BASE, 0),
        TypeError,
        r"rng must be a numpy\.random\.Generator .*; got 0",
    ),
    # -- consensus, information content, similarity ------------------------------------------------
    Case(
        "motif-consensus-string",
        lambda: consensus("ACGT"),
        TypeError,
        r"ppm must be an array of real numbers; got a string 'ACGT'",
    ),
    Case(
        "motif-consensus-shape",
        lambda: consensus(np.full((3, 5), 0.2)),
        ValueError,
        r"ppm must have shape \(W, 4\).*got \(3, 5\)",
    ),
    Case("motif-consensus-nan", lambda: consensus(np.full((3, 4), np.nan)), ValueError, r"ppm must be finite"),
    Case(
        "motif-consensus-zero-row",
        lambda: consensus([[1, 0, 0, 0], [0, 0, 0, 0]]),
        ValueError,
        r"ppm row 1 is all zero",
    ),
    Case(
        "motif-information-counts",
        lambda: information_content([[10, 0, 0, 0], [5, 5, 0, 0]]),
        ValueError,
        r"each row of ppm must sum to 1; row 0 sums to 10\.0",
    ),
    Case(
        "motif-information-negative",
        lambda: information_content([[1.5, -0.5, 0, 0]]),
        ValueError,
        r"ppm must be non-negative; entry \[0, 1\] is -0\.5",
    ),
    Case("motif-information-1d", lambda: information_content([0.25] * 4), ValueError, r"ppm must have shape \(W, 4\)"),
    Case(
        "motif-similarity-shape",
        lambda: ppm_similarity(np.full((6, 3), 1 / 3), np.full((6, 4), 0.25)),
        ValueError,
        r"a must have shape \(W, 4\).*got \(6, 3\)",
    ),
    Case(
        "motif-similarity-min-overlap-zero",
        lambda: ppm_similarity(FLAT, FLAT, min_overlap=0),
        ValueError,
        r"min_overlap must be an integer >= 1; got 0",
    ),
    Case(
        "motif-similarity-min-overlap-wider",
        lambda: ppm_similarity(FLAT, FLAT),
        ValueError,
        r"min_overlap must be at most the width of the narrower matrix \(4\); got 5",
    ),
    Case(
        "motif-similarity-min-overlap-float",
        lambda: ppm_similarity(FLAT, FLAT, min_overlap=2.5),
        TypeError,
        r"min_overlap must be an integer >= 1; got 2\.5",
    ),
    Case(
        "motif-similarity-nan",
        lambda: ppm_similarity(FLAT, np.full((4, 4), np.nan), min_overlap=2),
        ValueError,
        r"b must be finite; entry \[0, 0\] is nan",
    ),
    Case(
        "motif-similarity-string",
        lambda: ppm_similarity("ACGT", FLAT, min_overlap=2),
        TypeError,
        r"a must be an array of real numbers; got a string",
    ),
    # -- erase and sites_of --------------------------------------------------------------------------
    Case(
        "motif-erase-not-data",
        lambda: erase(SEQS, ZERO_POSTERIOR),
        TypeError,
        r"data must be MotifData \(from MotifModel\.prepare\); got \['ACGTACGTAC'",
    ),
    Case(
        "motif-erase-posterior-shape",
        lambda: erase(BASE, np.zeros((2, 1, 3))),
        ValueError,
        r"posterior must have shape \(3, S, 7\) \(sequences, strands, windows\) for these data; got \(2, 1, 3\)",
    ),
    Case(
        "motif-erase-posterior-nan",
        lambda: erase(BASE, np.full((3, 1, 7), np.nan)),
        ValueError,
        r"posterior must be finite; entry \[0, 0, 0\] is nan",
    ),
    Case(
        "motif-erase-posterior-negative",
        lambda: erase(BASE, -np.ones((3, 1, 7))),
        ValueError,
        r"posterior must hold probabilities in \[0, 1\]; entry \[0, 0, 0\] is -1\.0",
    ),
    Case(
        "motif-erase-posterior-off-window",
        lambda: erase(BASE, _posterior((2, 0, 5))),
        ValueError,
        r"posterior puts mass on window 5 of sequence 2, which is not an allowed site start",
    ),
    Case(
        "motif-erase-posterior-string",
        lambda: erase(BASE, "q"),
        TypeError,
        r"posterior must be a 3-D array of real numbers; got a string",
    ),
    Case(
        "motif-sites-threshold-above-one",
        lambda: sites_of(MotifModel(4), BASE, ZERO_POSTERIOR, threshold=2),
        ValueError,
        r"threshold must be a finite number >= 0\.0 and <= 1\.0; got 2\.0",
    ),
    Case(
        "motif-sites-threshold-string",
        lambda: sites_of(MotifModel(4), BASE, ZERO_POSTERIOR, threshold="x"),
        TypeError,
        r"threshold must be a finite number.*'x'",
    ),
    Case(
        "motif-sites-model-string",
        lambda: sites_of("zoops", BASE, ZERO_POSTERIOR),
        TypeError,
        r"model must be a MotifModel; got 'zoops'",
    ),
    Case(
        "motif-sites-data-list",
        lambda: sites_of(MotifModel(4), SEQS, ZERO_POSTERIOR),
        TypeError,
        r"data must be MotifData",
    ),
    Case(
        "motif-sites-posterior-2d",
        lambda: sites_of(MotifModel(4), BASE, np.zeros((3, 7))),
        ValueError,
        r"posterior must be 3-D; got an array of shape \(3, 7\)",
    ),
    Case(
        "motif-sites-strands",
        lambda: sites_of(MotifModel(4, revcomp=True), BASE, ZERO_POSTERIOR),
        ValueError,
        r"posterior must have shape \(3, 2, 7\) .*got \(3, 1, 7\)",
    ),
    Case(
        "motif-sites-width",
        lambda: sites_of(MotifModel(5), BASE, ZERO_POSTERIOR),
        ValueError,
        r"data were prepared for width 4; this model has width 5",
    ),
    Case(
        "motif-sites-posterior-masked-window",
        lambda: sites_of(MotifModel(4), BASE, _posterior((0, 0, 2))),
        ValueError,
        r"posterior puts mass on window 2 of sequence 0, which is not an allowed site start",
    ),
    Case(
        "motif-sites-zoops-mass",
        lambda: sites_of(MotifModel(4), BASE, np.where(BASE.valid, 0.9, 0.0)[:, None, :]),
        ValueError,
        r"posterior of sequence 0 sums to 2\.7; with ZOOPS it is at most 1",
    ),
    # -- to_meme --------------------------------------------------------------------------------------
    Case("motif-meme-empty", lambda: to_meme([]), ValueError, r"results is empty: no motifs to write"),
    Case(
        "motif-meme-string",
        lambda: to_meme("MOTIF1"),
        TypeError,
        r"results must be a MotifResult or a list of them \(from find_motifs\); got 'MOTIF1'",
    ),
    Case("motif-meme-none", lambda: to_meme(None), TypeError, r"results must be a MotifResult .*; got None"),
    Case("motif-meme-item", lambda: to_meme([RESULT, 1]), TypeError, r"results\[1\] must be a MotifResult.*got 1"),
    Case(
        "motif-meme-background",
        lambda: to_meme(RESULT, background=[0.5, 0.5]),
        ValueError,
        r"background must be 4 positive probabilities.*\[0\.5, 0\.5\]",
    ),
    Case(
        "motif-meme-revcomp-int", lambda: to_meme(RESULT, revcomp=1), TypeError, r"revcomp must be True or False; got 1"
    ),
    # -- the simulation and data-set helpers ---------------------------------------------------------------
    Case(
        "motif-mutate-site-int",
        lambda: mutate_sites(5, 2, 0.1, _rng()),
        TypeError,
        r"site must be a non-empty string of A, C, G, T; got 5",
    ),
    Case(
        "motif-mutate-site-ambiguous",
        lambda: mutate_sites("ACGN", 2, 0.1, _rng()),
        ValueError,
        r"site must be a non-empty string of A, C, G, T; got 'ACGN'",
    ),
    Case(
        "motif-mutate-n-float",
        lambda: mutate_sites("ACGT", 2.5, 0.1, _rng()),
        TypeError,
        r"n must be an integer >= 0; got 2\.5",
    ),
    Case(
        "motif-mutate-n-negative",
        lambda: mutate_sites("ACGT", -1, 0.1, _rng()),
        ValueError,
        r"n must be an integer >= 0; got -1",
    ),
    Case(
        "motif-mutate-rate-string", lambda: mutate_sites("ACGT", 2, "0.1", _rng()), TypeError, r"rate must be .*'0\.1'"
    ),
    Case(
        "motif-mutate-rate-two",
        lambda: mutate_sites("ACGT", 2, 2, _rng()),
        ValueError,
        r"rate must be a finite number >= 0\.0 and <= 1\.0; got 2\.0",
    ),
    Case(
        "motif-mutate-rng-int",
        lambda: mutate_sites("ACGT", 2, 0.1, 0),
        TypeError,
        r"rng must be a numpy\.random\.Generator \(e\.g\. numpy\.random\.default_rng\(0\)\); got 0",
    ),
    Case(
        "motif-plant-sites-string",
        lambda: plant_sites("ACGT", 10, _rng()),
        TypeError,
        r"sites must be a list of strings of A, C, G, T; got 'ACGT'",
    ),
    Case(
        "motif-plant-site-too-long",
        lambda: plant_sites(["ACGT", "ACGTACGT"], 6, _rng()),
        ValueError,
        r"sites\[1\] has 8 letters and does not fit in length 6",
    ),
    Case(
        "motif-plant-site-int",
        lambda: plant_sites([5], 10, _rng()),
        TypeError,
        r"sites\[0\] must be a non-empty string",
    ),
    Case(
        "motif-plant-site-empty",
        lambda: plant_sites([""], 10, _rng()),
        ValueError,
        r"sites\[0\] must be a non-empty string of A, C, G, T; got ''",
    ),
    Case(
        "motif-plant-length-zero",
        lambda: plant_sites(["ACGT"], 0, _rng()),
        ValueError,
        r"length must be an integer >= 1; got 0",
    ),
    Case(
        "motif-plant-length-float",
        lambda: plant_sites(["ACGT"], 10.0, _rng()),
        TypeError,
        r"length must be an integer >= 1; got 10\.0",
    ),
    Case(
        "motif-plant-rng-none",
        lambda: plant_sites(["ACGT"], 10, None),
        TypeError,
        r"rng must be a numpy\.random\.Generator .*; got None",
    ),
    Case(
        "motif-plant-n-empty-negative",
        lambda: plant_sites(["ACGT"], 10, _rng(), n_empty=-1),
        ValueError,
        r"n_empty must be an integer >= 0; got -1",
    ),
    Case(
        "motif-plant-flip-int",
        lambda: plant_sites(["ACGT"], 10, _rng(), flip=1),
        TypeError,
        r"flip must be True or False; got 1",
    ),
    Case(
        "motif-plant-background",
        lambda: plant_sites(["ACGT"], 10, _rng(), background=[0.5, 0.5]),
        ValueError,
        r"background must be 4 positive probabilities",
    ),
    Case(
        "motif-candidates-k-zero",
        lambda: candidate_kmers(BASE, _rng(), 0),
        ValueError,
        r"k must be an integer >= 1; got 0",
    ),
    Case("motif-candidates-data-list", lambda: candidate_kmers(SEQS, _rng(), 3), TypeError, r"data must be MotifData"),
    Case(
        "motif-chipseq-factor-unknown",
        lambda: chipseq_peaks("ctcf"),
        ValueError,
        r"factor must be 'mafk' or 'oct4'; got 'ctcf'",
    ),
    Case("motif-chipseq-factor-int", lambda: chipseq_peaks(5), TypeError, r"factor must be 'mafk' or 'oct4'; got 5"),
    # -- MotifData built by hand: every field must fit the others -----------------------------------------
    Case(
        "motif-data-codes-mismatch",
        _hand(codes=_changed("codes", _set((1, 0), 2))),
        ValueError,
        r"MotifData codes do not match the sequences: sequence 1 \('seq2'\), position 0 is letter 'T' but its code is 2",
    ),
    Case(
        "motif-data-codes-out-of-range",
        _hand(codes=_changed("codes", _set((0, 2), 7))),
        ValueError,
        r"MotifData codes do not match .*position 2 is letter 'G' but its code is 7",
    ),
    Case(
        "motif-data-codes-padding",
        _hand(codes=_changed("codes", _set((2, 8), 0))),
        ValueError,
        r"MotifData codes do not match .*sequence 2 \('seq3'\), position 8 is padding \(code 4\) but its code is 0",
    ),
    Case(
        "motif-data-codes-float",
        _hand(codes=FIELDS["codes"].astype(float)),
        TypeError,
        r"MotifData codes must be an integer array; got values of dtype float64",
    ),
    Case(
        "motif-data-codes-shape",
        _hand(codes=FIELDS["codes"][:2]),
        ValueError,
        r"MotifData codes must have shape \(3, any\); got \(2, 10\)",
    ),
    Case(
        "motif-data-valid-int",
        _hand(valid=FIELDS["valid"].astype(int)),
        TypeError,
        r"MotifData valid must be a boolean array",
    ),
    Case(
        "motif-data-valid-shape",
        _hand(valid=FIELDS["valid"][:, :5]),
        ValueError,
        r"MotifData valid must have shape \(3, 7\) \(sequences, windows\); got \(3, 5\)",
    ),
    Case(
        "motif-data-valid-masked-window",
        _hand(valid=_changed("valid", _set((0, 2), True))),
        ValueError,
        r"MotifData valid allows window 2 of sequence 0 \('seq1'\), which covers a masked letter",
    ),
    Case(
        "motif-data-valid-past-end",
        _hand(valid=_changed("valid", _set((2, 5), True))),
        ValueError,
        r"MotifData valid allows window 5 of sequence 2 .*runs past the end",
    ),
    Case(
        "motif-data-no-window",
        _hand(valid=_changed("valid", _set(2, False))),
        ValueError,
        r"MotifData sequence 2 \('seq3'\) has no allowed window; leave it out",
    ),
    Case(
        "motif-data-lengths",
        _hand(lengths=np.array([10, 10, 7])),
        ValueError,
        r"MotifData lengths\[2\] is 7, but sequence 2 has 6 letters",
    ),
    Case(
        "motif-data-lengths-float",
        _hand(lengths=np.array([10.0, 10.0, 6.0])),
        TypeError,
        r"MotifData lengths must be an integer array; got values of dtype float64",
    ),
    Case(
        "motif-data-names-count",
        _hand(names=("a", "b")),
        ValueError,
        r"MotifData names must have one entry per sequence \(3\); got 2",
    ),
    Case("motif-data-names-int", _hand(names=(1, 2, 3)), TypeError, r"MotifData names must hold strings; entry 0 is 1"),
    Case(
        "motif-data-sequences-string",
        _hand(sequences="ACGT"),
        TypeError,
        r"MotifData sequences must be a sequence of strings; got 'ACGT'",
    ),
    Case("motif-data-empty", _hand(names=(), sequences=()), ValueError, r"MotifData sequences is empty"),
    Case(
        "motif-data-not-dna",
        _hand(sequences=("ACGTXACGTA",) + FIELDS["sequences"][1:]),
        ValueError,
        r"sequence 'seq1' is not DNA: it holds the characters 'X'",
    ),
    Case(
        "motif-data-width-wider-than-codes",
        _hand(width=11),
        ValueError,
        r"MotifData codes has 10 columns, fewer than the width 11",
    ),
    Case("motif-data-width-one", _hand(width=1), ValueError, r"MotifData width must be an integer >= 2; got 1"),
    Case(
        "motif-data-index-decreasing",
        _hand(index=np.array([2, 1, 0])),
        ValueError,
        r"MotifData index must hold increasing positions >= 0; got \[2, 1, 0\]",
    ),
    Case(
        "motif-data-chunks",
        _hand(chunks=()),
        ValueError,
        r"MotifData chunks do not match codes and width \(leave chunks out and they are computed\)",
    ),
    Case(
        "motif-data-letter-counts",
        _hand(letter_counts=np.ones(4)),
        ValueError,
        r"MotifData letter_counts must be the counts of A, C, G, T in codes",
    ),
    Case(
        "motif-data-log-window-weight-nan",
        _hand(log_window_weight=np.full((3, 7), np.nan)),
        ValueError,
        r"MotifData log_window_weight must be finite and <= 0 at allowed windows; entry \[0, 0\] is nan",
    ),
    Case(
        "motif-data-log-window-weight-positive",
        _hand(log_window_weight=np.ones((3, 7))),
        ValueError,
        r"MotifData log_window_weight must be finite and <= 0 .*entry \[0, 0\] is 1\.0",
    ),
    Case(
        "motif-data-position-weight-zero",
        _hand(position_weight=np.zeros((3, 10))),
        ValueError,
        r"MotifData position_weight must lie in \(0, 1\]; entry \[0, 0\] is 0\.0",
    ),
    # -- the command line: options ------------------------------------------------------------------------
    CLICase(
        "motif-cli-width-zero",
        ("motif", "{dir}/x.fa", "--width", "0"),
        r"--width must be an integer >= 2; got 0",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-width-negative",
        ("motif", "{dir}/x.fa", "-w", "-3"),
        r"--width must be an integer >= 2; got -3",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-width-word",
        ("motif", "{dir}/x.fa", "--width", "four"),
        r"argument --width/-w: invalid int value: 'four'",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-width-missing",
        ("motif", "{dir}/x.fa"),
        r"the following arguments are required: --width",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-width-longer-than-sequences",
        ("motif", "{dir}/x.fa", "--width", "50"),
        r"every sequence is shorter than the motif width 50 \(the longest has 10 letters\)",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-nmotifs-zero",
        ("motif", "{dir}/x.fa", "-w", "4", "--nmotifs", "0"),
        r"--nmotifs must be an integer >= 1; got 0",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-nmotifs-word",
        ("motif", "{dir}/x.fa", "-w", "4", "--nmotifs", "two"),
        r"argument --nmotifs: invalid int value: 'two'",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-candidates-zero",
        ("motif", "{dir}/x.fa", "-w", "4", "--candidates", "0"),
        r"--candidates must be an integer >= 1; got 0",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-seed-negative",
        ("motif", "{dir}/x.fa", "-w", "4", "--seed", "-1"),
        r"--seed must be an integer >= 0; got -1",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-seed-word",
        ("motif", "{dir}/x.fa", "-w", "4", "--seed", "abc"),
        r"argument --seed: invalid int value: 'abc'",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-pseudocount-negative",
        ("motif", "{dir}/x.fa", "-w", "4", "--pseudocount", "-1"),
        r"--pseudocount must be a finite number >= 0\.0; got -1\.0",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-pseudocount-nan",
        ("motif", "{dir}/x.fa", "-w", "4", "--pseudocount", "nan"),
        r"--pseudocount must be a finite number >= 0\.0; got nan",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-pseudocount-word",
        ("motif", "{dir}/x.fa", "-w", "4", "--pseudocount", "one"),
        r"argument --pseudocount: invalid float value: 'one'",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-model-unknown",
        ("motif", "{dir}/x.fa", "-w", "4", "--model", "twice"),
        r"argument --model: invalid choice: 'twice'",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-mode-unknown",
        ("motif", "{dir}/x.fa", "-w", "4", "--mode", "medium"),
        r"argument --mode: invalid choice: 'medium'",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-meme-out-no-folder",
        ("motif", "{dir}/x.fa", "-w", "4", "--candidates", "1", "--meme-out", "{dir}/no/such/m.meme"),
        r"cannot write .*m\.meme: No such file or directory",
        {"x.fa": FASTA},
    ),
    CLICase(
        "motif-cli-meme-out-directory",
        ("motif", "{dir}/x.fa", "-w", "4", "--candidates", "1", "--meme-out", "{dir}"),
        r"cannot write .*: Is a directory",
        {"x.fa": FASTA},
    ),
    # -- the command line: files --------------------------------------------------------------------------
    CLICase("motif-cli-missing-file", ("motif", "{dir}/nope.fa", "-w", "4"), r"cannot read .*nope\.fa: No such file"),
    CLICase("motif-cli-directory", ("motif", "{dir}", "-w", "4"), r"cannot read .*: Is a directory"),
    CLICase("motif-cli-empty-file", ("motif", "{dir}/e.fa", "-w", "4"), r"e\.fa holds no FASTA records", {"e.fa": ""}),
    CLICase(
        "motif-cli-blank-file", ("motif", "{dir}/b.fa", "-w", "4"), r"b\.fa holds no FASTA records", {"b.fa": "\n\n\n"}
    ),
    CLICase(
        "motif-cli-comments-only",
        ("motif", "{dir}/c.fa", "-w", "4"),
        r"c\.fa holds no FASTA records",
        {"c.fa": "# peaks\n# none\n"},
    ),
    CLICase(
        "motif-cli-blank-lines-then-sequence",
        ("motif", "{dir}/x.fa", "-w", "4"),
        r"x\.fa is not a FASTA file: its first line 'ACGTACGTAC' is not a '>' header",
        {"x.fa": "\n\nACGTACGTAC\n" + FASTA},
    ),
    CLICase(
        "motif-cli-binary",
        ("motif", "{dir}/b.fa", "-w", "4"),
        r"b\.fa is not a text FASTA file",
        {"b.fa": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"},
    ),
    CLICase(
        "motif-cli-not-fasta",
        ("motif", "{dir}/t.fa", "-w", "4"),
        r"t\.fa is not a FASTA file: its first line 'ACGTACGT' is not a '>' header",
        {"t.fa": "ACGTACGT\nACGT\n"},
    ),
    CLICase(
        "motif-cli-headers-only",
        ("motif", "{dir}/h.fa", "-w", "4"),
        r"every sequence is empty \(all 2 of them\)",
        {"h.fa": ">a\n>b\n"},
    ),
    CLICase(
        "motif-cli-protein",
        ("motif", "{dir}/p.fa", "-w", "4"),
        r"sequence 'p1' is not DNA: it holds the characters 'EILP'",
        {"p.fa": ">p1\nMKLVEPEPTIDE\n"},
    ),
    CLICase(
        "motif-cli-nul-byte",
        ("motif", "{dir}/z.fa", "-w", "4"),
        r"sequence 'a' is not DNA: .*'\\x00'",
        {"z.fa": b">a\nACGT\x00ACGT\n"},
    ),
    CLICase(
        "motif-cli-all-n",
        ("motif", "{dir}/n.fa", "-w", "4"),
        r"no sequence has a window of 4 letters free of N/ambiguous letters",
        {"n.fa": ">a\nNNNNNNNN\n"},
    ),
    CLICase(
        "motif-cli-all-lowercase-masked",
        ("motif", "{dir}/l.fa", "-w", "4", "--mask-lowercase"),
        r"no sequence has a window of 4 letters free of N/ambiguous letters and masked lower case",
        {"l.fa": ">a\nacgtacgtac\n"},
    ),
]
