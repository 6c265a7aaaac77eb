"""File formats the domain reads and writes: Pol.is exports (``polis``).

Plain Python beside the domain: no database, no web. The services and
selectors turn these formats into consultations and back.
"""
