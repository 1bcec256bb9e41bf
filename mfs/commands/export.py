"""`mfs export AUDIENCE`: a scored, consented, hashed audience for each of its destinations."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from mfs.commands.output import console, emit_json, fail


def export_command(
    audience: str = typer.Argument(..., help="An audience in audiences/definitions/ (or a "
                                   "path to an audience yaml)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Compute and preview; write nothing."),
    full: bool = typer.Option(True, "--full/--delta",
                              help="Whole files (default), or adds and removes against the "
                              "previous export of the audience."),
    suppress: list[Path] = typer.Option([], "--suppress", help="An extra suppression list "
                                        "(ids, emails or SHA-256 of emails, one a line); "
                                        "repeatable. Every file in data/suppression/ always "
                                        "applies."),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
) -> None:
    """Export AUDIENCE from the batch scores: filters, consent, suppression, selection,
    holdout, then one file per destination (Google Ads Customer Match, Meta Custom Audiences,
    LinkedIn Matched Audiences, GA4 Measurement Protocol, CRM, generic CSV/parquet).

    Writes data/exports/<audience>/<export id>/ (files, manifest.json, control.parquet),
    moves data/exports/<audience>/LATEST to it and appends to data/exports/audit.jsonl; a
    failed export writes nothing. No plaintext email, phone or name reaches an ad-platform
    file or the output of this command.

    Examples:

      mfs export high_propensity_buyers --dry-run

      mfs export hot_leads --delta --json
    """
    from audiences.config import AudienceConfigError
    from audiences.export import export_audience
    from audiences.selection import AudienceError

    try:
        result = export_audience(audience, mode="full" if full else "delta", dry_run=dry_run,
                                 suppression_files=list(suppress))
    except (AudienceConfigError, AudienceError) as exc:
        fail(str(exc))
    manifest = result.manifest
    if as_json:
        emit_json({**manifest, "folder": str(result.folder) if result.folder else None,
                   "dry_run": dry_run})
        return
    print_preview(manifest, dry_run, result.folder)


def print_preview(manifest: dict, dry_run: bool, folder: Path | None) -> None:
    counts = manifest["counts"]
    rule = manifest["selection"]
    threshold = rule["score_threshold"]
    console.print(
        f"[bold]{manifest['audience']}[/] ({manifest['model']} v{manifest['model_version']}, "
        f"{rule['rule']} {rule['value']:g}, lowest selected score "
        f"{'-' if threshold is None else f'{threshold:.4f}'})")
    excluded = ", ".join(f"{k} {v:,}" for k, v in counts["excluded"].items())
    console.print(f"  scored {counts['scored']:,} -> filtered out {counts['filtered_out']:,}; "
                  f"excluded: {excluded} -> eligible {counts['eligible']:,} -> selected "
                  f"{counts['selected']:,} = holdout {counts['holdout']:,} + exported "
                  f"{counts['exported']:,} (adds {counts['adds']:,}, removes "
                  f"{counts['removes']:,} vs the previous export)", highlight=False)
    table = Table("destination", "rows", "left out", "files")
    for name, d in manifest["destinations"].items():
        left = d.get("no_identifier")
        if left is None:
            left = d.get("inactive_or_no_client_id", 0)
        table.add_row(name, f"{d['rows']:,}", f"{left:,}", ", ".join(d["files"]) or "-")
    console.print(table)
    if dry_run:
        console.print("[yellow]dry run: nothing written[/]")
    else:
        console.print(f"[green]exported[/] -> {folder}")
