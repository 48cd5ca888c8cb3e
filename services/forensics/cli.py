"""``pollwatch forensics FILE``: report in the terminal, PNG figures on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.forensics.analysis import analyse
from services.forensics.datasets import load
from services.forensics.errors import ForensicsError
from services.forensics.figures import write_figures
from services.forensics.report import render

app = typer.Typer(help="Election forensics on final station protocols.")


@app.command()
def forensics(
    file: Annotated[Path, typer.Argument(exists=True, help="A data file (docs/forensics.md).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for PNG figures.")] = Path("forensics-out"),
    region_screen: Annotated[
        bool, typer.Option("--region-screen/--no-region-screen", help="Per-region screen.")
    ] = True,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the null and the fit.")] = 0,
    simulations: Annotated[int, typer.Option("--simulations", min=1000, help="Monte-Carlo draws.")] = 1000,
) -> None:
    """Analyse FILE: fingerprint and fit, integer excess, outliers, Benford (info)."""
    try:
        dataset = load(file)
        analysis = analyse(dataset.protocols, seed, simulations, region_screen)
    except ForensicsError as error:
        typer.echo(f"forensics: {error}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(render(analysis, dataset.notes))
    for path in write_figures(analysis, out):
        typer.echo(f"figure: {path}")
