"""One module per use case, backed by the store; each calls the pure core and records what it did."""
