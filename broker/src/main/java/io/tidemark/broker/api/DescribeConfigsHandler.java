package io.tidemark.broker.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.ConfigKey;
import io.tidemark.broker.config.BrokerConfigKeys;
import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

/**
 * DescribeConfigs (v1-4) for topics (every topic key with its effective value, source and synonyms) and
 * for this broker (every {@code server.properties} key, read-only: static configuration). The cluster-wide
 * broker resource ("") has no dynamic defaults and answers empty. Other resource types: INVALID_REQUEST.
 */
public final class DescribeConfigsHandler implements ApiHandler
{
    private final MetadataView metadata;
    private final TopicConfigDescriber describer;
    private final BrokerConfig brokerConfig;

    /**
     * @param metadata     the metadata view.
     * @param describer    describes topic configs.
     * @param brokerConfig this broker's configuration.
     */
    public DescribeConfigsHandler(final MetadataView metadata, final TopicConfigDescriber describer, final BrokerConfig brokerConfig)
    {
        this.metadata = metadata;
        this.describer = describer;
        this.brokerConfig = brokerConfig;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final DescribeConfigsRequestData data = ((DescribeConfigsRequest)request).data();
        final short version = context.version();
        final DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (final DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources())
        {
            final DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                .setResourceType(resource.resourceType()).setResourceName(resource.resourceName()).setErrorMessage(null);
            response.results().add(result);
            final ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.TOPIC)
            {
                topic(resource, result, data, version);
            }
            else if (type == ConfigResource.Type.BROKER)
            {
                broker(resource, result, data, version);
            }
            else
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("resource type " + type + " is not supported");
            }
        }
        return CompletableFuture.completedFuture(Response.of(response));
    }

    private void topic(final DescribeConfigsRequestData.DescribeConfigsResource resource,
        final DescribeConfigsResponseData.DescribeConfigsResult result, final DescribeConfigsRequestData data, final short version)
    {
        final TopicInfo topic = metadata.topic(resource.resourceName());
        if (topic == null)
        {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("topic " + resource.resourceName() + " does not exist");
            return;
        }
        result.setErrorCode(Errors.NONE.code());
        for (final TopicConfigDescriber.Entry e : describer.describe(topic.configs()))
        {
            if (!wanted(resource.configurationKeys(), e.name()))
            {
                continue;
            }
            final DescribeConfigsResponseData.DescribeConfigsResourceResult c = entry(e.name(), e.value(), false, e.source(), e.type(),
                e.doc(), data, version);
            if (data.includeSynonyms())
            {
                for (final TopicConfigDescriber.Synonym s : e.synonyms())
                {
                    c.synonyms().add(new DescribeConfigsResponseData.DescribeConfigsSynonym().setName(s.name()).setValue(s.value())
                        .setSource(s.source()));
                }
            }
            result.configs().add(c);
        }
    }

    private void broker(final DescribeConfigsRequestData.DescribeConfigsResource resource,
        final DescribeConfigsResponseData.DescribeConfigsResult result, final DescribeConfigsRequestData data, final short version)
    {
        final String name = resource.resourceName();
        if (name.isEmpty())
        {
            result.setErrorCode(Errors.NONE.code());
            return;
        }
        if (!name.equals(String.valueOf(brokerConfig.nodeId())))
        {
            result.setErrorCode(Errors.INVALID_REQUEST.code())
                .setErrorMessage("broker " + brokerConfig.nodeId() + " describes its own configuration, not broker " + name);
            return;
        }
        result.setErrorCode(Errors.NONE.code());
        for (final ConfigKey k : BrokerConfigKeys.ALL)
        {
            if (!wanted(resource.configurationKeys(), k.name()))
            {
                continue;
            }
            final boolean set = brokerConfig.explicit().containsKey(k.name());
            final byte source = set ? TopicConfigDescriber.SOURCE_STATIC_BROKER : TopicConfigDescriber.SOURCE_DEFAULT;
            final String value = brokerConfig.valueOf(k.name());
            final DescribeConfigsResponseData.DescribeConfigsResourceResult c = entry(k.name(), value, true, source, k.type(), k.doc(),
                data, version);
            if (data.includeSynonyms())
            {
                c.synonyms().add(new DescribeConfigsResponseData.DescribeConfigsSynonym().setName(k.name()).setValue(value).setSource(source));
            }
            result.configs().add(c);
        }
    }

    private static boolean wanted(final List<String> keys, final String name)
    {
        return keys == null || keys.isEmpty() || keys.contains(name);
    }

    private static DescribeConfigsResponseData.DescribeConfigsResourceResult entry(final String name, final String value,
        final boolean readOnly, final byte source, final ConfigKey.Type type, final String doc, final DescribeConfigsRequestData data,
        final short version)
    {
        final DescribeConfigsResponseData.DescribeConfigsResourceResult c = new DescribeConfigsResponseData.DescribeConfigsResourceResult()
            .setName(name).setValue(value).setReadOnly(readOnly).setIsSensitive(false).setConfigSource(source);
        if (version >= 3)
        {
            c.setConfigType(type.code());
            c.setDocumentation(data.includeDocumentation() ? doc : null);
        }
        return c;
    }
}
