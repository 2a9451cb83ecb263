package io.tidemark.replication;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * A follower's connection to leaders: the two replication RPCs. The production implementation runs
 * them over the internal transport; a simulation delivers them through a seeded, faulty network.
 * Callbacks may run on any thread.
 */
public interface ReplicationLink
{
    /**
     * @param leaderId the leader broker.
     * @param request  the fetch.
     * @param callback the response (records as received bytes) or the failure.
     */
    void fetch(int leaderId, ReplicaFetchRequest request, BiConsumer<ReplicaFetchResponse, Throwable> callback);

    /**
     * @param leaderId the leader broker.
     * @param queries  the questions.
     * @param callback the answers or the failure.
     */
    void epochEndOffsets(int leaderId, List<EpochEndOffsets.Query> queries,
        BiConsumer<List<EpochEndOffsets.Answer>, Throwable> callback);
}
