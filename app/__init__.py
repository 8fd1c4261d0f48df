"""LaMP Studio's desktop GUI (PySide6 + pyqtgraph). Knows lamp_core only through its public API."""
