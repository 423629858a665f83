"""The `slo` command: a thin layer over slo.services (see shared/spec/cli.md)."""
