"""One module per `mfs` subcommand; `mfs.cli` assembles them."""
