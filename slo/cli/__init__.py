"""The `slo` command: a thin layer over slo.services (see docs/spec/cli.md)."""
