"""From a lab's raw rows to the matrices its models read, fitted on training rows.

``features`` holds R's conventions (``model.matrix`` coding, ``fct_lump_n``, ``wday``);
the transformers and the row schema build on them.
"""
