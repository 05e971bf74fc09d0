package io.distillguard.service.cli;

/**
 * A mistake in what the user gave a command (a file that is empty or not of its kind, a value out of range, an option
 * missing for what was asked): the command line prints the message as one line and exits with 2.
 */
public final class InputError extends RuntimeException {

    public InputError(String message) {
        super(message);
    }

    public InputError(String message, Throwable cause) {
        super(message, cause);
    }

    /** Refuses {@code value} unless it is at least {@code min}, naming the option. */
    public static void atLeast(String option, double value, double min) {
        if (value < min) {
            throw new InputError(option + " must be at least " + format(min) + ", got " + format(value));
        }
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
