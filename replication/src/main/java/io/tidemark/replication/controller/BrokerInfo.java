package io.tidemark.replication.controller;

import java.util.Map;

/**
 * A registered broker.
 *
 * @param id          {@code node.id}.
 * @param epoch       broker epoch: changes on every registration (every restart).
 * @param incarnation id of the broker's storage: a new one means its disks were wiped (KIP-903).
 * @param host        advertised host of the client listener.
 * @param port        advertised port of the client listener.
 * @param rack        rack, or null.
 * @param fenced      true while its session is not live (missed heartbeats, or shut down).
 * @param endpoints   other listeners by name (REPLICATION, CONTROLLER) as host:port.
 */
public record BrokerInfo(int id, long epoch, java.util.UUID incarnation, String host, int port, String rack, boolean fenced, Map<String, String> endpoints)
{
    /**
     * Copies the endpoints.
     */
    public BrokerInfo
    {
        endpoints = Map.copyOf(endpoints);
    }

    /**
     * @param nowFenced the new fenced flag.
     * @return a copy.
     */
    public BrokerInfo withFenced(final boolean nowFenced)
    {
        return new BrokerInfo(id, epoch, incarnation, host, port, rack, nowFenced, endpoints);
    }
}
