/**
 * Cluster metadata and the controller that changes it: brokers, topics with ids and configs,
 * replica assignments, leaders, ISRs and epochs. A {@link io.tidemark.replication.controller.Controller}
 * owns the metadata; brokers read {@link io.tidemark.replication.controller.MetadataImage}s.
 */
package io.tidemark.replication.controller;
