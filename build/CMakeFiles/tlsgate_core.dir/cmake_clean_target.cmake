file(REMOVE_RECURSE
  "libtlsgate_core.a"
)
