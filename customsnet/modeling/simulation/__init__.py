"""The simulation stage of the modeling pipeline."""
