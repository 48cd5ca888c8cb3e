"""What crosses process boundaries: event values and their protobuf codec, the topic
registry, the partition of a key."""
