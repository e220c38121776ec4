"""The composition root (App), the plugin protocol and the HTTP server. May import everything except bot.cli."""
