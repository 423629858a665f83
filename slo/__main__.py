from slo.cli.main import entry

entry()
