/**
 * The Kafka request path: transport frames to per-connection sessions on the request handler pool,
 * header and version checks, dispatch to {@link io.tidemark.broker.network.ApiHandler}s, and responses
 * serialized with kafka-clients' generated classes into transport sends, records as file regions
 * (zero copy).
 *
 * <pre>
 *  selector threads (transport)        request handler pool (num.io.threads)
 *  frame ─► KafkaFrameHandler ─► ConnectionSession queue ─► RequestProcessor ─► ApiHandler
 *                                                                               │ (now or later, any thread)
 *  socket ◄── in request order ◄── InboundFrame.respond(Send) ◄── ResponseEncoder ◄┘
 * </pre>
 */
package io.tidemark.broker.network;
