"""The pure core: units matched to the tree, accounts mapped onto the chart, units
rolled up into administrations and the region, internal trade matched and
eliminated, staffing ratios from summed hours, and one period as data (`period`).

Starts no process, reads no file, prints nothing: it takes the files as read and
returns tables and `Problem` records. Never imports the outputs.
"""
