"""Sizing and allocation."""
