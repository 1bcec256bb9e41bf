"""`mfs forget`: record an erasure request and remove the person from everything stored."""

from __future__ import annotations

import typer

from mfs.commands.output import console, emit_json, fail


def forget_command(
    email: str = typer.Option(None, "--email", help="The person's email (any case/spaces)."),
    customer_id: str = typer.Option(None, "--customer-id", help="The CRM contact id."),
    reapply: bool = typer.Option(False, "--reapply",
                                 help="Record nothing new; sweep again with the whole register "
                                 "(after an interrupted sweep, or a restore from backup)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Erase a person: record the request, then remove them from everything already stored.

    The request goes to data/privacy/erasure_requests.parquet (MFS_PRIVACY_DIR) as a SHA-256
    of the email or id, never in the clear. From then on every `mfs build` rejects the
    person's rows in staging (reason `erased`, counted, never named). At once, this command
    removes them, and every lead, device and email linked to them, from every warehouse table,
    the parquet feature exports, the batch scores and their history, the online store, and the
    records of past audience exports (whose manifests note the rewrite). Audience exports skip
    them too. See docs/privacy.md.

    Examples:

      mfs forget --email "Jane.Doe@example.com"

      mfs forget --customer-id C00000042 --json
    """
    from dataclasses import asdict
    from functools import partial

    from audiences.erasure import scrub_exports
    from audiences.export import exports_dir
    from mfs.privacy.erase import ErasureError, apply_register
    from mfs.privacy.register import ErasureRequestError, record_request, register_path

    given = [(kind, value) for kind, value in (("email", email), ("customer_id", customer_id))
             if value is not None]
    if reapply == bool(given) or len(given) > 1:
        fail("give exactly one of --email or --customer-id (or --reapply alone)", code=2)
    request = None
    if given:
        try:
            request, new = record_request(*given[0])
        except ErasureRequestError as exc:
            fail(str(exc), code=2)
    try:
        report = apply_register(scrub_exports=partial(scrub_exports, exports_dir()))
    except ErasureError as exc:
        fail(f"{exc} (the request is recorded in {register_path()})")
    payload = {"request_id": request.request_id if request else None,
               "new_request": bool(request and new), "register": str(register_path()),
               **asdict(report)}
    if as_json:
        emit_json(payload)
        return
    if request is not None:
        console.print(f"erasure request {request.request_id} "
                      f"{'recorded' if new else 'already recorded'} in {register_path()}")
    people = ", ".join(f"{n} {kind}" for kind, n in sorted(report.subjects.items())) or "none"
    console.print(f"identifiers covered by the register: {people}")
    for title, counts in (("warehouse rows", report.warehouse), ("parquet rows", report.files),
                          ("online entities", report.online), ("export rows", report.exports)):
        total = sum(counts.values())
        console.print(f"  removed {total:,} {title}" + (
            f" ({', '.join(f'{k}: {v:,}' for k, v in counts.items())})" if total else ""))
    console.print("every later build excludes them in staging (reason `erased`)")
