"""Election forensics: statistical traces of falsification in final station protocols.

Pure, vectorised modules (``protocols``, ``fingerprint``, ``fraud_model``,
``integer_excess``, ``outliers``, ``benford``, ``live``) sit beside the I/O
edge (``datasets``, ``report``, ``figures``, ``cli``). A package of its own: the
aggregator, the API and the CLI import it, and only it needs scipy and matplotlib.
See docs/forensics.md.
"""
