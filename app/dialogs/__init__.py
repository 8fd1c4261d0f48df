"""Dialogs: export and the keyboard shortcuts window."""
