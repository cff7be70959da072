"""Reports: intake, the inbox, the case workflow, notes, export and retention."""
