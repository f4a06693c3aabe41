package org.leno.internal.distributed;

import java.net.URI;
import java.util.Map;

/** Where and how the processes of a distributed run meet: the reference's --dist-url, --world-size, --rank, --dist-backend. */
public record DistConfig(String host, int port, int worldSize, int rank, String backend, int timeoutSeconds) {

    public DistConfig {
        if (worldSize < 2) {
            throw new IllegalArgumentException("--world-size must be at least 2 for distributed training, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("--rank " + rank + " is not in a world of size " + worldSize);
        }
        if (!backend.equals("gloo") && !backend.equals("nccl")) {
            throw new IllegalArgumentException("--dist-backend must be gloo or nccl, got " + backend);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--dist-url port must be 1-65535, got " + port);
        }
    }

    /** From the flags; {@code env://} reads MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK as torchrun sets them. */
    public static DistConfig of(String url, int worldSize, int rank, String backend, int timeoutSeconds, Map<String, String> env) {
        if (url.equals("env://")) {
            String addr = require(env, "MASTER_ADDR");
            int port = Integer.parseInt(require(env, "MASTER_PORT"));
            int world = worldSize > 0 ? worldSize : Integer.parseInt(require(env, "WORLD_SIZE"));
            int r = rank >= 0 ? rank : Integer.parseInt(require(env, "RANK"));
            return new DistConfig(addr, port, world, r, backend, timeoutSeconds);
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dist-url " + url + ": expected tcp://HOST:PORT or env://");
        }
        if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("--dist-url " + url + ": expected tcp://HOST:PORT or env://");
        }
        return new DistConfig(uri.getHost(), uri.getPort(), worldSize, rank, backend, timeoutSeconds);
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--dist-url env:// needs the environment variable " + name);
        }
        return v;
    }
}
