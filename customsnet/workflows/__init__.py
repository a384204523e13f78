"""What the commands do, as library calls: each ``customsnet`` command is one function here.

The functions take plain values (paths, year lists, policies), return results, and raise
:class:`~customsnet.workflows.inputs.InputError` (a ``ValueError``) with a message naming the
parameter and value; they print nothing. ``customsnet/commands/`` parses options and prints.
This is the one layer that may use both the graph and the estimator.
"""
