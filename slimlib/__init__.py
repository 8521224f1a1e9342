"""slimlib (being assembled: the public namespace is restored once every layer module exists)."""
