"""Evidence tables and exports: the appraisal as a terminal table, JSON and other formats."""
