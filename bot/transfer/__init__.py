"""Export and restore of a workspace's record: one schema, both directions."""
