"""Importers: outside formats (the reference's config.yml, OPML lists, existing Hexo posts) → tree or stored entries.

Each module is a pure "bytes in → feeds or entries out" function; the CLI (`feedstation import …`)
and config loading call them and write through the shared config writer or the Store.
"""
