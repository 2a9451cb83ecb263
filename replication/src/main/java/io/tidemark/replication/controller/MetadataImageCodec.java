package io.tidemark.replication.controller;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A line-oriented text form of a {@link MetadataImage}, used to persist the single-node controller's
 * metadata and as the snapshot format of the replicated one. Strings are URL-encoded so no value can
 * break a line.
 *
 * <pre>
 *  tidemark-metadata 2
 *  cluster &lt;clusterId&gt; &lt;controllerId&gt; &lt;version&gt;
 *  producerIds &lt;nextProducerId&gt;
 *  broker &lt;id&gt; &lt;epoch&gt; &lt;incarnation&gt; &lt;host&gt; &lt;port&gt; &lt;rack|-&gt; &lt;fenced&gt; &lt;name=host:port,...|-&gt;
 *  topic &lt;name&gt; &lt;uuid&gt; &lt;partitionCount&gt;
 *  config &lt;topic&gt; &lt;key&gt; &lt;value&gt;
 *  partition &lt;topic&gt; &lt;p&gt; &lt;replicas&gt; &lt;isr&gt; &lt;leader&gt; &lt;leaderEpoch&gt; &lt;partitionEpoch&gt; &lt;elr&gt; &lt;recovery&gt;
 *  end
 * </pre>
 *
 * <p>Version 1 (written before controller-allocated producer id blocks) has no {@code producerIds} line;
 * it is still read, with a next producer id of 0 (no block was ever allocated then).
 */
public final class MetadataImageCodec
{
    private static final String HEADER = "tidemark-metadata 2";
    private static final String HEADER_V1 = "tidemark-metadata 1";

    private MetadataImageCodec()
    {
    }

