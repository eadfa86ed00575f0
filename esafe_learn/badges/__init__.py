"""Positive-behaviour badges."""
