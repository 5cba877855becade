"""Adapters over the official async Azure SDKs. SDK modules are imported lazily, never here."""
