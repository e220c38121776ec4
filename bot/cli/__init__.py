"""The kakehashi command line. The top room: may import every other part of bot/."""
