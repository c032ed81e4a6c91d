"""Configuration: region.toml (inputs, outputs, eliminations), the organisation tree
and the common chart with its report layouts, loaded into checked, frozen structures.

Every mistake is a `ConfigError` naming the file and the key (exit status 2).
"""
