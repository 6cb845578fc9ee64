"""What a person looks at: the figures of a lab result and its HTML report.

Functions of a ``LabResult``; the result itself imports neither.
"""
