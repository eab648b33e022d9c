"""The library's own rules, written as plugins and registered like any other plugin."""
