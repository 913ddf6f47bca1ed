package io.fulcrum.admin.server;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.stream.Collectors;

/** Every path of the admin API (SPEC section 7) with the methods it answers. */
enum Endpoint {
    HEALTHZ(List.of(HttpMethod.GET, HttpMethod.HEAD)),
    METRICS(List.of(HttpMethod.GET)),
    STATUS(List.of(HttpMethod.GET)),
    POOLS(List.of(HttpMethod.GET)),
    POOL(List.of(HttpMethod.GET)),
    BACKENDS(List.of(HttpMethod.POST)),
    BACKEND(List.of(HttpMethod.GET, HttpMethod.PATCH, HttpMethod.DELETE)),
    DRAIN(List.of(HttpMethod.POST)),
    RELOAD(List.of(HttpMethod.POST));

    private final List<HttpMethod> methods;

    Endpoint(List<HttpMethod> methods) {
        this.methods = methods;
    }

    boolean allows(HttpMethod method) {
        return methods.contains(method);
    }

    /** The value of the {@code Allow} header of a 405. */
    String allowHeader() {
        return methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
    }
}
