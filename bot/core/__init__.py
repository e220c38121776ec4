"""Domain values, the exception tree and user-facing texts: the only part of bot/ that adapters/, rules/ and storage/ may import. Imports nothing else from bot/."""
