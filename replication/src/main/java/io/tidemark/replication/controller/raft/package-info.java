/**
 * The replicated controller: a Raft quorum (MicroRaft) over the internal transport, holding the
 * cluster metadata.
 *
 * <h2>Public API</h2>
 * <pre>
 *   ControllerQuorumConfig   voters, listener, metadata dir, Raft timings, session and request timeouts (validated)
 *   RaftController           a voter: Raft node + metadata state machine + broker liveness, the Controller API on every voter
 *   RemoteController         a broker-only node's Controller: forwards calls, follows images by long poll
 *   FileRaftStore            MicroRaft's log, vote and snapshots in files through the storage seam
 *   QuorumNetwork, RaftControllerRuntime   seams for a deterministic simulation
 *   ControllerApi            API keys and error codes of the CONTROLLER listener
 * </pre>
 *
 * <h2>Inside</h2>
 * <pre>
 *   caller ──► RaftController ──(leader?)──► RaftNode.replicate(op) ──► log (FileRaftStore) ──► quorum
 *                  │ no                                                     │ commit
 *                  └──► WRITE to the leader (retry, same request id)        ▼
 *                                                  ControllerStateMachine: ControllerTopics / ControllerBrokers
 *                                                  in log order; version = log index; dedupe by request id
 *                                                              │
 *                                      image() ◄───────────────┴──► publisher thread ──► listeners (in order)
 * </pre>
 * Every voter applies the same log, so every voter computes the same images; non-deterministic inputs
 * (topic ids, the active controller's defaults) travel inside the log entries, broker epochs are log
 * indices.
 */
package io.tidemark.replication.controller.raft;
