"""The motion library: a user's clips in one SQLite file, searchable by text or by example.

``MotionLibrary.open(path)`` -> add / add_many / add_files, get / motion / list, remove / rename /
set_captions, and search_text / search_motion / search_vector with any ``Embedder`` (a LaMP model).
Modules: types (values, the Embedder protocol, query limits), codec (motion and vector blobs),
schema (the file and its checks), index (top-k search), library (MotionLibrary).
"""

from .index import FAISS_MIN_CLIPS, VectorIndex
from .library import MotionLibrary
from .types import MAX_QUERY_CHARS, Embedder, Hit, LibraryClip, LibraryItem

__all__ = ["MotionLibrary", "Embedder", "LibraryClip", "LibraryItem", "Hit", "MAX_QUERY_CHARS", "VectorIndex",
           "FAISS_MIN_CLIPS"]
