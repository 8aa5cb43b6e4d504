"""One module per ``transkript`` subcommand group; see :mod:`transkript_kernel.cli`."""
