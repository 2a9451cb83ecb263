package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.BrokerInfo;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/**
 * DescribeCluster (v0-2): cluster id, controller id (a live broker), brokers (fenced ones too when asked,
 * v2). A request for the controller endpoints (endpointType 2) gets MISMATCHED_ENDPOINT_TYPE: brokers
 * answer for brokers.
 */
public final class DescribeClusterHandler implements ApiHandler
{
    private static final byte BROKER_ENDPOINTS = 1;

    private final MetadataView metadata;

    /**
     * @param metadata the metadata view.
     */
    public DescribeClusterHandler(final MetadataView metadata)
    {
        this.metadata = metadata;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final DescribeClusterRequestData data = ((DescribeClusterRequest)request).data();
        final short version = context.version();
        final DescribeClusterResponseData response = new DescribeClusterResponseData();
        if (version >= 1)
        {
            response.setEndpointType(BROKER_ENDPOINTS);
            if (data.endpointType() != BROKER_ENDPOINTS)
            {
                return CompletableFuture.completedFuture(Response.of(response.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code())
                    .setErrorMessage("this is a broker listener; ask a controller listener for controller endpoints")));
            }
        }
        response.setClusterId(metadata.image().clusterId()).setControllerId(metadata.controllerIdForClients());
        final boolean includeFenced = version >= 2 && data.includeFencedBrokers();
        final List<BrokerInfo> brokers = new ArrayList<>(metadata.image().brokers().values());
        brokers.sort((a, b) -> Integer.compare(a.id(), b.id()));
        for (final BrokerInfo b : brokers)
        {
            if (b.fenced() && !includeFenced)
            {
                continue;
            }
            final MetadataView.HostPort hp = MetadataView.endpoint(b, context.listenerName());
            final DescribeClusterResponseData.DescribeClusterBroker broker = new DescribeClusterResponseData.DescribeClusterBroker()
                .setBrokerId(b.id()).setHost(hp.host()).setPort(hp.port()).setRack(b.rack());
            if (version >= 2)
            {
                broker.setIsFenced(b.fenced());
            }
            response.brokers().add(broker);
        }
        if (data.includeClusterAuthorizedOperations())
        {
            response.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        return CompletableFuture.completedFuture(Response.of(response));
    }
}
