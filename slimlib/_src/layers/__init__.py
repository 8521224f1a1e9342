"""slimlib's layers, one family per module; the public names are in `slimlib.layers`."""
