"""kvconsole core: models, Azure adapters, plans and the embedded emulator. No Textual here."""
