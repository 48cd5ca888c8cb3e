"""Election forensics: statistical traces of falsification in final station protocols.

Pure, vectorised modules (``protocols``, ``fingerprint``, ``fraud_model``,
``integer_excess``, ``outliers``, ``benford``, ``incremental``) sit beside the I/O
edge (``datasets``, ``report``, ``figures``, ``cli``). See docs/forensics.md.
"""
