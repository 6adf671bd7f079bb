package dev.resilient.common.problem;

/** A request part the framework accepted but our rules reject (a malformed header, say): a 400 naming that part. */
public class InvalidRequestException extends RuntimeException {

    private final String field;

    public InvalidRequestException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
