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
        ("heads,tosses\n5,10\n11,10\n", "set 1 has more heads (11) than tosses (10)"),
        ("heads,tosses\n5,ten\n", "line 2: heads and tosses must be whole numbers"),
        ("a,b\n1,2\n", "needs columns 'heads' and 'tosses', or 'sequence'"),
        ("heads,tosses\n", "has no data rows"),
        ("sequence\nHTXH\n", "letters other than H and T"),
    ],
)
def test_malformed_input_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    proc = subprocess.run(
        [sys.executable, "-m", "emcore", "coins", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_missing_file_and_bad_start(counts_csv, capsys):
    assert main(["coins", "/no/such/file.csv"]) == 2
    assert "cannot read /no/such/file.csv" in capsys.readouterr().err
    assert main(["coins", str(counts_csv), "--init", "0.6,1.5"]) == 2
    assert "strictly between 0 and 1" in capsys.readouterr().err
