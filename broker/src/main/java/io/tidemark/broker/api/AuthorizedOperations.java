package io.tidemark.broker.api;

import java.util.HashSet;
import java.util.Set;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * Authorized-operation bit fields for clients that ask (no authorizer: everything is allowed).
 */
final class AuthorizedOperations
{
    static final int TOPIC = bits(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER,
        AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
    static final int CLUSTER = bits(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
        AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE);

    private AuthorizedOperations()
    {
    }

    private static int bits(final AclOperation... ops)
    {
        final Set<Byte> codes = new HashSet<>();
        for (final AclOperation op : ops)
        {
            codes.add(op.code());
        }
        return Utils.to32BitField(codes);
    }
}
