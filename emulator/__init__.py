"""The embedded emulator: a local slice of Azure speaking Azure's own REST API over HTTPS."""
