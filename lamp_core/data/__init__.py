"""Training corpora: real mocap and user BVH folders -> HumanML3D layout with captions, the
HumanML3D/KIT-ML reader, and a tiny synthetic set for tests."""
