"""python -m emcore: readable reports, one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from emcore.cli import main

SEQUENCES = ["HTTTHHTHTH", "HHHHTHHHHH", "HTHHHHHTHH", "HTHTTTHHTT", "THHHTHHHTH"]


@pytest.fixture
def counts_csv(tmp_path):
    path = tmp_path / "sets.csv"
    path.write_text("heads,tosses\n5,10\n9,10\n8,10\n4,10\n7,10\n")
    return path


def test_coins_report(counts_csv, capsys):
    assert main(["coins", str(counts_csv), "--init", "0.6,0.5"]) == 0
    out = capsys.readouterr().out
    assert "status: converged" in out
    assert "log-likelihood (natural log, total): -31.570200" in out
    assert "A       0.7968  0.5000" in out and "B       0.5196  0.5000" in out


def test_coins_from_sequences_in_hard_mode(tmp_path, capsys):
    path = tmp_path / "seq.csv"
    path.write_text("sequence\n" + "\n".join(SEQUENCES) + "\n")
    assert main(["coins", str(path), "--init", "0.6,0.5", "--mode", "hard"]) == 0
    out = capsys.readouterr().out
    assert "hard EM" in out and "-31.707113" in out and "A       0.8000" in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("heads,tosses\n5,10\n11,10\n", "line 3: 11 heads in 10 tosses (heads cannot exceed tosses)"),
        ("heads,tosses\n5,ten\n", "line 2: heads and tosses must be whole numbers"),
        ("a,b\n1,2\n", "needs columns 'heads' and 'tosses', or 'sequence'"),
        ("heads,tosses\n", "has no data rows"),
        ("sequence\nHTXH\n", "line 2: a sequence must be a string of H and T; got 'HTXH'"),
    ],
)
def test_malformed_input_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "emcore", "coins", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_missing_file_and_bad_start(counts_csv, capsys):
    assert main(["coins", "/no/such/file.csv"]) == 2
    assert "cannot read /no/such/file.csv" in capsys.readouterr().err
    assert main(["coins", str(counts_csv), "--init", "0.6,1.5"]) == 2
    assert "each --init bias must be a finite number > 0 and < 1; got 1.5" in capsys.readouterr().err


# -- gmm: clustering the rows of a numeric matrix ------------------------------------------
def _two_clusters(tmp_path, name="expr.csv", transpose=False):
    import numpy as np

    rng = np.random.default_rng(1)
    X = np.r_[rng.normal(0.0, 1.0, (40, 3)), rng.normal(5.0, 1.0, (30, 3))]
    path = tmp_path / name
    if transpose:  # genes as rows, samples as columns (an expression matrix)
        lines = ["feature," + ",".join(f"g{i + 1}" for i in range(len(X)))]
        lines += [f"s{j + 1}," + ",".join(f"{v:.6f}" for v in X[:, j]) for j in range(3)]
    else:
        lines = ["gene,s1,s2,s3"] + [f"g{i + 1}," + ",".join(f"{v:.6f}" for v in row) for i, row in enumerate(X)]
    path.write_text("\n".join(lines) + "\n")
    return path, np.round(X, 6), np.r_[np.zeros(40, int), np.ones(30, int)]


def _read_assignments(path):
    import csv

    import numpy as np

    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    labels = np.array([int(r["cluster"]) for r in rows])
    resp = np.array([[float(r[k]) for k in r if k.startswith("r")] for r in rows])
    return [r["name"] for r in rows], labels, resp, np.array([float(r["uncertainty"]) for r in rows])


def test_gmm_picks_k_by_bic_and_matches_the_library(tmp_path, capsys):
    import numpy as np

    from emcore import fit_em
    from emcore.gmm import GaussianMixture

    path, X, truth = _two_clusters(tmp_path)
    out = tmp_path / "clusters.csv"
    assert main(["gmm", str(path), "-k", "1-4", "--n-init", "3", "--seed", "5", "--out", str(out)]) == 0
    report = capsys.readouterr().out
    assert "70 rows x 3 features" in report and "BIC (lower is better)" in report
    assert "model: K = 2, full covariance (lowest BIC)" in report
    # the same fit through the library: the same BIC and log-likelihood, to the printed digits
    model = GaussianMixture(2, "full")
    fit = fit_em(model, X, n_init=3, seed=5, tol=1e-8, max_iter=1000)
    assert f"BIC {model.bic(X, fit.params):.2f}" in report
    assert f"log-likelihood (natural log, total): {fit.loglik:.4f}" in report
    names, labels, resp, uncertainty = _read_assignments(out)
    assert names[:2] == ["g1", "g2"] and len(names) == 70
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(uncertainty, 1.0 - resp.max(axis=1), atol=1e-5)
    # two clusters recovered exactly (up to the numbering)
    assert len(set(zip(labels, truth))) == 2


def test_gmm_fits_missing_cells_and_writes_their_imputed_values(tmp_path, capsys):
    import csv

    import numpy as np

    from emcore import fit_em
    from emcore.gmm import GaussianMixture

    path, X, _ = _two_clusters(tmp_path)
    lines = path.read_text().splitlines()
    X = X.copy()
    for i in (3, 10, 50):  # blank one cell in three rows (data rows start at line 1)
        cells = lines[i + 1].split(",")
        cells[2] = "NA" if i != 10 else ""
        lines[i + 1] = ",".join(cells)
        X[i, 1] = np.nan
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "clusters.csv"
    assert main(["gmm", str(path), "-k", "2", "--n-init", "2", "--out", str(out)]) == 0
    report = capsys.readouterr().out
    assert "missing cells: 3 of 210 (1.4%), in 3 rows; fitted as missing at random" in report
    model = GaussianMixture(2)
    fit = fit_em(model, X, n_init=2, seed=0, tol=1e-8, max_iter=1000)
    assert f"log-likelihood (natural log, total): {fit.loglik:.4f}" in report
    completed, _ = model.impute(X, fit.params)
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(rows[i]["imputed s2"]) for i in (3, 10, 50)] == pytest.approx(completed[[3, 10, 50], 1], rel=1e-5)
    assert float(rows[0]["imputed s1"]) == pytest.approx(X[0, 0], rel=1e-5)
    assert main(["gmm", str(path), "--refuse-missing"]) == 2
    assert "missing value, and --refuse-missing asks for a complete matrix" in capsys.readouterr().err


def test_gmm_transpose_clusters_the_columns(tmp_path, capsys):
    rows_path, _, _ = _two_clusters(tmp_path, "rows.csv")
    cols_path, _, _ = _two_clusters(tmp_path, "cols.csv", transpose=True)
    assert main(["gmm", str(rows_path), "--out", str(tmp_path / "a.csv")]) == 0
    first = capsys.readouterr().out
    assert main(["gmm", str(cols_path), "--transpose", "--out", str(tmp_path / "b.csv")]) == 0
    second = capsys.readouterr().out
    assert "(transposed)" in second
    a, b = _read_assignments(tmp_path / "a.csv"), _read_assignments(tmp_path / "b.csv")
    assert a[0] == b[0] and (a[1] == b[1]).all()
    assert first.split("model:")[1].split("wrote")[0] == second.split("model:")[1].split("wrote")[0]


def test_gmm_standardize_and_pca(tmp_path, capsys):
    import numpy as np

    path, X, _ = _two_clusters(tmp_path)
    assert main(["gmm", str(path), "--standardize", "--pca", "2"]) == 0
    report = capsys.readouterr().out
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    s = np.linalg.svd(Z - Z.mean(axis=0), compute_uv=False)
    share = np.sum(s[:2] ** 2) / np.sum(s**2)
    assert f"standardized, first 2 principal components ({share:.1%} of the variance)" in report
    assert "PC1" in report and "PC2" in report


def test_gmm_leaves_degenerate_fits_out_of_the_selection(tmp_path, capsys):
    path, _, _ = _two_clusters(tmp_path)
    with open(path, "a") as handle:
        handle.write("outlier,40,-40,40\n")  # one far point: a component of its own is degenerate
    assert main(["gmm", str(path), "-k", "2-4", "--covariance", "spherical,tied"]) == 0
    report = capsys.readouterr().out
    assert "degenerate" in report and "every start left a component" in report
    assert "rows with uncertainty" in report


@pytest.mark.parametrize(
    "content, args, message",
    [
        ("gene,a,b\ng1,1.0,2.0\ng2,,3.0\n", ["--refuse-missing"], "line 3, column 'a': missing value"),
        ("gene,a,b\ng1,,2.0\ng2,,3.0\ng3,,1\n", [], "column 'a' has no value in any row"),
        ("gene,a,b\ng1,1,2.0\ng2,,\ng3,2,1\n", [], "row 'g2' has every feature missing"),
        ("a,b\n1,2\n3,\n5,7\n4,4\n", ["--pca", "1"], "--pca needs a complete matrix, and 1 cells are missing"),
        ("gene,a,b\ng1,1.0,2.0\ng2,2.5,high\n", [], "line 3, column 'b': expected a finite number, got 'high'"),
        ("gene,a,b\ng1,1.0,2.0\ng2,2.5\n", [], "line 3: ragged row with 2 fields; the header has 3"),
        ("gene,a,b\n", [], "has no data rows"),
        ("gene,a,b\ng1,1,2\ng2,3,4\n", ["-k", "3"], "3 components for 2 rows"),
        ("a,b\n1,2\n3,4\n5,7\n", ["-k", "two"], "--components must be a whole number or a range"),
        ("a,b\n1,2\n3,4\n5,7\n", ["--covariance", "round"], "--covariance must be 'all' or a comma-separated list"),
        ("a,b\n1,2\n3,4\n5,7\n", ["-k", "2"], "every model fitted is degenerate"),
        ("a,b\n1,2\n1,4\n1,7\n", ["--standardize", "-k", "1", "--covariance", "diag"], "column 'a' is constant"),
        ("a,b\n1,2\n3,4\n5,7\n", ["--pca", "3"], "--pca must be between 1 and 2"),
    ],
)
def test_gmm_bad_input_is_one_line_and_exit_2(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "emcore", "gmm", str(path), *args], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("emcore gmm: error:") and message in lines[0], proc.stderr
