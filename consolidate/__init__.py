"""consolidate: a Swedish region's monthly financial consolidation, from unit workbooks
to variance tables for every administration and the region."""

__version__ = "0.1.0"
