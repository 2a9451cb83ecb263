/**
 * NIO transport: int32 length-prefixed frames, bounded per-connection queues with back-pressure,
 * zero-copy file-region sends and the internal request/response codec.
 *
 * <h2>Public API</h2>
 * <pre>
 *   TransportConfig (record + Builder)   every limit and timeout, validated; ConfigException names the knob
 *   TransportServer.start(config, address, FrameHandler)    selector threads, accept, framing, limits
 *   FrameHandler   onOpen / onFrame(Connection, InboundFrame) / onClose(Connection, CloseReason, Throwable)
 *   Connection     id, remoteAddress, close, attach/attachment, pauseReads/resumeReads (throttling)
 *   InboundFrame   body(), respond(Send) | noResponse() once from any thread; release() returns budget early
 *   Send           Send.builder().add(ByteBuffer).addFileRegion(channel, position, count).onComplete(cb).build()
 *   TransportClient.start(config).connect(address) -> ClientConnection
 *   ClientConnection  request(apiKey, apiVersion, Send) -> CompletableFuture&lt;RpcResponse&gt;, requestBlocking,
 *                     sendOneWay
 *   RpcServer      FrameHandler dispatching by apiKey to RpcHandlers; errors, never silent drops (RpcError)
 *   Rpc{Request,Response}Header{Encoder,Decoder}   flyweights over Agrona buffers
 *   UdpChannel.open(config, address, DatagramHandler)   datagrams for experiments; send() returns codes
 *   TransportCounters / Counter, TransportException (with Code), CloseReason
 * </pre>
 *
 * <h2>Frames on the wire</h2>
 * <pre>
 *   [int32 length &gt; 0, &lt;= maxFrameBytes][body]
 *   internal RPC request body:  [int32 correlationId][int16 apiKey][int16 apiVersion][request]
 *   internal RPC response body: [int32 correlationId][int16 errorCode][response]
 * </pre>
 *
 * <h2>Threads</h2>
 * Each connection belongs to one selector thread, which runs its handler callbacks and writes its sends.
 * Frames may be completed, and connections closed, from any thread: the work is handed to the selector
 * through an allocation-free intrusive queue. Responses leave in request order.
 *
 * <h2>Example: an asynchronous handler and a client</h2>
 * (run as {@code UsageExampleTest})
 * <pre>{@code
 * RpcServer rpc = RpcServer.builder()
 *     .register(FETCH, 0, 0, request ->
 *     {
 *         long position = request.body().getInt(RpcRequestHeaderEncoder.ENCODED_LENGTH);
 *         request.frame().release();                        // parsed: return its bytes to the budget
 *         segmentRefs.incrementAndGet();                    // the send holds a segment reference
 *         workers.execute(() -> request.respond(Send.builder()  // respond later, from another thread
 *             .addFileRegion(segment, position, 6)
 *             .onComplete((send, error) -> segmentRefs.decrementAndGet())
 *             .build()));
 *     })
 *     .build();
 * try (TransportServer server = TransportServer.start(TransportConfig.defaults(), new InetSocketAddress("127.0.0.1", 0), rpc);
 *      TransportClient client = TransportClient.start(TransportConfig.defaults()))
 * {
 *     ClientConnection connection = client.connectBlocking(new InetSocketAddress("127.0.0.1", server.port()));
 *     RpcResponse response = connection.requestBlocking(FETCH, 0, Send.of(ByteBuffer.allocate(4).putInt(0, 10)));
 * }
 * }</pre>
 */
package io.tidemark.transport;
