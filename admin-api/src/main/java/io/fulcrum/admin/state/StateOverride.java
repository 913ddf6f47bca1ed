package io.fulcrum.admin.state;

import java.util.Locale;

/**
 * An admin state an operator set that must survive a restart. ACTIVE is the absence of an override;
 * DRAINED is not stored: a DRAINING backend with nothing in flight after a restart is drained at
 * once.
 */
public enum StateOverride {
    DISABLED, DRAINING;

    /** The word stored in the file. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static StateOverride fromWord(String word) {
        for (StateOverride s : values()) {
            if (s.word().equals(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("state must be \"disabled\" or \"draining\", not \"" + word + "\"");
    }
}