    /**
     * @param image the image.
     * @return its text form.
     */
    public static byte[] encode(final MetadataImage image)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n');
        sb.append("cluster ").append(enc(image.clusterId())).append(' ').append(image.controllerId()).append(' ')
            .append(image.version()).append('\n');
        sb.append("producerIds ").append(image.nextProducerId()).append('\n');
        for (final BrokerInfo b : new TreeMap<>(image.brokers()).values())
        {
            sb.append("broker ").append(b.id()).append(' ').append(b.epoch()).append(' ').append(b.incarnation()).append(' ')
                .append(enc(b.host())).append(' ')
                .append(b.port()).append(' ').append(b.rack() == null ? "-" : enc(b.rack())).append(' ').append(b.fenced())
                .append(' ');
            if (b.endpoints().isEmpty())
            {
                sb.append('-');
            }
            else
            {
                final List<String> parts = new ArrayList<>();
                for (final Map.Entry<String, String> e : new TreeMap<>(b.endpoints()).entrySet())
                {
                    parts.add(enc(e.getKey()) + "=" + enc(e.getValue()));
                }
                sb.append(String.join(",", parts));
            }
            sb.append('\n');
        }
        for (final TopicInfo t : new TreeMap<>(image.topics()).values())
        {
            sb.append("topic ").append(enc(t.name())).append(' ').append(t.id()).append(' ').append(t.partitions().size()).append('\n');
            for (final Map.Entry<String, String> e : new TreeMap<>(t.configs()).entrySet())
            {
                sb.append("config ").append(enc(t.name())).append(' ').append(enc(e.getKey())).append(' ')
                    .append(enc(e.getValue())).append('\n');
            }
            for (final PartitionInfo p : t.partitions())
            {
                sb.append("partition ").append(enc(t.name())).append(' ').append(p.partition()).append(' ')
                    .append(ints(p.replicas())).append(' ').append(ints(p.isr())).append(' ').append(p.leader()).append(' ')
                    .append(p.leaderEpoch()).append(' ').append(p.partitionEpoch()).append(' ').append(ints(p.elr())).append(' ')
                    .append(summaries(p.recovery())).append('\n');
            }
        }
        sb.append("end\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param bytes a text form written by {@link #encode}.
     * @return the image.
     * @throws IllegalArgumentException naming the line if it does not parse.
     */
    public static MetadataImage decode(final byte[] bytes)
    {
        final String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        final boolean v1 = lines.length > 0 && HEADER_V1.equals(lines[0]);
        if (lines.length < 3 || !(v1 || HEADER.equals(lines[0])) || !"end".equals(lines[lines.length - 1]))
        {
            throw new IllegalArgumentException("not a complete metadata image (header or end line missing)");
        }
        String clusterId = null;
        int controllerId = -1;
        long version = 0;
        long nextProducerId = 0;
        boolean producerIdsSeen = v1;
        final Map<Integer, BrokerInfo> brokers = new HashMap<>();
        final Map<String, UUID> topicIds = new LinkedHashMap<>();
        final Map<String, Integer> counts = new HashMap<>();
        final Map<String, Map<String, String>> configs = new HashMap<>();
        final Map<String, PartitionInfo[]> partitions = new HashMap<>();
        for (int i = 1; i < lines.length - 1; i++)
        {
            // -1: keep trailing empty fields (an empty value is a field too)
            final String[] f = lines[i].split(" ", -1);
            try
            {
                switch (f[0])
                {
                    case "cluster" ->
                    {
                        clusterId = dec(f[1]);
                        controllerId = Integer.parseInt(f[2]);
                        version = Long.parseLong(f[3]);
                    }
                    case "producerIds" ->
                    {
                        if (v1)
                        {
                            throw new IllegalArgumentException("a version 1 image has no producerIds record");
                        }
                        nextProducerId = Long.parseLong(f[1]);
                        producerIdsSeen = true;
                    }
                    case "broker" ->
                    {
                        final Map<String, String> endpoints = new HashMap<>();
                        if (!"-".equals(f[8]))
                        {
                            for (final String part : f[8].split(","))
                            {
                                final int eq = part.indexOf('=');
                                endpoints.put(dec(part.substring(0, eq)), dec(part.substring(eq + 1)));
                            }
                        }
                        final BrokerInfo b = new BrokerInfo(Integer.parseInt(f[1]), Long.parseLong(f[2]), UUID.fromString(f[3]),
                            dec(f[4]), Integer.parseInt(f[5]), "-".equals(f[6]) ? null : dec(f[6]), Boolean.parseBoolean(f[7]),
                            endpoints);
                        brokers.put(b.id(), b);
                    }
                    case "topic" ->
                    {
                        final String name = dec(f[1]);
                        topicIds.put(name, UUID.fromString(f[2]));
                        counts.put(name, Integer.parseInt(f[3]));
                        partitions.put(name, new PartitionInfo[Integer.parseInt(f[3])]);
                        configs.put(name, new HashMap<>());
                    }
                    case "config" -> configs.get(dec(f[1])).put(dec(f[2]), dec(f[3]));
                    case "partition" ->
                    {
                        final PartitionInfo p = new PartitionInfo(Integer.parseInt(f[2]), parseInts(f[3]), parseInts(f[4]),
                            Integer.parseInt(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]), parseInts(f[8]),
                            parseSummaries(f[9]));
                        partitions.get(dec(f[1]))[p.partition()] = p;
                    }
                    default -> throw new IllegalArgumentException("unknown record");
                }
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("metadata line " + (i + 1) + " '" + lines[i] + "': " + ex.getMessage(), ex);
            }
        }
        final Map<String, TopicInfo> topics = new HashMap<>();
        for (final Map.Entry<String, UUID> e : topicIds.entrySet())
        {
            final PartitionInfo[] ps = partitions.get(e.getKey());
            for (int p = 0; p < ps.length; p++)
            {
                if (ps[p] == null)
                {
                    throw new IllegalArgumentException("topic " + e.getKey() + " lacks partition " + p);
                }
            }
            topics.put(e.getKey(), new TopicInfo(e.getKey(), e.getValue(), configs.get(e.getKey()), List.of(ps)));
        }
        if (clusterId == null)
        {
            throw new IllegalArgumentException("no cluster line");
        }
        if (!producerIdsSeen)
        {
            throw new IllegalArgumentException("no producerIds line");
        }
        return new MetadataImage(clusterId, controllerId, version, brokers, topics, nextProducerId);
    }

    private static String ints(final List<Integer> values)
    {
        if (values.isEmpty())
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder();
        for (final int v : values)
        {
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            sb.append(v);
        }
        return sb.toString();
    }

    private static String summaries(final List<ReplicaLogSummary> values)
    {
        if (values.isEmpty())
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder();
        for (final ReplicaLogSummary v : values)
        {
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            sb.append(v.brokerId()).append(':').append(v.lastEpoch()).append(':').append(v.logEndOffset());
        }
        return sb.toString();
    }

    private static List<ReplicaLogSummary> parseSummaries(final String text)
    {
        final List<ReplicaLogSummary> result = new ArrayList<>();
        if (!"-".equals(text))
        {
            for (final String s : text.split(","))
            {
                final String[] f = s.split(":");
                result.add(new ReplicaLogSummary(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2])));
            }
        }
        return result;
    }

    private static List<Integer> parseInts(final String text)
    {
        final List<Integer> result = new ArrayList<>();
        if (!"-".equals(text))
        {
            for (final String s : text.split(","))
            {
                result.add(Integer.parseInt(s));
            }
        }
        return result;
    }

    private static String enc(final String s)
    {
        // "-" stands for "none" (rack, lists, endpoints): a value that is "-" itself is written escaped
        return "-".equals(s) ? "%2D" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(final String s)
    {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
