"""Microsoft Teams: the Bot Framework plugin, the activity handler and the roster directory."""
