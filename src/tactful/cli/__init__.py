"""The ``tactful`` command: one module per command group; :mod:`tactful.cli.main` builds the
group and is the console entry point."""
