package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;

/**
 * A balancing strategy. It builds a {@link Selector} from an immutable list of backends each time the
 * pool's membership, states or weights change, off the request path; the request path only calls
 * {@link Selector#select}. Adding a strategy is one class and one line in {@link Strategies}.
 */
public interface Strategy {

    /**
     * Builds a selector over {@code backends} (never empty, immutable, in pool order). May be called
     * concurrently with selections on the previous selector; must not block.
     */
    Selector build(List<Backend> backends);
}
