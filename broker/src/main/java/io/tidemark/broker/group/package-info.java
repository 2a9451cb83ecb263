/**
 * The group coordinator: Kafka's classic consumer group protocol (FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup) and committed offsets (OffsetCommit, OffsetFetch, OffsetDelete), plus the admin
 * APIs (ListGroups, DescribeGroups, DeleteGroups). Groups and offsets live in the replicated internal
 * topic {@code __consumer_offsets} ({@link io.tidemark.broker.group.OffsetsRecords} has the record
 * format); the coordinator of a group is the leader of its partition. See {@code docs/GROUPS.md}.
 */
package io.tidemark.broker.group;
