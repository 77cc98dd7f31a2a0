"""The bundled scenario library, shipped as package data (see pyproject.toml)."""
