package io.fulcrum.proxy.config;

import java.util.List;

/**
 * A config that cannot be used. Every entry of {@link #errors()} is one problem, prefixed with the
 * file and line it comes from ({@code conf/fulcrum.conf:12: pools.web.strategy: unknown strategy 'foo'}).
 */
public final class InvalidConfigException extends Exception {

    private final List<String> errors;

    public InvalidConfigException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
