from consolidate.cli import entry

entry()
