"""The `mfs` command line: one entry point for every stage of the pipeline."""

from __future__ import annotations

import typer

from mfs.commands.build import build_command
from mfs.commands.demo import demo_command
from mfs.commands.export import export_command
from mfs.commands.forget import forget_command
from mfs.commands.generate import generate_command
from mfs.commands.models import models_app
from mfs.commands.monitor import monitor_app, retrain_command
from mfs.commands.publish import publish_command
from mfs.commands.run import run_command, status_command
from mfs.commands.score import score_command
from mfs.commands.serve import serve_command
from mfs.commands.train import train_command
from mfs.commands.validate import validate_command

app = typer.Typer(
    name="mfs",
    help="Marketing feature store: generate/validate raw data, build features, publish, train, "
    "score and export. Run `mfs COMMAND --help` for examples.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("generate")(generate_command)
app.command("validate")(validate_command)
app.command("build")(build_command)
app.command("publish")(publish_command)
app.command("train")(train_command)
app.add_typer(models_app, name="models")
app.command("score")(score_command)
app.command("serve")(serve_command)
app.command("export")(export_command)
app.add_typer(monitor_app, name="monitor")
app.command("forget")(forget_command)
app.command("retrain")(retrain_command)
app.command("run")(run_command)
app.command("status")(status_command)
app.command("demo")(demo_command)


def main() -> None:
    app()
