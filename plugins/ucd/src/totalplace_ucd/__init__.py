"""Unit Cost Database (New Economy / HM Treasury PSTN, c. 2014 extract) for totalplace-cases.

Source: the Unit Cost Database published by New Economy (Manchester; now the Greater
Manchester Combined Authority research team) with HM Treasury's Public Service Transformation
Network, as parsed into CSV by datagovuk-hackcode/early-intervention-unit-cost-database.
"""

from totalplace_ucd.entries import components, load_entries

__version__ = "0.1.0"

__all__ = ["__version__", "components", "load_entries"]
