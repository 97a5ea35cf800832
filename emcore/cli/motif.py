"""``python -m emcore motif SEQS.fa --width W``: find DNA motifs by EM (MEME-style).

Reads a FASTA file, finds ``--nmotifs`` motifs of width ``--width`` one after
another (OOPS, ZOOPS or TCM; one or both strands) and prints, for each motif, its
consensus, log-likelihood and log-likelihood ratio against the background (both
plain, without the pseudocount prior), the penalised log-likelihood that soft EM
climbs (log-likelihood plus the Dirichlet log prior), information content and the
sites aligned. ``--meme-out FILE`` writes the matrices in MEME's minimal motif
format. With ``--model tcm`` the search stops early (with a note) when the sites
found so far cover every window.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from .._validation import check_int, check_real
from ..motif import MODELS, MODES, MotifWarning, find_motifs, read_fasta, to_meme
from . import CLIError

NAME = "motif"
HELP = "MEME-style motif discovery in a FASTA file of DNA sequences"


def _report(results, n_sequences: int, args: argparse.Namespace, skipped: list[str]) -> str:
    strands = "both strands" if args.revcomp else "plus strand"
    lines = [
        f"motif search: {n_sequences} sequences, width {args.width}, {args.site_model.upper()}, {strands}, {args.mode} EM"
    ]
    lines += [f"note: {s}" for s in skipped]
    for k, res in enumerate(results, start=1):
        info = res.information
        lines += [
            "",
            f"MOTIF {k}: {res.consensus}",
            f"  status: {res.fit.status} after {res.fit.n_iter} iterations",
            f"  log-likelihood (natural log, total): {res.loglik:.3f}",
            f"  log-likelihood ratio vs background: {res.llr:.3f}",
            f"  objective (log-likelihood + log prior): {res.objective:.3f}",
            f"  gamma: {res.params.gamma:.4f}   sites: {len(res.sites)}",
            f"  information (bits): {info.sum():.2f} total; per column " + " ".join(f"{x:.1f}" for x in info),
            "",
            "  letter probabilities (A C G T) per column:",
        ]
        for j, row in enumerate(res.ppm):
            lines.append(f"  {j + 1:>3}  " + "  ".join(f"{p:.3f}" for p in row))
        lines += ["", f"  {'sequence':<24} {'strand':>6} {'start':>6} {'posterior':>9}  site"]
        for site in res.sites:
            lines.append(
                f"  {site.name[:24]:<24} {site.strand:>6} {site.position + 1:>6} {site.posterior:9.3f}  {site.text}"
            )
    if args.meme_out:
        lines += ["", f"wrote {len(results)} motif(s) in MEME minimal format to {args.meme_out}"]
    return "\n".join(lines)


def _check_options(args: argparse.Namespace) -> None:
    """Every numeric option, named as the user typed it (before the file is read)."""
    check_int(args.width, "--width", minimum=2)
    check_int(args.nmotifs, "--nmotifs", minimum=1)
    check_int(args.candidates, "--candidates", minimum=1)
    check_int(args.seed, "--seed", minimum=0)
    check_real(args.pseudocount, "--pseudocount", minimum=0.0)


def run(args: argparse.Namespace) -> str:
    _check_options(args)
    names, seqs = read_fasta(Path(args.file))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MotifWarning)
        results = find_motifs(
            list(zip(names, seqs)),
            args.width,
            model=args.site_model,
            revcomp=args.revcomp,
            n_motifs=args.nmotifs,
            mode=args.mode,
            pseudocount=args.pseudocount,
            mask_lowercase=args.mask_lowercase,
            n_candidates=args.candidates,
            seed=args.seed,
        )
    skipped = [str(w.message) for w in caught if issubclass(w.category, MotifWarning)]
    if args.meme_out:
        try:
            Path(args.meme_out).write_text(to_meme(results, revcomp=args.revcomp))
        except OSError as exc:
            raise CLIError(f"cannot write {args.meme_out}: {exc.strerror}") from None
    return _report(results, len(seqs), args, skipped)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="FASTA file of DNA sequences")
    parser.add_argument("--width", "-w", type=int, required=True, help="motif width W (>= 2)")
    parser.add_argument(
        "--model", dest="site_model", choices=MODELS, default="zoops", help="occurrences per sequence (default zoops)"
    )
    parser.add_argument("--nmotifs", type=int, default=1, help="number of motifs to find (>= 1; default 1)")
    parser.add_argument("--revcomp", action="store_true", help="search both strands")
    parser.add_argument("--mode", choices=MODES, default="soft", help="soft EM or hard EM (best site only)")
    parser.add_argument("--pseudocount", type=float, default=1.0, help="Dirichlet pseudocount per column (>= 0)")
    parser.add_argument("--mask-lowercase", action="store_true", help="treat lower-case letters as masked")
    parser.add_argument(
        "--candidates", type=int, default=30, help="starting W-mers to try per motif (>= 1; default 30)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed (>= 0) for the choice of starting W-mers")
    parser.add_argument("--meme-out", metavar="FILE", help="write the motifs in MEME minimal motif format")
