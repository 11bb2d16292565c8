# Empty dependencies file for tlsgate_core.
# This may be replaced when dependencies are built.
