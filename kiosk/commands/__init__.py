"""Subcommands of the `kiosk` console command, one module per group."""
