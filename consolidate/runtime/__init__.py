"""Runtime: worker processes, work forked beside the main line, files written whole,
and the lock that lets one run at a time. Knows nothing of regions, units or figures:
it imports nothing else of the package."""
