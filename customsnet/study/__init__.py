"""The study layer: the analysis of one panel, the real-data run, and run directories."""
