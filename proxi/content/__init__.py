"""Content: the YAML and Markdown formats, their checks, and the scenario engine.

Pure Python over plain data; imports nothing from the other sub-packages.
"""
