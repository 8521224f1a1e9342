"""Implementation of `slimlib.data`: datasets, decoders, providers, readers and writers."""
