package io.fulcrum.health.report;

/** A load report or agent reply that cannot be understood. The message says what was wrong, for the log. */
public final class MalformedReportException extends Exception {

    public MalformedReportException(String message) {
        super(message, null, false, false); // no stack trace: this is an input error, not a bug
    }
}
