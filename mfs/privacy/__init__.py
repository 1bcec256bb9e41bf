"""The right to be forgotten: the erasure register and the sweep that applies it.

docs/privacy.md describes what an erasure touches.
"""
