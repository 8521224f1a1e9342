"""Implementation of `slimlib.datasets`: dataset definitions and the dataset factory."""
